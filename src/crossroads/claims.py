"""Check a scenario's figures against independent data, side by side.

:func:`check_claims` reads dataset files with the importers (without changing
the scenario) and puts every figure of the scenario that the data also
measures — the same quantity, actors and year — next to the data's value:

- trade shares (a partner's share of the reporter's exports, imports or total
  trade) against the data's share over the **national total** and over the
  **sum of partners** — one row per denominator, each named;
- bilateral trade values (e.g. "about $14bn in 2007") against the data's value;
- fuel's (or oil's) share of exports against the World Bank's fuel share of
  merchandise exports (a close, not identical, quantity: the row says so);
- memberships: whether the actor is a member in the scenario's year, and the
  year it joined, against COW IGO;
- benchmark observations and indicator values (e.g. a Freedom House rating)
  against the same indicator in the data.

A difference is flagged when it exceeds the tolerance, relative to the data's
value (``|claim - data| > tolerance x |data|``); membership disagreements are
always flagged. Shares are compared in percentage points.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError, ScenarioError
from crossroads.importers import KIND_ALIASES, KINDS, detect_kind, kind_name, read_facts
from crossroads.importers.base import Facts
from crossroads.network.graph import FULL_ROLES, held, year_of
from crossroads.network.trade_dependence import (
    bilateral,
    fuel_shares,
    partner_shares,
    totals,
    usd_million_factor,
)
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import validate_data
from crossroads.wording import possessive

__all__ = ["ClaimsCheck", "check_claims", "DEFAULT_TOLERANCE"]

#: Default relative tolerance: a claim within 5% of the data's value passes.
DEFAULT_TOLERANCE = 0.05

_COLUMNS = [
    "quantity",
    "subject",
    "partner",
    "year",
    "claim",
    "data",
    "unit",
    "difference",
    "relative",
    "flagged",
    "denominator",
    "basis",
    "approximate",
    "dataset",
    "claim_source",
    "claim_where",
    "note",
]


@dataclass(frozen=True)
class ClaimsCheck:
    """The scenario's figures next to the data's.

    Attributes
    ----------
    scenario : str
    tolerance : float
        Relative tolerance used for flags.
    rows : DataFrame
        ``quantity, subject, partner, year, claim, data, unit`` (``%`` for
        shares, shown in percent; ``USD bn``...; ``member`` 1/0; ``year``),
        ``difference`` (claim - data, in ``unit``), ``relative`` (|difference| /
        |data|), ``flagged``, ``denominator`` (for shares: which total, its
        value and indicator), ``basis`` (``national total``, ``sum of partners``,
        ``value``, ``fuel share`` or empty), ``approximate`` (the claim says
        "about"),
        ``dataset`` (source id and version), ``claim_source, claim_where, note``.
    datasets : list of dict
        Each file read: ``file, kind, source, version, notes``.
    notes : list of str
        What could not be compared and why.
    """

    scenario: str
    tolerance: float
    rows: pd.DataFrame
    datasets: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> pd.DataFrame:
        """Rows beyond the tolerance."""
        return self.rows[self.rows.flagged]

    def find(
        self,
        quantity_contains: str,
        year: int | None = None,
        denominator_contains: str | None = None,
    ) -> pd.DataFrame:
        """Rows whose quantity (and denominator) contain the given text."""
        r = self.rows[self.rows.quantity.str.contains(quantity_contains, regex=False)]
        if year is not None:
            r = r[r.year == year]
        if denominator_contains is not None:
            r = r[r.denominator.fillna("").str.contains(denominator_contains, regex=False)]
        return r

    def table(self) -> pd.DataFrame:
        """:attr:`rows` numbered (``#``, from 1), with ``over``: what the data's figure is over.

        ``over`` is, for a share, its basis and the data's total in USD million
        (``national total 43,205.1``); else the basis (``value``, ``fuel share``)
        or empty.
        """
        rows = self.rows.copy()
        rows["over"] = [
            f"{b} {_denominator_total(d)}"
            if b in ("national total", "sum of partners")
            else (b or "")
            for b, d in zip(rows.basis, rows.denominator, strict=True)
        ]
        rows.insert(0, "#", range(1, len(rows) + 1))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        recs = []
        for r in self.rows.to_dict(orient="records"):
            recs.append(
                {
                    k: (None if (not isinstance(v, list | tuple) and pd.isna(v)) else v)
                    for k, v in r.items()
                }
            )
        return {
            "scenario": self.scenario,
            "tolerance": self.tolerance,
            "compared": len(self.rows),
            "flagged": int(self.rows.flagged.sum()),
            "rows": recs,
            "datasets": self.datasets,
            "notes": self.notes,
        }


def _denominator_total(denominator: str | None) -> str:
    """The total in a share's denominator text ("national total 43,205.1 USD million (...)",
    as :func:`~crossroads.network.trade_dependence.partner_shares` writes it)."""
    m = re.search(r"total ([\d,.]+) USD|partners ([\d,.]+) USD", denominator or "")
    return (m.group(1) or m.group(2)) if m else ""


#: The collections a data-only scenario keeps: the actors, and the datasets' facts.
_DATA_KEPT = frozenset({"actors", "sources", "memberships", "agreements", "flows", "indicators"})


def _data_scenario(scenario: Scenario, facts: list[Facts]) -> Scenario:
    """The scenario's actors with only the datasets' facts (and sources)."""
    data = scenario.model_dump(mode="python", by_alias=True, exclude_unset=True)
    data["sources"] = [
        s for s in data.get("sources", []) if s["id"] not in {f.source["id"] for f in facts}
    ]
    data["sources"] += [f.source for f in facts]
    for coll in ("memberships", "agreements", "flows", "indicators"):
        data[coll] = [{**x, "source": f.source["id"]} for f in facts for x in getattr(f, coll)]
    # every other collection (events, issues, linkages, aims, ...) is emptied: derived from
    # the schema, so a collection added to it later is never carried into the data scenario
    for name, info in Scenario.model_fields.items():
        if name not in _DATA_KEPT and typing.get_origin(info.annotation) is list:
            data[name] = []
    data["actors"] = list(data["actors"]) + [
        {**a, "source": f.source["id"]} for f in facts for a in f.actors
    ]
    return validate_data(data, f"{scenario.id} (data)")


def _parse_against(item: str | Path | tuple[str, str | Path]) -> tuple[str, Path]:
    if isinstance(item, tuple):
        return kind_name(item[0]), Path(item[1])
    text = str(item)
    if ":" in text:
        head, rest = text.split(":", 1)
        if head.lower() in KINDS or head.lower() in KIND_ALIASES:
            _check_data_file(Path(rest), text)
            return kind_name(head), Path(rest)
        if not Path(text).exists():
            raise ScenarioError(
                f"unknown kind '{head[:40]}' in KIND:FILE; kinds: {', '.join(KINDS)}", file=text
            )
    _check_data_file(Path(text), text)
    return detect_kind(text), Path(text)


def _check_data_file(path: Path, label: str) -> None:
    """Refuse a dataset path that does not exist or is a folder, before any reader opens it."""
    if not path.exists():
        raise ScenarioError("no such file", file=label)
    if path.is_dir():
        raise ScenarioError("is a folder; give a dataset file (CSV)", file=label)


def _pct(x: float) -> float:
    return 100.0 * x


def _row(**kw: Any) -> dict[str, Any]:
    out = dict.fromkeys(_COLUMNS)
    out["approximate"] = False
    out.update(kw)
    claim, data = out["claim"], out["data"]
    if out.get("difference") is None and claim is not None and data is not None:
        out["difference"] = claim - data
    if out.get("relative") is None and out["difference"] is not None and data:
        out["relative"] = abs(out["difference"]) / abs(data)
    return out


def _share_rows(
    sc: Scenario, ds: Scenario, names: dict[str, str], label: dict[str, str], tol: float
) -> list[dict[str, Any]]:
    claims = partner_shares(bilateral(sc), totals(sc), names)
    claims = claims[claims.share.notna()]
    data = partner_shares(bilateral(ds), totals(ds), names)
    data = data[data.share.notna() & data.basis.isin(["national total", "sum of partners"])]
    # two files may give the same total (the partner sum from the dyads and the summary)
    data = (
        data.assign(_s=data.share.round(9))
        .drop_duplicates(["year", "reporter", "partner", "measure", "basis", "_s"])
        .drop(columns="_s")
    )
    rows = []
    for c in claims.itertuples(index=False):
        hits = data[
            (data.year == c.year)
            & (data.reporter == c.reporter)
            & (data.partner == c.partner)
            & (data.measure == c.measure)
        ]
        for d in hits.sort_values(
            "basis", key=lambda s: s.map({"national total": 0, "sum of partners": 1})
        ).itertuples():
            note = []
            if c.basis != "stated":
                note.append(f"claim computed over {c.denominator}")
            r = _row(
                quantity=f"{possessive(names.get(c.partner, c.partner))} share of "
                f"{possessive(names.get(c.reporter, c.reporter))} {c.measure}",
                subject=c.reporter,
                partner=c.partner,
                year=int(c.year),
                claim=_pct(c.share),
                data=_pct(d.share),
                unit="%",
                denominator=d.denominator,
                basis=d.basis,
                approximate=bool(c.approximate),
                dataset=label.get(d.source, d.source),
                claim_source=c.source,
                claim_where=c.where,
                note="; ".join(note) or None,
            )
            r["flagged"] = r["relative"] is not None and r["relative"] > tol
            rows.append(r)
    return rows


def _value_rows(
    sc: Scenario, ds: Scenario, names: dict[str, str], label: dict[str, str], tol: float
) -> list[dict[str, Any]]:
    claims = bilateral(sc)
    data = bilateral(ds)
    rows = []
    units = {}
    for f in sc.flows:
        units[(f.year, f.origin, f.target, f.kind, f.source)] = f.unit
    for c in claims[claims.value.notna() & ~claims.derived].itertuples(index=False):
        hits = data[
            (data.year == c.year)
            & (data.reporter == c.reporter)
            & (data.partner == c.partner)
            & (data.measure == c.measure)
            & data.value.notna()
        ]
        if hits.empty:
            continue
        origin, target = (
            (c.partner, c.reporter) if c.measure == "imports" else (c.reporter, c.partner)
        )
        unit = units.get((c.year, origin, target, c.measure, c.source)) or "USD million"
        factor = usd_million_factor(unit) or 1.0
        for d in hits.itertuples(index=False):
            note = []
            if d.derived:
                note.append("data: exports + imports")
            r = _row(
                quantity=f"{c.measure} {names.get(c.reporter, c.reporter)} - "
                f"{names.get(c.partner, c.partner)}",
                subject=c.reporter,
                partner=c.partner,
                year=int(c.year),
                claim=c.value / factor,
                data=d.value / factor,
                unit=unit,
                basis="value",
                approximate=bool(c.approximate),
                dataset=label.get(d.source, d.source),
                claim_source=c.source,
                claim_where=c.where,
                note="; ".join(note) or None,
            )
            r["flagged"] = r["relative"] is not None and r["relative"] > tol
            rows.append(r)
    return rows


def _fuel_rows(
    sc: Scenario,
    ds: Scenario,
    actor: str | None,
    names: dict[str, str],
    label: dict[str, str],
    tol: float,
) -> list[dict[str, Any]]:
    if actor is None:
        return []
    claims, data = fuel_shares(sc, actor), fuel_shares(ds, actor)
    rows = []
    for c in claims.itertuples(index=False):
        for d in data[data.year == c.year].itertuples(index=False):
            r = _row(
                quantity=f"fuel's share of {possessive(names.get(actor, actor))} exports",
                subject=actor,
                partner=None,
                year=int(c.year),
                claim=_pct(c.share),
                data=_pct(d.share),
                unit="%",
                denominator=d.what,
                basis="fuel share",
                dataset=label.get(d.source, d.source),
                claim_source=c.source,
                claim_where=c.where,
                note=f"close, not identical quantities: claim is {c.what}",
            )
            r["flagged"] = r["relative"] is not None and r["relative"] > tol
            rows.append(r)
    return rows


def _membership_rows(
    sc: Scenario, ds: Scenario, facts: list[Facts], names: dict[str, str], label: dict[str, str]
) -> list[dict[str, Any]]:
    igo = [f for f in facts if f.kind == "cow-igo"]
    if not igo:
        return []
    rows = []
    data_ms = ds.memberships
    covered_pairs = {(m.actor, m.organisation) for m in data_ms}
    covered_actors = {m.actor for m in data_ms}
    covered_orgs = {m.organisation for m in data_ms}
    years = [year_of(m.since) for m in data_ms if m.since]
    first_data_year = min(years) if years else None
    last_data_year = max([year_of(m.until) or 10**4 for m in data_ms] or [0])
    src = label.get(igo[0].source["id"], igo[0].source["id"])
    pairs = sorted({(m.actor, m.organisation) for m in sc.memberships})
    year = sc.year
    for actor, org in pairs:
        if actor not in covered_actors or org not in covered_orgs:
            continue
        mine = [m for m in sc.memberships if (m.actor, m.organisation) == (actor, org)]
        theirs = [m for m in data_ms if (m.actor, m.organisation) == (actor, org)]
        q = f"{names.get(actor, actor)} in {names.get(org, org)}"
        if year is not None and (last_data_year >= year):
            claim = int(any(m.role in FULL_ROLES and held(m, year) for m in mine))
            data = int(any(m.role in ("member", "partner") and held(m, year) for m in theirs))
            roles = ", ".join(sorted({m.role for m in mine if held(m, year)})) or "none"
            r = _row(
                quantity=f"{q}: member in {year}",
                subject=actor,
                partner=org,
                year=year,
                claim=claim,
                data=data,
                unit="member (1/0)",
                difference=claim - data,
                relative=float(claim != data),
                flagged=claim != data,
                dataset=src,
                claim_source=mine[0].source,
                claim_where=mine[0].where,
                note=f"scenario roles in {year}: {roles}",
            )
            rows.append(r)
        since = [year_of(m.since) for m in mine if m.role in ("member", "founder") and m.since]
        if since and (actor, org) in covered_pairs:
            first_claim = min(since)
            full = [year_of(m.since) for m in theirs if m.role == "member" and m.since]
            if full:
                first_data = min(full)
                note = None
                if first_data_year is not None and first_data == first_data_year:
                    note = f"the data begin in {first_data_year}: membership may be older"
                src_m = next(m for m in mine if year_of(m.since) == first_claim)
                rows.append(
                    _row(
                        quantity=f"{q}: first year",
                        subject=actor,
                        partner=org,
                        year=first_claim,
                        claim=first_claim,
                        data=first_data,
                        unit="year",
                        difference=first_claim - first_data,
                        relative=None,
                        flagged=first_claim != first_data,
                        dataset=src,
                        claim_source=src_m.source,
                        claim_where=src_m.where,
                        note=note,
                    )
                )
    return rows


def _unlisted_memberships(
    sc: Scenario, ds: Scenario, year: int, names: dict[str, str]
) -> list[str]:
    """Data memberships held in ``year`` for (actor, organisation) pairs the scenario never ties."""
    tied = {(m.actor, m.organisation) for m in sc.memberships}
    out = []
    for m in ds.memberships:
        if (m.actor, m.organisation) not in tied and held(m, year):
            out.append(
                f"{names.get(m.actor, m.actor)} in {names.get(m.organisation, m.organisation)}"
            )
    return sorted(set(out))


def _indicator_rows(
    sc: Scenario, ds: Scenario, names: dict[str, str], label: dict[str, str], tol: float
) -> list[dict[str, Any]]:
    data = {(i.actor, i.indicator, i.year): i for i in ds.indicators}
    rows = []
    bench = {b.id: b for b in sc.benchmarks}
    for ob in sc.observations:
        b = bench.get(ob.benchmark)
        if b is None or ob.value is None:
            continue
        actor = b.actor or sc.focus
        d = data.get((actor, b.indicator, year_of(ob.date)))
        if d is None:
            continue
        r = _row(
            quantity=f"{names.get(actor, actor)}: {b.indicator}",
            subject=actor,
            partner=None,
            year=year_of(ob.date),
            claim=ob.value,
            data=d.value,
            unit=d.unit,
            dataset=label.get(d.source, d.source),
            claim_source=ob.source,
            claim_where=ob.where,
            note=f"benchmark {b.id}" + (f": {ob.evidence}" if ob.evidence else ""),
        )
        r["flagged"] = (r["relative"] is not None and r["relative"] > tol) or (
            r["difference"] not in (None, 0) and d.value == 0
        )
        rows.append(r)
    for ind in sc.indicators:
        d = data.get((ind.actor, ind.indicator, ind.year))
        if d is None or d.source == ind.source:
            continue
        r = _row(
            quantity=f"{ind.indicator} of {names.get(ind.actor, ind.actor)}",
            subject=ind.actor,
            partner=None,
            year=ind.year,
            claim=ind.value,
            data=d.value,
            unit=d.unit,
            dataset=label.get(d.source, d.source),
            claim_source=ind.source,
            claim_where=ind.where,
        )
        r["flagged"] = r["relative"] is not None and r["relative"] > tol
        rows.append(r)
    return rows


def _file_actor(kind: str, path: Path, scenario: Scenario, actor: str | None) -> str | None:
    """The actor for a file that names no country: ``actor``, the file name, else the focus."""
    if kind not in ("cow-igo", "cow-trade") or actor is not None:
        return actor
    from crossroads.importers import implied_actor

    try:
        return implied_actor(path, scenario)[0]
    except ScenarioError:
        return scenario.focus


def check_claims(
    scenario: Scenario,
    against: Sequence[str | Path | tuple[str, str | Path]],
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    actor: str | None = None,
) -> ClaimsCheck:
    """Every figure of ``scenario`` that the data files also measure, side by side.

    Parameters
    ----------
    scenario : Scenario
    against : sequence
        Dataset files (kind detected from the header), ``"KIND:FILE"`` strings
        or ``(kind, file)`` pairs; kinds as in :data:`crossroads.importers.KINDS`.
    tolerance : float
        Relative tolerance (0.05: within 5% of the data's value).
    actor : str, optional
        Whose data a file is when it names no country (default: the scenario's
        focus).

    Returns
    -------
    ClaimsCheck

    Raises
    ------
    ScenarioError
        for a missing or malformed data file (naming file, line and column).

    Examples
    --------
    >>> import crossroads
    >>> chk = crossroads.check_claims(
    ...     crossroads.load("kazakhstan-2010"),
    ...     ["../shared/data/kazakhstan/cow_trade_v4_kazakhstan_partner_summary.csv"],
    ... )  # doctest: +SKIP
    """
    if not against:
        raise CrossroadsError("name at least one data file to check against (--against FILE)")
    if not (tolerance >= 0 and np.isfinite(tolerance)):
        raise CrossroadsError(f"the tolerance must be a number >= 0, got {tolerance}")
    parsed = [_parse_against(a) for a in against]
    has_dyads = False
    for kind, path in parsed:
        if kind == "cow-trade":
            from crossroads.importers.csvfile import read_table

            h = set(read_table(path, str(path)).header)
            has_dyads |= "tot_exp_sy" not in h
    facts: list[Facts] = []
    datasets = []
    who = actor or scenario.focus
    for kind, path in parsed:
        f = read_facts(
            scenario,
            kind,
            path,
            actor=_file_actor(kind, path, scenario, actor),
            known_only=True,
            group_flows=not has_dyads,
        )
        if any(x.source["id"] == f.source["id"] for x in facts):
            raise CrossroadsError(f"{path}: the same dataset ({f.source['id']}) given twice")
        facts.append(f)
        datasets.append(
            {
                "file": str(path),
                "kind": kind,
                "source": f.source["id"],
                "version": f.source.get("version"),
                "notes": f.notes,
            }
        )
    ds = _data_scenario(scenario, facts)
    names = {a.id: a.name for a in scenario.actors}
    label = {
        f.source["id"]: f"{f.source['id']} (v{f.source['version']})"
        if str(f.source.get("version", "")).replace(".", "").isdigit()
        else f.source["id"]
        for f in facts
    }
    rows = (
        _share_rows(scenario, ds, names, label, tolerance)
        + _value_rows(scenario, ds, names, label, tolerance)
        + _fuel_rows(scenario, ds, who, names, label, tolerance)
        + _membership_rows(scenario, ds, facts, names, label)
        + _indicator_rows(scenario, ds, names, label, tolerance)
    )
    df = pd.DataFrame(rows, columns=_COLUMNS)
    if not df.empty:
        df["flagged"] = df.flagged.astype(bool)
    notes = []
    kinds = {k for k, _ in parsed}
    if "cow-trade" in kinds and not any(
        f.indicators and any(i["indicator"].endswith("_total") for i in f.indicators) for f in facts
    ):
        notes.append(
            "no national trade totals given: shares are over the sum of partners "
            "only; add the COW national totals (e.g. "
            "cow_trade_v4_kazakhstan_partner_summary.csv) as another --against"
        )
    if "cow-igo" in kinds and scenario.year is not None:
        missing = _unlisted_memberships(scenario, ds, scenario.year, names)
        if missing:
            notes.append(
                f"the membership data also record for {scenario.year}, between the scenario's "
                f"actors and organisations, memberships the scenario does not list: "
                + ", ".join(missing)
            )
    if "atop" in kinds:
        notes.append(
            "ATOP obligations measure no figure of the scenario (agreements are "
            "not alliance obligations); nothing compared"
        )
    if df.empty:
        notes.append("no figure of the scenario is measured by these data")
    return ClaimsCheck(scenario.id, float(tolerance), df, datasets, notes)
