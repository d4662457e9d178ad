"""Output commands: ``report`` (the self-contained HTML file) and ``serve`` (the dashboard)."""

from __future__ import annotations

from typing import Annotated

import typer

from crossroads.cli.application import app, console, console_err
from crossroads.errors import CrossroadsError
from crossroads.model_registry import DEFAULT_MODELS, or_list
from crossroads.scenario import DEFAULT_SCENARIO

__all__: list[str] = []

ScenarioArg = Annotated[
    str,
    typer.Argument(
        help="A built-in scenario name, a YAML scenario file, or a peer-format file "
        "(EUM CSV/TSV, KTAB CSV, DEU III TSV, decide).",
    ),
]


def _models(models: str | None) -> list[str] | None:
    if models is None:
        return None
    out = [m.strip() for m in models.split(",") if m.strip()]
    if not out:
        raise CrossroadsError("--models needs at least one model name")
    return out


def _presets(presets: list[str] | None) -> dict[str, str]:
    out = {}
    for item in presets or []:
        model, sep, name = item.partition("=")
        if not sep or not model.strip() or not name.strip():
            raise CrossroadsError(f"--preset takes MODEL=NAME (e.g. eum=scholz), got '{item}'")
        out[model.strip()] = name.strip()
    return out


@app.command()
def report(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    out: Annotated[str, typer.Option("--out", "-o", help="Folder to write the report in.")] = "out",
    models: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated models, of: {or_list()} (default: "
            f"{or_list(DEFAULT_MODELS, word='and')})."
        ),
    ] = None,
    preset: Annotated[
        list[str] | None, typer.Option("--preset", help="MODEL=NAME, e.g. eum=scholz (repeatable).")
    ] = None,
    runs: Annotated[
        int, typer.Option(help="Ensemble runs per issue and model (0: no ensembles).")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of ensembles and comparisons.")] = 0,
    sensitivity: Annotated[
        str, typer.Option(help="Sensitivity study per issue: oat, sobol or none.")
    ] = "oat",
    year: Annotated[
        int | None, typer.Option(help="Year of the relations network and benchmark status.")
    ] = None,
) -> None:
    """Write one self-contained HTML report (opens offline) and print its path.

    Example: crossroads report kazakhstan-2010 -o out
    """
    from crossroads.report.render import write_report

    if sensitivity not in ("oat", "sobol", "none"):
        raise CrossroadsError(f"--sensitivity must be oat, sobol or none, got '{sensitivity}'")
    path = write_report(
        scenario,
        out,
        models=_models(models),
        presets=_presets(preset),
        runs=runs,
        seed=seed,
        sensitivity=None if sensitivity == "none" else sensitivity,
        year=year,
    )
    console.print(str(path), markup=False, highlight=False)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; 127.0.0.1 keeps the dashboard on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Run store to list and save to (default: $CROSSROADS_STORE, else "
            "~/.local/share/crossroads/runs.sqlite).",
        ),
    ] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Run without a run store.")] = False,
    max_upload_mb: Annotated[
        float, typer.Option(help="Largest scenario file accepted by upload, in MB.")
    ] = 2.0,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-origin",
            help="Another origin (scheme://host:port) whose pages may post to the server, "
            "e.g. behind a proxy; repeatable. Default: only the server's own.",
        ),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(help="Seconds any one computation may take (fit included) before 503."),
    ] = 30.0,
) -> None:
    """Start the web dashboard (FastAPI + uvicorn) until Ctrl-C.

    Example: crossroads serve --port 8000   then open http://127.0.0.1:8000/
    """
    from crossroads.extras import require_extra

    require_extra("web", "crossroads serve")
    from crossroads.store import default_store_path
    from crossroads.web import Settings
    from crossroads.web import serve as run_server

    if not 0 < port < 65536:
        raise CrossroadsError(f"--port must be 1-65535, got {port}")
    if not 0 < time_limit <= 3600:
        raise CrossroadsError(f"--time-limit must be in (0, 3600] seconds, got {time_limit:g}")
    for o in allow_origin or ():
        if not o.startswith(("http://", "https://")) or "/" in o.split("://", 1)[1].rstrip("/"):
            raise CrossroadsError(f"--allow-origin must be scheme://host[:port], got {o[:60]!r}")
    if not 0 < max_upload_mb <= 100:
        raise CrossroadsError(f"--max-upload-mb must be in (0, 100], got {max_upload_mb:g}")
    settings = Settings(
        host=host,
        store=None if no_store else (store or default_store_path()),
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        allowed_origins=tuple(allow_origin or ()),
        compute_seconds=time_limit,
        fit_seconds=time_limit,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        console_err.print(
            f"warning: binding {host} exposes the dashboard to other machines; it has no "
            "authentication",
            markup=False,
        )
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"crossroads dashboard on http://{shown}:{port}/ (Ctrl-C to stop)",
        markup=False,
        highlight=False,
    )
    run_server(settings, port=port)
