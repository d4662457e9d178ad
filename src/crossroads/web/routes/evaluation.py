"""Models against observed outcomes: ``crossroads evaluate`` and ``crossroads fit``.

``fit`` can take minutes (``smp`` on a DEU III file: about 3 minutes). It runs in a
child process under its own time limit (:attr:`Settings.fit_seconds
<crossroads.web.settings.Settings>`): the child is killed when the limit passes
(503), and the fit is refused with 422 as soon as the time of its first candidates
predicts that the whole search would exceed it. One fit runs at a time; another
request meanwhile gets 429. Evaluations run in a child under the general limit
(:attr:`~crossroads.web.settings.Settings.compute_seconds`) and are bounded by their
size too (at most :data:`~crossroads.web.requests.MAX_EVAL_MODELS` models). The fit's
response is ``crossroads fit --json``'s (nested cross-validation, clustered standard
errors, ``verdict``); ``preset``, what ``--save-preset`` would write, is null for a
``no_better`` fit unless the request says ``"force": true``.
"""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.serialisation import dumps
from crossroads.web.budget import Pace, computed
from crossroads.web.deps import ComputeSlotsDep, FitLockDep, RegistryDep, SettingsDep, lookup
from crossroads.web.requests import EvaluateRequest, FitRequest
from crossroads.web.responses import error_response

__all__ = ["router"]

router = APIRouter()

_FIT_LESS = (
    'fit less ("what": "inputs", "search": "coordinate", fewer folds, a faster model) '
    "or run `crossroads fit` on the command line"
)


@router.post("/api/evaluate")
async def api_evaluate(
    req: EvaluateRequest, registry: RegistryDep, settings: SettingsDep, slots: ComputeSlotsDep
) -> Response:
    source = lookup(registry, req.scenario).evaluation_source()

    def run() -> str:
        from crossroads.evaluation import evaluate

        ev = evaluate(
            source,
            req.models,
            capability=req.capability,
            salience_exponent=req.salience_exponent,
        )
        return dumps(ev.to_dict(per_issue=req.per_issue), compact=True)

    text = await computed(slots, run, settings.compute_seconds, "this evaluation")
    return Response(text, media_type="application/json")


@router.post("/api/fit")
async def api_fit(
    req: FitRequest,
    registry: RegistryDep,
    settings: SettingsDep,
    fit_lock: FitLockDep,
    slots: ComputeSlotsDep,
) -> Response:
    from crossroads.evaluation.fitting import components

    source = lookup(registry, req.scenario).evaluation_source()
    components(req.model, req.preset)  # an unknown model or preset: 400 before any work
    if not fit_lock.acquire(blocking=False):
        return error_response(
            429, "another fit is running on this server; try again when it is done"
        )
    seconds = settings.fit_seconds

    def run() -> str:
        from crossroads.evaluation import fit

        start = time.perf_counter()
        pace = Pace(seconds, "candidates", _FIT_LESS)
        result = fit(
            source, req.model, folds=req.outer_folds, inner_folds=req.inner_folds,
            seed=req.seed, preset=req.preset, search=req.search, what=req.what, progress=pace,
        )  # fmt: skip
        out = result.to_dict(per_issue=req.per_issue)
        out["seconds"] = round(time.perf_counter() - start, 2)
        out["saved_preset"] = None  # the server writes no preset files
        out["not_saved"] = None
        out["preset"] = result.offered_preset(req.force)
        return dumps(out, compact=True)

    try:
        text = await computed(slots, run, seconds, "this fit")
    finally:
        fit_lock.release()
    return Response(text, media_type="application/json")
