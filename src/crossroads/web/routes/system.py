"""The system around the decisions: relations, dependence, conditionality, as data and as charts."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from crossroads.errors import CrossroadsError
from crossroads.model_registry import DEFAULT_MODEL
from crossroads.serialisation import dumps
from crossroads.web.budget import computed
from crossroads.web.deps import ComputeSlotsDep, RegistryDep, SettingsDep, lookup
from crossroads.web.responses import json_response

__all__ = ["router"]

router = APIRouter()


@router.get("/api/relations")
def api_relations(
    registry: RegistryDep, scenario_key: str = Query(alias="scenario"), year: int | None = None
) -> Response:
    from crossroads.network import relations

    return json_response(relations(lookup(registry, scenario_key).scenario, year).to_dict())


@router.get("/api/dependence")
def api_dependence(
    registry: RegistryDep, scenario_key: str = Query(alias="scenario"), year: int | None = None
) -> Response:
    from crossroads.network import dependence

    return json_response(dependence(lookup(registry, scenario_key).scenario, year=year).to_dict())


@router.get("/api/benchmarks")
def api_benchmarks(
    registry: RegistryDep, scenario_key: str = Query(alias="scenario"), year: int | None = None
) -> Response:
    from crossroads.conditionality import benchmark_status

    return json_response(benchmark_status(lookup(registry, scenario_key).scenario, year).to_dict())


@router.get("/api/system")
async def api_system(
    registry: RegistryDep,
    settings: SettingsDep,
    slots: ComputeSlotsDep,
    scenario_key: str = Query(alias="scenario"),
    year: int | None = None,
    model: str = DEFAULT_MODEL,
) -> Response:
    from crossroads.models import model_names

    if model not in model_names():
        raise CrossroadsError(f"unknown model '{model}'; models: {', '.join(model_names())}")
    sc = lookup(registry, scenario_key).scenario
    y = year if year is not None else sc.year

    def run() -> str:  # forecasts every conditional issue: in a child, under the time limit
        from crossroads.report import system_sections

        sections = system_sections(sc, y, model)
        return dumps({"scenario": sc.id, "year": y, "sections": sections}, compact=True)

    text = await computed(slots, run, settings.compute_seconds, "these charts")
    return Response(text, media_type="application/json")
