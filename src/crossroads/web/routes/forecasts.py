"""One forecast: ``crossroads forecast --json`` (in a child process, under the time limit)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.serialisation import dumps
from crossroads.web.budget import computed
from crossroads.web.compute import prepared
from crossroads.web.deps import ComputeSlotsDep, RegistryDep, SettingsDep, lookup
from crossroads.web.requests import ForecastRequest

__all__ = ["router"]

router = APIRouter()


@router.post("/api/forecast")
async def api_forecast(
    req: ForecastRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    scenario = lookup(registry, req.scenario).scenario

    def run() -> str:
        from crossroads.forecasting import forecast

        sc, issue_id = prepared(scenario, req)
        params = {} if req.rounds is None else {"rounds": req.rounds}
        f = forecast(
            sc, issue_id, req.model, preset=req.preset, interventions=req.interventions, **params
        )
        from crossroads.evaluation.calibrated_display import builtin_interval
        from crossroads.web.compute import calibrated_json

        iss = sc.issue(issue_id)
        ci = builtin_interval(
            req.model, f.outcome, (iss.scale.min, iss.scale.max), preset=req.preset,
            params=f.params,
        )  # fmt: skip
        return dumps({**f.to_dict(), **calibrated_json(ci)}, compact=True)

    text = await computed(slots, run, settings.compute_seconds, "this forecast")
    return Response(text, media_type="application/json")
