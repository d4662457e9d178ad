"""Plain-data summaries of a scenario and its forecasts, for the CLI and the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crossroads.evaluation.calibrated_display import builtin_interval
from crossroads.forecasting import forecast
from crossroads.scenario import Scenario
from crossroads.wording import count

__all__ = ["focus_actor", "forecast_table", "interval_column", "scenario_summary"]


def focus_actor(sc: Scenario) -> str | None:
    """The scenario's focus actor: ``focus`` if set, else the actor with most memberships.

    None when the scenario names no focus and records no memberships (e.g. a peer file).
    """
    if sc.focus is not None:
        return sc.focus
    counts: dict[str, int] = {}
    for m in sc.memberships:
        counts[m.actor] = counts.get(m.actor, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda a: (counts[a], -list(counts).index(a)))


def scenario_summary(sc: Scenario) -> dict[str, Any]:
    """Headline counts, the focus state's memberships and agreements, and its flows.

    Returns
    -------
    dict with ``headline`` (str), ``focus`` (actor id), ``memberships``,
    ``agreements`` and ``dependence`` (DataFrames).
    """
    names = {a.id: a.name for a in sc.actors}
    focus = focus_actor(sc)
    kinds: dict[str, int] = {}
    for a in sc.actors:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    headline = (
        f"{sc.title}\n"
        + (f"focus: {names.get(focus, focus)}\n" if focus else "")
        + "actors: "
        + ", ".join(count(n, k) for k, n in sorted(kinds.items()))
        + "\n"
        + ", ".join(
            (
                count(len(sc.memberships), "membership"),
                count(len(sc.agreements), "agreement"),
                count(len(sc.flows), "flow"),
                count(len(sc.events), "event"),
                count(len(sc.issues), "contested issue"),
                count(len(sc.interventions), "intervention"),
                count(len(sc.sources), "source"),
            )
        )
    )
    actors = {a.id: a for a in sc.actors}
    mem_rows = []
    for m in sc.memberships:
        if m.actor != focus:
            continue
        org = actors.get(m.organisation)
        lead = org.led_by if org is not None else None
        mem_rows.append(
            {
                "organisation": names.get(m.organisation, m.organisation),
                "led by": names.get(lead, lead) if lead else "",
                "role": m.role,
                "since": m.since,
                "until": m.until,
                "outcome": m.outcome,
                "source": _cite(m.source, m.where),
            }
        )
    mem = pd.DataFrame(mem_rows)
    if len(mem):
        mem["_unled"] = mem["led by"] == ""
        mem = mem.sort_values(["_unled", "led by", "since"], na_position="last", kind="stable")
        mem = mem.drop(columns="_unled")
    ag = pd.DataFrame(
        [
            {
                "agreement": a.name,
                "kind": a.kind,
                "status": a.status,
                "signed": a.signed,
                "in force": a.in_force,
                "parties": ", ".join(names.get(p, p) for p in a.parties if p != focus),
                "source": _cite(a.source, a.where),
            }
            for a in sc.agreements
            if focus in a.parties
        ]
    )
    dep_rows = []
    for f in sc.flows:
        if focus not in (f.origin, f.target):
            continue
        amount = []
        if f.share is not None:
            amount.append(f"{'~' if f.approximate else ''}{100 * f.share:.1f}% of {f.of or '?'}")
        if f.value is not None:
            amount.append(f"{'~' if f.approximate else ''}{f.value:g} {f.unit}")
        dep_rows.append(
            {
                "year": f.year,
                "kind": f.kind,
                "from": names.get(f.origin, f.origin),
                "to": names.get(f.target, f.target),
                "figure": "; ".join(amount),
                "source": _cite(f.source, f.where),
            }
        )
    dep = pd.DataFrame(dep_rows)
    return {
        "headline": headline,
        "focus": focus,
        "memberships": mem.reset_index(drop=True),
        "agreements": ag,
        "dependence": dep,
    }


def _cite(source: str | None, where: str | None) -> str:
    return ", ".join(x for x in (source, where) if x)


def interval_column(model: str, level: float) -> str:
    """The name of a model's calibrated-interval column, e.g. ``"eum 90%"``."""
    return f"{model} {level:.0%}"


def forecast_table(
    sc: Scenario, models: Sequence[str], interval: float | None = None, **presets: str
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Every issue forecast by every model, with observed outcomes and errors.

    One-dimensional models leave multi-dimensional issues blank; those issues are
    always forecast by ``smp`` (one position per dimension).

    With ``interval`` (a nominal level such as 0.9), each model's column is followed by
    ``"<model> 90%"``: the interval calibrated on the shipped DEU III residuals
    (:func:`crossroads.evaluation.calibrated_display.builtin_interval`), as text
    ``"lo–hi"``, or ``"no calibration"`` for a model or preset without one; blank on
    multi-dimensional issues.

    Returns
    -------
    table : DataFrame
        One row per issue: status quo, a column per model, observed.
    scores : DataFrame or None
        Per model: issues scored and mean absolute error, when any issue has an outcome.
    """
    rows, errors = [], {m: [] for m in [*models, "smp"]}
    for iss in sc.issues:
        row: dict[str, Any] = {"issue": iss.id, "status quo": iss.status_quo}
        multi = bool(iss.dimensions)
        for m in [*models, *(["smp"] if multi and "smp" not in models else [])]:
            if multi and m != "smp":
                row[m] = None
                continue
            f = forecast(sc, iss.id, m, preset=presets.get(m))
            if multi:
                row[m] = ", ".join(f"{v:.2f}" for v in np.ravel(f.outcome))
                continue
            row[m] = float(np.round(f.outcome, 2))
            if interval is not None:
                ci = builtin_interval(
                    m, f.outcome, (iss.scale.min, iss.scale.max), level=interval,
                    preset=presets.get(m), params=f.params,
                )  # fmt: skip
                row[interval_column(m, interval)] = ci.text()
            if f.error is not None:
                errors[m].append(f.error)
        row["observed"] = iss.observed.value if iss.observed else None
        rows.append(row)
    table = pd.DataFrame(rows)
    if interval is not None:  # each model's interval right after its forecast
        ran = [m for m in [*models, "smp"] if m in table.columns]
        order = ["issue", "status quo"]
        for m in dict.fromkeys(ran):
            order += [m] + [c for c in [interval_column(m, interval)] if c in table.columns]
        table = table[[*order, "observed"]]
    scores = score_table(errors)
    return table, scores if len(scores) else None


def score_table(errors: dict[str, list[float]]) -> pd.DataFrame:
    """Per model with any error against an observed outcome: ``model``, ``issues scored``,
    ``mean abs. error``, ``median abs. error`` (models without one are left out)."""
    return pd.DataFrame(
        [
            {
                "model": m,
                "issues scored": len(e),
                "mean abs. error": float(np.mean(e)),
                "median abs. error": float(np.median(e)),
            }
            for m, e in errors.items()
            if e
        ],
        columns=["model", "issues scored", "mean abs. error", "median abs. error"],
    )
