"""Forecasts under uncertainty: ensembles, what-if comparisons, sensitivity, the dashboard update.

Each answers with the JSON of its CLI command (``crossroads ensemble``, ``compare``,
``sensitivity`` with ``--json``); ``"figures": true`` adds the command's chart as a
Plotly figure, and ``"save": true`` records the run in the server's run store.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.store import save_result
from crossroads.web.compute import (
    compare_figure,
    ensemble_figure,
    explore,
    prepared,
    sensitivity_figure,
)
from crossroads.web.deps import RegistryDep, SettingsDep, lookup, save_to
from crossroads.web.requests import (
    CompareRequest,
    EnsembleRequest,
    ExploreRequest,
    SensitivityRequest,
)
from crossroads.web.responses import json_response

__all__ = ["router"]

router = APIRouter()


@router.post("/api/ensemble")
def api_ensemble(req: EnsembleRequest, registry: RegistryDep, settings: SettingsDep) -> Response:
    from crossroads.uncertainty import ensemble

    sc, issue_id = prepared(lookup(registry, req.scenario).scenario, req)
    store = save_to(settings, req.save)
    r = save_result(
        ensemble(sc, issue_id, req.model, keep_runs=req.figures, **req.sampling()), store
    )
    out = r.to_dict()
    if req.figures:
        out["figure"] = ensemble_figure(sc, issue_id, r)
    return json_response(out)


@router.post("/api/compare")
def api_compare(req: CompareRequest, registry: RegistryDep, settings: SettingsDep) -> Response:
    from crossroads.uncertainty import compare

    sc, issue_id = prepared(lookup(registry, req.scenario).scenario, req)
    store = save_to(settings, req.save)
    # the request's interventions are the arms compared, not interventions applied first
    opts = {k: v for k, v in req.sampling().items() if k != "interventions"}
    opts["combine"] = req.combine
    r = save_result(compare(sc, issue_id, req.model, req.interventions, **opts), store)
    out = r.to_dict()
    if req.figures:
        out["figure"] = compare_figure(sc, issue_id, req.model, req.runs, r)
    return json_response(out)


@router.post("/api/sensitivity")
def api_sensitivity(
    req: SensitivityRequest, registry: RegistryDep, settings: SettingsDep
) -> Response:
    from crossroads.uncertainty import sensitivity

    sc, issue_id = prepared(lookup(registry, req.scenario).scenario, req)
    store = save_to(settings, req.save)
    opts = {**req.sampling(), "method": req.method, "samples": req.samples}
    r = save_result(sensitivity(sc, issue_id, req.model, **opts), store)
    out = r.to_dict()
    if req.figures:
        out["figure"] = sensitivity_figure(req.model, r)
    return json_response(out)


@router.post("/api/explore")
def api_explore(req: ExploreRequest, registry: RegistryDep) -> Response:
    return json_response(explore(lookup(registry, req.scenario).scenario, req))
