"""The main analysis of ``crossroads run`` as plain data: what ``run --json`` prints.

The same numbers as the tables ``run`` prints, in one JSON object (its schema is in
``docs/reference/cli.md``): the brief, the system, every issue forecast by every model
with the shipped calibrated interval, the errors against observed outcomes, the
interventions against the baseline, the linked sets and the aims.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crossroads.briefing import Brief
from crossroads.evaluation.calibrated_display import builtin_interval
from crossroads.forecasting import forecast
from crossroads.scenario import Scenario
from crossroads.store import scenario_hash
from crossroads.summary import score_table
from crossroads.version import __version__

__all__ = ["analysis_record", "issue_forecasts"]

#: Calibrated intervals of ``run`` are at this nominal coverage.
LEVEL = 0.9


def _records(df: Any) -> list[dict[str, Any]]:
    return df.to_dict(orient="records") if isinstance(df, pd.DataFrame) else []


#: JSON names of the intervention table's columns (``overview_rows``).
OVERVIEW_KEYS = {
    "intervention": "intervention",
    "issue": "issue",
    "baseline": "baseline",
    "with": "with",
    "shift": "shift",
    "± 95%": "shift_ci95",
    "shift 5-95%": "shift_5_95_text",
    "P(up)": "p_up",
}


def _renamed(df: pd.DataFrame | None, keys: dict[str, str]) -> list[dict[str, Any]]:
    return [{keys.get(k, k): v for k, v in row.items()} for row in _records(df)]


def _one(f: Any, iss: Any, model: str) -> dict[str, Any]:
    value = np.asarray(f.outcome, dtype=float)
    scale = (iss.scale.min, iss.scale.max)
    ci = builtin_interval(model, f.outcome, scale, level=LEVEL, params=f.params)
    return {
        "model": model,
        "forecast": float(value) if value.ndim == 0 else value.tolist(),
        "rounds": int(f.rounds),
        "error": f.error,
        **ci.as_json("forecast"),
    }


def issue_forecasts(sc: Scenario, models: Sequence[str]) -> list[dict[str, Any]]:
    """Per issue: its status quo, observed outcome and each model's forecast with its
    calibrated interval (or the reason there is none). A multi-dimensional issue is
    forecast by ``smp`` alone, as ``run``'s table does."""
    out = []
    for iss in sc.issues:
        multi = bool(iss.dimensions)
        ran = ["smp"] if multi else list(models)
        out.append(
            {
                "issue": iss.id,
                "title": iss.title,
                "scale": [iss.scale.min, iss.scale.max] if not multi else None,
                "status_quo": iss.status_quo,
                "observed": iss.observed.value if iss.observed else None,
                "forecasts": [_one(forecast(sc, iss.id, m), iss, m) for m in ran],
            }
        )
    return out


#: JSON names of the score table's columns (:func:`crossroads.summary.score_table`).
SCORE_KEYS = {
    "model": "model",
    "issues scored": "issues_scored",
    "mean abs. error": "mean_abs_error",
    "median abs. error": "median_abs_error",
}


def _scores(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors: dict[str, list[float]] = {}
    for iss in issues:
        for f in iss["forecasts"]:
            if f["error"] is not None:
                errors.setdefault(f["model"], []).append(float(f["error"]))
    return _renamed(score_table(errors), SCORE_KEYS)


def analysis_record(
    sc: Scenario,
    models: Sequence[str],
    *,
    brief: Brief | None = None,
    no_brief: str | None = None,
    overview: pd.DataFrame | None = None,
    overview_model: str | None = None,
    linked: Sequence[Any] = (),
    aims: Sequence[Any] = (),
    summary: dict[str, Any] | None = None,
    report: str | None = None,
) -> dict[str, Any]:
    """The main analysis as one JSON-ready dict.

    Parameters
    ----------
    sc : Scenario
    models : sequence of str
        The models run on every issue.
    brief : Brief, optional
        The brief (None: ``no_brief`` says why).
    overview : DataFrame, optional
        The interventions against the baseline (``overview_rows``) under ``overview_model``.
    linked : sequence of LinkedSetSummary
    aims : sequence of AimAnswer
    summary : dict, optional
        :func:`crossroads.summary.scenario_summary`.
    report : str, optional
        The path of the HTML report written (None: none).
    """
    issues = issue_forecasts(sc, models)
    system = None
    if summary is not None:
        system = {"headline": summary["headline"], "focus": summary.get("focus")} | {
            k: _records(v) for k, v in summary.items() if isinstance(v, pd.DataFrame)
        }
    return {
        "scenario": sc.id,
        "scenario_hash": scenario_hash(sc),
        "crossroads_version": __version__,
        "models": list(models),
        "brief": None if brief is None else brief.to_dict(),
        "brief_reason": no_brief,
        "system": system,
        "issues": issues,
        "scores": _scores(issues),
        "interventions": {
            "model": overview_model,
            "rows": _renamed(overview, OVERVIEW_KEYS),
        },
        "linked_sets": [s.to_dict() for s in linked],
        "aims": [a.to_dict() for a in aims],
        "report": report,
    }
