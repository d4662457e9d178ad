"""Every fact of a scenario with its citation, grouped by the source it cites.

A "fact" is any scenario entry that can carry ``source`` and ``where``: actors,
memberships, agreements, flows, events, issues, stakes, observed outcomes,
interventions, benchmarks, observations, incentives and indicators. The report's
sources section lists, for each source, every fact that cites it and where.
"""

from __future__ import annotations

from dataclasses import dataclass

from crossroads.scenario import Scenario

__all__ = ["Fact", "citations", "flow_text"]


@dataclass(frozen=True)
class Fact:
    """One cited (or uncited) fact.

    Attributes
    ----------
    kind : str
        ``actor``, ``membership``, ``agreement``, ``flow``, ``event``, ``issue``,
        ``stake``, ``observed``, ``intervention``, ``benchmark``, ``observation``,
        ``incentive`` or ``indicator``.
    text : str
        The fact in words.
    source : str or None
        The source id it cites.
    where : str or None
        Section or page in that source.
    note : str or None
    """

    kind: str
    text: str
    source: str | None
    where: str | None
    note: str | None = None


def flow_text(f, names: dict[str, str]) -> str:
    """``exports, Kazakhstan -> EU, 2009: 39.4% of total exports``."""
    amount = []
    approx = "~" if f.approximate else ""
    if f.share is not None:
        amount.append(f"{approx}{100 * f.share:.1f}% of {f.of or 'the total'}")
    if f.value is not None:
        amount.append(f"{approx}{f.value:g} {f.unit or ''}".rstrip())
    return (
        f"{f.kind}, {names.get(f.origin, f.origin)} → {names.get(f.target, f.target)}, "
        f"{f.year}: " + "; ".join(amount)
    )


def _facts(sc: Scenario) -> list[Fact]:
    names = {a.id: a.name for a in sc.actors}
    out: list[Fact] = []
    for a in sc.actors:
        out.append(Fact("actor", f"{a.name} ({a.kind})", a.source, a.where, a.note))
    for m in sc.memberships:
        span = f" since {m.since}" if m.since else ""
        span += f" until {m.until}" if m.until else ""
        outcome = f" ({m.outcome})" if m.outcome else ""
        text = (
            f"{names.get(m.actor, m.actor)}: {m.role} of "
            f"{names.get(m.organisation, m.organisation)}{span}{outcome}"
        )
        out.append(Fact("membership", text, m.source, m.where, m.note))
    for ag in sc.agreements:
        when = ag.in_force or ag.signed
        text = f"{ag.name} ({ag.status.replace('_', ' ')}{', ' + when if when else ''})"
        out.append(Fact("agreement", text, ag.source, ag.where, ag.note))
    for f in sc.flows:
        out.append(Fact("flow", flow_text(f, names), f.source, f.where, f.note))
    for e in sc.events:
        out.append(Fact("event", f"{e.date}: {e.title}", e.source, e.where, e.note))
    for iss in sc.issues:
        out.append(Fact("issue", f"{iss.title}: {iss.question}", iss.source, iss.where, iss.note))
        for s in iss.stakes:
            if hasattr(s, "positions"):  # a multi-dimensional issue's stake
                where = ", ".join(f"{v:g}" for v in s.positions)
                sal = ", ".join(f"{v:g}" for v in s.saliences)
                text = (
                    f"{iss.title}: {names.get(s.actor, s.actor)} at ({where}), "
                    f"saliences ({sal}), capability {s.capability:g}"
                )
            else:
                text = (
                    f"{iss.title}: {names.get(s.actor, s.actor)} at {s.position:g}, "
                    f"salience {s.salience:g}, capability {s.capability:g}"
                )
            out.append(Fact("stake", text, s.source, s.where, s.note))
        if iss.observed is not None:
            o = iss.observed
            text = f"{iss.title}: observed outcome {o.value:g}" + (f" ({o.date})" if o.date else "")
            out.append(Fact("observed", text, o.source, o.where, o.note))
    for iv in sc.interventions:
        out.append(Fact("intervention", iv.name, iv.source, iv.where, iv.note))
    for b in sc.benchmarks:
        out.append(Fact("benchmark", b.name, b.source, b.where, b.note))
    for o in sc.observations:
        if o.met is not None:
            state = "met" if o.met else "not met"
        else:
            state = f"value {o.value:g}" if o.value is not None else ""
        text = f"{o.benchmark} {o.date}: {state}" + (f" — {o.evidence}" if o.evidence else "")
        out.append(Fact("observation", text, o.source, o.where, o.note))
    for inc in sc.incentives:
        out.append(Fact("incentive", inc.name, inc.source, inc.where, inc.note))
    for ind in sc.indicators:
        text = f"{names.get(ind.actor, ind.actor)} {ind.indicator} {ind.year}: {ind.value:g}"
        text += f" {ind.unit}" if ind.unit else ""
        text += f" ({ind.label})" if ind.label else ""
        out.append(Fact("indicator", text, ind.source, ind.where, ind.note))
    return out


def citations(sc: Scenario) -> tuple[dict[str, list[Fact]], list[Fact]]:
    """Facts grouped by the source they cite, in the order of ``sc.sources``.

    Returns
    -------
    by_source : dict of str to list of Fact
        Every source id (also those no fact cites) -> the facts citing it.
    uncited : list of Fact
        Facts with no ``source``.
    """
    by_source: dict[str, list[Fact]] = {s.id: [] for s in sc.sources}
    uncited: list[Fact] = []
    for fact in _facts(sc):
        if fact.source is None:
            uncited.append(fact)
        else:
            by_source.setdefault(fact.source, []).append(fact)
    return by_source, uncited
