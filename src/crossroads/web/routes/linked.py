"""Linked issues and plans: ``crossroads forecast --model exchange --json``, the linked
sets and aims ``crossroads run`` prints (with the report's charts), and ``crossroads plan
--json``. Each runs in a child process under the server's time limit
(:mod:`crossroads.web.budget`), like every computing endpoint."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.serialisation import dumps
from crossroads.web.budget import computed
from crossroads.web.deps import ComputeSlotsDep, RegistryDep, SettingsDep, lookup
from crossroads.web.requests import LinkedRequest, LinkedSummaryRequest, PlanRequest

__all__ = ["router"]

router = APIRouter()


async def _answer(slots: Any, fn: Any, seconds: float, what: str) -> Response:
    return Response(await computed(slots, fn, seconds, what), media_type="application/json")


@router.post("/api/linked")
async def api_linked(
    req: LinkedRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    scenario = lookup(registry, req.scenario).scenario

    def run() -> str:
        from crossroads.linked_forecasting import forecast_issues

        params = {} if req.rounds is None else {"rounds": req.rounds}
        lf = forecast_issues(
            scenario, req.issues or None, req.model, issue=req.issue, preset=req.preset,
            interventions=req.interventions, seed=req.seed, **params,
        )  # fmt: skip
        return dumps(lf.to_dict(), compact=True)

    return await _answer(slots, run, settings.compute_seconds, "this linked forecast")


@router.post("/api/linked/summary")
async def api_linked_summary(
    req: LinkedSummaryRequest,
    registry: RegistryDep,
    settings: SettingsDep,
    slots: ComputeSlotsDep,
) -> Response:
    scenario = lookup(registry, req.scenario).scenario

    def run() -> str:
        from crossroads.web.linked_view import linked_view

        return dumps(linked_view(scenario, req), compact=True)

    return await _answer(slots, run, settings.compute_seconds, "this summary of linked issues")


@router.post("/api/plan")
async def api_plan(
    req: PlanRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    scenario = lookup(registry, req.scenario).scenario

    def run() -> str:
        from crossroads.web.linked_view import plan_answer

        return dumps(plan_answer(scenario, req), compact=True)

    return await _answer(slots, run, settings.compute_seconds, "this plan")
