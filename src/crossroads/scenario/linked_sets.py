"""Which issues are bargained together: the linked sets of a scenario's active linkages.

A linkage (:class:`~crossroads.scenario.schema.Linkage`) ties two or more issues; linkages
that share an issue join into one *linked set*, the issues an exchange model bargains over
at once (Stokman & Van Oosten 1994: actors trade across every issue of a set). An issue in
no active linkage is a set of its own.

Examples
--------
>>> import crossroads
>>> from crossroads.scenario.linked_sets import linked_set_of
>>> sc = crossroads.apply_interventions(crossroads.load("tests/data/linked.yaml"), ["tie"])
>>> linked_set_of(sc, "rights")
['trade', 'rights']
"""

from __future__ import annotations

from crossroads.scenario.schema import Scenario

__all__ = ["linked_set_of", "linked_sets"]


def linked_sets(scenario: Scenario, *, include_single: bool = False) -> list[list[str]]:
    """The linked sets of ``scenario``'s active linkages, each in the scenario's issue order.

    Parameters
    ----------
    scenario : Scenario
    include_single : bool
        Also list every issue in no active linkage as a set of one.

    Returns
    -------
    list of list of str
        Sets ordered by their first issue's place in the scenario.
    """
    order = {iss.id: k for k, iss in enumerate(scenario.issues)}
    parent = {i: i for i in order}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    linked: set[str] = set()
    for lk in scenario.linkages:
        if not lk.active:
            continue
        members = [i for i in lk.issues if i in order]
        linked.update(members)
        for other in members[1:]:
            parent[root(other)] = root(members[0])
    groups: dict[str, list[str]] = {}
    for i in order:  # scenario order
        if i in linked or include_single:
            groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: order[g[0]])


def linked_set_of(scenario: Scenario, issue: str) -> list[str]:
    """The issues bargained together with ``issue`` (itself included), in scenario order.

    ``[issue]`` when no active linkage holds it.
    """
    iss = scenario.issue(issue)
    for group in linked_sets(scenario):
        if iss.id in group:
            return group
    return [iss.id]
