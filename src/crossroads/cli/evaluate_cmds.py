"""Accuracy commands: ``crossroads evaluate`` and ``crossroads fit``."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from crossroads.cli.application import app, console, console_err, print_json
from crossroads.cli.tables import df_table
from crossroads.errors import CrossroadsError
from crossroads.evaluation.formats import FORMATS
from crossroads.scenario import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from crossroads.scenario.peers.quirks import QuirkReport

__all__: list[str] = []

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", help=f"Read FILE as this format ({', '.join(FORMATS)}); default: detect."
    ),
]


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise CrossroadsError(f"unknown format '{fmt}'; formats: {', '.join(FORMATS)}")


def _warn_quirks(quirks: QuirkReport) -> None:
    """One short summary of what the source's reader read by a rule, on stderr."""
    if quirks:
        console_err.print(
            f"warning: {quirks.text()}", markup=False, highlight=False, soft_wrap=True
        )


def _warn_withheld(message: str | None) -> None:
    if message is not None:
        console_err.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)


@app.command()
def evaluate(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE_OR_SCENARIO",
            help="A DEU III TSV file, a scenario file or a built-in scenario name.",
        ),
    ] = DEFAULT_SCENARIO,
    fmt: FormatOpt = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="Comma-separated models, each optionally with a preset: "
            "mean,median,eum:scholz,mean:my-fit.",
        ),
    ] = "mean,median",
    capability: Annotated[
        str | None,
        typer.Option(
            help="DEU III capability scheme(s), comma-separated: council (default), equal, gdp."
        ),
    ] = None,
    salience_exponent: Annotated[
        float | None, typer.Option(help="Salience enters as s ** this (default 1).")
    ] = None,
    per_issue: Annotated[
        bool, typer.Option("--per-issue", help="Also show each issue's forecast and error.")
    ] = False,
    calibration: Annotated[
        str | None,
        typer.Option(
            "--calibration",
            metavar="CALFILE|split|cross",
            help="Calibrate each model's predictive interval on the decided issues of CALFILE "
            "(DEU III file or scenario); 'split': FILE's proposals dealt into two halves "
            "(--seed), calibrate on one, score the other; 'cross': score both halves, each "
            "calibrated on the other. Adds coverage, interval width, CRPS.",
        ),
    ] = None,
    calibration_format: Annotated[
        str | None,
        typer.Option("--calibration-format", help="Read CALFILE as this format; default: detect."),
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option(help="With --calibration: nominal coverage of the interval (default 0.9)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="With --calibration: P(outcome >= X) per issue, scored by the Brier score."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed of --calibration split or cross (default 0).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score models against observed outcomes: MAE, median error, share within 10 points;
    with --calibration, calibrated intervals (coverage, width, CRPS) and --threshold
    probabilities (Brier).

    Example: crossroads evaluate ../shared/data/deu/deu3-dev.tsv --model mean,median,eum
    --capability council,equal,gdp

    Example: crossroads evaluate ../shared/data/deu/deu3-dev.tsv --model mean,median,eum
    --calibration split --interval 0.9 --threshold 50
    """
    from crossroads.evaluation.scoring import evaluate as run_evaluate

    _check_format(fmt)
    _check_format(calibration_format)
    models = _split(model)
    caps = _split(capability) if capability is not None else None
    if calibration is None:
        for name, value in (("--threshold", threshold), ("--calibration-format",
                            calibration_format), ("--interval", interval),
                            ("--seed", seed)):  # fmt: skip
            if value is not None:
                raise CrossroadsError(f"{name} needs --calibration CALFILE (or split, cross)")
    elif seed is not None and calibration not in ("split", "cross"):
        raise CrossroadsError("--seed applies to --calibration split or cross only")
    else:
        _evaluate_calibrated(
            source, models, fmt=fmt, caps=caps, salience_exponent=salience_exponent,
            calibration=calibration, calibration_format=calibration_format,
            interval=0.9 if interval is None else interval, threshold=threshold,
            seed=seed, per_issue=per_issue,
            as_json=as_json,
        )  # fmt: skip
        return
    ev = run_evaluate(
        source, models, format=fmt, capability=caps, salience_exponent=salience_exponent
    )
    _warn_quirks(ev.quirks)
    if as_json:
        print_json(ev.to_dict(per_issue=per_issue))
        return
    table = ev.summary[["label", "n", "mae", "median_ae", "within_10"]].rename(
        columns={
            "label": "model",
            "mae": "MAE",
            "median_ae": "median AE",
            "within_10": "within 10",
        }
    )
    console.print(df_table(table, title=f"Forecast error on {ev.source} (observed outcomes)"))
    missing = ev.summary[ev.summary["missing"] > 0]
    for _, row in missing.iterrows():
        console_err.print(
            f"warning: {row['label']} gave no forecast for {row['missing']} issue(s); "
            "scores exclude them",
            markup=False,
        )
    if per_issue:
        df = ev.per_issue().reset_index()
        console.print(df_table(df, title="Per issue", digits=1))


def _evaluate_calibrated(
    source: str,
    models: list[str],
    *,
    fmt: str | None,
    caps: list[str] | None,
    salience_exponent: float | None,
    calibration: str,
    calibration_format: str | None,
    interval: float,
    threshold: float | None,
    seed: int | None,
    per_issue: bool,
    as_json: bool,
) -> None:
    from crossroads.evaluation.calibrated_scoring import evaluate_calibrated
    from crossroads.seeding import check_seed

    result = evaluate_calibrated(
        source, models, calibration=calibration, level=interval, threshold=threshold,
        seed=None if seed is None else check_seed(seed), format=fmt,
        calibration_format=calibration_format, capability=caps,
        salience_exponent=salience_exponent,
    )  # fmt: skip
    _warn_quirks(result.quirks)
    if result.seed is None and result.calibration_quirks:  # another file: its own quirks
        console_err.print(
            f"warning: calibration set: {result.calibration_quirks.text()}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    if as_json:
        print_json(result.to_dict(per_issue=per_issue))
        return
    cols = {
        "label": "model",
        "mae": "MAE",
        "crps": "CRPS",
        "coverage": "coverage",
        "interval_width": "mean width",
        "cal_n": "calibration n",
    }
    if threshold is not None:
        cols.update(brier="Brier", brier_base="Brier base rate")
    table = result.summary[["n", *cols]].rename(columns=cols)
    table = table[["model", "n", *[c for c in table.columns if c not in ("model", "n")]]]
    console.print(
        df_table(
            table,
            title=f"Calibrated {result.level:.0%} intervals on {result.source}, calibrated on "
            f"{result.calibration_source} ({_method_short()})",
        )
    )
    if threshold is not None:
        base = float(result.summary["base_rate"].iloc[0])
        console.print(
            f"P(outcome >= {threshold:g}) from each model's calibrated predictive distribution; "
            f"base rate {base:.2f} (share of calibration outcomes >= {threshold:g})",
            markup=False,
            highlight=False,
        )
    for _, row in result.summary[result.summary["missing"] > 0].iterrows():
        console_err.print(
            f"warning: {row['label']} gave no forecast for {row['missing']} scored issue(s); "
            "scores exclude them",
            markup=False,
        )
    if per_issue:
        console.print(df_table(result.per_issue, title="Per issue", digits=2))


def _method_short() -> str:
    return "split conformal on |observed - forecast|"


@app.command()
def fit(
    source: Annotated[
        str, typer.Argument(metavar="FILE", help="A DEU III TSV file or a scenario with outcomes.")
    ],
    fmt: FormatOpt = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="The model to fit (optionally model:preset to start from), or a "
            "combination such as mean+eum whose weight is fitted too.",
        ),
    ] = "mean",
    preset: Annotated[str | None, typer.Option(help="Start from this preset of the model.")] = None,
    folds: Annotated[
        int,
        typer.Option(
            "--outer-folds",
            "--folds",
            help="Outer cross-validation folds (by proposal): the plain out-of-fold "
            "figure's and the nested one's.",
        ),
    ] = 5,
    inner_folds: Annotated[
        int,
        typer.Option(
            "--inner-folds", help="Inner folds of the nested cross-validation (by proposal)."
        ),
    ] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment.")] = 0,
    search: Annotated[
        str, typer.Option(help="auto, grid or coordinate (descent from the defaults).")
    ] = "auto",
    what: Annotated[
        str,
        typer.Option(
            help="What to fit: all (inputs and parameters), inputs (capability scheme, "
            "salience exponent) or params (the model's parameters)."
        ),
    ] = "all",
    save_preset: Annotated[
        str | None,
        typer.Option(
            "--save-preset",
            help="Save the fitted choices as a user preset of this name "
            "($CROSSROADS_PRESETS or ~/.config/crossroads/presets/).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Save the preset even when the fit does not beat the unfitted default "
            "(verdict no_better).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Fit a model's free choices, cross-validated by proposal, and judge the fit.

    Reports the nested cross-validated MAE (the honest figure: the whole selection
    rerun inside each outer fold), the plain out-of-fold MAE (optimistic), the
    in-sample MAE and the unfitted default's, each with a standard error clustered by
    proposal, and the verdict: beats_default when the nested fitted-minus-default
    difference is below minus its standard error, else no_better (then --save-preset
    saves nothing unless --force).

    Example: crossroads fit ../shared/data/deu/deu3-dev.tsv --format deu3 --model eum
    --outer-folds 5 --inner-folds 5 --seed 0 --save-preset deu3-eum
    """
    from crossroads.evaluation.fitting import components, save_fit_preset
    from crossroads.evaluation.fitting import fit as run_fit

    _check_format(fmt)
    components(model, preset)
    start = time.perf_counter()
    progress = None
    if not as_json and sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            console_err.print(f"\r{done}/{total} candidates", end="", markup=False)

    result = run_fit(
        source, model, format=fmt, folds=folds, inner_folds=inner_folds, seed=seed,
        preset=preset, search=search, what=what, progress=progress,
    )  # fmt: skip
    if progress is not None:
        console_err.print("", markup=False)
    _warn_quirks(result.quirks)
    if result.failures:
        console_err.print(
            f"warning: the model refused {len(result.failures)} candidate(s), never chosen; "
            f"first: {result.failures[0]}",
            markup=False,
        )
    path = None
    withheld = None
    if save_preset and (result.beats_default or force):
        path = save_fit_preset(save_preset, result, force=force)
    elif save_preset:
        withheld = (
            f"preset '{save_preset}' not saved: the fit does not beat the unfitted default by "
            "more than the standard error (verdict no_better); --force saves it anyway"
        )
    if as_json:
        out = result.to_dict()
        out["seconds"] = round(time.perf_counter() - start, 2)
        out["saved_preset"] = str(path) if path else None
        out["not_saved"] = withheld
        out["preset"] = result.offered_preset(force)
        print_json(out)
        _warn_withheld(withheld)
        return
    groups = "proposals" if result.n_groups < result.n_issues else "groups"
    console.print(
        f"{result.model} on {result.source}: {result.n_issues} issues in {result.n_groups} "
        f"{groups}, {result.k} outer x {result.inner_k} inner folds (seed {result.seed}), "
        f"{result.search} search over "
        f"{result.n_candidates} candidates, {time.perf_counter() - start:.1f} s",
        markup=False,
        highlight=False,
    )
    summary = result.summary_df().rename(
        columns={"mae": "MAE", "se": "SE", "median_ae": "median AE", "within_10": "within 10"}
    )
    console.print(df_table(summary, title="Fit (SE clustered by proposal)"))
    folds_df = result.folds_df().rename(
        columns={"train_mae": "train MAE", "test_mae": "held-out MAE"}
    )
    console.print(df_table(folds_df, title="Folds (choice made without the held-out fold)"))
    console.print(
        df_table(
            result.nested_df(),
            title="Nested CV (inner folds decide: the search's choice or the default)",
        )
    )
    console.print(
        f"fitted: {result.best.describe(result.base_params)}", markup=False, highlight=False
    )
    console.print(result.verdict_text(), markup=False, highlight=False, soft_wrap=True)
    _warn_withheld(withheld)
    if path is not None:
        console.print(
            f"saved preset '{save_preset}' to {path}"
            + ("" if result.beats_default else " (forced: verdict no_better)")
            + f"; use it with --model {model}:{save_preset} (evaluate) or --preset {save_preset}",
            markup=False,
            highlight=False,
        )
