"""The web of relations: actors, organisations and agreements as a graph, with years.

:func:`build_graph` makes a NetworkX multigraph whose nodes are the scenario's
actors and agreements and whose edges are memberships (actor -> organisation),
party ties (actor -> agreement), flows (from -> to), ``part_of`` and
``led_by`` ties, each carrying the years it holds. :func:`relations` reads one
year off it: who belongs to what, which organisations overlap (e.g. who is in
both the SCO and the CSTO), the focus state's organisations grouped by the
power that leads them, joint-membership counts between pairs of actors, and
the timeline of events and agreements.

A membership holds in year Y when it began in or before Y (or has no start),
ended in or after Y (or has no end), and its outcome is not ``rejected``,
``withdrawn`` or ``suspended``. Full memberships are the roles ``member``,
``founder`` and ``chair``; ``observer``, ``partner``, ``applicant`` and ``host``
are ties, not membership, and are listed but not counted in overlaps and joint
memberships.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx
import pandas as pd

from crossroads.errors import CrossroadsError
from crossroads.scenario.schema import Membership, Scenario

__all__ = [
    "FULL_ROLES",
    "Relations",
    "build_graph",
    "camp_of",
    "focus_of",
    "held",
    "joint_memberships",
    "memberships_in",
    "overlaps",
    "relations",
    "timeline",
    "year_of",
]

FULL_ROLES = frozenset({"member", "founder", "chair"})
#: The outcome of a bid that never became a membership.
_NOT_HELD = frozenset({"rejected"})
#: Outcomes that end a membership at its ``until`` (held from ``since`` to then).
_ENDED = frozenset({"withdrawn", "suspended"})


def year_of(date: str | None) -> int | None:
    """The year of a scenario date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
    return int(date[:4]) if date else None


def held(m: Membership, year: int | None) -> bool:
    """Whether membership ``m`` holds in ``year`` (any year when ``year`` is None).

    A rejected bid never holds; a membership that was withdrawn or suspended
    holds from ``since`` until its ``until`` (an application withdrawn or suspended, or
    one with no ``until``, never held).
    """
    if m.outcome in _NOT_HELD:
        return False
    if m.outcome in _ENDED and (m.role == "applicant" or m.until is None):
        return False
    if year is None:
        return True
    since, until = year_of(m.since), year_of(m.until)
    return (since is None or since <= year) and (until is None or year <= until)


def focus_of(scenario: Scenario) -> str | None:
    """The scenario's focus actor: ``focus`` when set, else None."""
    return scenario.focus


def camp_of(scenario: Scenario, actor: str | None) -> str | None:
    """The top of ``actor``'s ``part_of`` chain (Germany -> the EU), or the actor itself."""
    if actor is None:
        return None
    parents = {a.id: a.part_of for a in scenario.actors}
    seen = {actor}
    while parents.get(actor):
        actor = parents[actor]  # type: ignore[assignment]
        if actor in seen:
            break
        seen.add(actor)
    return actor


def build_graph(scenario: Scenario) -> nx.MultiDiGraph:
    """The scenario as a directed multigraph.

    Nodes: every actor (``type='actor'``, with ``kind``, ``name``, ``iso3``,
    ``cow``) and every agreement (node id ``agreement:<id>``,
    ``type='agreement'``). Edges (attribute ``type``):

    - ``membership`` actor -> organisation: ``role``, ``since``, ``until``
      (years), ``outcome``, ``source``;
    - ``party`` actor -> agreement: ``status``, ``since`` (year in force, else
      signed), ``until``;
    - ``flow`` from -> to: ``kind``, ``year``, ``value``, ``unit``, ``share``, ``of``;
    - ``part_of`` actor -> bloc, ``led_by`` organisation -> leader.

    Examples
    --------
    >>> import crossroads
    >>> from crossroads.network import build_graph
    >>> g = build_graph(crossroads.load("kazakhstan-2010"))
    >>> g.nodes["kazakhstan"]["type"], g.nodes["kazakhstan"]["kind"]
    ('actor', 'state')
    """
    g = nx.MultiDiGraph(scenario=scenario.id)
    for a in scenario.actors:
        g.add_node(a.id, type="actor", kind=a.kind, name=a.name, iso3=a.iso3, cow=a.cow)
    for a in scenario.actors:
        if a.part_of:
            g.add_edge(a.id, a.part_of, type="part_of")
        if a.led_by:
            g.add_edge(a.id, a.led_by, type="led_by")
    for m in scenario.memberships:
        g.add_edge(
            m.actor,
            m.organisation,
            type="membership",
            role=m.role,
            since=year_of(m.since),
            until=year_of(m.until),
            outcome=m.outcome,
            source=m.source,
        )
    for ag in scenario.agreements:
        node = f"agreement:{ag.id}"
        g.add_node(
            node,
            type="agreement",
            kind=ag.kind,
            name=ag.name,
            status=ag.status,
            signed=ag.signed,
            in_force=ag.in_force,
        )
        for p in ag.parties:
            g.add_edge(
                p,
                node,
                type="party",
                status=ag.status,
                since=year_of(ag.in_force) or year_of(ag.signed),
                until=year_of(ag.until),
                source=ag.source,
            )
    for f in scenario.flows:
        g.add_edge(
            f.origin,
            f.target,
            type="flow",
            kind=f.kind,
            year=f.year,
            value=f.value,
            unit=f.unit,
            share=f.share,
            of=f.of,
            source=f.source,
        )
    return g


def _names(scenario: Scenario) -> dict[str, str]:
    return {a.id: a.name for a in scenario.actors}


def memberships_in(scenario: Scenario, year: int | None = None) -> pd.DataFrame:
    """Every membership tie holding in ``year`` (all when None).

    Returns
    -------
    DataFrame
        Columns ``actor, organisation, role, full, since, until, outcome,
        leader, camp, source``; one row per tie (a tie recorded by two sources
        appears twice, each with its source).
    """
    actors = {a.id: a for a in scenario.actors}
    rows = []
    for m in scenario.memberships:
        if not held(m, year):
            continue
        org = actors[m.organisation]
        rows.append(
            {
                "actor": m.actor,
                "organisation": m.organisation,
                "role": m.role,
                "full": m.role in FULL_ROLES,
                "since": year_of(m.since),
                "until": year_of(m.until),
                "outcome": m.outcome,
                "leader": org.led_by,
                "camp": camp_of(scenario, org.led_by),
                "source": m.source,
            }
        )
    cols = [
        "actor",
        "organisation",
        "role",
        "full",
        "since",
        "until",
        "outcome",
        "leader",
        "camp",
        "source",
    ]
    return pd.DataFrame(rows, columns=cols)


def _members(ms: pd.DataFrame) -> dict[str, set[str]]:
    full = ms[ms["full"].astype(bool)]  # an empty frame has object dtype
    return {org: set(g.actor) for org, g in full.groupby("organisation")}


def overlaps(scenario: Scenario, year: int | None = None) -> pd.DataFrame:
    """Pairs of organisations with full members in common in ``year``.

    Returns
    -------
    DataFrame
        ``organisation_a, organisation_b, common`` (list of actor ids, sorted),
        ``n``; sorted by ``n`` descending, then names. The relation is symmetric;
        each pair appears once (``a`` < ``b``).
    """
    members = _members(memberships_in(scenario, year))
    rows = []
    for a, b in combinations(sorted(members), 2):
        common = sorted(members[a] & members[b])
        if common:
            rows.append(
                {"organisation_a": a, "organisation_b": b, "common": common, "n": len(common)}
            )
    df = pd.DataFrame(rows, columns=["organisation_a", "organisation_b", "common", "n"])
    return df.sort_values(
        ["n", "organisation_a", "organisation_b"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def joint_memberships(scenario: Scenario, year: int | None = None) -> pd.DataFrame:
    """Joint full-membership counts between pairs of actors in ``year``.

    Returns
    -------
    DataFrame
        ``actor_a, actor_b, n, organisations`` for every pair sharing at least
        one organisation, sorted by ``n`` descending. :func:`joint_matrix` gives
        the square form.
    """
    members = _members(memberships_in(scenario, year))
    orgs_of: dict[str, set[str]] = {}
    for org, ms in members.items():
        for a in ms:
            orgs_of.setdefault(a, set()).add(org)
    rows = []
    for a, b in combinations(sorted(orgs_of), 2):
        common = sorted(orgs_of[a] & orgs_of[b])
        if common:
            rows.append({"actor_a": a, "actor_b": b, "n": len(common), "organisations": common})
    df = pd.DataFrame(rows, columns=["actor_a", "actor_b", "n", "organisations"])
    return df.sort_values(
        ["n", "actor_a", "actor_b"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def joint_matrix(scenario: Scenario, year: int | None = None) -> pd.DataFrame:
    """Square actor x actor table of joint full memberships; the diagonal counts each actor's."""
    ms = memberships_in(scenario, year)
    full = ms[ms["full"].astype(bool)].drop_duplicates(["actor", "organisation"])
    inc = pd.crosstab(full.actor, full.organisation)
    mat = inc @ inc.T
    mat.index.name = mat.columns.name = None
    return mat


def by_leader(scenario: Scenario, actor: str, year: int | None = None) -> pd.DataFrame:
    """``actor``'s organisations (full memberships) in ``year`` grouped by who leads them.

    Returns
    -------
    DataFrame
        ``camp`` (the leader's top-level bloc or the leader; ``none`` when the
        organisation names no leader), ``leader``, ``organisations`` (list),
        ``n``.
    """
    ms = memberships_in(scenario, year)
    mine = ms[(ms.actor == actor) & ms.full].drop_duplicates(["organisation"])
    rows = []
    key = mine.camp.fillna("none")
    for camp, g in mine.groupby(key, sort=True):
        leaders = sorted({x for x in g.leader if isinstance(x, str)})
        rows.append(
            {"camp": camp, "leader": leaders, "organisations": sorted(g.organisation), "n": len(g)}
        )
    df = pd.DataFrame(rows, columns=["camp", "leader", "organisations", "n"])
    return df.sort_values(["n", "camp"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def timeline(scenario: Scenario, until: int | None = None) -> pd.DataFrame:
    """Dated events and agreement milestones (signed, in force, ended), in date order.

    Parameters
    ----------
    until : int, optional
        Keep only what happened in or before this year.

    Returns
    -------
    DataFrame
        ``date, what`` (``event``, ``signed``, ``in force``, ``ended``), ``id,
        title, actors, source``.
    """
    rows = []
    for e in scenario.events:
        rows.append(
            {
                "date": e.date,
                "what": "event",
                "id": e.id,
                "title": e.title,
                "actors": list(e.actors),
                "source": e.source,
            }
        )
    for ag in scenario.agreements:
        for what, date in (("signed", ag.signed), ("in force", ag.in_force), ("ended", ag.until)):
            if date:
                rows.append(
                    {
                        "date": date,
                        "what": what,
                        "id": ag.id,
                        "title": ag.name,
                        "actors": list(ag.parties),
                        "source": ag.source,
                    }
                )
    df = pd.DataFrame(rows, columns=["date", "what", "id", "title", "actors", "source"])
    if until is not None:
        df = df[df.date.str[:4].astype(int) <= until]
    order = {"signed": 0, "in force": 1, "event": 2, "ended": 3}
    df = df.assign(_o=df.what.map(order)).sort_values(["date", "_o", "id"], kind="stable")
    return df.drop(columns="_o").reset_index(drop=True)


@dataclass(frozen=True)
class Relations:
    """The relations of a scenario in one year (or over all years when ``year`` is None).

    Attributes
    ----------
    scenario, focus : str
    year : int or None
    graph : networkx.MultiDiGraph
        The whole scenario (all years); filter edges by their years.
    memberships : DataFrame
        See :func:`memberships_in`.
    overlaps : DataFrame
        See :func:`overlaps`.
    by_leader : DataFrame
        The focus actor's organisations by leading power (:func:`by_leader`).
    joint : DataFrame
        See :func:`joint_memberships`.
    timeline : DataFrame
        See :func:`timeline` (up to ``year``).
    names : dict
        actor id -> display name.
    """

    scenario: str
    year: int | None
    focus: str | None
    graph: nx.MultiDiGraph
    memberships: pd.DataFrame
    overlaps: pd.DataFrame
    by_leader: pd.DataFrame
    joint: pd.DataFrame
    timeline: pd.DataFrame
    names: dict[str, str]

    def shared(self, org_a: str, org_b: str) -> list[str]:
        """Actors that are full members of both organisations (e.g. ``'sco', 'csto'``)."""
        ms = self.memberships[self.memberships.full]
        a = set(ms[ms.organisation == org_a].actor)
        return sorted(a & set(ms[ms.organisation == org_b].actor))

    def joint_count(self, a: str, b: str) -> int:
        """Number of organisations both actors are full members of."""
        ms = self.memberships[self.memberships.full]
        oa = set(ms[ms.actor == a].organisation)
        return len(oa & set(ms[ms.actor == b].organisation))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: every table as a list of records."""

        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {k: (None if _isna(v) else v) for k, v in r.items()}
                for r in df.to_dict(orient="records")
            ]

        return {
            "scenario": self.scenario,
            "year": self.year,
            "focus": self.focus,
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "memberships": recs(self.memberships),
            "overlaps": recs(self.overlaps),
            "by_leader": recs(self.by_leader),
            "joint": recs(self.joint),
            "timeline": recs(self.timeline),
            "names": self.names,
        }


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v)) if not isinstance(v, list | tuple | dict) else False
    except (TypeError, ValueError):
        return False


def relations(scenario: Scenario, year: int | None = None, actor: str | None = None) -> Relations:
    """The relations of ``scenario`` in ``year``.

    Parameters
    ----------
    scenario : Scenario
    year : int, optional
        The year to read; defaults to the scenario's ``year`` (every tie ever
        recorded when the scenario has no year either).
    actor : str, optional
        The actor whose organisations are grouped by leader; defaults to the
        scenario's ``focus``.

    Returns
    -------
    Relations

    Examples
    --------
    >>> import crossroads
    >>> r = crossroads.relations(crossroads.load("kazakhstan-2010"), 2010)
    >>> r.shared("sco", "csto")
    ['kazakhstan', 'kyrgyzstan', 'russia', 'tajikistan', 'uzbekistan']
    """
    year = scenario.year if year is None else year
    actor = actor or focus_of(scenario)
    if actor is not None and actor not in {a.id for a in scenario.actors}:
        raise CrossroadsError(f"no actor '{actor}' in scenario '{scenario.id}'")
    return Relations(
        scenario=scenario.id,
        year=year,
        focus=actor,
        graph=build_graph(scenario),
        memberships=memberships_in(scenario, year),
        overlaps=overlaps(scenario, year),
        by_leader=by_leader(scenario, actor, year)
        if actor
        else pd.DataFrame(columns=["camp", "leader", "organisations", "n"]),
        joint=joint_memberships(scenario, year),
        timeline=timeline(scenario, until=year),
        names=_names(scenario),
    )
