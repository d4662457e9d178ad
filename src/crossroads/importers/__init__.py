"""Importers of independent data into a scenario.

>>> import crossroads
>>> from crossroads.importers import import_file
>>> res = import_file(crossroads.load("kazakhstan-2010"), "freedom-house",
...     "../shared/data/kazakhstan/freedomhouse_pkg_rating_status_kazakhstan.csv")  # doctest: +SKIP
>>> res.facts.source["id"]  # doctest: +SKIP
'freedomhouse'

Kinds (:data:`KINDS`): ``cow-trade`` (COW Trade v4 dyads or national totals),
``cow-igo`` (COW IGO v3 memberships), ``freedom-house``, ``vdem``, ``atop``
(ATOP v5 alliance obligations), ``wdi`` (World Bank indicators). Each import
adds one source entry naming the dataset and version, and facts citing it;
country codes map to actors through :mod:`crossroads.reference_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.importers.atop import atop_facts
from crossroads.importers.base import Facts, merge, scenario_yaml, write_scenario
from crossroads.importers.igo import igo_facts, read_cow_igo
from crossroads.importers.ratings import freedomhouse_facts, vdem_facts, wdi_facts
from crossroads.importers.trade import read_cow_trade, trade_facts
from crossroads.reference_data import actor_codes, name_key
from crossroads.scenario.schema import Scenario

__all__ = [
    "KINDS",
    "KIND_ALIASES",
    "Facts",
    "ImportResult",
    "detect_kind",
    "implied_actor",
    "import_file",
    "kind_name",
    "merge",
    "read_facts",
    "scenario_yaml",
    "write_scenario",
]

#: Importer names and what they read.
KINDS = {
    "cow-trade": "Correlates of War Trade v4: one country's dyads, COW's dyadic file, or "
    "national totals",
    "cow-igo": "Correlates of War IGO v3 memberships: panel (a column per country) or spells",
    "freedom-house": "Freedom House political rights / civil liberties ratings",
    "vdem": "V-Dem democracy indices (v2x_*)",
    "atop": "ATOP v5 alliance obligations, directed dyad-years",
    "wdi": "World Bank indicators (long, or as downloaded with a column per year)",
}
#: Other names accepted for an importer: alias -> its name in :data:`KINDS`.
KIND_ALIASES = {
    "fh": "freedom-house",
    "freedomhouse": "freedom-house",
    "v-dem": "vdem",
    "world-bank": "wdi",
    "worldbank": "wdi",
    "cow-igos": "cow-igo",
}


def kind_name(kind: str) -> str:
    """The canonical importer name for ``kind`` (aliases accepted), else a clear error."""
    k = KIND_ALIASES.get(kind.lower(), kind.lower())
    if k not in KINDS:
        raise ScenarioError(f"unknown import kind '{kind}'; kinds: {', '.join(KINDS)}")
    return k


def detect_kind(path: str | Path) -> str:
    """The importer kind of a dataset file, from its header row.

    Raises
    ------
    ScenarioError
        when the header matches no importer.
    """
    from crossroads.importers.csvfile import read_table

    label = str(path)
    if not Path(path).exists():
        raise ScenarioError("no such file", file=label)
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    if "Indicator Code" in text[:4096] and "Country Code" in text[:4096]:
        return "wdi"
    t = read_table(Path(path), label)
    h = set(t.header)
    if (
        {"tot_exp_sy", "sum_exp_dyads"} <= h
        or {"ccode1", "ccode2", "flow1"} <= h
        or ("partner" in h and any(c.endswith("_exports") for c in h))
    ):
        return "cow-trade"
    if "atop_defense" in h:
        return "atop"
    if "ioname" in h:
        return "cow-igo"
    if "political_rights" in h:
        return "freedom-house"
    if any(c.startswith("v2x_") for c in h):
        return "vdem"
    raise ScenarioError(
        "cannot tell which dataset this is from its header; name it as KIND:FILE with KIND one "
        f"of {', '.join(KINDS)}",
        file=label,
        line=t.header_line,
    )


def implied_actor(path: Path, scenario: Scenario, actor: str | None = None) -> tuple[str, str]:
    """The actor a file that names no country is about, and how it was found.

    ``actor`` when given (it must exist), else the one state actor of the
    scenario whose id or name appears in the file name.

    Returns
    -------
    actor : str
    how : str
        ``"--actor"`` or ``"from the file name"``.
    """
    ids = {a.id for a in scenario.actors}
    if actor is not None:
        if actor not in ids:
            raise ScenarioError(f"--actor '{actor}' is not an actor of scenario '{scenario.id}'")
        return actor, "--actor"
    name = name_key(Path(path).name)
    hits = sorted(
        {
            a.id
            for a in scenario.actors
            if a.kind == "state"
            and any(len(name_key(k)) >= 4 and name_key(k) in name for k in (a.id, a.name))
        }
    )
    if len(hits) == 1:
        return hits[0], "from the file name"
    what = f"several states ({', '.join(hits)})" if hits else "no state of the scenario"
    raise ScenarioError(
        f"the file names no country and its name matches {what}; say whose data it is (--actor)",
        file=str(path),
    )


@dataclass(frozen=True)
class ImportResult:
    """A scenario with imported facts, and what the import did."""

    scenario: Scenario
    facts: Facts

    def summary(self) -> str:
        """One paragraph: the source, what was added, and the importer's notes."""
        s = self.facts.source
        added = ", ".join(f"{n} {c}" for c, n in self.facts.counts().items()) or "nothing"
        return (
            f"{s['title']} (version {s['version']}; source id '{s['id']}'): added {added}. "
            + " ".join(n.rstrip(".") + "." for n in self.facts.notes)
        )


def read_facts(
    scenario: Scenario,
    kind: str,
    path: str | Path,
    *,
    actor: str | None = None,
    version: str | None = None,
    eu_composition: str = "per-year",
    smoothed: bool = False,
    known_only: bool = False,
    group_flows: bool = False,
) -> Facts:
    """Read a dataset file into facts for ``scenario`` (without merging them).

    Parameters
    ----------
    scenario : Scenario
    kind : str
        One of :data:`KINDS`.
    path : str or Path
    actor : str, optional
        The actor a file is about when the file does not name its country
        (IGO spells, trade totals).
    version : str, optional
        The dataset version when the file name does not give it.
    eu_composition : {'per-year', 'eu27-2007'}
        How the EU aggregate is formed from member states (trade).
    smoothed : bool
        COW trade: read the smoothed flows.
    known_only : bool
        COW IGO: only organisations the scenario already has.
    group_flows : bool
        COW trade totals file: also its EU27 / Russia / China columns as flows.
    """
    kind = kind_name(kind)
    path = Path(path)
    label = str(path)
    if not path.exists():
        raise ScenarioError("no such file", file=label)
    codes = actor_codes(scenario)
    if kind == "cow-trade":
        rep_cow = None
        if actor is not None:
            implied_actor(path, scenario, actor)
            rep_cow = next((c for c, a in codes.cow.items() if a == actor), None)
        data = read_cow_trade(path, label, reporter=rep_cow, smoothed=smoothed)
        rep_actor = None
        if data.reporter is None:
            rep_actor, _how = implied_actor(path, scenario, actor)
        return trade_facts(
            data,
            scenario,
            codes,
            reporter_actor=rep_actor,
            version=version,
            eu_composition=eu_composition,
            group_flows=group_flows,
        )
    if kind == "cow-igo":
        data = read_cow_igo(path, label)
        who = implied_actor(path, scenario, actor)[0] if data.layout == "spells" else None
        return igo_facts(
            data, scenario, codes, country_actor=who, version=version, known_only=known_only
        )
    if kind == "freedom-house":
        return freedomhouse_facts(path, codes, label=label, version=version)
    if kind == "vdem":
        return vdem_facts(path, codes, label=label, version=version)
    if kind == "atop":
        return atop_facts(path, scenario, codes, label=label, version=version)
    return wdi_facts(path, codes, label=label, version=version)


def import_file(scenario: Scenario, kind: str, path: str | Path, **options) -> ImportResult:
    """``scenario`` with the facts of a dataset file added (see :func:`read_facts`)."""
    facts = read_facts(scenario, kind, path, **options)
    return ImportResult(merge(scenario, facts), facts)
