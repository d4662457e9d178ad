"""The self-contained HTML report of a scenario, as a download."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from crossroads.web.deps import RegistryDep, lookup
from crossroads.web.requests import MAX_RUNS

__all__ = ["router"]

router = APIRouter()


@router.get("/api/report/{key}")
def report(
    key: str,
    registry: RegistryDep,
    runs: int = Query(1000, ge=0, le=MAX_RUNS),
    seed: int = Query(0, ge=0),
    sensitivity: str = "oat",
) -> Response:
    from crossroads.report import build_report, report_filename

    sc = lookup(registry, key).scenario
    rep = build_report(
        sc, runs=runs, seed=seed, sensitivity=None if sensitivity == "none" else sensitivity
    )
    return HTMLResponse(
        rep.html,
        headers={"content-disposition": f'attachment; filename="{report_filename(sc.id)}"'},
    )
