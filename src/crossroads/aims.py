"""The answer to each of a scenario's aims: the cheapest package of interventions that
reaches it, under each model (:func:`crossroads.plan`).

An aim (:class:`~crossroads.scenario.schema.Aim`) names an issue, a target (``'>=75'``)
and the probability required. ``crossroads run``, the HTML report and the dashboard plan
each aim with every costed intervention of the scenario as a candidate, on
:data:`AIM_RUNS` ensemble runs per package (fewer than ``crossroads plan``'s default, so
that ``run`` stays quick; ``crossroads plan --runs`` gives more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crossroads.errors import CrossroadsError
from crossroads.planning import PlanResult, plan
from crossroads.scenario import Scenario
from crossroads.scenario.schema import Aim

__all__ = ["AIM_RUNS", "AimAnswer", "aim_models", "answer_aims"]

#: Ensemble runs per package when ``run``, the report and the dashboard answer an aim.
AIM_RUNS = 1024


@dataclass(frozen=True)
class AimAnswer:
    """One aim planned under one model.

    Attributes
    ----------
    aim : Aim
    model : str
    result : PlanResult or None
        None when the plan cannot be made (``error`` says why: e.g. no costed
        intervention, or costs in different units).
    left_out : list of str
        Interventions without a cost, not candidates.
    """

    aim: Aim
    model: str
    result: PlanResult | None
    error: str | None
    left_out: list[str]

    def headline(self) -> str:
        what = self.aim.name or self.aim.id
        if self.result is None:
            return f"{what} ({self.model}): not planned: {self.error}"
        return f"{what} ({self.model}): {self.result.headline()}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "aim": self.aim.model_dump(mode="json", exclude_none=True),
            "model": self.model,
            "headline": self.headline(),
            "error": self.error,
            "left_out": self.left_out,
            "plan": self.result.to_dict() if self.result is not None else None,
        }


def aim_models(scenario: Scenario, models: Sequence[str]) -> list[str]:
    """The models an aim is planned under by ``run``, the report and the dashboard: those
    run (``smp`` aside: its ensembles are slow), and ``exchange`` when the scenario has
    linkages."""
    out = [m for m in models if m != "smp"]
    if scenario.linkages and "exchange" not in out:
        out.append("exchange")
    return out


def answer_aims(
    scenario: Scenario,
    models: Sequence[str],
    *,
    runs: int = AIM_RUNS,
    seed: int = 0,
) -> list[AimAnswer]:
    """Plan every aim of ``scenario`` under each of ``models`` (aim by aim, model by model).

    Candidates are the scenario's interventions that have a cost; those without one are
    listed in :attr:`AimAnswer.left_out`. A plan the library refuses (say, costs in two
    units) is an answer with its ``error``; nothing is skipped silently.

    Returns
    -------
    list of AimAnswer
        Empty when the scenario states no aim.
    """
    costed = [iv.id for iv in scenario.interventions if iv.cost is not None]
    free = [iv.id for iv in scenario.interventions if iv.cost is None]
    out = []
    for aim in scenario.aims:
        for m in models:
            result, error = None, None
            if not costed:
                error = f"scenario '{scenario.id}' has no intervention with a cost"
            else:
                try:
                    result = plan(
                        scenario, aim.issue, m, aim.target, aim.probability,
                        candidates=costed, runs=runs, seed=seed,
                    )  # fmt: skip
                except CrossroadsError as e:
                    error = str(e)
            out.append(AimAnswer(aim, m, result, error, free))
    return out
