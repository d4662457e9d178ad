"""Country-year ratings and indices: Freedom House, V-Dem, World Bank indicators.

Each becomes ``indicators`` of the scenario: one value per actor, indicator and
year, named ``<dataset>.<variable>``:

=============================  ==============================================  ==========
indicator                      meaning                                         scale
=============================  ==============================================  ==========
freedomhouse.political_rights  Freedom House political rights rating           1-7, 1 most free
freedomhouse.civil_liberties   Freedom House civil liberties rating            1-7, 1 most free
vdem.v2x_polyarchy             V-Dem electoral democracy index                 0-1
vdem.v2x_libdem (and others)   V-Dem liberal, participatory, deliberative,     0-1
                               egalitarian democracy indices
wdi.<code>                     World Bank indicator, e.g. wdi.TX.VAL.FUEL.     as the file
                               ZS.UN fuel exports (% of merchandise exports)
=============================  ==============================================  ==========

Rows whose country maps to no actor are skipped (and counted); a file none of
whose countries maps is an error naming the codes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.importers.base import Facts, dataset_version
from crossroads.importers.csvfile import Table, read_table
from crossroads.reference_data import ActorCodes, country_by_cow, country_by_iso3

__all__ = ["freedomhouse_facts", "read_indicator_rows", "vdem_facts", "wdi_facts"]

FH_UNIT = "rating 1-7 (1 = most free)"


def _actor_resolver(
    t: Table, codes: ActorCodes, *, iso3_col: str | None = None, cow_col: str | None = None
) -> Callable[[int, dict[str, str]], str | None]:
    def resolve(line: int, row: dict[str, str]) -> str | None:
        if cow_col is not None:
            return codes.actor_for_cow(t.integer(line, row, cow_col))
        assert iso3_col is not None
        code = t.text(line, row, iso3_col).upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ScenarioError(
                f"must be a three-letter country code, got {code!r}",
                file=t.label,
                line=line,
                field=iso3_col,
            )
        return codes.actor_for_iso3(code)

    return resolve


def _unmapped_error(t: Table, codes: ActorCodes, seen: set, kind: str) -> ScenarioError:
    shown = []
    for code in sorted(seen, key=str)[:6]:
        row = country_by_cow(code) if isinstance(code, int) else country_by_iso3(code)
        shown.append(f"{code} ({row.name})" if row else str(code))
    return ScenarioError(
        f"no country of this {kind} file maps to an actor of scenario '{codes.scenario}' "
        f"(codes: {', '.join(shown)}{', ...' if len(seen) > 6 else ''}); give the actor "
        "its iso3 or cow code",
        file=t.label,
        line=t.header_line,
    )


def read_indicator_rows(
    t: Table,
    codes: ActorCodes,
    *,
    kind: str,
    columns: dict[str, tuple[str, str | None]],
    iso3_col: str | None = None,
    cow_col: str | None = None,
    label_col: str | None = None,
    year_col: str = "year",
) -> tuple[list[dict], int, set]:
    """Indicator records from a country-year table.

    Parameters
    ----------
    columns : dict
        file column -> (indicator name, unit).

    Returns
    -------
    records : list of dict
    skipped : int
        Rows whose country maps to no actor.
    seen : set
        The country codes of skipped rows.
    """
    resolve = _actor_resolver(t, codes, iso3_col=iso3_col, cow_col=cow_col)
    recs: list[dict] = []
    skipped, seen = 0, set()
    keys: dict[tuple[str, str, int], int] = {}
    for line, row in t.rows:
        actor = resolve(line, row)
        year = t.year(line, row, year_col)
        if actor is None:
            skipped += 1
            seen.add(t.integer(line, row, cow_col) if cow_col else row[iso3_col or ""].upper())
            continue
        for col, (name, unit) in columns.items():
            v = t.number(line, row, col)
            if v is None:
                continue
            key = (actor, name, year)
            if key in keys:
                raise ScenarioError(
                    f"a second value for {actor} in {year} (first on line {keys[key]})",
                    file=t.label,
                    line=line,
                    field=col,
                )
            keys[key] = line
            rec = {
                "actor": actor,
                "indicator": name,
                "year": year,
                "value": v,
                "where": f"{Path(t.label).name}, line {line}",
            }
            if unit:
                rec["unit"] = unit
            if label_col and row.get(label_col):
                rec["label"] = row[label_col]
            recs.append(rec)
    if not recs and skipped:
        raise _unmapped_error(t, codes, seen, kind)
    if not recs:
        raise ScenarioError(
            f"no value in any of the columns {', '.join(columns)}", file=t.label, line=t.header_line
        )
    return recs, skipped, seen


def _years(recs: list[dict]) -> str:
    ys = [r["year"] for r in recs]
    return f"{min(ys)}-{max(ys)}"


def freedomhouse_facts(
    path: Path, codes: ActorCodes, *, label: str | None = None, version: str | None = None
) -> Facts:
    """Freedom House political rights and civil liberties ratings (status kept as label).

    Reads ``year``, ``iso3c`` (or ``iso3``), ``political_rights``,
    ``civil_liberties`` and optional ``status`` (Free / Partly Free / Not Free).
    """
    t = read_table(Path(path), label)
    iso = "iso3c" if "iso3c" in t.header else "iso3"
    t.need("year", iso, "political_rights", "civil_liberties", what="a Freedom House file")
    for line, row in t.rows:
        for col in ("political_rights", "civil_liberties"):
            v = t.number(line, row, col)
            if v is not None and (v != int(v) or not 1 <= v <= 7):
                raise ScenarioError(
                    f"a Freedom House rating is a whole number 1-7, got {v:g}",
                    file=t.label,
                    line=line,
                    field=col,
                )
    recs, skipped, seen = read_indicator_rows(
        t,
        codes,
        kind="Freedom House",
        iso3_col=iso,
        columns={
            "political_rights": ("freedomhouse.political_rights", FH_UNIT),
            "civil_liberties": ("freedomhouse.civil_liberties", FH_UNIT),
        },
        label_col="status" if "status" in t.header else None,
    )
    ver = dataset_version(Path(path), r"fiw[_-]?(\d{4})", None, version)
    if ver.startswith("not stated"):
        ver = f"edition not stated in the file (ratings {_years(recs)})"
    facts = Facts(
        kind="freedom-house",
        source={
            "id": "freedomhouse",
            "title": "Freedom House, Freedom in the World: political rights and civil liberties "
            "ratings",
            "publisher": "Freedom House",
            "version": ver,
            "url": "https://freedomhouse.org/report/freedom-world",
            "note": f"imported from {Path(path).name} by crossroads import freedom-house",
        },
        indicators=recs,
    )
    facts.notes.append(
        f"{len(recs)} ratings, {_years(recs)}"
        + (f"; {skipped} rows of other countries skipped" if skipped else "")
    )
    return facts


def vdem_facts(
    path: Path, codes: ActorCodes, *, label: str | None = None, version: str | None = None
) -> Facts:
    """V-Dem indices (every ``v2x_*`` column), keyed by ``country_text_id`` or COW ``ccode``."""
    t = read_table(Path(path), label)
    cols = [c for c in t.header if c.startswith("v2x_")]
    if not cols:
        raise ScenarioError(
            "a V-Dem file needs at least one v2x_* index column", file=t.label, line=t.header_line
        )
    if "country_text_id" in t.header:
        key = {"iso3_col": "country_text_id"}
    elif "ccode" in t.header:
        key = {"cow_col": "ccode"}
    else:
        t.need("country_text_id", what="a V-Dem file (or one keyed by COW ccode)")
        key = {}
    t.need("year", what="a V-Dem file")
    for line, row in t.rows:
        for col in cols:
            v = t.number(line, row, col)
            if v is not None and not 0 <= v <= 1:
                raise ScenarioError(
                    f"a V-Dem index lies in 0-1, got {v:g}", file=t.label, line=line, field=col
                )
    recs, skipped, _ = read_indicator_rows(
        t, codes, kind="V-Dem", columns={c: (f"vdem.{c}", "index 0-1") for c in cols}, **key
    )
    ver = dataset_version(Path(path), r"v-?dem[_-]?v?(\d+)", None, version)
    if ver.startswith("not stated"):
        ver = f"edition not stated in the file (data {_years(recs)})"
    ignored = [
        c
        for c in t.header
        if c not in (*cols, "year", "ccode", "country_text_id", "vdem_country_name", "country_name")
    ]
    facts = Facts(
        kind="vdem",
        source={
            "id": "vdem" if "iso3_col" in key else "vdem-ccode",
            "title": "V-Dem (Varieties of Democracy) democracy indices",
            "publisher": "V-Dem Institute, University of Gothenburg",
            "version": ver,
            "url": "https://www.v-dem.net/data/",
            "note": f"imported from {Path(path).name} by crossroads import vdem",
        },
        indicators=recs,
    )
    facts.notes.append(
        f"{len(recs)} values of {', '.join(cols)}, {_years(recs)}"
        + (f"; {skipped} rows of other countries skipped" if skipped else "")
        + (f"; columns not from V-Dem, not imported: {', '.join(ignored)}" if ignored else "")
    )
    return facts


def wdi_facts(
    path: Path, codes: ActorCodes, *, label: str | None = None, version: str | None = None
) -> Facts:
    """World Bank indicators, long (``Country Code, Indicator Code, year, value``) or as downloaded.

    The World Bank's download has four preamble lines and a column per year
    (``Country Name, Country Code, Indicator Name, Indicator Code, 1960, ...``). The
    long form's header starts with ``Country Code`` (or ``Country Name``); its ``year``
    and ``value`` columns may be spelt in any case (``Year``, ``Value``). An optional
    ``Indicator Name`` column gives the unit, as in the download.
    """
    path = Path(path)
    head = read_table(path, label, header_starts=("Country Name", "Country Code"))
    for want in ("year", "value"):  # the long form's columns, in whatever case
        found = [c for c in head.header if c.lower() == want]
        if found and found[0] != want:
            old = found[0]
            head = dataclasses.replace(
                head,
                header=[want if c == old else c for c in head.header],
                rows=[(ln, {(want if k == old else k): v for k, v in r.items()})
                      for ln, r in head.rows],
            )  # fmt: skip
    head.need("Country Code", "Indicator Code", what="a World Bank indicator file")
    year_cols = [c for c in head.header if re.fullmatch(r"\d{4}", c)]
    long_format = "year" in head.header and "value" in head.header
    if long_format:
        rows = head.rows
    elif year_cols:
        rows = []
        for line, row in head.rows:
            for y in year_cols:
                rows.append((line, {**row, "year": y, "value": row[y]}))
    else:
        raise ScenarioError(
            "a World Bank file needs columns year and value, or a column per year (1960, ...)",
            file=head.label,
            line=head.header_line,
        )
    recs: list[dict] = []
    skipped, seen = 0, set()
    by_code: dict[str, str] = {}
    first_line: dict[tuple[str, str, int], int] = {}
    for line, row in rows:
        code = head.text(line, row, "Indicator Code")
        name = row.get("Indicator Name", "")
        by_code.setdefault(code, name)
        iso = head.text(line, row, "Country Code").upper()
        if not re.fullmatch(r"[A-Z]{3}", iso):
            raise ScenarioError(
                f"must be a three-letter country code, got {iso!r}",
                file=head.label,
                line=line,
                field="Country Code",
            )
        year = head.year(line, row, "year")
        value = head.number(line, row, "value" if long_format else str(year))
        if value is None:
            continue
        actor = codes.actor_for_iso3(iso)
        if actor is None:
            skipped += 1
            seen.add(iso)
            continue
        key = (actor, code, year)
        if key in first_line:
            raise ScenarioError(
                f"a second value of {code} for {actor} in {year} (first on line {first_line[key]})",
                file=head.label,
                line=line,
                field="value",
            )
        first_line[key] = line
        m = re.search(r"\(([^()]*)\)\s*$", name)
        rec = {
            "actor": actor,
            "indicator": f"wdi.{code}",
            "year": year,
            "value": value,
            "where": f"{path.name}, line {line}",
        }
        if m:
            rec["unit"] = m.group(1)
        recs.append(rec)
    if not recs and skipped:
        raise _unmapped_error(head, codes, seen, "World Bank")
    if not recs:
        raise ScenarioError("no value in the file", file=head.label, line=head.header_line)
    ver = dataset_version(path, r"wdi[_-]?(\d{4}[-_]\d{2}(?:[-_]\d{2})?)", None, version)
    if ver.startswith("not stated"):
        ver = f"release not stated in the file (data {_years(recs)})"
    facts = Facts(
        kind="wdi",
        source={
            "id": "wdi-" + "-".join(sorted(c.lower() for c in by_code))[:70],
            "title": "World Bank, World Development Indicators: "
            + "; ".join(f"{n} [{c}]" if n else c for c, n in sorted(by_code.items())),
            "publisher": "World Bank",
            "version": ver,
            "url": "https://databank.worldbank.org/source/world-development-indicators",
            "note": f"imported from {path.name} by crossroads import wdi",
        },
        indicators=recs,
    )
    facts.notes.append(
        f"{len(recs)} values of {', '.join(sorted(by_code))}, {_years(recs)}"
        + (f"; {skipped} rows of other countries skipped" if skipped else "")
    )
    return facts
