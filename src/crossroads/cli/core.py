"""Core commands: run, forecast, show, validate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from crossroads.cli.application import app, console, console_err, print_json
from crossroads.cli.tables import collection_df, df_table, fmt, text_panel
from crossroads.errors import CrossroadsError
from crossroads.model_registry import DEFAULT_MODEL, DEFAULT_MODELS, or_list
from crossroads.scenario import DEFAULT_SCENARIO
from crossroads.scenario.catalogue import SHOW_WHAT, counts_text
from crossroads.scenario.catalogue import counts as count_collections

if TYPE_CHECKING:  # the library is imported inside each command, so --help stays fast
    import pandas as pd

__all__ = ["CLI_SHOW_WHAT", "SHOW_WHAT"]

#: What ``crossroads show`` lists: the dashboard's parts and one issue's stakes.
CLI_SHOW_WHAT = (*SHOW_WHAT, "stakes")

ScenarioArg = Annotated[
    str,
    typer.Argument(
        help="A built-in scenario name, a YAML scenario file, or a peer-format file "
        "(EUM CSV/TSV, KTAB CSV, DEU III TSV, decide).",
    ),
]


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="Scenario or peer-format file to check.")],
) -> None:
    """Check a scenario file; print what it holds, or one line naming the first problem.

    Example: crossroads validate my-scenario.yaml
    """
    from crossroads.scenario.loading import load_with_quirks

    sc, quirks = load_with_quirks(file)
    counts = counts_text(count_collections(sc))
    console.print(f"{file}: valid crossroads scenario '{sc.id}' ({counts})", markup=False)
    if quirks:
        console_err.print(
            f"warning: {quirks.text()}", markup=False, highlight=False, soft_wrap=True
        )


@app.command()
def show(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    what: Annotated[
        str, typer.Argument(help=f"What to list: {', '.join(CLI_SHOW_WHAT)}.")
    ] = "summary",
    issue: Annotated[
        str | None, typer.Option(help="With stakes: the issue id (optional if only one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List one part of a scenario as a table (or JSON); 'stakes' lists one issue's stakes.

    Example: crossroads show kazakhstan-2010 memberships

    Example: crossroads show kazakhstan-2010 stakes --issue trade-regime
    """
    import pandas as pd

    from crossroads.scenario import load
    from crossroads.summary import scenario_summary

    if what not in CLI_SHOW_WHAT:
        raise CrossroadsError(f"cannot show '{what}'; choose one of: {', '.join(CLI_SHOW_WHAT)}")
    if issue is not None and what != "stakes":
        raise CrossroadsError(f"--issue applies to 'show SCENARIO stakes', not to '{what}'")
    sc = load(scenario)
    if what == "stakes":
        _show_stakes(sc, issue, as_json)
        return
    if what == "summary":
        summary = scenario_summary(sc)
        if as_json:
            print_json(
                {
                    k: (v.to_dict(orient="records") if isinstance(v, pd.DataFrame) else v)
                    for k, v in summary.items()
                }
            )
            return
        _print_summary(summary)
        return
    items = getattr(sc, what)
    if as_json:
        print_json([i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items])
        return
    if not items:
        console.print(f"scenario '{sc.id}' has no {what}", markup=False)
        return
    if what == "issues":
        df = pd.DataFrame(
            [
                {
                    "id": i.id,
                    "title": i.title,
                    "scale": f"{i.scale.min:g}-{i.scale.max:g}",
                    "low": i.scale.labels.get(i.scale.min, ""),
                    "high": i.scale.labels.get(i.scale.max, ""),
                    "status quo": i.status_quo,
                    "actors": len(i.stakes),
                    "observed": i.observed.value if i.observed else None,
                }
                for i in items
            ]
        )
    else:
        df = collection_df(items)
    console.print(df_table(df, title=f"{sc.title}: {what}"))


def _show_stakes(sc, issue: str | None, as_json: bool) -> None:
    """One issue's stakes: actor, name, capability, position, salience, uncertainty, source
    (the table leaves each stake's note to --json)."""
    from crossroads.scenario.stake_listing import stakes_frame

    iss = sc.issue(issue)
    df = stakes_frame(sc, iss.id)
    if as_json:
        print_json({"scenario": sc.id, "issue": iss.id, "stakes": df.to_dict(orient="records")})
        return
    console.print(
        df_table(
            df.drop(columns=["note"]),
            title=f"{sc.id} / {iss.id}: {iss.title} ({_scale_text(iss.scale)}); notes: --json",
        )
    )


@app.command()
def forecast(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    issue: Annotated[str | None, typer.Option(help="Issue id (optional if only one).")] = None,
    model: Annotated[str, typer.Option(help=f"The model: {or_list()}.")] = DEFAULT_MODEL,
    preset: Annotated[str | None, typer.Option(help="Named parameter set of the model.")] = None,
    rounds: Annotated[int | None, typer.Option(help="Round cap (models with rounds).")] = None,
    issues: Annotated[
        str | None,
        typer.Option(
            help="exchange: comma-separated issues to bargain over together (default: the "
            "linked set of --issue, or the scenario's only linked set)."
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed of a stochastic model's draws (smp, exchange's random rates).")
    ] = 0,
    intervention: Annotated[
        list[str] | None, typer.Option("--intervention", "-i", help="Apply a named intervention.")
    ] = None,
    calibration: Annotated[
        str | None,
        typer.Option(
            "--calibration",
            metavar="CALFILE|builtin",
            help="Also print the model's interval calibrated on the decided issues of CALFILE "
            "(DEU III file or scenario), or on the shipped DEU III calibration (builtin).",
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
        typer.Option(help="With --calibration: P(outcome >= X) under the calibrated residuals."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the forecast as JSON instead of tables: scenario, issue, model, "
            "params, actors, trajectory (round x actor), forecast, observed, error (and "
            "calibration with --calibration); with exchange: issues, exchanges and gains.",
        ),
    ] = False,
) -> None:
    """Forecast one issue with one model, round by round; with exchange, a set of linked issues.

    Example: crossroads forecast kazakhstan-2010 --issue trade-regime --model eum --preset scholz

    Example: crossroads forecast cop21.csv --model exchange --issues mrv,legal --rounds 5

    Example: crossroads forecast kazakhstan-2010 --issue trade-regime --model mean
    --calibration builtin --threshold 50
    """
    from crossroads.models import get_model
    from crossroads.scenario import load

    params = {} if rounds is None else {"rounds": rounds}
    if rounds is not None and rounds < 0:
        raise CrossroadsError("--rounds must be >= 0")
    spec = get_model(model)
    if spec.inputs == {"issues"}:
        if calibration is not None or threshold is not None or interval is not None:
            raise CrossroadsError(
                f"--calibration, --interval and --threshold apply to one-issue forecasts; "
                f"model '{model}' forecasts linked issues (use evaluate --calibration)"
            )
        from crossroads.cli.linked_tables import print_linked
        from crossroads.linked_forecasting import forecast_issues

        chosen = [i.strip() for i in issues.split(",") if i.strip()] if issues else None
        lf = forecast_issues(
            scenario, chosen, model, issue=issue, preset=preset,
            interventions=intervention or (), seed=seed, **params,
        )  # fmt: skip
        if as_json:
            print_json(lf.to_dict())
        else:
            print_linked(lf)
        return
    if issues:
        raise CrossroadsError(
            f"--issues names linked issues for a model of linked issues (exchange); model "
            f"'{model}' forecasts one issue: use --issue"
        )
    from crossroads.forecasting import forecast as run_forecast

    sc = load(scenario)
    if issue is None and len(sc.issues) > 1:
        raise CrossroadsError(
            f"scenario '{sc.id}' has {len(sc.issues)} issues; choose one with --issue: "
            + ", ".join(i.id for i in sc.issues)
        )
    # the model sees arrays only: its actor limit is checked here, where the file is known
    iss = sc.issue(issue)
    spec.check_actors(len(iss.stakes), f"{scenario}: issue '{iss.id}': ")
    if calibration is None:
        for name, value in (("--threshold", threshold), ("--calibration-format",
                            calibration_format), ("--interval", interval)):  # fmt: skip
            if value is not None:
                raise CrossroadsError(f"{name} needs --calibration CALFILE (or builtin)")
    elif iss.dimensions:
        raise CrossroadsError(
            f"issue '{iss.id}' has {len(iss.dimensions)} dimensions; calibrated intervals "
            "apply to one-dimensional issues"
        )
    f = run_forecast(
        sc, issue, model, preset=preset, interventions=intervention or (), seed=seed, **params
    )
    calibrated = None
    if calibration is not None:
        calibrated = _calibrated(
            f, model if preset is None else f"{model}:{preset}", calibration,
            calibration_format, 0.9 if interval is None else interval, threshold,
        )  # fmt: skip
    if as_json:
        out = f.to_dict()
        if calibrated is not None:
            out["calibration"] = calibrated
        print_json(out)
        return
    iss = sc.issue(f.issue)
    if f.trajectory.ndim == 2:
        _print_forecast_1d(sc.id, iss, f, model)
    else:
        _print_forecast_dims(sc.id, iss, f, model)
    if f.trajectory.ndim == 2:
        outcome = fmt(float(f.outcome))
    else:
        outcome = ", ".join(
            f"{d.id} {fmt(float(v))}" for d, v in zip(iss.dimensions, f.outcome, strict=True)
        )
    line = f"Forecast after {f.rounds} round{'s' if f.rounds != 1 else ''}: {outcome}"
    if f.observed is not None:
        line += f"; observed {fmt(f.observed)} (error {fmt(f.error)})"
    console.print(line, markup=False)
    if calibrated is not None:
        lo, hi = calibrated["interval"]
        console.print(
            f"Calibrated {calibrated['level']:.0%} interval: {fmt(lo)} to {fmt(hi)} "
            f"({calibrated['describe']}; about the point forecast, not input noise)",
            markup=False,
            highlight=False,
        )
        if threshold is not None:
            console.print(calibrated["text"], markup=False, highlight=False)


def _calibrated(
    f, label: str, calibration: str, calibration_format: str | None, interval: float,
    threshold: float | None,
) -> dict:  # fmt: skip
    """The calibrated interval (and threshold probability) of a one-dimensional forecast."""
    from crossroads.evaluation.calibrated_scoring import calibrate_on
    from crossroads.evaluation.calibration import threshold_text

    cal = calibrate_on(calibration, label, level=interval, format=calibration_format)
    lo, hi = cal.interval(f.outcome, f.scale)
    out = {**cal.to_dict(residuals=False), "describe": cal.describe()}
    out["interval"] = [float(lo), float(hi)]
    if threshold is not None:
        p = float(cal.prob_at_least(threshold, f.outcome, f.scale))
        out.update(threshold=threshold, p_at_least=p)
        out["text"] = threshold_text(threshold, calibrated=p, calibrated_on=cal.source)
    return out


def _scale_text(scale) -> str:
    labels = "; ".join(f"{fmt(k)} = {v}" for k, v in sorted(scale.labels.items()))
    return f"scale {fmt(scale.min)}-{fmt(scale.max)}" + (f": {labels}" if labels else "")


def _rounds_table(df: pd.DataFrame) -> pd.DataFrame:
    """Rounds x actors -> actors x rounds, columns r0, r1, ..."""
    by_round = df.T
    by_round.columns = [f"r{c}" for c in by_round.columns]
    by_round.index.name = "actor"
    return by_round


def _print_forecast_1d(scenario_id: str, iss, f, model: str) -> None:

    console.print(
        text_panel(
            f"{iss.title}\n{iss.question}\n{_scale_text(iss.scale)}",
            title=f"{scenario_id} / {iss.id}",
        ),
        markup=False,
    )
    console.print(df_table(f.stakes_df().drop(columns=["actor"]), title="Stakes"))
    console.print(
        df_table(_rounds_table(f.to_df()), title=f"{model}: positions by round", index=True)
    )


def _print_forecast_dims(scenario_id: str, iss, f, model: str) -> None:
    """A multi-dimensional forecast: stakes per dimension, then one round table per dimension."""
    import numpy as np
    import pandas as pd

    dims = iss.dimensions
    console.print(
        text_panel(
            f"{iss.title}\n{iss.question}\n"
            + "\n".join(
                f"dimension {k + 1}, {d.id} ({d.title}): {_scale_text(d.scale)}"
                for k, d in enumerate(dims)
            ),
            title=f"{scenario_id} / {iss.id}",
        ),
        markup=False,
    )
    stakes = pd.DataFrame({"name": f.names, "capability": f.capability})
    for k in range(len(dims)):
        stakes[f"x{k + 1}"] = f.trajectory[0, :, k]
        stakes[f"s{k + 1}"] = np.asarray(f.salience)[:, k]
    console.print(df_table(stakes, title="Stakes (xK position and sK salience on dimension K)"))
    table = f.to_df()
    for k, d in enumerate(dims):
        per_dim = table.xs(k, level="dim")
        console.print(
            df_table(
                _rounds_table(per_dim), title=f"{model}: positions on {d.id} by round", index=True
            )
        )


def _print_summary(summary: dict) -> None:
    import pandas as pd

    console.print(text_panel(summary["headline"], title="System"), markup=False)
    for key, title in (
        ("memberships", "Organisations of the focus state, by who leads them"),
        ("agreements", "Agreements of the focus state"),
        ("dependence", "Key dependence figures"),
    ):
        df = summary.get(key)
        if isinstance(df, pd.DataFrame) and len(df):
            console.print(df_table(df, title=title))


@app.command()
def run(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    models: Annotated[
        str,
        typer.Option(help=f"Comma-separated models to run on every issue, of: {or_list()}."),
    ] = ",".join(DEFAULT_MODELS),
    report_dir: Annotated[
        str, typer.Option("--report-dir", "-o", help="Folder the HTML report is written to.")
    ] = "out",
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write the HTML report (default: yes).")
    ] = True,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the same analysis as one JSON object instead of tables (schema: "
            "docs/reference/cli.md); the report is still written unless --no-report.",
        ),
    ] = False,
) -> None:
    """The main analysis: the brief first (the answer per issue, see docs/brief.md), then the
    system, every issue forecast by every model, the scenario's interventions against the
    baseline, and the HTML report.

    Example: crossroads run            (the built-in kazakhstan-2010 scenario)
    """
    from crossroads.models import get_model, model_names
    from crossroads.scenario import load
    from crossroads.summary import scenario_summary

    sc = load(scenario)
    wanted = [m.strip() for m in models.split(",") if m.strip()]
    unknown = [m for m in wanted if m not in model_names()]
    if unknown:
        raise CrossroadsError(
            f"unknown or unavailable model(s): {', '.join(unknown)}; available: "
            + ", ".join(model_names())
        )
    for m in wanted:  # refuse an issue too large for a model before printing anything
        for iss in sc.issues:
            get_model(m).check_actors(len(iss.stakes), f"{scenario}: issue '{iss.id}': ")
    if as_json:
        print_json(_analysis_json(sc, wanted, report_dir if report else None))
        return
    b = None
    if sc.issues:  # the answer first: the brief, then the detail it was drawn from
        b = _print_brief(sc, wanted)
    _print_summary(scenario_summary(sc))
    if sc.issues:
        _print_forecasts(sc, wanted, b)
    else:
        console.print("no contested issues in this scenario", markup=False)
    if report:
        from crossroads.report import write_report

        path = write_report(sc, report_dir, models=wanted or None)
        console.print(f"Report: {path}", markup=False)


def _analysis_json(sc, wanted: list[str], report_dir: str | None) -> dict:
    """What ``run --json`` prints: the analysis of the tables, computed once, as plain data;
    the report (when asked for) is written before anything is printed."""
    from crossroads.analysis_record import analysis_record
    from crossroads.linked_summary import summarise_linked_sets
    from crossroads.summary import scenario_summary

    b, why = _brief_of(sc, wanted) if sc.issues else (None, None)
    m, overview = _overview_of(sc, wanted, b) if sc.issues else (None, None)
    aims = _aims_of(sc, wanted, None if b is None else b.aims) if sc.issues else []
    path = None
    if report_dir is not None:
        from crossroads.report import write_report

        path = str(write_report(sc, report_dir, models=wanted or None))
    return analysis_record(
        sc, wanted, brief=b, no_brief=why, overview=overview, overview_model=m,
        linked=summarise_linked_sets(sc) if sc.issues and sc.linkages else (),
        aims=aims, summary=scenario_summary(sc), report=path,
    )  # fmt: skip


def _print_brief(sc, wanted: list[str]):
    """Print the brief; return it (its intervention table and aims are the detail's), or
    None when no model run forecasts one issue (said in a line)."""
    from crossroads.cli.brief_tables import print_brief

    b, why = _brief_of(sc, wanted)
    if b is None:
        console.print(f"no brief: {why}", markup=False)
        return None
    print_brief(b)
    return b


def _brief_of(sc, wanted: list[str]):
    """(the brief, None), or (None, why) when no model run forecasts one issue."""
    from crossroads.aims import AIM_RUNS, aim_models
    from crossroads.briefing import brief, lead_model

    try:
        lead_model(wanted)
    except CrossroadsError as e:
        return None, str(e)
    return brief(sc, wanted, aim_models=aim_models(sc, wanted), aim_runs=AIM_RUNS), None


def _print_forecasts(sc, wanted: list[str], b=None) -> None:
    from crossroads.summary import forecast_table

    table, scores = forecast_table(sc, wanted, interval=0.9)
    console.print(
        df_table(
            table,
            title="Forecasts of the contested issues (position on 0-100 unless the issue says "
            "otherwise); 'MODEL 90%': interval calibrated on DEU III residuals (split "
            "conformal, the point forecast's error on 180 decided EU issues), not input noise",
        )
    )
    if scores is not None and len(scores):
        console.print(df_table(scores, title="Error against observed outcomes"))
    m, overview = _overview_of(sc, wanted, b)
    if overview is not None:  # the what-ifs (issue 3): each intervention vs the baseline
        if len(overview):
            console.print(
                df_table(
                    overview,
                    title=f"Interventions against the baseline ({m}, mean forecast over 1,024 "
                    "draws of uncertain stakes, common random numbers; see crossroads compare); "
                    "'shift 5-95%' and P(up): input noise only, not calibrated; '± 95%': "
                    "Monte Carlo error of the mean shift",
                )
            )
    _print_linked_and_aims(sc, wanted, table, None if b is None else b.aims)


def _overview_of(sc, wanted: list[str], b=None):
    """(model, table) of the interventions against the baseline ``run`` shows: under eum
    when it runs, else the first model; the brief's table when the brief's lead is that
    model (computed on the same draws). (None, None) without interventions or models."""
    if not (sc.interventions and wanted):
        return None, None
    m = "eum" if "eum" in wanted else wanted[0]
    if b is not None and b.lead == m:
        return m, b.overview
    from crossroads.uncertainty.what_if import intervention_overview

    return m, intervention_overview(sc, m, runs=1024)


def _aims_of(sc, wanted: list[str], answers=None) -> list:
    """Every aim planned under every model it is asked of (the brief's ``answers`` when
    given); empty without aims."""
    from crossroads.aims import AIM_RUNS, aim_models, answer_aims

    if not sc.aims:
        return []
    return (
        answers if answers is not None else answer_aims(sc, aim_models(sc, wanted), runs=AIM_RUNS)
    )


def _print_linked_and_aims(sc, wanted: list[str], table, answers=None) -> None:
    from crossroads.aims import AIM_RUNS
    from crossroads.cli.linked_tables import print_aims, print_linked_sets
    from crossroads.linked_summary import summarise_linked_sets

    if sc.linkages:
        print_linked_sets(summarise_linked_sets(sc), table)
    if sc.aims:
        print_aims(_aims_of(sc, wanted, answers), AIM_RUNS)
