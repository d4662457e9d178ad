"""Correlates of War Intergovernmental Organizations v3: memberships.

Two layouts are read:

* a panel, one row per organisation and year with a column per country
  (``ioname, orgname, year, kazakhstan, russia, ...``), cells in COW's coding:
  0 not a member, 1 full member, 2 associate member, 3 observer, -9 missing,
  -1 the state did not exist;
* one country's membership spells (``ioname, orgname, status, first_year,
  last_year``), the country named by ``--actor`` or the file's name.

Organisations map to scenario actors of kind organisation by :data:`IGO_ALIASES`
(COW ``ioname`` -> usual abbreviation), by id or by name; the others become new
organisation actors (id ``igo-<ioname>``) unless ``known_only``. Consecutive
years with the same status make one membership with ``since`` and ``until``
(``until`` left open when the spell runs to the data's last year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crossroads.errors import ScenarioError
from crossroads.importers.base import Facts, dataset_version
from crossroads.importers.csvfile import read_table
from crossroads.reference_data import ActorCodes, country_by_name, name_key
from crossroads.scenario.schema import Scenario

__all__ = [
    "IGO_ALIASES",
    "STATUS_ROLE",
    "IgoData",
    "igo_facts",
    "match_organisations",
    "read_cow_igo",
]

#: COW status code -> (scenario role, COW label).
STATUS_ROLE = {1: ("member", "full"), 2: ("partner", "associate"), 3: ("observer", "observer")}
_STATUS_NAMES = {"full": 1, "associate": 2, "observer": 3}

#: COW ``ioname`` -> other names the organisation goes by (matched against actor ids/names).
IGO_ALIASES: dict[str, tuple[str, ...]] = {
    "EAEC": ("EurAsEC", "Eurasian Economic Community"),
    "CAECC": ("CACO", "Central Asian Cooperation Organization"),
    "OIC": ("Organisation of Islamic Cooperation", "Organization of the Islamic Conference"),
    "OSCE": ("Organization for Security and Co-operation in Europe",),
    "SCO": ("Shanghai Cooperation Organization",),
    "CSTO": ("Collective Security Treaty Organisation",),
    "CIS": ("Commonwealth of Independent States",),
    "WTO": ("World Trade Organization",),
    "IBRD": ("World Bank",),
    "ISDB": ("IsDB", "Islamic Development Bank"),
    "AsDB": ("ADB", "Asian Development Bank"),
    "CICA": ("Conference on Interaction and Confidence-Building Measures in Asia",),
    "EAPC": ("Euro-Atlantic Partnership Council",),
    "ECO": ("Economic Cooperation Organization",),
}


@dataclass(frozen=True)
class IgoData:
    """Memberships read from a COW IGO file.

    Attributes
    ----------
    label : str
    records : DataFrame
        ``ioname, orgname, country`` (column name or None), ``year, status``
        (1 full, 2 associate, 3 observer, 0 none), ``line``.
    countries : list of str
        Country columns (panel) or ``[]`` (spells: one unnamed country).
    last_year : int
        The data's last year (spells reaching it stay open).
    layout : str
        ``panel`` or ``spells``.
    """

    label: str
    records: pd.DataFrame
    countries: list[str]
    last_year: int
    layout: str


def read_cow_igo(path: Path, label: str | None = None) -> IgoData:
    """Read a COW IGO v3 panel or spells file.

    Raises
    ------
    ScenarioError
        naming file, line and column of a bad cell or a missing column.
    """
    label = label or str(path)
    t = read_table(Path(path), label)
    if t.has("ioname", "status", "first_year", "last_year"):
        rows = []
        for line, row in t.rows:
            status_text = t.text(line, row, "status").lower()
            if status_text not in _STATUS_NAMES:
                raise ScenarioError(
                    f"status must be one of full, associate, observer, got {status_text!r}",
                    file=label,
                    line=line,
                    field="status",
                )
            first, last = t.year(line, row, "first_year"), t.year(line, row, "last_year")
            if last < first:
                raise ScenarioError(
                    f"last_year {last} is before first_year {first}",
                    file=label,
                    line=line,
                    field="last_year",
                )
            for y in range(first, last + 1):
                rows.append(
                    {
                        "ioname": t.text(line, row, "ioname"),
                        "orgname": row.get("orgname", ""),
                        "country": None,
                        "year": y,
                        "status": _STATUS_NAMES[status_text],
                        "line": line,
                    }
                )
        df = pd.DataFrame(rows)
        return IgoData(label, df, [], int(df.year.max()), "spells")
    t.need(
        "ioname",
        "year",
        what="a COW IGO file (panel: ioname, year, a column per country; "
        "spells: ioname, status, first_year, last_year)",
    )
    countries = [c for c in t.header if c not in ("ioname", "orgname", "year")]
    if not countries:
        raise ScenarioError(
            "a COW IGO panel needs a column per country after ioname, orgname, year",
            file=label,
            line=t.header_line,
        )
    rows = []
    for line, row in t.rows:
        year = t.year(line, row)
        io = t.text(line, row, "ioname")
        for c in countries:
            v = t.number(line, row, c)
            if v is None or v in (-9, -1):
                continue
            if v not in (0, 1, 2, 3):
                raise ScenarioError(
                    f"COW IGO status must be 0, 1, 2, 3 (or -9, -1 for missing), got {v:g}",
                    file=label,
                    line=line,
                    field=c,
                )
            rows.append(
                {
                    "ioname": io,
                    "orgname": row.get("orgname", ""),
                    "country": c,
                    "year": year,
                    "status": int(v),
                    "line": line,
                }
            )
    df = pd.DataFrame(rows)
    return IgoData(label, df, countries, int(df.year.max()), "panel")


def match_organisations(scenario: Scenario, ionames: dict[str, str]) -> dict[str, str]:
    """COW ``ioname`` -> scenario actor id, for organisations the scenario has.

    An organisation (or bloc) actor matches when its id or name equals the
    ioname, the COW organisation name, or an alias in :data:`IGO_ALIASES`
    (case and punctuation ignored).
    """
    by_key: dict[str, str] = {}
    for a in scenario.actors:
        if a.kind in ("organisation", "bloc"):
            for key in (a.id, a.name):
                by_key.setdefault(name_key(key), a.id)
    out = {}
    for io, orgname in ionames.items():
        for key in (io, orgname, *IGO_ALIASES.get(io, ())):
            if key and name_key(key) in by_key:
                out[io] = by_key[name_key(key)]
                break
    return out


def _country_actor(column: str, scenario: Scenario, codes: ActorCodes) -> str | None:
    """The actor of a panel's country column: through the code table, else by id or name."""
    row = country_by_name(column.replace("_", " "))
    if row is not None and codes.actor_for_cow(row.cow) is not None:
        return codes.actor_for_cow(row.cow)
    for a in scenario.actors:
        if a.kind == "state" and name_key(column) in (name_key(a.id), name_key(a.name)):
            return a.id
    return None


def _spells(years_status: list[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
    """(year, status, line) sorted -> runs (first, last, status, first line) of one status."""
    runs: list[list[int]] = []
    for y, s, line in years_status:
        if runs and runs[-1][2] == s and runs[-1][1] == y - 1:
            runs[-1][1] = y
        else:
            runs.append([y, y, s, line])
    return [tuple(r) for r in runs]  # type: ignore[misc]


def igo_facts(
    data: IgoData,
    scenario: Scenario,
    codes: ActorCodes,
    *,
    country_actor: str | None = None,
    version: str | None = None,
    known_only: bool = False,
) -> Facts:
    """Turn COW IGO records into memberships (and new organisation actors).

    Parameters
    ----------
    country_actor : str, optional
        The actor a spells file is about (spells name no country).
    known_only : bool
        Import only organisations the scenario already has.
    """
    path = Path(data.label)
    ver = dataset_version(path, r"_v(\d+(?:\.\d+)?)_", "3.0", version)
    if ver.isdigit():
        ver += ".0"
    source = {
        "id": "cow-igo-v3" if data.layout == "panel" else f"cow-igo-v3-{country_actor}",
        "title": f"Correlates of War Intergovernmental Organizations v{ver}",
        "author": "Pevehouse, Nordstrom, McManus & Jamison (2020)",
        "publisher": "Correlates of War Project",
        "version": ver,
        "url": "https://correlatesofwar.org/data-sets/igos/",
        "note": f"imported from {path.name} by crossroads import cow-igo",
    }
    facts = Facts(kind="cow-igo", source=source)
    recs = data.records
    ionames = dict(recs.drop_duplicates("ioname")[["ioname", "orgname"]].itertuples(index=False))
    org_of = match_organisations(scenario, ionames)
    taken = {a.id for a in scenario.actors}
    new_orgs = []
    for io, orgname in ionames.items():
        if io in org_of or known_only:
            continue
        if not (recs[(recs.ioname == io)].status > 0).any():
            continue
        aid = "igo-" + re.sub(r"[^a-z0-9]+", "-", io.lower()).strip("-")
        while aid in taken:
            aid += "-cow"
        taken.add(aid)
        org_of[io] = aid
        new_orgs.append(io)
        facts.actors.append(
            {
                "id": aid,
                "name": orgname.strip() or io,
                "kind": "organisation",
                "where": path.name,
                "note": f"COW IGO ioname {io}",
            }
        )
    if data.layout == "spells":
        if country_actor is None:
            raise ScenarioError(
                "a spells file names no country; say whose memberships they are (--actor)",
                file=data.label,
            )
        actor_of = {None: country_actor}
    else:
        actor_of = {c: _country_actor(c, scenario, codes) for c in data.countries}
    skipped_countries = sorted(c for c, a in actor_of.items() if a is None and c is not None)
    count = 0
    for (io, country), g in recs.groupby(["ioname", recs.country.fillna("")], sort=True):
        actor = actor_of.get(country or None)
        org = org_of.get(io)
        if actor is None or org is None:
            continue
        seq = sorted(
            (int(y), int(s), int(ln)) for y, s, ln in zip(g.year, g.status, g.line, strict=True)
        )
        for first, last, status, line in _spells(seq):
            if status == 0:
                continue
            role, cow_label = STATUS_ROLE[status]
            m = {
                "actor": actor,
                "organisation": org,
                "role": role,
                "since": str(first),
                "where": f"{path.name}, line {line}",
            }
            if last < data.last_year:
                m["until"] = str(last)
            if status == 2:
                m["note"] = f"COW IGO status: {cow_label} member"
            facts.memberships.append(m)
            count += 1
    matched = len([io for io in org_of if io not in new_orgs])
    facts.notes.append(
        f"{len(ionames)} organisations, {recs.year.min()}-{recs.year.max()}; "
        f"{matched} matched to the scenario's organisations"
        + (f", {len(new_orgs)} added as new organisation actors" if new_orgs else "")
        + (
            f", {len(ionames) - matched} not in the scenario (skipped: --known-only)"
            if known_only
            else ""
        )
        + f"; {count} membership spells"
        + (
            f"; countries without an actor (skipped): {', '.join(skipped_countries)}"
            if skipped_countries
            else ""
        )
    )
    return facts
