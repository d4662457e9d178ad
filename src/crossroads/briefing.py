"""The answer first: a one-screen brief of every contested issue of a scenario.

For each one-dimensional issue, from the *lead* model (``eum`` when it is run, else the
first one-issue model: the same rule as the intervention table of ``crossroads run`` and
the report's focus model):

* the most likely labelled band of the scale and its probability, over an ensemble of
  uncertain stakes (input noise only; :func:`crossroads.ensemble`, or the baseline arm of
  the issue's :func:`crossroads.compare`, which runs on the same draws);
* the 90% interval of the lead model's point forecast calibrated on the shipped DEU III
  residuals (split conformal; Lei et al. 2018, JASA 113(523), section 2.2;
  :func:`crossroads.evaluation.calibrated_display.builtin_interval`);
* the model spread: the lowest and highest point forecast of the models run;
* the biggest lever: of the single interventions that edit the issue, their combination,
  and the packages the plan of an aim on the issue evaluated, the one whose mean forecast
  moves furthest from the baseline (common random numbers);
* the aim on the issue, where the scenario states one: the cheapest package reaching it
  (:func:`crossroads.aims.answer_aims`, computed once and handed on to the detail);
* the three inputs that matter most (a one-at-a-time tornado of the lead model,
  :func:`crossroads.sensitivity` with ``method="oat"``);
* the observed outcome where known;

and a sentence on what would change the forecast, from the top inputs and the lever.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.aims import AIM_RUNS, AimAnswer, answer_aims
from crossroads.errors import CrossroadsError
from crossroads.evaluation.calibrated_display import CalibratedInterval, builtin_interval
from crossroads.forecasting import forecast
from crossroads.models import get_model
from crossroads.scenario import Scenario, load
from crossroads.uncertainty.summary import Band, Distribution

__all__ = ["BRIEF_RUNS", "Brief", "IssueBrief", "Lever", "brief", "lead_model"]

#: Ensemble runs of the brief's band probabilities and intervention shifts.
BRIEF_RUNS = 1024

#: How many inputs the brief names per issue.
TOP_INPUTS = 3


def _num(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return ""
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def _range(lo: float, hi: float) -> str:
    return f"{_num(lo)}–{_num(hi)}"


@dataclass(frozen=True)
class Lever:
    """The intervention or package that moves an issue's forecast most.

    Attributes
    ----------
    interventions : list of str
        Intervention ids (one for a single intervention).
    kind : {'intervention', 'combination', 'package'}
        A single intervention; all those editing the issue together (``compare`` with
        ``combine``); or a package evaluated by the plan of an aim on the issue.
    baseline, mean : float
        The mean forecast without and with it, over the same draws.
    shift : float
        ``mean - baseline``.
    ci : float or None
        95% Monte Carlo half-width of the shift (None for a plan's package).
    cost : float or None
        Its cost, when every intervention in it has one.
    """

    interventions: list[str]
    kind: str
    baseline: float
    mean: float
    shift: float
    ci: float | None
    cost: float | None

    @property
    def label(self) -> str:
        return " + ".join(self.interventions)

    def text(self) -> str:
        """``association-prospect +18.8``."""
        return f"{self.label} {self.shift:+.3g}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "interventions": self.interventions,
            "label": self.label,
            "kind": self.kind,
            "baseline": self.baseline,
            "mean": self.mean,
            "shift": self.shift,
            "ci": self.ci,
            "cost": self.cost,
        }


@dataclass(frozen=True)
class IssueBrief:
    """The brief of one issue (see the module docstring for where each part comes from).

    Attributes
    ----------
    issue, title : str
    scale : (float, float)
    labels : dict of float to str
        The scale's labelled points.
    point : float or None
        The lead model's point forecast.
    band : Band or None
        The most likely labelled band (None when the scale has no labels, or no
        ensemble; ``notes`` says which).
    mean : float or None
        The ensemble's mean forecast.
    calibrated : CalibratedInterval or None
    forecasts : dict of str to float
        Each one-issue model's point forecast.
    lever : Lever or None
    aim : AimAnswer or None
        The aim on this issue planned under the lead model (the first aim when several).
    inputs : DataFrame
        The top inputs of the tornado: ``input``, ``low``, ``high``, ``forecast_low``,
        ``forecast_high``, ``swing``.
    observed : float or None
    notes : list of str
        What could not be computed, and why.
    """

    issue: str
    title: str
    scale: tuple[float, float]
    labels: dict[float, str]
    point: float | None
    band: Band | None
    mean: float | None
    calibrated: CalibratedInterval | None
    forecasts: dict[str, float]
    lever: Lever | None
    aim: AimAnswer | None
    inputs: pd.DataFrame
    observed: float | None
    notes: list[str] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)

    @property
    def spread(self) -> tuple[float, float] | None:
        """(lowest, highest) point forecast of the models."""
        if not self.forecasts:
            return None
        v = list(self.forecasts.values())
        return min(v), max(v)

    def band_text(self) -> str:
        """``50–75 (62%)``, or why there is no band."""
        if self.band is None:
            return "no labelled bands" if self.mean is not None else ""
        return f"{_range(self.band.low, self.band.high)} ({self.band.probability:.0%})"

    def band_words(self) -> str:
        """The labels at the two ends of the most likely band."""
        if self.band is None:
            return ""
        lo = self.labels.get(self.band.low, f"{self.band.low:g}")
        hi = self.labels.get(self.band.high, f"{self.band.high:g}")
        return f"between “{lo}” ({self.band.low:g}) and “{hi}” ({self.band.high:g})"

    def _band_of(self, v: float) -> Band | None:
        for k, b in enumerate(self.bands):
            if b.low <= v < b.high or (k == len(self.bands) - 1 and v == b.high):
                return b
        return None

    def aim_text(self) -> str:
        """The aim's answer under the lead model, in a few words."""
        a = self.aim
        if a is None:
            return ""
        what = f"aim {a.aim.id} (P(forecast {a.aim.target}) >= {a.aim.probability:g}, {a.model})"
        if a.result is None:
            return f"{what}: not planned: {a.error}"
        r = a.result
        if r.best is not None:
            unit = f" {r.unit}" if r.unit else ""
            return (
                f"{what}: cheapest package {r.best.label}, cost {r.best.cost:g}{unit}, "
                f"P = {r.best.probability:.2f}"
            )
        top = max(r.packages, key=lambda p: (p.probability, p.mean))
        return (
            f"{what}: no package of the {r.evaluated} reaches it (best P = "
            f"{top.probability:.2f}, {top.label})"
        )

    def change_text(self) -> str:
        """What would change this forecast, in one or two sentences.

        Each top input is given with the forecast at its 5% and at its 95% value (the
        others at their stake values); a band in brackets after a forecast means it leaves
        the most likely band for that one."""
        parts = []
        for r in self.inputs.itertuples():
            ends = []
            for x, v in ((r.low, r.forecast_low), (r.high, r.forecast_high)):
                b = self._band_of(v) if self.band is not None else None
                crosses = (
                    f" ({_range(b.low, b.high)})"
                    if b is not None and self.band is not None and b.name != self.band.name
                    else ""
                )
                ends.append(f"{_num(v)}{crosses} at {_num(x)}")
            parts.append(f"{r.input}: {' and '.join(ends)}")
        out = []
        if parts:
            out.append("Inputs that move it most: ")
            out[-1] += "; ".join(parts) + "."
        if self.lever is not None and self.lever.shift != 0:
            lv = self.lever
            b = self._band_of(lv.mean) if self.bands else None
            where = f", in {_range(b.low, b.high)}" if b is not None else ""
            kind = {"intervention": "", "combination": " (combined)", "package": " (package)"}
            out.append(
                f"Biggest lever: {lv.label}{kind[lv.kind]}, {lv.shift:+.3g} on average "
                f"(to {_num(lv.mean)}{where})."
            )
        if self.aim is not None:
            out.append(self.aim_text()[0].upper() + self.aim_text()[1:] + ".")
        if not out:
            return "Nothing uncertain and no intervention: nothing in the scenario moves it."
        return " ".join(out)

    def to_dict(self) -> dict[str, Any]:
        sp = self.spread
        return {
            "issue": self.issue,
            "title": self.title,
            "scale": list(self.scale),
            "point_forecast": self.point,
            "mean": self.mean,
            "band": None
            if self.band is None
            else {
                "name": self.band.name,
                "low": self.band.low,
                "high": self.band.high,
                "probability": self.band.probability,
                "mcse": self.band.mcse,
            },
            "calibrated": None if self.calibrated is None else self.calibrated.to_dict(),
            "calibrated_reason": None if self.calibrated is None else self.calibrated.reason,
            "forecasts": self.forecasts,
            "spread": None if sp is None else list(sp),
            "lever": None if self.lever is None else self.lever.to_dict(),
            "aim": None if self.aim is None else self.aim.to_dict(),
            "aim_text": self.aim_text() or None,
            "inputs": self.inputs.to_dict(orient="records"),
            "observed": self.observed,
            "what_would_change": self.change_text(),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Brief:
    """The brief of a scenario: one :class:`IssueBrief` per contested issue.

    Attributes
    ----------
    scenario, title : str
    lead : str
        The model of the bands, the calibrated interval, the levers and the inputs.
    models : list of str
        The models of the spread.
    runs, seed : int
    issues : list of IssueBrief
    overview : DataFrame
        :func:`crossroads.uncertainty.what_if.overview_rows` of the lead model (what
        ``crossroads run`` prints as its intervention table).
    aims : list of AimAnswer
        Every aim planned under every model asked for (``aim_models``).
    elapsed : float
        Seconds.
    """

    scenario: str
    title: str
    lead: str
    models: list[str]
    runs: int
    seed: int
    issues: list[IssueBrief]
    overview: pd.DataFrame
    aims: list[AimAnswer]
    elapsed: float

    def to_df(self) -> pd.DataFrame:
        """One row per issue, the columns of the brief's table."""
        rows = []
        for b in self.issues:
            sp = b.spread
            rows.append(
                {
                    "issue": b.issue,
                    "most likely": b.band_text(),
                    f"{self.lead} 90%": "" if b.calibrated is None else b.calibrated.text(),
                    "models": "" if sp is None else _range(*sp),
                    "biggest lever": "" if b.lever is None else b.lever.text(),
                    "observed": b.observed,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "lead": self.lead,
            "models": self.models,
            "runs": self.runs,
            "seed": self.seed,
            "elapsed": self.elapsed,
            "issues": [b.to_dict() for b in self.issues],
        }


def lead_model(models: Sequence[str]) -> str:
    """``eum`` when among ``models``, else the first model that forecasts one issue."""
    single = [m for m in models if get_model(m).inputs != {"issues"}]
    if not single:
        raise CrossroadsError(
            f"the brief needs a model that forecasts one issue; got {', '.join(models) or 'none'}"
        )
    return "eum" if "eum" in single else single[0]


def _lever(
    comparison: Any, plans: Sequence[AimAnswer], costs: dict[str, float | None]
) -> Lever | None:
    z = 1.959963984540054
    found: list[Lever] = []

    def cost_of(ids: Sequence[str]) -> float | None:
        cs = [costs.get(i) for i in ids]
        return None if any(c is None for c in cs) else float(sum(cs))  # type: ignore[arg-type]

    if comparison is not None:
        base = comparison.baseline.distribution.mean
        for v in comparison.variants[1:]:
            s = v.shift
            kind = "intervention" if len(v.interventions) == 1 else "combination"
            found.append(
                Lever(
                    list(v.interventions),
                    kind,
                    base,
                    v.distribution.mean,
                    s.mean,
                    z * s.mcse,
                    cost_of(v.interventions),
                )  # fmt: skip
            )
    for a in plans:
        if a.result is None:
            continue
        base_pkgs = [p for p in a.result.packages if not p.interventions]
        if not base_pkgs:
            continue
        base = base_pkgs[0].mean
        for p in a.result.packages:
            if len(p.interventions) >= 2:  # singles are the comparison's, on more context
                found.append(
                    Lever(
                        list(p.interventions), "package", base, p.mean, p.mean - base, None, p.cost
                    )  # fmt: skip
                )
    if not found:
        return None
    # largest move; ties: fewer interventions, then the cheaper
    return max(
        found,
        key=lambda lv: (
            round(abs(lv.shift), 9),
            -len(lv.interventions),
            -(lv.cost if lv.cost is not None else math.inf),
        ),
    )


def _band(d: Distribution) -> Band | None:
    if not d.bands:
        return None
    return max(d.bands, key=lambda b: b.probability)  # ties: the lower band (max keeps first)


def brief(
    scenario: Scenario | str | Path,
    models: Sequence[str] = ("mean", "median", "eum"),
    *,
    runs: int = BRIEF_RUNS,
    seed: int = 0,
    lead: str | None = None,
    aim_models: Sequence[str] | None = None,
    aims: Sequence[AimAnswer] | None = None,
    aim_runs: int = AIM_RUNS,
) -> Brief:
    """The one-screen brief of every contested issue (module docstring).

    Parameters
    ----------
    scenario : Scenario, str or Path
    models : sequence of str
        The models of the spread; the lead model is :func:`lead_model` of them unless
        ``lead`` is given.
    runs, seed : int
        Of the ensembles and comparisons (and of the aims' plans).
    lead : str, optional
    aim_models : sequence of str, optional
        Plan every aim under these models (default: the lead only); the answers are kept
        in :attr:`Brief.aims` so that a caller showing them all computes them once.
    aims : sequence of AimAnswer, optional
        Answers already computed (then ``aim_models`` is not used).
    aim_runs : int
        Ensemble runs per package when planning the aims.

    Returns
    -------
    Brief
    """
    from crossroads.uncertainty import ensemble, sensitivity
    from crossroads.uncertainty.what_if import intervention_comparisons, overview_rows

    t0 = time.perf_counter()
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    models = list(models)
    lead = lead if lead is not None else lead_model(models)
    single = [m for m in models if get_model(m).inputs != {"issues"}]
    comparisons = intervention_comparisons(sc, lead, runs=runs, seed=seed, combine=True)
    if aims is None:
        aims = answer_aims(sc, list(aim_models) if aim_models else [lead], runs=aim_runs, seed=seed)
    aims = list(aims)
    costs = {iv.id: (iv.cost.value if iv.cost is not None else None) for iv in sc.interventions}
    out = []
    for iss in sc.issues:
        notes: list[str] = []
        scale = (float(iss.scale.min), float(iss.scale.max))
        observed = iss.observed.value if iss.observed is not None else None
        empty = pd.DataFrame(
            columns=["input", "low", "high", "forecast_low", "forecast_high", "swing"]
        )
        if iss.dimensions:
            notes.append(
                f"multi-dimensional ({len(iss.dimensions)} dimensions): forecast per "
                "dimension in the detail"
            )
            out.append(
                IssueBrief(
                    iss.id,
                    iss.title,
                    scale,
                    dict(iss.scale.labels),
                    None,
                    None,
                    None,
                    None,
                    {},
                    None,
                    None,
                    empty,
                    observed,
                    notes,
                )  # fmt: skip
            )
            continue
        points = {}
        for m in single:
            try:
                points[m] = float(np.asarray(forecast(sc, iss.id, m).outcome).reshape(()))
            except CrossroadsError as e:
                notes.append(f"{m}: {e}")
        point = points.get(lead)
        if point is None and lead not in points:
            try:
                point = float(np.asarray(forecast(sc, iss.id, lead).outcome).reshape(()))
            except CrossroadsError as e:
                notes.append(f"{lead}: {e}")
        calibrated = builtin_interval(lead, point, scale, level=0.9) if point is not None else None
        comparison = comparisons.get(iss.id)
        dist = None
        if comparison is not None:
            dist = comparison.baseline.distribution
        else:
            try:
                dist = ensemble(sc, iss.id, lead, runs=runs, seed=seed).distribution
            except CrossroadsError as e:
                notes.append(f"ensemble of {lead}: {e}")
        band = _band(dist) if dist is not None else None
        if dist is not None and band is None:
            notes.append("the scale has no labelled points, so no bands")
        try:
            sens = sensitivity(sc, iss.id, lead, method="oat", seed=seed)
            top = sens.top(TOP_INPUTS)
            top = top[top["swing"] > 0][list(empty.columns)].reset_index(drop=True)
        except CrossroadsError as e:
            notes.append(f"sensitivity of {lead}: {e}")
            top = empty
        mine = [a for a in aims if a.aim.issue == iss.id]
        aim = next((a for a in mine if a.model == lead), mine[0] if mine else None)
        lever = _lever(comparison, [a for a in mine if a.model == lead], costs)
        out.append(
            IssueBrief(
                issue=iss.id,
                title=iss.title,
                scale=scale,
                labels={float(k): v for k, v in iss.scale.labels.items()},
                point=point,
                band=band,
                mean=None if dist is None else dist.mean,
                calibrated=calibrated,
                forecasts=points,
                lever=lever,
                aim=aim,
                inputs=top,
                observed=observed,
                notes=notes,
                bands=list(dist.bands) if dist is not None else [],
            )
        )
    return Brief(
        scenario=sc.id,
        title=sc.title,
        lead=lead,
        models=models,
        runs=runs,
        seed=seed,
        issues=out,
        overview=overview_rows(comparisons),
        aims=aims,
        elapsed=time.perf_counter() - t0,
    )
