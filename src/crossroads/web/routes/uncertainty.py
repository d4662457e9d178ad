"""Forecasts under uncertainty: ensembles, what-if comparisons, sensitivity, the dashboard update.

Each answers with the JSON of its CLI command (``crossroads ensemble``, ``compare``,
``sensitivity`` with ``--json``); ``"figures": true`` adds the command's chart as a
Plotly figure, and ``"save": true`` records the run in the server's run store.
Each runs in a child process under the server's time limit
(:mod:`crossroads.web.budget`): an ensemble of a compiled model (``eum``, ``smp``)
is refused before it starts when its runs times one forecast exceed the limit, and
any of them once its first chunks predict it would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.serialisation import dumps
from crossroads.web.budget import Pace, computed, predict_runs
from crossroads.web.compute import (
    compare_figure,
    ensemble_figure,
    explore,
    prepared,
    sensitivity_figure,
)
from crossroads.web.deps import ComputeSlotsDep, RegistryDep, SettingsDep, lookup, save_to
from crossroads.web.requests import (
    CompareRequest,
    EnsembleRequest,
    ExploreRequest,
    SensitivityRequest,
)

__all__ = ["router"]

router = APIRouter()

_ADVICE = "ask for fewer runs or samples, or run it with the command line"


def _predict(sc: Any, issue_id: str, req: EnsembleRequest, runs: int, seconds: float) -> None:
    """Refuse before it starts an ensemble of a compiled model that cannot end in time."""
    from crossroads.forecasting import forecast
    from crossroads.models.compilation import KERNELS

    if req.model not in KERNELS or runs <= 0:
        return
    params = dict(req.params) | ({} if req.rounds is None else {"rounds": req.rounds})
    t0 = time.perf_counter()
    forecast(sc, issue_id, req.model, preset=req.preset, **params)
    predict_runs(time.perf_counter() - t0, runs, seconds, f"this {req.model} ensemble")


async def _answer(slots: Any, fn: Callable[[], Any], seconds: float, what: str) -> Response:
    return Response(await computed(slots, fn, seconds, what), media_type="application/json")


@router.post("/api/ensemble")
async def api_ensemble(
    req: EnsembleRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    scenario = lookup(registry, req.scenario).scenario
    store = save_to(settings, req.save)
    seconds = settings.compute_seconds

    def run() -> str:
        from crossroads.store import save_result
        from crossroads.uncertainty import ensemble

        sc, issue_id = prepared(scenario, req)
        _predict(sc, issue_id, req, req.runs, seconds)
        pace = Pace(seconds, "runs", _ADVICE)
        res = ensemble(
            sc, issue_id, req.model, keep_runs=req.figures, progress=pace, **req.sampling()
        )
        r = save_result(res, store)
        out = r.to_dict()
        if req.figures:
            out["figure"] = ensemble_figure(sc, issue_id, r)
        return dumps(out, compact=True)

    return await _answer(slots, run, seconds, "this ensemble")


@router.post("/api/compare")
async def api_compare(
    req: CompareRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    scenario = lookup(registry, req.scenario).scenario
    store = save_to(settings, req.save)
    seconds = settings.compute_seconds

    def run() -> str:
        from crossroads.store import save_result
        from crossroads.uncertainty import compare

        sc, issue_id = prepared(scenario, req)
        arms = 1 + max(len(req.interventions), 1)
        _predict(sc, issue_id, req, req.runs * arms, seconds)
        # the request's interventions are the arms compared, not interventions applied first
        opts = {k: v for k, v in req.sampling().items() if k != "interventions"}
        opts["combine"] = req.combine
        pace = Pace(seconds, "runs", _ADVICE)
        r = save_result(
            compare(sc, issue_id, req.model, req.interventions, progress=pace, **opts), store
        )
        out = r.to_dict()
        if req.figures:
            out["figure"] = compare_figure(sc, issue_id, req.model, req.runs, r)
        return dumps(out, compact=True)

    return await _answer(slots, run, seconds, "this comparison")


@router.post("/api/sensitivity")
async def api_sensitivity(
    req: SensitivityRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    scenario = lookup(registry, req.scenario).scenario
    store = save_to(settings, req.save)
    seconds = settings.compute_seconds

    def run() -> str:
        from crossroads.store import save_result
        from crossroads.uncertainty import sensitivity

        sc, issue_id = prepared(scenario, req)
        opts = {**req.sampling(), "method": req.method, "samples": req.samples}
        pace = Pace(seconds, "design rows", _ADVICE)
        r = save_result(sensitivity(sc, issue_id, req.model, progress=pace, **opts), store)
        out = r.to_dict()
        if req.figures:
            out["figure"] = sensitivity_figure(req.model, r)
        return dumps(out, compact=True)

    return await _answer(slots, run, seconds, "this sensitivity study")


@router.post("/api/explore")
async def api_explore(
    req: ExploreRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    scenario = lookup(registry, req.scenario).scenario
    seconds = settings.compute_seconds

    def run() -> str:
        return dumps(explore(scenario, req), compact=True)

    return await _answer(slots, run, seconds, "this update")
