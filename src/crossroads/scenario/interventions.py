"""Apply named interventions (what-if edits to stakes) to a scenario."""

from __future__ import annotations

from collections.abc import Iterable

from crossroads.errors import InterventionError
from crossroads.scenario.schema import Edit, Issue, Scenario, Stake

__all__ = ["apply_edits", "apply_interventions", "set_links"]

_FIELDS = ("position", "salience", "capability")


def _bounds(issue: Issue, field: str) -> tuple[float, float]:
    if field == "position":
        return issue.scale.min, issue.scale.max
    if field == "salience":
        return 0.0, 1.0
    return 0.0, float("inf")


def _edit_issue(issue: Issue, edits: list[Edit], where: str) -> Issue:
    stakes = list(issue.stakes)
    for ed in edits:
        touched = set(ed.set or {}) | set(ed.shift or {})
        if issue.dimensions and (ed.add is not None or touched - {"capability"}):
            raise InterventionError(
                f"{where}: issue '{issue.id}' has dimensions; an edit of it may only set or "
                "shift capability, or remove an actor"
            )
        idx = next((i for i, s in enumerate(stakes) if s.actor == ed.actor), None)
        if ed.add is not None:
            if idx is not None:
                raise InterventionError(
                    f"{where}: '{ed.actor}' already has a stake in '{issue.id}'"
                )
            vals = {
                f: min(max(ed.add[f], _bounds(issue, f)[0]), _bounds(issue, f)[1]) for f in _FIELDS
            }
            stakes.append(Stake(actor=ed.actor, note=f"added by {where}", **vals))
            continue
        if idx is None:
            raise InterventionError(
                f"{where}: actor '{ed.actor}' has no stake in issue '{issue.id}'"
            )
        if ed.remove:
            stakes.pop(idx)
            continue
        stake = stakes[idx]
        update = {}
        for f, v in (ed.set or {}).items():
            lo, hi = _bounds(issue, f)
            update[f] = min(max(v, lo), hi)
        for f, v in (ed.shift or {}).items():
            lo, hi = _bounds(issue, f)
            update[f] = min(max(getattr(stake, f) + v, lo), hi)
        stakes[idx] = stake.model_copy(update=update)
    if not stakes:
        raise InterventionError(f"{where}: removes every actor from issue '{issue.id}'")
    return issue.model_copy(update={"stakes": stakes})


def apply_edits(scenario: Scenario, edits: Iterable[Edit], where: str = "edit") -> Scenario:
    """A new scenario with ``edits`` applied in order (the input is not changed).

    Set and shifted values are clipped to the legal range: positions to the
    issue's scale, salience to 0-1, capability to >= 0.
    """
    edits = list(edits)
    known_issues = {i.id for i in scenario.issues}
    known_actors = {a.id for a in scenario.actors}
    for ed in edits:
        if ed.issue not in known_issues:
            raise InterventionError(f"{where}: unknown issue '{ed.issue}'")
        if ed.actor not in known_actors:
            raise InterventionError(f"{where}: unknown actor '{ed.actor}'")
    issues = [
        _edit_issue(issue, [e for e in edits if e.issue == issue.id], where)
        if any(e.issue == issue.id for e in edits)
        else issue
        for issue in scenario.issues
    ]
    return scenario.model_copy(update={"issues": issues})


def set_links(scenario: Scenario, link: Iterable[str] = (), unlink: Iterable[str] = (),
              where: str = "edit") -> Scenario:  # fmt: skip
    """A new scenario with the linkages ``link`` switched on and ``unlink`` switched off."""
    on, off = set(link), set(unlink)
    known = {lk.id for lk in scenario.linkages}
    for ref in sorted((on | off) - known):
        raise InterventionError(
            f"{where}: unknown linkage '{ref}'; linkages: {', '.join(sorted(known)) or 'none'}"
        )
    if not on and not off:
        return scenario
    linkages = [
        lk.model_copy(update={"active": True}) if lk.id in on
        else lk.model_copy(update={"active": False}) if lk.id in off
        else lk
        for lk in scenario.linkages
    ]  # fmt: skip
    return scenario.model_copy(update={"linkages": linkages})


def apply_interventions(scenario: Scenario, names: Iterable[str]) -> Scenario:
    """A new scenario with the named interventions applied, in the order given.

    Each applies its stake edits, then switches its ``link`` linkages on and its
    ``unlink`` linkages off.
    """
    out = scenario
    for name in names:
        iv = scenario.intervention(name)
        where = f"intervention '{name}'"
        out = apply_edits(out, iv.edits, where=where)
        out = set_links(out, iv.link, iv.unlink, where=where)
    return out
