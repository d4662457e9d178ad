"""ATOP (Alliance Treaty Obligations and Provisions) v5: directed dyad-year obligations.

Reads ``ccode1, ccode2, year`` and the obligation flags ``atop_defense,
atop_offense, atop_neutral, atop_nonagg, atop_consul`` (as extracted by the R
package peacesciencer). Consecutive years with the same set of obligations of
ccode1 towards ccode2 become one agreement of kind ``treaty`` between the two
actors, its ``scope`` the obligations, ``in_force`` the first year and
``until`` the last (left open when the spell reaches the data's last year).
ATOP aggregates every alliance in force between the two states that year, so
such an agreement stands for the obligations, not for one treaty text.
"""

from __future__ import annotations

from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.importers.base import Facts, dataset_version
from crossroads.importers.csvfile import read_table
from crossroads.reference_data import ActorCodes, country_by_cow
from crossroads.scenario.schema import Scenario

__all__ = ["OBLIGATIONS", "atop_facts"]

#: ATOP column -> obligation name used in ``scope``.
OBLIGATIONS = {
    "atop_defense": "defense",
    "atop_offense": "offense",
    "atop_neutral": "neutrality",
    "atop_nonagg": "non-aggression",
    "atop_consul": "consultation",
}


def atop_facts(
    path: Path,
    scenario: Scenario,
    codes: ActorCodes,
    *,
    label: str | None = None,
    version: str | None = None,
) -> Facts:
    """Alliance obligations between mapped actors as agreements.

    Raises
    ------
    ScenarioError
        for a malformed file, or when no ``ccode1`` of the file maps to an actor.
    """
    path = Path(path)
    t = read_table(path, label)
    t.need("ccode1", "ccode2", "year", *OBLIGATIONS, what="an ATOP directed-dyad file")
    spells: dict[tuple[str, str], list[tuple[int, tuple[str, ...], int]]] = {}
    unmapped1: set[int] = set()
    unmapped2: set[int] = set()
    last_year = 0
    for line, row in t.rows:
        c1, c2, year = (
            t.integer(line, row, "ccode1"),
            t.integer(line, row, "ccode2"),
            t.year(line, row),
        )
        last_year = max(last_year, year)
        obligations = []
        for col, name in OBLIGATIONS.items():
            v = t.number(line, row, col)
            if v is not None and v not in (0, 1):
                raise ScenarioError(
                    f"an ATOP obligation flag is 0 or 1, got {v:g}",
                    file=t.label,
                    line=line,
                    field=col,
                )
            if v == 1:
                obligations.append(name)
        a1, a2 = codes.actor_for_cow(c1), codes.actor_for_cow(c2)
        if a1 is None:
            unmapped1.add(c1)
            continue
        if a2 is None:
            unmapped2.add(c2)
            continue
        spells.setdefault((a1, a2), []).append((year, tuple(obligations), line))
    if not spells and unmapped1:
        first = sorted(unmapped1)[0]
        codes.require(
            cow=first, what="the file's ccode1", file=t.label, line=t.header_line, column="ccode1"
        )
    ver = dataset_version(path, r"atop[_-]?v?(\d+(?:\.\d+)?)", None, version)
    if ver.isdigit():
        ver += ".0"
    facts = Facts(
        kind="atop",
        source={
            "id": "atop-v5" if ver.startswith("5") else "atop",
            "title": f"Alliance Treaty Obligations and Provisions (ATOP) v{ver}: "
            "directed dyad-years",
            "author": "Leeds, Ritter, Mitchell & Long (2002)",
            "publisher": "ATOP project",
            "version": ver,
            "url": "http://www.atopdata.org/",
            "note": f"imported from {path.name} by crossroads import atop",
        },
    )
    names = {a.id: a.name for a in scenario.actors}
    taken = {ag.id for ag in scenario.agreements}
    for (a1, a2), seq in sorted(spells.items()):
        seq.sort()
        runs: list[list] = []
        for year, obl, line in seq:
            if runs and runs[-1][2] == obl and runs[-1][1] == year - 1:
                runs[-1][1] = year
            else:
                runs.append([year, year, obl, line])
        for first, last, obl, line in runs:
            if not obl:
                continue
            aid = f"atop-{a1}-{a2}-{first}"
            while aid in taken:
                aid += "-b"
            taken.add(aid)
            ag = {
                "id": aid,
                "name": f"ATOP obligations of {names[a1]} towards {names[a2]}: {', '.join(obl)}",
                "kind": "treaty",
                "parties": [a1, a2],
                "status": "in_force" if last == last_year else "expired",
                "in_force": str(first),
                "scope": list(obl),
                "where": f"{path.name}, line {line}",
                "note": "ATOP dyad-year obligations (every alliance in force between the two)",
            }
            if last < last_year:
                ag["until"] = str(last)
            facts.agreements.append(ag)
    partners = {a2 for _, a2 in spells}
    shown = [(country_by_cow(c).abb if country_by_cow(c) else str(c)) for c in sorted(unmapped2)]
    skipped = ", ".join(shown[:8]) + (f", ... ({len(shown) - 8} more)" if len(shown) > 8 else "")
    facts.notes.append(
        f"{len(facts.agreements)} obligation spells with {len(partners)} partner actors"
        + (f"; {len(unmapped2)} partners without an actor skipped ({skipped})" if unmapped2 else "")
    )
    return facts
