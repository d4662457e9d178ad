"""The run store: ``crossroads runs list --json`` and ``crossroads runs show ID --json``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from crossroads.errors import StoreError
from crossroads.web.deps import NotFound, RunStoreDep
from crossroads.web.responses import json_response

__all__ = ["router"]

router = APIRouter()


@router.get("/api/runs")
def runs(
    store: RunStoreDep, limit: int = Query(50, ge=1, le=1000), kind: str | None = None
) -> Response:
    if store is None:
        return json_response({"store": None, "runs": []})
    return json_response(
        {"store": str(store.path), "runs": [r.to_dict() for r in store.list(limit, kind)]}
    )


@router.get("/api/runs/{run_id}")
def run(run_id: Annotated[int, Path(ge=1, le=2**63 - 1)], store: RunStoreDep) -> Response:
    if store is None:
        raise NotFound("this server has no run store")
    try:
        return json_response(store.get(run_id).to_dict())
    except StoreError as e:
        raise NotFound(str(e)) from None
