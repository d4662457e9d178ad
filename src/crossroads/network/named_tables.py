"""Relations and dependence as readable tables: names for ids, one row per thing shown.

:class:`~crossroads.network.graph.Relations` and
:class:`~crossroads.network.trade_dependence.Dependence` hold tidy tables keyed
by actor ids, with lists in cells. The functions here reshape them into the
tables a person reads (``crossroads relations``, ``crossroads dependence``):
actor and organisation names instead of ids, lists joined into text, one
column per denominator. They compute nothing new; the command line only cuts
them to length and prints them.

Examples
--------
>>> import crossroads
>>> from crossroads.network import membership_table
>>> r = crossroads.relations(crossroads.load("kazakhstan-2010"), 2010)
>>> list(membership_table(r).columns)
['actor', 'member of', 'n', 'other ties']
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from crossroads.network.graph import Relations
from crossroads.network.trade_dependence import Dependence

__all__ = [
    "concentration_table",
    "denominator_table",
    "fuel_table",
    "joint_table",
    "leader_table",
    "membership_table",
    "overlap_table",
    "partner_share_table",
    "timeline_table",
]


def _joined(ids: Iterable[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(i, i) for i in ids)


# --- relations ------------------------------------------------------------------------------
def membership_table(r: Relations) -> pd.DataFrame:
    """One row per actor: the organisations it is a full member of, and its other ties.

    Returns
    -------
    DataFrame
        ``actor`` (name), ``member of`` (names, sorted), ``n`` (full
        memberships), ``other ties`` (``name (role)`` for observers, partners,
        applicants, hosts), most memberships first (ties keep the order of
        :attr:`Relations.memberships`).
    """
    names = r.names
    rows = []
    for a, g in r.memberships.groupby("actor", sort=False):
        full = sorted({names.get(o, o) for o in g[g.full].organisation})
        other = sorted(
            {
                f"{names.get(o, o)} ({role})"
                for o, role in zip(g[~g.full].organisation, g[~g.full].role, strict=True)
            }
        )
        rows.append(
            {
                "actor": names.get(a, a),
                "member of": ", ".join(full),
                "n": len(full),
                "other ties": ", ".join(other),
            }
        )
    if not rows:
        return pd.DataFrame(columns=["actor", "member of", "n", "other ties"])
    return pd.DataFrame(rows).sort_values("n", ascending=False, kind="stable")


def leader_table(r: Relations) -> pd.DataFrame:
    """The focus actor's organisations grouped by the power that leads them, with names.

    Returns
    -------
    DataFrame
        ``camp`` (name; ``no single leader`` for organisations that name no
        leader), ``organisations`` (names), ``n``: :attr:`Relations.by_leader`
        without its ``leader`` column.
    """
    names = r.names
    return r.by_leader.assign(
        organisations=lambda d: d.organisations.map(lambda x: _joined(x, names)),
        camp=lambda d: d.camp.map(lambda c: names.get(c, c) if c != "none" else "no single leader"),
    ).drop(columns="leader")


def overlap_table(r: Relations) -> pd.DataFrame:
    """Pairs of organisations with common full members, among the focus actor's own.

    With no focus actor, every overlapping pair.

    Returns
    -------
    DataFrame
        ``organisations`` (``A & B``), ``n`` (common members), ``members``
        (names), in the order of :attr:`Relations.overlaps` (most common members
        first).
    """
    names = r.names
    ov = r.overlaps
    if r.focus is not None:
        ms = r.memberships
        mine = set(ms[(ms.actor == r.focus) & ms.full].organisation)
        ov = ov[ov.organisation_a.isin(mine) & ov.organisation_b.isin(mine)]
    return ov.assign(
        organisations=lambda d: [
            f"{names.get(a, a)} & {names.get(b, b)}"
            for a, b in zip(d.organisation_a, d.organisation_b, strict=True)
        ],
        members=lambda d: d.common.map(lambda x: _joined(x, names)),
    )[["organisations", "n", "members"]]


def joint_table(r: Relations) -> pd.DataFrame:
    """Pairs of actors with the organisations both are full members of.

    Returns
    -------
    DataFrame
        ``pair`` (``A & B``), ``n``, ``organisations`` (names), in the order of
        :attr:`Relations.joint` (most joint memberships first).
    """
    names = r.names
    return r.joint.assign(
        pair=lambda d: [
            f"{names.get(a, a)} & {names.get(b, b)}"
            for a, b in zip(d.actor_a, d.actor_b, strict=True)
        ],
        organisations=lambda d: d.organisations.map(lambda x: _joined(x, names)),
    )[["pair", "n", "organisations"]]


def timeline_table(r: Relations) -> pd.DataFrame:
    """The timeline of events and agreements with actor names.

    Returns
    -------
    DataFrame
        ``date, what, title, actors`` (names), ``source``, in date order.
    """
    tl = r.timeline.assign(actors=lambda d: d.actors.map(lambda x: _joined(x, r.names)))
    return tl[["date", "what", "title", "actors", "source"]]


# --- dependence -----------------------------------------------------------------------------
def partner_share_table(d: Dependence, measure: str) -> pd.DataFrame:
    """Partners' shares of one measure (in %), one column per denominator, largest first.

    Parameters
    ----------
    d : Dependence
        Usually of one year (``dependence(scenario, actor, year)``).
    measure : {'exports', 'imports', 'trade'}

    Returns
    -------
    DataFrame
        ``partner`` (name), ``value (USD m)``, then one column of shares in
        percent per basis: ``national total``, ``sum of partners``, then
        ``stated (<source>)`` columns; sorted by the first share column (by
        value when no total is recorded, so there is no share column). Empty
        when ``d`` has no figure of ``measure``.
    """
    sm = d.shares[d.shares.measure == measure]
    if sm.empty:
        return pd.DataFrame()
    sm = sm.assign(
        col=[
            ("stated (" + (s or "?") + ")") if b == "stated" else b
            for b, s in zip(sm.basis, sm.source, strict=True)
        ]
    )
    tab = sm.pivot_table(index="partner", columns="col", values="share", aggfunc="first") * 100
    order = [c for c in ("national total", "sum of partners") if c in tab.columns]
    order += [c for c in tab.columns if c not in order]
    tab = tab[order]
    if not order:  # values only, with no total recorded to take a share of
        tab = pd.DataFrame(index=pd.Index(sorted(set(sm.partner)), name="partner"))
    val = sm.dropna(subset=["value"]).drop_duplicates("partner").set_index("partner").value
    tab.insert(0, "value (USD m)", val.reindex(tab.index))
    tab = tab.sort_values(order[0] if order else "value (USD m)", ascending=False)
    tab.index = [d.names.get(p, p) for p in tab.index]
    tab.index.name = "partner"
    return tab.reset_index()


def denominator_table(d: Dependence) -> pd.DataFrame:
    """Each computed share's denominator once: ``measure, basis, denominator`` (text)."""
    sh = d.shares
    dens = sh[sh.basis != "stated"].drop_duplicates(["measure", "basis", "denominator"])
    return dens[["measure", "basis", "denominator"]]


def concentration_table(d: Dependence) -> pd.DataFrame:
    """:attr:`Dependence.concentration` with the partners counted in a bloc by name.

    Returns
    -------
    DataFrame
        ``measure, basis, source, partners, hhi, hhi_upper, coverage,
        excluded`` (names of members counted in their bloc, joined).
    """
    c = d.concentration.assign(excluded=lambda x: x.excluded.map(lambda e: _joined(e, d.names)))
    cols = ["measure", "basis", "source", "partners", "hhi", "hhi_upper", "coverage", "excluded"]
    return c[cols]


def fuel_table(d: Dependence) -> pd.DataFrame:
    """Fuel's share of exports in percent: ``what, share %, source, where``."""
    f = d.fuel.assign(**{"share %": d.fuel.share * 100})
    return f[["what", "share %", "source", "where"]]
