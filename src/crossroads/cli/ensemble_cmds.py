"""Uncertainty commands: ensemble, sensitivity, compare, and the run store (runs list/show)."""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossroads.cli.application import app, console, print_json
from crossroads.cli.run_options import with_options
from crossroads.cli.tables import df_table, fmt, text_panel
from crossroads.errors import CrossroadsError
from crossroads.model_registry import DEFAULT_MODEL, or_list
from crossroads.scenario import DEFAULT_SCENARIO

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["render_compare", "render_ensemble", "render_sensitivity", "runs_app"]

ScenarioArg = Annotated[
    str,
    typer.Argument(
        help="A built-in scenario name, a YAML scenario file, or a peer-format file.",
    ),
]
IssueOpt = Annotated[str | None, typer.Option(help="Issue id (optional if only one).")]
ModelOpt = Annotated[str, typer.Option(help=f"The model: {or_list()}.")]
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Run store file (default: $CROSSROADS_STORE, else "
        "~/.local/share/crossroads/runs.sqlite).",
    ),
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not save this run.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


# --- helpers -----------------------------------------------------------------------------
def _check_writable(path: Path) -> None:
    """Refuse an output path whose folder is missing or that names a folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CrossroadsError(f"cannot write {path}: folder {folder} does not exist")
    if path.is_dir():
        raise CrossroadsError(f"cannot write {path}: it is a folder")


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` whole or not at all (a temporary file renamed into place)."""
    _check_writable(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        df.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise CrossroadsError(f"cannot write {path}: {e.strerror or e}") from None


def _store_arg(store: str | None, no_store: bool) -> str | bool:
    if no_store and store:
        raise CrossroadsError("give --store or --no-store, not both")
    if no_store:
        return False
    return store if store else True


def _quiet_dask(workers: int | None, scheduler: str | None) -> None:
    if workers is not None or scheduler is not None:
        for name in ("distributed", "distributed.nanny", "distributed.scheduler", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


@contextmanager
def _progress(show: bool, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on a terminal; nothing otherwise."""
    if not show:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _f(x: Any, digits: int = 3) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.{digits}g}" if abs(x) < 1e4 else f"{x:,.0f}"
    return str(x)


def _stored(d: dict[str, Any], path: str | None) -> None:
    if d.get("run_id") is not None:
        console.print(f"saved as run {d['run_id']} in {path}", markup=False, style="dim")


# --- rendering (from plain dicts, so stored runs render the same) -------------------------
def render_ensemble(d: dict[str, Any]) -> None:
    """Print an ensemble summary (the dict of ``EnsembleResult.to_dict()``)."""
    import pandas as pd

    dist = d["distribution"]
    preset = f" (preset {d['preset']})" if d.get("preset") else ""
    iv = f", interventions {', '.join(d['interventions'])}" if d.get("interventions") else ""
    console.print(
        text_panel(
            f"{d['model']}{preset} ensemble of {d['runs']:,} runs, seed {d['seed']}{iv}\n"
            f"{d['executor']}, chunks of {d['chunk_size']:,} runs, {d['elapsed']:.2f} s",
            title=f"{d['scenario']} / {d['issue']}",
        ),
        markup=False,
    )
    rows = [("mean", dist["mean"], dist["mcse"])]
    names = {"0.05": "5%", "0.25": "25%", "0.5": "median", "0.75": "75%", "0.95": "95%"}
    for p, v in dist["quantiles"].items():
        rows.append((names.get(p, p), v, dist["quantile_mcse"][p]))
    rows.append(("sd", dist["sd"], None))
    rows.append(("min .. max", f"{_f(dist['min'], 4)} .. {_f(dist['max'], 4)}", None))
    table = pd.DataFrame(
        [{"statistic": a, "value": _f(b, 4), "± MC s.e.": _f(c, 2)} for a, b, c in rows]
    )
    console.print(df_table(table, title="Forecast distribution"))
    if dist["bands"]:
        bands = pd.DataFrame(
            [
                {
                    "range": f"{fmt(b['low'])}-{fmt(b['high'])}",
                    "band": b["name"],
                    "probability": f"{b['probability']:.1%}",
                    "± MC s.e.": f"{b['mcse']:.1%}",
                }
                for b in dist["bands"]
            ]
        )
        console.print(df_table(bands, title="Probability of each labelled band"))
    if d.get("threshold"):
        console.print(threshold_table(d["threshold"]))
    lines = [f"Point forecast at the stakes' own values: {_f(d['point_forecast'], 4)}."]
    lines += calibrated_lines(d)
    if dist.get("observed") is not None and dist.get("observed_percentile") is not None:
        lines.append(
            f"Observed outcome {fmt(dist['observed'])}: {dist['observed_percentile']:.0%} of runs "
            "forecast at or below it."
        )
    origins = Counter(i["origin"] for i in d["inputs"] if i["uncertain"])
    lines.append(
        f"{d['uncertain_inputs']} of {len(d['inputs'])} inputs uncertain ("
        + ", ".join(f"{k}: {v}" for k, v in sorted(origins.items()))
        + ")."
    )
    if dist["n_invalid"]:
        lines.append(f"{dist['n_invalid']} runs gave no forecast and are left out.")
    rounds = (
        f"; {dist['mean_rounds']:.1f} bargaining rounds per run on average (at most "
        f"{dist['max_rounds']})"
        if dist["max_rounds"]
        else ""
    )
    lines.append(f"Quantiles are within ±{dist['resolution']:.2g} of exact{rounds}.")
    console.print("\n".join(lines), markup=False)


def calibrated_lines(d: dict[str, Any]) -> list[str]:
    """The point forecast's calibrated interval beside the ensemble's spread, each labelled
    (nothing for a stored run from before the interval was kept)."""
    from crossroads.evaluation.calibrated_display import INPUT_NOISE_LABEL

    if "calibrated_reason" not in d:
        return []
    ci = d.get("calibrated")
    if ci is None:
        return [
            f"No calibrated interval: {d['calibrated_reason']}. The quantiles above are "
            f"{INPUT_NOISE_LABEL}."
        ]
    return [
        f"{ci['level']:.0%} interval around the point forecast, {ci['label']}: "
        f"{_f(ci['lo'], 4)}-{_f(ci['hi'], 4)}. The quantiles above are {INPUT_NOISE_LABEL}."
    ]


def threshold_table(t: dict[str, Any]) -> Any:
    """The exact threshold shares (``ThresholdShares.to_dict()``) as a Rich table."""
    import pandas as pd

    x = fmt(t["value"])
    rows = [
        (f"forecast >= {x}", t["runs_at_least"], t["p_at_least"], t["p_at_least_mcse"]),
        (f"forecast <= {x}", t["runs_at_most"], t["p_at_most"], t["p_at_most_mcse"]),
    ]
    table = pd.DataFrame(
        [
            {"event": e, "runs": f"{k:,} of {t['n']:,}", "probability": f"{p:.4f}",
             "± MC s.e.": f"{m:.4f}"}
            for e, k, p, m in rows
        ]
    )  # fmt: skip
    return df_table(table, title="Threshold (exact counts)")


def render_sensitivity(d: dict[str, Any]) -> None:
    """Print a sensitivity study (the dict of ``SensitivityResult.to_dict()``)."""
    import pandas as pd

    title = "Sobol indices" if d["method"] == "sobol" else "One at a time (tornado)"
    preset = f" (preset {d['preset']})" if d.get("preset") else ""
    sub = (
        f"N = {d['samples']}, {d['model_runs']:,} model runs"
        if d["method"] == "sobol"
        else f"5% and 95% of each input, {d['model_runs']} model runs"
    )
    console.print(
        text_panel(
            f"{d['model']}{preset}: {title.lower()}, {sub}, seed {d['seed']}\n"
            f"forecast at the stakes' own values {_f(d['point_forecast'], 4)}; "
            f"{d['executor']}, {d['elapsed']:.2f} s",
            title=f"{d['scenario']} / {d['issue']}",
        ),
        markup=False,
    )
    inputs = pd.DataFrame(d["inputs"])
    if d["method"] == "sobol":
        show = pd.DataFrame(
            {
                "input": inputs["input"],
                "distribution": inputs["distribution"],
                "total ST": [
                    f"{a:.3f} ± {b:.3f}"
                    for a, b in zip(inputs["ST"], inputs["ST_conf"], strict=True)
                ],
                "first-order S1": [
                    f"{a:.3f} ± {b:.3f}"
                    for a, b in zip(inputs["S1"], inputs["S1_conf"], strict=True)
                ],
                "": [_bar(v, 1.0) for v in inputs["ST"]],
            }
        )
    else:
        top = float(inputs["swing"].max()) if len(inputs) else 0.0
        show = pd.DataFrame(
            {
                "input": inputs["input"],
                "low .. high": [
                    f"{_f(a)} .. {_f(b)}"
                    for a, b in zip(inputs["low"], inputs["high"], strict=True)
                ],
                "forecast at low": [_f(v, 4) for v in inputs["forecast_low"]],
                "forecast at high": [_f(v, 4) for v in inputs["forecast_high"]],
                "swing": [_f(v, 3) for v in inputs["swing"]],
                "": [_bar(v, top) for v in inputs["swing"]],
            }
        )
    show.insert(0, "rank", range(1, len(show) + 1))
    console.print(
        df_table(
            show, title=title + " (± 95% bootstrap interval)" if d["method"] == "sobol" else title
        )
    )
    console.print(d["summary"], markup=False)
    for note in d.get("notes", []):
        console.print(f"Note: {note}.", markup=False)


def _bar(v: float, top: float, width: int = 12) -> str:
    if not top > 0 or v != v:
        return ""
    return "█" * max(0, round(width * min(max(v, 0.0), top) / top))


def render_compare(d: dict[str, Any]) -> None:
    """Print a what-if comparison (the dict of ``ComparisonResult.to_dict()``)."""
    import pandas as pd

    preset = f" (preset {d['preset']})" if d.get("preset") else ""
    console.print(
        text_panel(
            f"{d['model']}{preset}: baseline vs interventions on the same {d['runs']:,} draws "
            f"(seed {d['seed']})\n{d['executor']}, {d['elapsed']:.2f} s",
            title=f"{d['scenario']} / {d['issue']}",
        ),
        markup=False,
    )
    rows, band_rows = [], []
    for v in d["variants"]:
        dist, s = v["distribution"], v["shift"]
        q = dist["quantiles"]
        row = {
            "variant": v["name"],
            "point": _f(v["point_forecast"], 4),
            "mean": _f(dist["mean"], 4),
            "90% range": f"{_f(q['0.05'], 4)} .. {_f(q['0.95'], 4)}",
        }
        if s is None:
            row.update({"mean shift": "", "shift 5-95%": "", "up / down": ""})
        else:
            sq = s["quantiles"]
            row.update(
                {
                    "mean shift": f"{s['mean']:+.3g} ± {1.96 * s['mcse']:.2g}",
                    "shift 5-95%": f"{sq['0.05']:+.3g} .. {sq['0.95']:+.3g}",
                    "up / down": f"{s['share_above_zero']:.0%} / {s['share_below_zero']:.0%}",
                }
            )
        rows.append(row)
        t = v.get("threshold")
        if t:
            row[f">= {fmt(t['value'])}"] = f"{t['p_at_least']:.3f} ± {t['p_at_least_mcse']:.3f}"
            row[f"<= {fmt(t['value'])}"] = f"{t['p_at_most']:.3f} ± {t['p_at_most_mcse']:.3f}"
        if dist["bands"]:
            band_rows.append(
                {"variant": v["name"]}
                | {
                    f"{fmt(b['low'])}-{fmt(b['high'])}": f"{b['probability']:.0%}"
                    for b in dist["bands"]
                }
            )
    console.print(
        df_table(pd.DataFrame(rows), title="Forecast by variant (shift ± 95% Monte Carlo interval)")
    )
    if band_rows:
        console.print(df_table(pd.DataFrame(band_rows), title="Probability of each labelled band"))
        for b in d["variants"][0]["distribution"]["bands"]:
            console.print(f"  {fmt(b['low'])}-{fmt(b['high'])}: {b['name']}", markup=False)
    for v in d["variants"][1:]:
        console.print(v["summary"] + ".", markup=False)
    for note in d.get("notes", []):
        console.print(f"Note: {note}.", markup=False)


# --- commands -----------------------------------------------------------------------------
@app.command("ensemble")
@with_options("RunOptions", ("sampling", "execution"))
def ensemble_cmd(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    issue: IssueOpt = None,
    model: ModelOpt = DEFAULT_MODEL,
    options: Any = None,  # a RunOptions, made by with_options from the options below
    per_run: Annotated[
        Path | None, typer.Option("--per-run", help="Write every run's forecast to this CSV.")
    ] = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo ensemble: the forecast's distribution under uncertain stakes.

    Example: crossroads ensemble kazakhstan-2010 --issue trade-regime --model eum --runs 100000
    """
    from crossroads.store import save_result
    from crossroads.uncertainty.monte_carlo import ensemble

    where = _store_arg(store, no_store)
    if per_run is not None:
        _check_writable(per_run)  # before the work, not after it
    _quiet_dask(options.workers, options.scheduler)
    with _progress(console.is_terminal and not as_json, "ensemble") as progress:
        res = ensemble(
            scenario, issue, model, options, keep_runs=per_run is not None, progress=progress
        )
    if per_run is not None:
        _write_csv(res.runs_df(), per_run)
    res = save_result(res, where)
    d = res.to_dict()
    if as_json:
        print_json(d)
        return
    render_ensemble(d)
    _stored(d, res.store)


@app.command("sensitivity")
@with_options(
    "SensitivityOptions",
    ("sampling", "execution", "sobol"),
    skip=("runs", "threshold"),
    fields=("position", "salience", "capability"),
)
def sensitivity_cmd(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    issue: IssueOpt = None,
    model: ModelOpt = DEFAULT_MODEL,
    options: Any = None,  # a SensitivityOptions, made by with_options
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Which inputs move the forecast most: Sobol indices or a one-at-a-time tornado.

    Example: crossroads sensitivity kazakhstan-2010 --issue trade-regime --model eum --method oat
    """
    from crossroads.store import save_result
    from crossroads.uncertainty.sensitivity_analysis import sensitivity

    where = _store_arg(store, no_store)
    _quiet_dask(options.workers, options.scheduler)
    with _progress(console.is_terminal and not as_json, "sensitivity") as progress:
        res = sensitivity(scenario, issue, model, options, progress=progress)
    res = save_result(res, where)
    d = res.to_dict()
    if as_json:
        print_json(d)
        return
    render_sensitivity(d)
    _stored(d, res.store)


def _list_interventions(scenario: str, issue: str | None, quiet: bool) -> None:
    """Compare was given no intervention: list the scenario's (unless JSON), then refuse."""
    import pandas as pd

    from crossroads.scenario import load

    sc = load(scenario)
    if not sc.interventions:
        raise CrossroadsError(f"scenario '{sc.id}' has no interventions to compare")
    if not quiet:
        rows = [
            {
                "id": iv.id,
                "name": iv.name,
                "cost": ""
                if iv.cost is None
                else f"{iv.cost.value:g} {iv.cost.unit or ''}".strip(),
                "edits issues": ", ".join(dict.fromkeys(e.issue for e in iv.edits)),
                "links": ", ".join(iv.link),
            }
            for iv in sc.interventions
        ]
        console.print(df_table(pd.DataFrame(rows), title=f"Interventions of {sc.id}"))
    where = f" --issue {issue}" if issue else ""
    listed = f"crossroads show {scenario} interventions" if quiet else "the table above"
    raise CrossroadsError(
        f"give at least one --intervention ID to compare (scenario '{sc.id}' has "
        f"{len(sc.interventions)}: {listed}), e.g. crossroads compare {scenario}{where} "
        f"-i {sc.interventions[0].id}"
    )


@app.command("compare")
@with_options("CompareOptions", ("sampling", "execution", "combine"), skip=("interventions",))
def compare_cmd(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    issue: IssueOpt = None,
    model: ModelOpt = DEFAULT_MODEL,
    intervention: Annotated[
        list[str] | None,
        typer.Option("--intervention", "-i", help="An intervention to compare (repeatable)."),
    ] = None,
    options: Any = None,  # a CompareOptions, made by with_options
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """What if: baseline vs each intervention and their combination, on the same draws.

    Example: crossroads compare kazakhstan-2010 --issue trade-regime -i NAME -i OTHER --runs 20000
    """
    from crossroads.store import save_result
    from crossroads.uncertainty.what_if import compare

    if not intervention:
        _list_interventions(scenario, issue, quiet=as_json)
    where = _store_arg(store, no_store)
    _quiet_dask(options.workers, options.scheduler)
    with _progress(console.is_terminal and not as_json, "compare") as progress:
        res = compare(scenario, issue, model, intervention, options, progress=progress)
    res = save_result(res, where)
    d = res.to_dict()
    if as_json:
        print_json(d)
        return
    render_compare(d)
    _stored(d, res.store)


runs_app = typer.Typer(
    name="runs",
    help="The run store: saved ensembles, sensitivity studies and comparisons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
def runs_list(
    store: StoreOpt = None,
    kind: Annotated[
        str | None, typer.Option(help="Only runs of this kind: ensemble, sensitivity, compare.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many (newest first).")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List stored runs, newest first.

    Example: crossroads runs list --limit 10
    """
    import pandas as pd

    from crossroads.store import RunStore

    if kind is not None and kind not in ("ensemble", "sensitivity", "compare"):
        raise CrossroadsError(f"unknown kind '{kind}'; kinds: ensemble, sensitivity, compare")
    if limit < 1:
        raise CrossroadsError(f"--limit must be at least 1, got {limit}")
    st = RunStore(store)
    records = st.list(limit=limit, kind=kind)
    if as_json:
        print_json([{k: v for k, v in r.to_dict().items() if k != "summary"} for r in records])
        return
    if not records:
        console.print(f"no runs stored in {st.path}", markup=False)
        return
    df = pd.DataFrame(
        [
            {
                "id": r.id,
                "time (UTC)": r.created.replace("T", " ").replace("+00:00", ""),
                "kind": r.kind,
                "scenario": r.scenario,
                "issue": r.issue,
                "model": r.model + (f" ({r.preset})" if r.preset else ""),
                "runs": r.runs,
                "seed": r.seed,
                "result": r.headline or "",
            }
            for r in records
        ]
    )
    console.print(df_table(df, title=f"Runs in {st.path}"))


@runs_app.command("show")
def runs_show(
    run_id: Annotated[int, typer.Argument(help="Run id (see `crossroads runs list`).")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one stored run in full.

    Example: crossroads runs show 3
    """
    from crossroads.store import RunStore

    rec = RunStore(store).get(run_id)
    if as_json:
        print_json(rec.to_dict())
        return
    meta = (
        f"run {rec.id}: {rec.kind}, {rec.created}, crossroads {rec.version}\n"
        f"scenario {rec.scenario} (sha256 {rec.scenario_hash[:16]}...), issue {rec.issue}\n"
        f"model {rec.model}"
        + (f" preset {rec.preset}" if rec.preset else "")
        + f", params {json.dumps(rec.params, sort_keys=True)}\n"
        f"seed {rec.seed}, runs {rec.runs:,}, options {json.dumps(rec.options, sort_keys=True)}"
    )
    console.print(meta, markup=False, soft_wrap=True)
    summary = dict(rec.summary)
    summary["run_id"] = rec.id
    renderer = {
        "ensemble": render_ensemble,
        "sensitivity": render_sensitivity,
        "compare": render_compare,
    }.get(rec.kind)
    if renderer is None:
        print_json(rec.summary)
    else:
        renderer(summary)
