"""The self-contained HTML report of a scenario, as a download (under the time limit)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from crossroads.web.budget import computed
from crossroads.web.deps import ComputeSlotsDep, RegistryDep, SettingsDep, lookup
from crossroads.web.requests import MAX_RUNS

__all__ = ["router"]

router = APIRouter()


@router.get("/api/report/{key}")
async def report(
    key: str,
    registry: RegistryDep,
    settings: SettingsDep,
    slots: ComputeSlotsDep,
    runs: int = Query(1000, ge=0, le=MAX_RUNS),
    seed: int = Query(0, ge=0, le=2**63 - 1),
    sensitivity: str = "oat",
) -> Response:
    from crossroads.report import report_filename

    sc = lookup(registry, key).scenario

    def run() -> str:
        from crossroads.report import build_report

        method = None if sensitivity == "none" else sensitivity
        return build_report(sc, runs=runs, seed=seed, sensitivity=method).html

    html = await computed(slots, run, settings.compute_seconds, "this report")
    return HTMLResponse(
        html,
        headers={"content-disposition": f'attachment; filename="{report_filename(sc.id)}"'},
    )
