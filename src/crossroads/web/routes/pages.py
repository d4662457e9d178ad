"""The dashboard page and the Plotly bundle it loads (the static files are mounted by the app)."""

from __future__ import annotations

import functools

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from crossroads.report import plotly_js as bundled_plotly_js
from crossroads.web.deps import SettingsDep
from crossroads.web.requests import MAX_RUNS

__all__ = ["CSP", "index_html", "router"]

router = APIRouter()

#: The dashboard's Content-Security-Policy: nothing from outside the server, no inline scripts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@functools.lru_cache(maxsize=8)
def index_html(max_upload_bytes: int, runs: int) -> str:
    """The dashboard's HTML for a server with these limits (rendered once per pair)."""
    import jinja2

    from crossroads import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crossroads.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("index.html").render(
        version=__version__,
        max_upload_mb=f"{max_upload_bytes / 1e6:.1f}",
        runs=runs,
        max_runs=MAX_RUNS,
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(settings: SettingsDep) -> HTMLResponse:
    return HTMLResponse(
        index_html(settings.max_upload_bytes, settings.runs),
        headers={"content-security-policy": CSP, "cache-control": "no-store"},
    )


@router.get("/assets/plotly.min.js", include_in_schema=False)
def plotly_js() -> Response:
    return Response(
        bundled_plotly_js(),
        media_type="text/javascript",
        headers={"cache-control": "public, max-age=86400"},
    )
