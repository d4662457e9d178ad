"""Models against observed outcomes: ``crossroads evaluate`` and ``crossroads fit``.

``fit`` can take minutes (``smp`` on a DEU III file: about 3 minutes), so it runs
in a worker thread under a time limit (:attr:`Settings.fit_seconds
<crossroads.web.settings.Settings>`), checked after each candidate: a fit that runs
over is stopped there and answered 400 with what it had done. The response is
``crossroads fit --json``'s (nested cross-validation, clustered standard errors,
``verdict``); ``preset``, what ``--save-preset`` would write, is null for a
``no_better`` fit unless the request says ``"force": true``. One fit runs at a
time; another request meanwhile gets 429. Evaluations are bounded by their size
instead (at most :data:`~crossroads.web.requests.MAX_EVAL_MODELS` models).
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.errors import CrossroadsError
from crossroads.web.deps import FitLockDep, RegistryDep, SettingsDep, lookup
from crossroads.web.requests import EvaluateRequest, FitRequest
from crossroads.web.responses import error_response, json_response

__all__ = ["router"]

router = APIRouter()


class _OverTime(Exception):
    """Raised from the fit's progress callback once the time limit has passed."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total


@router.post("/api/evaluate")
def api_evaluate(req: EvaluateRequest, registry: RegistryDep) -> Response:
    from crossroads.evaluation import evaluate

    ev = evaluate(
        lookup(registry, req.scenario).evaluation_source(),
        req.models,
        capability=req.capability,
        salience_exponent=req.salience_exponent,
    )
    return json_response(ev.to_dict(per_issue=req.per_issue))


@router.post("/api/fit")
async def api_fit(
    req: FitRequest, registry: RegistryDep, settings: SettingsDep, fit_lock: FitLockDep
) -> Response:
    from crossroads.evaluation import fit
    from crossroads.evaluation.fitting import components

    source = lookup(registry, req.scenario).evaluation_source()
    components(req.model, req.preset)  # an unknown model or preset: 400 before any work
    if not fit_lock.acquire(blocking=False):
        return error_response(
            429, "another fit is running on this server; try again when it is done"
        )
    fit_seconds = settings.fit_seconds
    try:
        start = time.perf_counter()
        deadline = time.monotonic() + fit_seconds

        def progress(done: int, total: int) -> None:
            if time.monotonic() > deadline:
                raise _OverTime(done, total)

        def run() -> Any:
            return fit(
                source, req.model, folds=req.outer_folds, inner_folds=req.inner_folds,
                seed=req.seed, preset=req.preset, search=req.search, what=req.what,
                progress=progress,
            )  # fmt: skip

        try:
            result = await anyio.to_thread.run_sync(run)
        except _OverTime as e:
            of = f" of {e.total}" if e.total > e.done else ""
            raise CrossroadsError(
                f"fit stopped at this server's time limit of {fit_seconds:g} s after "
                f'{e.done}{of} candidates; fit less ("what": "inputs", '
                '"search": "coordinate", fewer folds, a faster model) or run '
                "`crossroads fit` on the command line"
            ) from None
    finally:
        fit_lock.release()
    out = result.to_dict(per_issue=req.per_issue)
    out["seconds"] = round(time.perf_counter() - start, 2)
    out["saved_preset"] = None  # the server writes no preset files
    out["not_saved"] = None
    out["preset"] = result.offered_preset(req.force)
    return json_response(out)
