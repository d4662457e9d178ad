"""``crossroads plan``: the cheapest package of interventions that reaches a target."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crossroads.cli.application import app, console, print_json
from crossroads.cli.run_options import with_options
from crossroads.cli.tables import df_table
from crossroads.model_registry import DEFAULT_MODEL, or_list
from crossroads.scenario import DEFAULT_SCENARIO
from crossroads.wording import count

__all__ = ["render_plan"]

#: Runs per package unless --runs says otherwise (every package is one ensemble).
PLAN_RUNS = 2000


def render_plan(d: dict[str, Any]) -> None:
    """Print a plan (the dict of ``PlanResult.to_dict()``): the answer, then the frontier."""
    import pandas as pd

    unit = f" {d['unit']}" if d.get("unit") else ""
    aim = f"P(forecast {d['target'][:2]} {d['target'][2:]}) >= {d['probability_required']:g}"
    where = f"{d['scenario']} / {d['issue']}, {d['model']}"
    b = d["best"]
    if b is None:
        console.print(f"No package reaches {aim} ({where}).", markup=False)
        console.print(f"Why: {d['reason']}.", markup=False)
    else:
        names = " + ".join(b["interventions"]) or "none (the baseline already meets it)"
        console.print(f"Cheapest package reaching {aim} ({where}):", markup=False)
        console.print(
            f"  {names}: cost {b['cost']:g}{unit}, P = {b['probability']:.3f} ± "
            f"{b['mc_error']:.3f} (Monte Carlo s.e.)",
            markup=False,
        )
    rows = [
        {
            "package": " + ".join(p["interventions"]) or "(baseline)",
            "cost": f"{p['cost']:g}{unit}",
            "probability": f"{p['probability']:.3f} ± {p['mc_error']:.3f}",
            "mean forecast": f"{p['mean_forecast']:.4g}",
            "meets": "yes" if p["probability"] >= d["probability_required"] else "",
        }
        for p in d["frontier"]
    ]
    console.print(df_table(pd.DataFrame(rows), title="Cost-probability frontier"))
    budget = f", budget {d['budget']:g}{unit}" if d.get("budget") is not None else ""
    console.print(
        f"{d['search']} search: {count(d['evaluated'], 'package')} of "
        f"{count(len(d['candidates']), 'candidate')}"
        f"{budget}, each an ensemble of {d['runs']:,} runs on seed {d['seed']} (common random "
        f"numbers); {d['executor']}, {d['elapsed']:.2f} s.",
        markup=False,
    )
    for note in d.get("notes", []):
        console.print(f"Note: {note}.", markup=False)


@app.command("plan")
@with_options(
    "RunOptions", ("sampling", "execution"), skip=("interventions", "threshold"), runs=PLAN_RUNS
)
def plan_cmd(
    scenario: Annotated[
        str, typer.Argument(help="A built-in scenario name or a YAML scenario file.")
    ] = DEFAULT_SCENARIO,
    issue: Annotated[str | None, typer.Option(help="Issue id (optional if only one).")] = None,
    model: Annotated[str, typer.Option(help=f"The model: {or_list()}.")] = DEFAULT_MODEL,
    target: Annotated[str, typer.Option(help="The aim for the forecast: '>=X' or '<=X'.")] = "",
    probability: Annotated[
        float, typer.Option(help="Required probability of meeting the target, in (0, 1].")
    ] = 0.8,
    budget: Annotated[
        float | None, typer.Option(help="Leave out packages costing more than this.")
    ] = None,
    candidates: Annotated[
        str | None,
        typer.Option(help="Interventions to combine, comma-separated (default: all)."),
    ] = None,
    options: Any = None,  # a RunOptions, made by with_options from the options below
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """The cheapest package of interventions whose ensemble meets a target with a probability.

    Example: crossroads plan tests/data/plan-small.yaml --issue trade --target '>=50'
    --probability 0.8 --runs 2000
    """
    from crossroads.errors import CrossroadsError
    from crossroads.planning import plan

    if not target:
        raise CrossroadsError("give --target '>=X' or '<=X'")
    names = None
    if candidates is not None:
        names = [c.strip() for c in candidates.split(",") if c.strip()]
        if not names:
            raise CrossroadsError("--candidates is empty; give intervention ids, comma-separated")
    res = plan(
        scenario, issue, model, target, probability, budget=budget, candidates=names,
        options=options,
    )  # fmt: skip
    d = res.to_dict()
    if as_json:
        print_json(d)
        return
    render_plan(d)
