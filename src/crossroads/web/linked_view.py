"""The dashboard's linked view and plans as plain data: the computations behind
``/api/linked/summary`` and ``/api/plan`` (run in the route's child process)."""

from __future__ import annotations

from typing import Any

from crossroads.errors import CrossroadsError
from crossroads.report import figures as F
from crossroads.scenario import Scenario
from crossroads.web.requests import LinkedSummaryRequest, PlanRequest

__all__ = ["linked_view", "plan_answer"]


def linked_view(sc: Scenario, req: LinkedSummaryRequest) -> dict[str, Any]:
    """Every linked set (:func:`crossroads.linked_summary.summarise_linked_sets`) and, with
    ``aims``, every aim planned under each model, with the report's charts."""
    from crossroads.aims import aim_models, answer_aims
    from crossroads.linked_summary import summarise_linked_sets

    scales = {iss.id: (iss.scale.min, iss.scale.max) for iss in sc.issues}
    sets = []
    for s in summarise_linked_sets(sc, runs=req.runs, seed=req.seed):
        out = s.to_dict()
        if req.figures:
            out["figures"] = {
                "moved": F.moved_figure(s.moved(), title=f"Who gave ground on what: {s.label}"),
                "with_without": (
                    F.with_without_figure(s.comparison, scales, s.names,
                                          title=f"With and without the link: {s.label}")
                    if s.comparison is not None else None
                ),
            }  # fmt: skip
        sets.append(out)
    aims = []
    if req.aims and sc.aims:
        answers = answer_aims(sc, aim_models(sc, list(req.models)), runs=req.runs, seed=req.seed)
        for aim in sc.aims:
            mine = [a for a in answers if a.aim.id == aim.id]
            item: dict[str, Any] = {
                "aim": aim.model_dump(mode="json", exclude_none=True),
                "answers": [a.to_dict() for a in mine],
            }
            plans = [a.result for a in mine if a.result is not None]
            if req.figures:
                item["figure"] = (
                    F.frontier_figure(plans, aim.probability,
                                      title=f"{aim.name or aim.id}: cost against probability")
                    if plans else None
                )  # fmt: skip
            aims.append(item)
    return {"scenario": sc.id, "runs": req.runs, "seed": req.seed, "sets": sets, "aims": aims}


def plan_answer(sc: Scenario, req: PlanRequest) -> dict[str, Any]:
    """``crossroads plan --json`` for the request (an aim of the scenario, or a target)."""
    from crossroads.planning import plan

    issue, target, probability = req.issue, req.target, req.probability
    if req.aim is not None:
        if req.target is not None or req.probability is not None or req.issue is not None:
            raise CrossroadsError("give an aim or issue, target and probability, not both")
        match = [a for a in sc.aims if a.id == req.aim]
        if not match:
            known = ", ".join(a.id for a in sc.aims) or "none"
            raise CrossroadsError(f"no aim '{req.aim[:80]}' in scenario '{sc.id}'; aims: {known}")
        issue, target, probability = match[0].issue, match[0].target, match[0].probability
    if target is None or probability is None:
        raise CrossroadsError("give an aim of the scenario, or a target ('>=75') and probability")
    r = plan(sc, issue, req.model, target, probability, budget=req.budget,
             candidates=req.candidates, runs=req.runs, seed=req.seed)  # fmt: skip
    out = r.to_dict()
    if req.figures:
        out["figure"] = F.frontier_figure([r], probability, title=f"{r.issue}: {r.headline()}")
    return out
