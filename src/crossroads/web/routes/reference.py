"""What the API offers: the endpoint list, the server's health, the models."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from crossroads.web.deps import EndpointsDep
from crossroads.web.responses import json_response

__all__ = ["router"]

router = APIRouter()


@router.get("/api")
def api_index(endpoints: EndpointsDep) -> Response:
    return json_response(endpoints)


@router.get("/api/health")
def health() -> Response:
    from crossroads import __version__

    return json_response({"status": "ok", "version": __version__})


@router.get("/api/models")
def models() -> Response:
    from crossroads.model_registry import DEFAULT_MODEL
    from crossroads.models import get_model, model_names

    out = []
    for name in model_names():
        mod = get_model(name)
        out.append(
            {
                "name": name,
                "params": mod.defaults.model_dump(),
                "presets": list(mod.presets),
                # the model the dashboard starts with: the command line's default
                "default": name == DEFAULT_MODEL,
            }
        )
    return json_response(out)
