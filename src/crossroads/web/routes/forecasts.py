"""One forecast: ``crossroads forecast --json``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.web.compute import prepared
from crossroads.web.deps import RegistryDep, lookup
from crossroads.web.requests import ForecastRequest
from crossroads.web.responses import json_response

__all__ = ["router"]

router = APIRouter()


@router.post("/api/forecast")
def api_forecast(req: ForecastRequest, registry: RegistryDep) -> Response:
    from crossroads.forecasting import forecast

    sc, issue_id = prepared(lookup(registry, req.scenario).scenario, req)
    params = {} if req.rounds is None else {"rounds": req.rounds}
    f = forecast(
        sc, issue_id, req.model, preset=req.preset, interventions=req.interventions, **params
    )
    return json_response(f.to_dict())
