"""The rest of the CLI as JSON endpoints: validate, evaluate, fit, check and import.

Each endpoint calls the same library function as its command and answers with the
same JSON as the command's ``--json`` (files named by their upload names, never by
a server path). Files arrive as multipart uploads and reach the filesystem only
through :func:`crossroads.web.scenarios.staged`; the checks and messages are the
CLI's.

``fit`` can take minutes (``smp`` on a DEU III file: about 3 minutes), so it runs
in a worker thread under a time limit (:attr:`Settings.fit_seconds`), checked
after each candidate: a fit that runs over is stopped there and answered 400
with what it had done. One fit runs at a time; another request meanwhile gets
429. Evaluations are bounded by their size instead (at most
:data:`MAX_EVAL_MODELS` models).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

import anyio
from fastapi import FastAPI, File, Form, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from crossroads.errors import CrossroadsError
from crossroads.scenario import DEFAULT_SCENARIO, Scenario
from crossroads.web.compute import Name, jsonable
from crossroads.web.scenarios import Entry, ScenarioRegistry, safe_name, staged

__all__ = [
    "COUNTED",
    "MAX_CHECK_FILES",
    "MAX_EVAL_MODELS",
    "MAX_FOLDS",
    "EvaluateRequest",
    "FitRequest",
    "add_routes",
    "read_upload",
    "validation_report",
]

#: Most files one ``/api/check`` request compares against.
MAX_CHECK_FILES = 8
#: Most models (each under each capability scheme) one ``/api/evaluate`` scores.
MAX_EVAL_MODELS = 8
#: Most cross-validation folds of one ``/api/fit``.
MAX_FOLDS = 10

#: Collections ``crossroads validate`` counts, in its order.
COUNTED = (
    "actors",
    "memberships",
    "agreements",
    "flows",
    "events",
    "issues",
    "interventions",
    "benchmarks",
    "incentives",
)


class EvaluateRequest(BaseModel):
    """``crossroads evaluate``: models scored against a scenario's observed outcomes."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    models: Annotated[list[Name], Field(min_length=1, max_length=MAX_EVAL_MODELS)] = [
        "mean",
        "median",
    ]
    capability: Annotated[list[Name], Field(min_length=1, max_length=3)] | None = None
    salience_exponent: Annotated[float, Field(ge=0, le=100)] | None = None
    per_issue: bool = False


class FitRequest(BaseModel):
    """``crossroads fit``: a model's free choices fitted by k-fold cross-validation."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    model: Name = "mean"
    preset: Name | None = None
    folds: Annotated[int, Field(ge=2, le=MAX_FOLDS)] = 5
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    search: Literal["auto", "grid", "coordinate"] = "auto"
    what: Literal["all", "inputs", "params"] = "all"
    per_issue: bool = False


class _OverTime(Exception):
    """Raised from the fit's progress callback once the time limit has passed."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def validation_report(sc: Scenario, name: str) -> dict[str, Any]:
    """What ``crossroads validate`` says of a valid file, as data and as its line of text."""
    counts = {k: len(getattr(sc, k)) for k in COUNTED if getattr(sc, k)}
    words = ", ".join(f"{n} {k if n != 1 else k.rstrip('s')}" for k, n in counts.items())
    return {
        "valid": True,
        "file": name,
        "id": sc.id,
        "title": sc.title,
        "counts": counts,
        "message": f"{name}: valid crossroads scenario '{sc.id}' ({words})",
    }


async def read_upload(file: UploadFile, max_bytes: int) -> tuple[bytes, str | None]:
    """An uploaded file's content (at most ``max_bytes + 1`` bytes read) and client name."""
    data = await file.read(max_bytes + 1)
    await file.close()
    return data, file.filename


def _json(data: Any) -> Response:
    from crossroads.web.app import _json as as_json

    return as_json(data)


def add_routes(
    app: FastAPI,
    registry: ScenarioRegistry,
    entry: Callable[[str], Entry],
    max_upload_bytes: int,
    fit_seconds: float,
) -> None:
    """Add the validate, evaluate, fit, check and import endpoints to ``app``.

    Parameters
    ----------
    app : FastAPI
    registry : ScenarioRegistry
        Where ``import`` keeps its result when asked (``keep``).
    entry : callable
        The scenario entry of a key (raising the app's 404 for an unknown key).
    max_upload_bytes : int
        Largest file accepted.
    fit_seconds : float
        Time limit of one fit.
    """
    fit_lock = threading.Lock()
    app.state.fit_lock = fit_lock

    @app.post("/api/validate")
    async def api_validate(file: UploadFile = File(...)) -> Response:
        data, client = await read_upload(file, max_upload_bytes)
        parsed = await anyio.to_thread.run_sync(registry.parse, data, client)
        return _json(validation_report(parsed.scenario, parsed.filename or safe_name(client)))

    @app.post("/api/evaluate")
    def api_evaluate(req: EvaluateRequest) -> Response:
        from crossroads.evaluation import evaluate

        ev = evaluate(
            entry(req.scenario).evaluation_source(),
            req.models,
            capability=req.capability,
            salience_exponent=req.salience_exponent,
        )
        return _json(ev.to_dict(per_issue=req.per_issue))

    @app.post("/api/fit")
    async def api_fit(req: FitRequest) -> Response:
        from crossroads.evaluation import fit
        from crossroads.evaluation.fitting import components

        source = entry(req.scenario).evaluation_source()
        components(req.model, req.preset)  # an unknown model or preset: 400 before any work
        if not fit_lock.acquire(blocking=False):
            return JSONResponse(
                {"error": "another fit is running on this server; try again when it is done"},
                status_code=429,
            )
        try:
            start = time.perf_counter()
            deadline = time.monotonic() + fit_seconds

            def progress(done: int, total: int) -> None:
                if time.monotonic() > deadline:
                    raise _OverTime(done, total)

            def run() -> Any:
                return fit(
                    source, req.model, folds=req.folds, seed=req.seed, preset=req.preset,
                    search=req.search, what=req.what, progress=progress,
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
        out["saved_preset"] = None
        return _json(out)

    @app.post("/api/check")
    async def api_check(
        file: Annotated[list[UploadFile], File()],
        scenario_key: Annotated[str, Form(alias="scenario")] = DEFAULT_SCENARIO,
        kind: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI reads the default)
        tolerance: Annotated[float, Form()] = 0.05,
        actor: Annotated[str | None, Form()] = None,
    ) -> Response:
        from crossroads.claims import check_claims

        if len(file) > MAX_CHECK_FILES:
            raise CrossroadsError(
                f"{len(file)} files given; check against at most {MAX_CHECK_FILES} at a time"
            )
        if kind and len(kind) != len(file):
            raise CrossroadsError(
                f"{len(kind)} kind(s) for {len(file)} file(s): give one kind per file, in the "
                "same order (an empty kind: read it from the file's header), or none"
            )
        sc = entry(scenario_key).scenario
        files = [await read_upload(f, max_upload_bytes) for f in file]
        with staged(files, max_upload_bytes) as st:
            against: list[Any] = [
                (k, p) if k.strip() else p
                for k, p in zip(kind or [""] * len(st.paths), st.paths, strict=True)
            ]
            chk = await anyio.to_thread.run_sync(
                lambda: check_claims(sc, against, tolerance, actor=actor or None)
            )
            return _json(st.clean_data(jsonable(chk.to_dict())))

    @app.post("/api/import")
    async def api_import(
        kind: Annotated[str, Form()],
        file: Annotated[UploadFile, File()],
        into: Annotated[str, Form()] = DEFAULT_SCENARIO,
        actor: Annotated[str | None, Form()] = None,
        version: Annotated[str | None, Form()] = None,
        eu_composition: Annotated[str, Form()] = "per-year",
        smoothed: Annotated[bool, Form()] = False,
        known_only: Annotated[bool, Form()] = False,
        keep: Annotated[bool, Form()] = False,
        output: Annotated[Literal["yaml", "json"], Form(alias="format")] = "yaml",
    ) -> Response:
        from crossroads.importers import import_file, write_scenario
        from crossroads.reference_data import EU_COMPOSITIONS

        if eu_composition not in EU_COMPOSITIONS:
            raise CrossroadsError(f"eu_composition must be one of {', '.join(EU_COMPOSITIONS)}")
        sc = entry(into).scenario
        data = await read_upload(file, max_upload_bytes)
        with staged([data], max_upload_bytes) as st:
            path, name = st.paths[0], st.names[0]

            def run() -> tuple[Any, str, str]:
                res = import_file(
                    sc, kind, path, actor=actor or None, version=version or None,
                    eu_composition=eu_composition, smoothed=smoothed, known_only=known_only,
                )  # fmt: skip
                src = res.facts.source
                header = (
                    f"Scenario '{sc.id}' with {src['title']} (version {src['version']}) "
                    f"imported from {name}\nby `crossroads import`; the facts it added cite "
                    f"source '{src['id']}'."
                )
                filename = safe_name(f"{sc.id}-{src['id']}.yaml")
                # written and re-read exactly as the CLI writes -o OUT, in the upload folder
                out = write_scenario(res.scenario, st.folder / filename, header=header)
                return res, filename, out.read_text(encoding="utf-8")

            res, filename, text = await anyio.to_thread.run_sync(run)
            facts = st.clean_data(
                {"source": res.facts.source, "added": res.facts.counts(), "notes": res.facts.notes}
            )
        key = registry.add(res.scenario, filename).key if keep else None
        if output == "json":
            return _json(
                {
                    "scenario": res.scenario.id,
                    "into": sc.id,
                    "filename": filename,
                    **facts,
                    "summary": st.clean(res.summary()),
                    "key": key,
                    "yaml": text,
                }
            )
        headers = {"content-disposition": f'attachment; filename="{filename}"'}
        if key is not None:
            headers["x-crossroads-key"] = key
        return Response(text, media_type="text/yaml", headers=headers)
