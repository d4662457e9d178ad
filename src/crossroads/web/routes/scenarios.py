"""Scenarios: list and show them, upload and validate files, check claims, import data.

Files arrive as multipart uploads, are read with
:func:`~crossroads.web.scenarios.read_upload` and reach the filesystem only through
:func:`~crossroads.web.scenarios.staged`; each endpoint answers with the JSON of the
CLI command it mirrors, files named by their upload names, never by a server path.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from crossroads.errors import CrossroadsError
from crossroads.scenario import DEFAULT_SCENARIO
from crossroads.scenario.catalogue import SHOW_WHAT
from crossroads.serialisation import jsonable
from crossroads.web.compute import issue_detail, validation_report
from crossroads.web.deps import RegistryDep, SettingsDep, lookup
from crossroads.web.requests import MAX_CHECK_FILES
from crossroads.web.responses import json_response
from crossroads.web.scenarios import read_upload, safe_name, staged

__all__ = ["router"]

router = APIRouter()


def _listing(entry: Any) -> dict[str, Any]:
    sc = entry.scenario
    return {
        "key": entry.key,
        "id": sc.id,
        "title": sc.title,
        "builtin": entry.builtin,
        "filename": entry.filename,
        "issues": [{"id": i.id, "title": i.title} for i in sc.issues],
    }


@router.get("/api/scenarios")
def scenarios(registry: RegistryDep) -> Response:
    return json_response([_listing(e) for e in registry.keys()])


@router.get("/api/scenarios/{key}")
def scenario_summary(key: str, registry: RegistryDep) -> Response:
    from crossroads.summary import scenario_summary as summary

    sc = lookup(registry, key).scenario
    s = summary(sc)
    return json_response(
        {k: (v.to_dict(orient="records") if hasattr(v, "to_dict") else v) for k, v in s.items()}
        | {"id": sc.id, "title": sc.title}
    )


@router.get("/api/scenarios/{key}/issues/{issue}")
def issue(key: str, issue: str, registry: RegistryDep) -> Response:
    return json_response(issue_detail(lookup(registry, key).scenario, issue))


@router.get("/api/scenarios/{key}/{what}")
def show(key: str, what: str, registry: RegistryDep) -> Response:
    if what not in SHOW_WHAT or what == "summary":
        raise CrossroadsError(f"cannot show '{what}'; choose one of: {', '.join(SHOW_WHAT)}")
    items = getattr(lookup(registry, key).scenario, what)
    return json_response(
        [i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items]
    )


@router.post("/api/upload")
async def upload(
    registry: RegistryDep, settings: SettingsDep, file: UploadFile = File(...)
) -> Response:
    data, client = await read_upload(file, settings.max_upload_bytes)
    added = await anyio.to_thread.run_sync(registry.add_upload, data, client)
    listing = _listing(added)
    return json_response({k: listing[k] for k in ("key", "id", "title", "filename", "issues")})


@router.post("/api/validate")
async def api_validate(
    registry: RegistryDep, settings: SettingsDep, file: UploadFile = File(...)
) -> Response:
    data, client = await read_upload(file, settings.max_upload_bytes)
    parsed = await anyio.to_thread.run_sync(registry.parse, data, client)
    return json_response(validation_report(parsed.scenario, parsed.filename or safe_name(client)))


@router.post("/api/check")
async def api_check(
    registry: RegistryDep,
    settings: SettingsDep,
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
    sc = lookup(registry, scenario_key).scenario
    files = [await read_upload(f, settings.max_upload_bytes) for f in file]
    with staged(files, settings.max_upload_bytes) as st:
        against: list[Any] = [
            (k, p) if k.strip() else p
            for k, p in zip(kind or [""] * len(st.paths), st.paths, strict=True)
        ]
        chk = await anyio.to_thread.run_sync(
            lambda: check_claims(sc, against, tolerance, actor=actor or None)
        )
        return json_response(st.clean_data(jsonable(chk.to_dict())))


@router.post("/api/import")
async def api_import(
    registry: RegistryDep,
    settings: SettingsDep,
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
    sc = lookup(registry, into).scenario
    data = await read_upload(file, settings.max_upload_bytes)
    with staged([data], settings.max_upload_bytes) as st:
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
        return json_response(
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
