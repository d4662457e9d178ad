"""What the dashboard computes for a request: edited stakes, forecasts, ensembles, figures.

Every function is pure over a :class:`~crossroads.Scenario`; the routers
(:mod:`crossroads.web.routes`) only parse requests and serialise results. Stake
edits from the table are applied with :func:`crossroads.apply_edits` (``set``),
after a check that each value is legal -- a value off the scale is refused with a
message, never clipped silently.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from crossroads.errors import CrossroadsError
from crossroads.evaluation.calibrated_display import (
    CalibratedInterval,
    builtin_interval,
)
from crossroads.forecasting import Forecast, forecast
from crossroads.report import figures as F
from crossroads.scenario import Scenario, apply_edits
from crossroads.scenario.catalogue import counts, counts_text
from crossroads.scenario.schema import Edit
from crossroads.web.requests import ExploreRequest, ForecastRequest, IssueRequest, StakeEdit

__all__ = [
    "apply_stake_edits",
    "compare_figure",
    "ensemble_figure",
    "explore",
    "issue_detail",
    "prepared",
    "sensitivity_figure",
    "validation_report",
]


def apply_stake_edits(sc: Scenario, issue_id: str, edits: Sequence[StakeEdit]) -> Scenario:
    """``sc`` with the stakes of ``issue_id`` set to the edited values.

    Raises
    ------
    CrossroadsError
        An actor without a stake in the issue, or a value outside its legal range
        (position on the issue's scale, salience 0-1, capability >= 0), naming it.
    """
    iss = sc.issue(issue_id)
    stakes = {s.actor: s for s in iss.stakes}
    names = {a.id: a.name for a in sc.actors}
    lo, hi = iss.scale.min, iss.scale.max
    out: list[Edit] = []
    for k, e in enumerate(edits):
        if e.actor not in stakes:
            raise CrossroadsError(
                f"stake table, row {k + 1}: actor '{e.actor}' has no stake in '{iss.id}'"
            )
        who = f"stake of {names.get(e.actor, e.actor)}"
        values: dict[str, float] = {}
        for field, v in (
            ("position", e.position),
            ("salience", e.salience),
            ("capability", e.capability),
        ):
            if v is None:
                continue
            if not math.isfinite(v):
                raise CrossroadsError(f"{who}, {field}: must be a finite number")
            if field == "position" and not lo <= v <= hi:
                raise CrossroadsError(
                    f"{who}, position: must lie on the scale {lo:g}-{hi:g}, got {v:g}"
                )
            if field == "salience" and not 0 <= v <= 1:
                raise CrossroadsError(f"{who}, salience: must be between 0 and 1, got {v:g}")
            if field == "capability" and v < 0:
                raise CrossroadsError(f"{who}, capability: must be >= 0, got {v:g}")
            if v != getattr(stakes[e.actor], field):
                values[field] = float(v)
        if values:
            out.append(Edit(issue=iss.id, actor=e.actor, set=values))
    return apply_edits(sc, out, where="stake table") if out else sc


def issue_detail(sc: Scenario, issue_id: str | None) -> dict[str, Any]:
    """An issue as the dashboard's stake table shows it, with the interventions touching it."""
    iss = sc.issue(issue_id)
    names = {a.id: a.name for a in sc.actors}
    return {
        "id": iss.id,
        "title": iss.title,
        "question": iss.question,
        "scale": {
            "min": iss.scale.min,
            "max": iss.scale.max,
            "labels": [{"value": k, "label": v} for k, v in sorted(iss.scale.labels.items())],
        },
        "status_quo": iss.status_quo,
        "observed": None
        if iss.observed is None
        else {
            "value": iss.observed.value,
            "date": iss.observed.date,
            "source": iss.observed.source,
        },
        "rationale": iss.rationale,
        "dimensions": [d.title for d in iss.dimensions] if iss.dimensions else None,
        "stakes": [
            {
                "actor": s.actor,
                "name": names.get(s.actor, s.actor),
                # a multi-dimensional issue's stake has a position and salience per dimension
                "position": getattr(s, "positions", None) or s.position,
                "salience": getattr(s, "saliences", None) or s.salience,
                "capability": s.capability,
                "source": s.source,
                "where": s.where,
            }
            for s in iss.stakes
        ],
        "interventions": [
            {"id": iv.id, "name": iv.name, "description": iv.description}
            for iv in sc.interventions
            if any(e.issue == iss.id for e in iv.edits)
        ],
    }


def _params(req: ForecastRequest) -> dict[str, Any]:
    return {} if req.rounds is None else {"rounds": req.rounds}


def prepared(sc: Scenario, req: IssueRequest) -> tuple[Scenario, str]:
    """The scenario with the request's stake edits applied, and the issue id."""
    iss = sc.issue(req.issue)
    return apply_stake_edits(sc, iss.id, req.stakes), iss.id


def validation_report(sc: Scenario, name: str) -> dict[str, Any]:
    """What ``crossroads validate`` says of a valid file, as data and as its line of text."""
    numbers = counts(sc)
    words = counts_text(numbers)
    return {
        "valid": True,
        "file": name,
        "id": sc.id,
        "title": sc.title,
        "counts": numbers,
        "message": f"{name}: valid crossroads scenario '{sc.id}' ({words})",
    }


# --- figures of the CLI's computations -------------------------------------------------------


def ensemble_figure(sc: Scenario, issue_id: str, result: Any) -> F.Figure:
    """The distribution of an ensemble's final forecast (``/api/ensemble`` with figures)."""
    iss = sc.issue(issue_id)
    return F.ensemble_figure(
        [result],
        (iss.scale.min, iss.scale.max),
        dict(iss.scale.labels),
        iss.observed.value if iss.observed else None,
    )


def compare_figure(sc: Scenario, issue_id: str, model: str, runs: int, result: Any) -> F.Figure:
    """Each what-if's forecast with its 5-95% range (``/api/compare`` with figures)."""
    iss = sc.issue(issue_id)
    names = {iv.id: iv.name for iv in sc.interventions}
    rows = [
        {
            "variant": "baseline"
            if not v.interventions
            else " + ".join(names.get(i, i) for i in v.interventions),
            "model": model,
            "forecast": v.point,
            "low": v.distribution.quantiles[0.05],
            "high": v.distribution.quantiles[0.95],
        }
        for v in result.variants
    ]
    return F.interventions_figure(
        rows,
        (iss.scale.min, iss.scale.max),
        dict(iss.scale.labels),
        title=f"What-ifs compared ({model}, 5-95% over {runs:,} runs)",
    )


def sensitivity_figure(model: str, result: Any) -> F.Figure:
    """A tornado (one at a time) or the Sobol indices (``/api/sensitivity`` with figures)."""
    t = result.table
    if result.method == "oat":
        rows = [
            {"label": x.input, "low": x.forecast_low, "high": x.forecast_high}
            for x in t.itertuples()
        ]
        return F.tornado_figure(rows, result.point, title=f"Which inputs matter ({model})")
    return F.sobol_figure(t, title=f"Sobol indices ({model})")


# --- the dashboard update --------------------------------------------------------------------


def explore(sc: Scenario, req: ExploreRequest) -> dict[str, Any]:
    """Forecast and ensemble of the edited issue, without and with the chosen interventions.

    Both ensembles use the same seed, so they are drawn on common random numbers
    (see :mod:`crossroads.uncertainty.sampling`): the difference of their means is the
    interventions' mean shift over the same draws.

    Returns
    -------
    dict
        ``baseline`` and ``variant`` (forecast JSON, ``variant`` None without
        interventions), ``shift``, ``ensemble`` (``baseline``/``variant`` summaries),
        ``figures`` (Plotly figure dicts), ``elapsed`` (seconds).
    """
    from crossroads.uncertainty import ensemble

    t0 = time.perf_counter()
    if sc.issue(req.issue).dimensions:
        return _explore_spatial(sc, req, t0)
    edited, issue_id = prepared(sc, req)
    iss = edited.issue(issue_id)
    params = _params(req)
    base = forecast(edited, issue_id, req.model, preset=req.preset, **params)
    var: Forecast | None = None
    if req.interventions:
        var = forecast(
            edited,
            issue_id,
            req.model,
            preset=req.preset,
            interventions=req.interventions,
            **params,
        )
    scale = (float(iss.scale.min), float(iss.scale.max))
    labels = dict(iss.scale.labels)
    observed = iss.observed.value if iss.observed is not None else None
    ens = []
    ens_json: dict[str, Any] = {"baseline": None, "variant": None}
    if req.runs > 0:
        e0 = ensemble(
            edited,
            issue_id,
            req.model,
            runs=req.runs,
            seed=req.seed,
            preset=req.preset,
            keep_runs=True,
            **params,
        )
        ens.append(e0)
        ens_json["baseline"] = _ens_summary(e0)
        if req.interventions:
            e1 = ensemble(
                edited,
                issue_id,
                req.model,
                runs=req.runs,
                seed=req.seed,
                preset=req.preset,
                interventions=req.interventions,
                keep_runs=True,
                **params,
            )
            ens.append(e1)
            ens_json["variant"] = _ens_summary(e1)
            ens_json["mean_shift"] = e1.distribution.mean - e0.distribution.mean
    arr = edited.arrays(issue_id)
    shown = var if var is not None else base
    figures = {
        "trajectory": F.trajectory_figure(
            [base] + ([var] if var is not None else []),
            scale,
            labels,
            iss.status_quo,
            observed,
            title=f"Forecast by round: {iss.title}",
        ),
        "stakes": F.stakes_figure(
            arr.names,
            arr.position,
            arr.salience,
            arr.capability,
            scale,
            labels,
            iss.status_quo,
            observed,
            title=f"Stakes (your edits): {iss.title}",
        ),
    }
    if shown.rounds >= 1:
        figures["positions"] = F.positions_figure(
            shown,
            scale,
            labels,
            title=f"{req.model}: each actor's position by round"
            + (" (with interventions)" if var is not None else ""),
        )
    ci = builtin_interval(req.model, shown.outcome, scale, preset=req.preset, params=shown.params)
    if ens:
        figures["ensemble"] = F.ensemble_figure(
            ens, scale, labels, observed, title=f"Forecast under uncertain inputs: {iss.title}",
            calibrated=None if ci.lo is None or ci.hi is None
            else {req.model: (float(shown.outcome), ci.lo, ci.hi)},
        )  # fmt: skip
    return {
        "scenario": sc.id,
        "issue": issue_id,
        "model": req.model,
        "edited": edited is not sc,
        "baseline": base.to_dict(),
        "variant": var.to_dict() if var is not None else None,
        "shift": (float(var.outcome) - float(base.outcome)) if var is not None else None,
        "observed": observed,
        "ensemble": ens_json,
        **calibrated_json(ci, "variant" if var is not None else "baseline"),
        "figures": figures,
        "elapsed": time.perf_counter() - t0,
    }


def calibrated_json(ci: CalibratedInterval, of: str = "baseline") -> dict[str, Any]:
    """``calibrated`` ({level, lo, hi, source, label, of}, or None) and ``calibrated_reason``.

    ``of`` names the forecast the interval is about (``baseline`` or ``variant``); the
    interval is the shipped DEU III calibration's (not input noise).
    """
    return ci.as_json(of)


def _explore_spatial(sc: Scenario, req: ExploreRequest, t0: float) -> dict[str, Any]:
    """A multi-dimensional issue: forecasts and charts, no stake edits and no ensembles."""
    iss = sc.issue(req.issue)
    dims = [d.title for d in iss.dimensions or []]
    if req.stakes:
        raise CrossroadsError(
            f"issue '{iss.id}' has {len(dims)} dimensions; the stake table edits "
            "one-dimensional issues only"
        )
    params = _params(req)
    base = forecast(sc, iss.id, req.model, preset=req.preset, **params)
    var = None
    if req.interventions:
        var = forecast(sc, iss.id, req.model, preset=req.preset,
                       interventions=req.interventions, **params)  # fmt: skip
    arr = sc.arrays(iss.id)
    shown = [base] + ([var] if var is not None else [])
    return {
        "scenario": sc.id,
        "issue": iss.id,
        "model": req.model,
        "edited": False,
        "dimensions": dims,
        "baseline": base.to_dict(),
        "variant": var.to_dict() if var is not None else None,
        "shift": (np.asarray(var.outcome) - np.asarray(base.outcome)).tolist()
        if var is not None
        else None,
        "observed": None,
        "calibrated": None,
        "calibrated_reason": "no calibration for multi-dimensional issues",
        "ensemble": {
            "baseline": None,
            "variant": None,
            "note": "ensembles summarise one-dimensional issues only",
        },
        "figures": {
            "trajectory": F.spatial_trajectory_figure(
                shown, dims, title=f"Forecast by round: {iss.title}"
            ),
            "stakes": F.spatial_stakes_figure(
                arr.names,
                arr.position,
                arr.salience,
                arr.capability,
                dims,
                title=f"Stakes: {iss.title}",
            ),
        },  # fmt: skip
        "elapsed": time.perf_counter() - t0,
    }


def _ens_summary(r: Any) -> dict[str, Any]:
    d = r.distribution
    return {
        "runs": r.runs,
        "seed": r.seed,
        "interventions": list(r.interventions),
        "mean": d.mean,
        "mcse": d.mcse,
        "median": d.median,
        "q05": d.quantiles.get(0.05),
        "q95": d.quantiles.get(0.95),
        "bands": [
            {"name": b.name, "low": b.low, "high": b.high, "probability": b.probability}
            for b in d.bands
        ],
        "observed_percentile": d.observed_percentile,
        "elapsed": r.elapsed,
    }
