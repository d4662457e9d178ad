"""The dashboard: a FastAPI application with a JSON API under ``/api/`` mirroring the CLI.

Endpoints (every response is JSON unless stated; errors are ``{"error": "..."}``
with status 400 for a problem with the request's content, 404 for an unknown
scenario or run, 413 for a body over the limit, 422 for a malformed request):

=======  ===============================  ==============================================
GET      /                                the dashboard (HTML)
GET      /api                             this list
GET      /api/health                      ``{"status": "ok", "version": ...}``
GET      /api/models                      models with parameters and presets
GET      /api/scenarios                   built-in and uploaded scenarios
GET      /api/scenarios/{key}             ``crossroads show KEY --json`` (summary)
GET      /api/scenarios/{key}/{what}      ``crossroads show KEY WHAT --json``
GET      /api/scenarios/{key}/issues/{id} one issue's stakes and interventions
POST     /api/forecast                    ``crossroads forecast --json``
POST     /api/ensemble                    ``crossroads ensemble --json``
POST     /api/compare                     ``crossroads compare --json``
POST     /api/sensitivity                 ``crossroads sensitivity --json``
POST     /api/explore                     the dashboard's update (forecasts, ensembles, charts)
GET      /api/relations?scenario=&year=   ``crossroads relations --json``
GET      /api/dependence?scenario=&year=  ``crossroads dependence --json``
GET      /api/benchmarks?scenario=&year=  ``crossroads benchmarks --json``
GET      /api/system?scenario=&year=      relations, dependence, conditionality as charts
GET      /api/runs?limit=&kind=           ``crossroads runs list --json``
GET      /api/runs/{id}                   ``crossroads runs show ID --json``
POST     /api/upload                      upload a scenario or peer file (multipart ``file``)
POST     /api/validate                    ``crossroads validate FILE`` (multipart ``file``)
POST     /api/evaluate                    ``crossroads evaluate KEY --json``
POST     /api/fit                         ``crossroads fit KEY --json`` (time-limited)
POST     /api/check                       ``crossroads check KEY --against FILE --json``
POST     /api/import                      ``crossroads import KIND FILE --into KEY`` (YAML)
GET      /api/report/{key}                the self-contained HTML report (download)
=======  ===============================  ==============================================
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from crossroads.errors import CrossroadsError, StoreError
from crossroads.web.commands import MAX_CHECK_FILES, add_routes, read_upload
from crossroads.web.compute import (
    MAX_RUNS,
    CompareRequest,
    EnsembleRequest,
    ExploreRequest,
    ForecastRequest,
    SensitivityRequest,
    explore,
    issue_detail,
    jsonable,
    prepared,
)
from crossroads.web.limits import BodyLimit, HostCheck, SecurityHeaders
from crossroads.web.scenarios import ScenarioRegistry

__all__ = ["LOCAL_HOSTS", "Settings", "create_app"]

log = logging.getLogger("crossroads.web")

#: Host names a loopback server answers to.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@dataclass
class Settings:
    """How the dashboard runs.

    Attributes
    ----------
    host : str
        Address the server binds (127.0.0.1 by default: this machine only).
    store : str, Path or None
        The run store to list and save to (None: no store; the CLI passes the
        default store).
    max_upload_bytes : int
        Largest scenario or peer file accepted by ``/api/upload``.
    max_body_bytes : int
        Largest body of any other request.
    max_uploads : int
        Uploaded scenarios kept in memory (the oldest dropped first).
    runs : int
        Ensemble runs of each dashboard update.
    warm : bool
        Run each model once at start-up (compiles numba kernels before the first user).
    fit_seconds : float
        Time limit of one ``/api/fit`` (checked after each candidate).
    """

    host: str = "127.0.0.1"
    store: str | Path | None = None
    max_upload_bytes: int = 2 * 1024 * 1024
    max_body_bytes: int = 256 * 1024
    max_uploads: int = 32
    runs: int = 1000
    warm: bool = True
    fit_seconds: float = 30.0
    allowed_hosts: tuple[str, ...] | None = field(default=None)

    def hosts(self) -> tuple[str, ...] | None:
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        if self.host in ("127.0.0.1", "localhost", "::1"):
            return LOCAL_HOSTS
        return None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class _NotFound(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _json(data: Any) -> Response:
    body = json.dumps(jsonable(data), allow_nan=False, separators=(",", ":"))
    return Response(body, media_type="application/json")


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        msg = str(err.get("msg", "invalid value")).replace("Input should be", "must be")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = len(exc.errors()) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _warm() -> None:
    """Run every model once on the default scenario (compiles numba kernels)."""
    import crossroads
    from crossroads.models import model_names
    from crossroads.uncertainty import ensemble

    sc = crossroads.load()
    issue = next((i.id for i in sc.issues), None)
    if issue is None:
        return
    for m in model_names():
        try:
            crossroads.forecast(sc, issue, m)
            ensemble(sc, issue, m, runs=64, seed=0)
        except CrossroadsError as e:  # a model that cannot run this issue; nothing to warm
            log.info("warm-up of %s skipped: %s", m, e)


def create_app(settings: Settings | None = None) -> Any:
    """The dashboard as an ASGI application (FastAPI wrapped in the guard middleware)."""
    settings = settings or Settings()
    registry = ScenarioRegistry(settings.max_uploads, settings.max_upload_bytes)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.warm:
            import anyio

            await anyio.to_thread.run_sync(_warm)
            await anyio.to_thread.run_sync(registry.keys)  # parse the built-in scenarios
        yield

    app = FastAPI(
        title="crossroads",
        summary="Forecast contested decisions in a small state's multi-vector foreign policy.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.registry = registry

    # --- errors -------------------------------------------------------------------------------
    @app.exception_handler(CrossroadsError)
    async def _crossroads_error(request: Request, exc: CrossroadsError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(_NotFound)
    async def _not_found(request: Request, exc: _NotFound) -> JSONResponse:
        return _error(404, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return _error(500, f"internal error ({type(exc).__name__}); see the server log")

    def entry(key: str) -> Any:
        try:
            return registry.get(key)
        except KeyError:
            raise _NotFound(f"no scenario '{key}' (see /api/scenarios)") from None

    def scenario(key: str) -> Any:
        return entry(key).scenario

    # --- pages and assets ---------------------------------------------------------------------
    web_root = resources.files("crossroads.web")

    @functools.cache
    def page() -> str:
        import jinja2

        from crossroads import __version__

        env = jinja2.Environment(
            loader=jinja2.PackageLoader("crossroads.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        return env.get_template("index.html").render(
            version=__version__,
            max_upload_mb=f"{settings.max_upload_bytes / 1e6:.1f}",
            runs=settings.runs,
            max_runs=MAX_RUNS,
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(
            page(), headers={"content-security-policy": _CSP, "cache-control": "no-store"}
        )

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        from crossroads.report.render import plotly_js as js

        return Response(
            js(), media_type="text/javascript", headers={"cache-control": "public, max-age=86400"}
        )

    app.mount("/static", StaticFiles(directory=str(web_root / "static")), name="static")

    # --- API: reference -----------------------------------------------------------------------
    @app.get("/api")
    def api_index() -> Response:
        from crossroads.web import app as this

        lines = [
            ln.split(None, 2)
            for ln in (this.__doc__ or "").splitlines()
            if ln.startswith(("GET ", "POST "))
        ]
        return _json([{"method": m, "path": p, "what": w.strip()} for m, p, w in lines])

    @app.get("/api/health")
    def health() -> Response:
        from crossroads import __version__

        return _json({"status": "ok", "version": __version__})

    @app.get("/api/models")
    def models() -> Response:
        from crossroads.models import get_model, model_names

        out = []
        for name in model_names():
            mod = get_model(name)
            out.append(
                {"name": name, "params": mod.defaults.model_dump(), "presets": list(mod.presets)}
            )
        return _json(out)

    @app.get("/api/scenarios")
    def scenarios() -> Response:
        return _json(
            [
                {
                    "key": e.key,
                    "id": e.scenario.id,
                    "title": e.scenario.title,
                    "builtin": e.builtin,
                    "filename": e.filename,
                    "issues": [{"id": i.id, "title": i.title} for i in e.scenario.issues],
                }
                for e in registry.keys()
            ]
        )

    @app.get("/api/scenarios/{key}")
    def scenario_summary(key: str) -> Response:
        from crossroads.summary import scenario_summary as summary

        sc = scenario(key)
        s = summary(sc)
        return _json(
            {k: (v.to_dict(orient="records") if hasattr(v, "to_dict") else v) for k, v in s.items()}
            | {"id": sc.id, "title": sc.title}
        )

    @app.get("/api/scenarios/{key}/issues/{issue}")
    def issue(key: str, issue: str) -> Response:
        return _json(issue_detail(scenario(key), issue))

    @app.get("/api/scenarios/{key}/{what}")
    def show(key: str, what: str) -> Response:
        from crossroads.cli.core import SHOW_WHAT

        if what not in SHOW_WHAT or what == "summary":
            raise CrossroadsError(f"cannot show '{what}'; choose one of: {', '.join(SHOW_WHAT)}")
        items = getattr(scenario(key), what)
        return _json([i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items])

    # --- API: computations --------------------------------------------------------------------
    @app.post("/api/forecast")
    def api_forecast(req: ForecastRequest) -> Response:
        from crossroads.forecasting import forecast

        sc, issue_id = prepared(scenario(req.scenario), req)
        params = {} if req.rounds is None else {"rounds": req.rounds}
        f = forecast(
            sc, issue_id, req.model, preset=req.preset, interventions=req.interventions, **params
        )
        return _json(f.to_dict())

    def _store(save: bool) -> Any:
        if not save:
            return None
        if settings.store is None:
            raise CrossroadsError("this server has no run store (start it with --store PATH)")
        return settings.store

    @app.post("/api/ensemble")
    def api_ensemble(req: EnsembleRequest) -> Response:
        from crossroads.report import figures as F
        from crossroads.uncertainty import ensemble

        sc, issue_id = prepared(scenario(req.scenario), req)
        params = {} if req.rounds is None else {"rounds": req.rounds}
        r = ensemble(
            sc,
            issue_id,
            req.model,
            runs=req.runs,
            seed=req.seed,
            preset=req.preset,
            interventions=req.interventions,
            keep_runs=req.figures,
            store=_store(req.save),
            **params,
        )
        out = r.to_dict()
        if req.figures:
            iss = sc.issue(issue_id)
            out["figure"] = F.ensemble_figure(
                [r],
                (iss.scale.min, iss.scale.max),
                dict(iss.scale.labels),
                iss.observed.value if iss.observed else None,
            )
        return _json(out)

    @app.post("/api/compare")
    def api_compare(req: CompareRequest) -> Response:
        from crossroads.report import figures as F
        from crossroads.uncertainty.what_if import compare

        sc, issue_id = prepared(scenario(req.scenario), req)
        params = {} if req.rounds is None else {"rounds": req.rounds}
        r = compare(
            sc,
            issue_id,
            req.model,
            req.interventions,
            runs=req.runs,
            seed=req.seed,
            preset=req.preset,
            combine=req.combine,
            store=_store(req.save),
            **params,
        )
        out = r.to_dict()
        if req.figures:
            iss = sc.issue(issue_id)
            names = {iv.id: iv.name for iv in sc.interventions}
            rows = [
                {
                    "variant": "baseline"
                    if not v.interventions
                    else " + ".join(names.get(i, i) for i in v.interventions),
                    "model": req.model,
                    "forecast": v.point,
                    "low": v.distribution.quantiles[0.05],
                    "high": v.distribution.quantiles[0.95],
                }
                for v in r.variants
            ]
            out["figure"] = F.interventions_figure(
                rows,
                (iss.scale.min, iss.scale.max),
                dict(iss.scale.labels),
                title=f"What-ifs compared ({req.model}, 5-95% over {req.runs:,} runs)",
            )
        return _json(out)

    @app.post("/api/sensitivity")
    def api_sensitivity(req: SensitivityRequest) -> Response:
        from crossroads.report import figures as F
        from crossroads.uncertainty.sensitivity_analysis import sensitivity

        sc, issue_id = prepared(scenario(req.scenario), req)
        params = {} if req.rounds is None else {"rounds": req.rounds}
        r = sensitivity(
            sc,
            issue_id,
            req.model,
            method=req.method,
            samples=req.samples,
            seed=req.seed,
            preset=req.preset,
            interventions=req.interventions,
            store=_store(req.save),
            **params,
        )
        out = r.to_dict()
        if req.figures:
            t = r.table
            if r.method == "oat":
                rows = [
                    {"label": x.input, "low": x.forecast_low, "high": x.forecast_high}
                    for x in t.itertuples()
                ]
                out["figure"] = F.tornado_figure(
                    rows, r.point, title=f"Which inputs matter ({req.model})"
                )
            else:
                out["figure"] = F.sobol_figure(t, title=f"Sobol indices ({req.model})")
        return _json(out)

    @app.post("/api/explore")
    def api_explore(req: ExploreRequest) -> Response:
        return _json(explore(scenario(req.scenario), req))

    # --- API: the system ----------------------------------------------------------------------
    @app.get("/api/relations")
    def api_relations(
        scenario_key: str = Query(alias="scenario"), year: int | None = None
    ) -> Response:
        from crossroads.network import relations

        return _json(relations(scenario(scenario_key), year).to_dict())

    @app.get("/api/dependence")
    def api_dependence(
        scenario_key: str = Query(alias="scenario"), year: int | None = None
    ) -> Response:
        from crossroads.network import dependence

        return _json(dependence(scenario(scenario_key), year=year).to_dict())

    @app.get("/api/benchmarks")
    def api_benchmarks(
        scenario_key: str = Query(alias="scenario"), year: int | None = None
    ) -> Response:
        from crossroads.conditionality import benchmark_status

        return _json(benchmark_status(scenario(scenario_key), year).to_dict())

    @app.get("/api/system")
    def api_system(
        scenario_key: str = Query(alias="scenario"), year: int | None = None, model: str = "mean"
    ) -> Response:
        from crossroads.models import model_names
        from crossroads.report.build import (
            FigureBag,
            conditionality_section,
            dependence_section,
            network_section,
        )

        if model not in model_names():
            raise CrossroadsError(f"unknown model '{model}'; models: {', '.join(model_names())}")
        sc = scenario(scenario_key)
        y = year if year is not None else sc.year
        bag = FigureBag(keep=True)
        sections = [
            ("Relations network", network_section(sc, y, bag)),
            ("Dependence over time", dependence_section(sc, y, bag)),
            ("Conditionality", conditionality_section(sc, y, model, bag)),
        ]
        return _json(
            {
                "scenario": sc.id,
                "year": y,
                "sections": [_section_json(title, s) for title, s in sections],
            }
        )

    # --- API: run store -----------------------------------------------------------------------
    def store() -> Any:
        from crossroads.store import RunStore

        if settings.store is None:
            return None
        return RunStore(settings.store)

    @app.get("/api/runs")
    def runs(limit: int = Query(50, ge=1, le=1000), kind: str | None = None) -> Response:
        st = store()
        if st is None:
            return _json({"store": None, "runs": []})
        return _json({"store": str(st.path), "runs": [r.to_dict() for r in st.list(limit, kind)]})

    @app.get("/api/runs/{run_id}")
    def run(run_id: int) -> Response:
        st = store()
        if st is None:
            raise _NotFound("this server has no run store")
        try:
            return _json(st.get(run_id).to_dict())
        except StoreError as e:
            raise _NotFound(str(e)) from None

    # --- uploads and the report ---------------------------------------------------------------
    @app.post("/api/upload")
    async def upload(file: UploadFile = File(...)) -> Response:
        import anyio

        data, client = await read_upload(file, settings.max_upload_bytes)
        added = await anyio.to_thread.run_sync(registry.add_upload, data, client)
        sc = added.scenario
        return _json(
            {
                "key": added.key,
                "id": sc.id,
                "title": sc.title,
                "filename": added.filename,
                "issues": [{"id": i.id, "title": i.title} for i in sc.issues],
            }
        )

    @app.get("/api/report/{key}")
    def report(
        key: str,
        runs: int = Query(1000, ge=0, le=MAX_RUNS),
        seed: int = Query(0, ge=0),
        sensitivity: str = "oat",
    ) -> Response:
        from crossroads.report import build_report
        from crossroads.report.render import report_filename

        sc = scenario(key)
        rep = build_report(
            sc, runs=runs, seed=seed, sensitivity=None if sensitivity == "none" else sensitivity
        )
        return HTMLResponse(
            rep.html,
            headers={"content-disposition": f'attachment; filename="{report_filename(sc.id)}"'},
        )

    # --- API: validate, evaluate, fit, check, import (crossroads.web.commands) --------------
    add_routes(app, registry, entry, settings.max_upload_bytes, settings.fit_seconds)

    one_file = settings.max_upload_bytes + 64 * 1024
    guarded: Callable[..., Any] = BodyLimit(
        app,
        settings.max_body_bytes,
        {
            "/api/upload": one_file,
            "/api/validate": one_file,
            "/api/import": one_file,
            "/api/check": MAX_CHECK_FILES * settings.max_upload_bytes + 64 * 1024,
        },
    )
    guarded = HostCheck(guarded, settings.hosts())
    guarded = SecurityHeaders(guarded)
    guarded.app_fastapi = app  # type: ignore[attr-defined]
    return guarded


def _section_json(title: str, s: dict[str, Any]) -> dict[str, Any]:
    figures = []
    for key in ("figure",):
        if s.get(key):
            figures.append(s[key])
    figures += list(s.get("figures") or [])
    tables = [s.get(k) for k in ("by_leader", "overlaps", "joint") if s.get(k)]
    tables += list(s.get("tables") or [])
    return {
        "title": title,
        "available": bool(s.get("available")),
        "reason": s.get("reason"),
        "words": s.get("words") or s.get("note"),
        "figures": [{"caption": f["caption"], "figure": f["figure"]} for f in figures],
        "tables": [
            {"caption": t.caption, "columns": t.columns, "rows": t.rows, "numeric": t.numeric}
            for t in tables
        ],
    }
