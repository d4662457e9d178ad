"""The dashboard: a FastAPI application with a JSON API under ``/api/`` mirroring the CLI.

Endpoints (every response is JSON unless stated; errors are ``{"error": "..."}``
with status 400 for a problem with the request's content, 403 for a cross-origin
request that changes state or computes, 404 for an unknown scenario or run, 408 for
a body sent too slowly, 413 for a body over the limit, 422 for a malformed request or
work predicted to exceed the time limit, 503 for a computation stopped at it):

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
POST     /api/linked                      ``crossroads forecast --model exchange --json``
POST     /api/linked/summary              linked sets and aims as ``crossroads run`` (charts)
POST     /api/plan                        ``crossroads plan --json`` (an aim or a target)
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

The routes live in :mod:`crossroads.web.routes`, one router per area; they reach
the server's state (settings, scenarios, the fit lock) through the dependencies
of :mod:`crossroads.web.deps`. :func:`create_app` only builds that state, the
error handlers and the guard middleware, and includes the routers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from crossroads.errors import CrossroadsError
from crossroads.web.budget import ChildError, ComputeSlots, OverTime, TooMuchWork
from crossroads.web.deps import NotFound
from crossroads.web.limits import BodyLimit, HostCheck, OriginCheck, SecurityHeaders
from crossroads.web.requests import MAX_CHECK_FILES
from crossroads.web.responses import error_response
from crossroads.web.routes import ROUTERS
from crossroads.web.scenarios import ScenarioRegistry
from crossroads.web.settings import LOCAL_HOSTS, Settings

__all__ = ["LOCAL_HOSTS", "Settings", "create_app", "endpoint_table"]

log = logging.getLogger("crossroads.web")


def endpoint_table(doc: str) -> list[dict[str, str]]:
    """The endpoints listed in ``doc`` (lines ``GET  /path  what``) as ``GET /api`` answers.

    >>> endpoint_table("GET      /api/health    the server's health")
    [{'method': 'GET', 'path': '/api/health', 'what': "the server's health"}]
    """
    lines = [ln.split(None, 2) for ln in doc.splitlines() if ln.startswith(("GET ", "POST "))]
    return [{"method": m, "path": p, "what": w.strip()} for m, p, w in lines]


# --- errors: one line of JSON, never a traceback -----------------------------------------------


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        msg = str(err.get("msg", "invalid value")).replace("Input should be", "must be")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = len(exc.errors()) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


async def _crossroads_error(request: Request, exc: Exception) -> JSONResponse:
    return error_response(400, str(exc))


async def _over_time(request: Request, exc: Exception) -> JSONResponse:
    return error_response(503, str(exc))


async def _too_much(request: Request, exc: Exception) -> JSONResponse:
    return error_response(422, str(exc))


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, str(exc))


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(422, _validation_message(exc))


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return error_response(exc.status_code, str(exc.detail))


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error on %s", request.url.path)
    return error_response(500, f"internal error ({type(exc).__name__}); see the server log")


# --- start-up ----------------------------------------------------------------------------------


def _warm() -> None:
    """Run every model once on the default scenario (compiles numba kernels)."""
    from crossroads.forecasting import forecast
    from crossroads.models import model_names
    from crossroads.scenario import load
    from crossroads.uncertainty import ensemble

    sc = load()
    issue = next((i.id for i in sc.issues), None)
    if issue is None:
        return
    for m in model_names():
        try:
            forecast(sc, issue, m)
            ensemble(sc, issue, m, runs=64, seed=0)
        except CrossroadsError as e:  # a model that cannot run this issue; nothing to warm
            log.info("warm-up of %s skipped: %s", m, e)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.settings.warm:
        import anyio

        await anyio.to_thread.run_sync(_warm)
        app.state.slots.warmed()
        await anyio.to_thread.run_sync(app.state.registry.keys)  # parse the built-in scenarios
    yield


# --- the application ---------------------------------------------------------------------------


def create_app(settings: Settings | None = None) -> Any:
    """The dashboard as an ASGI application (FastAPI wrapped in the guard middleware).

    Parameters
    ----------
    settings : Settings, optional
        Default :class:`Settings()`.

    Returns
    -------
    ASGI application
        The FastAPI app inside the body-limit, Host-check and security-header
        middleware; the FastAPI app itself is its ``app_fastapi`` attribute.
    """
    settings = settings or Settings()
    app = FastAPI(
        title="crossroads",
        summary="Forecast contested decisions in a small state's multi-vector foreign policy.",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.registry = ScenarioRegistry(settings.max_uploads, settings.max_upload_bytes)
    app.state.fit_lock = threading.Lock()
    app.state.slots = ComputeSlots(settings.compute_slots, _warm)
    app.state.endpoints = endpoint_table(__doc__ or "")

    app.add_exception_handler(CrossroadsError, _crossroads_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(OverTime, _over_time)
    app.add_exception_handler(TooMuchWork, _too_much)
    app.add_exception_handler(ChildError, _internal)
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal)

    for router in ROUTERS:
        app.include_router(router)
    static = resources.files("crossroads.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

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
        settings.body_seconds,
    )
    guarded = OriginCheck(guarded, settings.allowed_origins)
    guarded = HostCheck(guarded, settings.hosts())
    guarded = SecurityHeaders(guarded)
    guarded.app_fastapi = app  # type: ignore[attr-defined]
    return guarded
