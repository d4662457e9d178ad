"""What-if comparison: baseline vs each intervention and all of them, on common random numbers.

Every variant is run on the *same* uniform draws (run ``r`` of every variant
uses run ``r``'s uniforms; see :mod:`crossroads.uncertainty.sampling`), so the
per-run shift ``forecast(variant) - forecast(baseline)`` is free of sampling
noise between variants: an intervention that changes nothing gives exactly zero
in every run, and the Monte Carlo error of a mean shift is the (usually much
smaller) spread of the paired differences, not of two independent ensembles.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crossroads.errors import CrossroadsError, InterventionError, ModelError
from crossroads.scenario import Scenario, Stake, apply_interventions, load
from crossroads.scenario.linked_sets import linked_set_of
from crossroads.uncertainty.chunks import Job
from crossroads.uncertainty.executors import Executor, make_executor
from crossroads.uncertainty.linked_sampling import LinkedInputSpec
from crossroads.uncertainty.monte_carlo import (
    check_threshold,
    chunk_for,
    execute,
    model_input_spec,
    observed_outcome,
    point_forecast,
    prepare,
    provenance,
)
from crossroads.uncertainty.options import CompareOptions
from crossroads.uncertainty.summary import Distribution

__all__ = [
    "ComparisonResult",
    "Variant",
    "compare",
    "intervention_comparisons",
    "intervention_overview",
    "overview_rows",
]

_Z = 1.959963984540054


@dataclass(frozen=True)
class Variant:
    """One arm of a comparison.

    Attributes
    ----------
    name : str
        'baseline', an intervention id, or ids joined by ' + ' for a combination.
    interventions : list of str
    distribution : Distribution
        The forecast over the ensemble.
    shift : Distribution or None
        Per-run forecast minus the baseline's on the same draws (None for the baseline).
    point : float
        The forecast at the stakes' own values.
    touches_issue : bool
        Whether the interventions change any stake of the issue.
    """

    name: str
    interventions: list[str]
    distribution: Distribution
    shift: Distribution | None
    point: float
    touches_issue: bool = True

    def describe(self) -> str:
        """The shift in plain words."""
        if self.shift is None:
            d = self.distribution
            return f"baseline: mean {d.mean:.4g}, median {d.median:.4g}"
        if not self.touches_issue:
            return f"{self.name}: changes no stake of this issue (shift 0 in every run)"
        s = self.shift
        ci = _Z * s.mcse
        word = "raises" if s.mean > 0 else "lowers" if s.mean < 0 else "leaves"
        return (
            f"{self.name} {word} the forecast by {abs(s.mean):.3g} on average "
            f"(± {ci:.2g}, 95% Monte Carlo interval); across the input uncertainty the shift "
            f"runs from {s.quantiles[0.05]:+.3g} to {s.quantiles[0.95]:+.3g} (5-95%), "
            f"up in {s.above:.0%} of draws, down in {s.below:.0%}"
        )


@dataclass(frozen=True)
class ComparisonResult:
    """Baseline and what-if variants of one forecast, on common random numbers."""

    scenario: str
    scenario_hash: str
    issue: str
    model: str
    preset: str | None
    params: dict[str, Any]
    seed: int
    runs: int
    chunk_size: int
    executor: str
    variants: list[Variant]
    elapsed: float
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None
    store: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """What the run store keeps beyond the provenance (see crossroads.store.save_result)."""
        head = "; ".join(
            f"{v.name} {v.shift.mean:+.3g}" for v in self.variants[1:] if v.shift is not None
        )
        return {
            "kind": "compare",
            "runs": self.runs,
            "options": {**self.options, "executor": self.executor, "chunk_size": self.chunk_size},
            "elapsed": self.elapsed,
            "headline": f"shift of the mean: {head}",
            "summary": self.to_dict(),
        }

    @property
    def baseline(self) -> Variant:
        return self.variants[0]

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(name)

    def to_df(self) -> pd.DataFrame:
        """One row per variant: the forecast's distribution and the shift from the baseline."""
        rows = []
        for v in self.variants:
            d, s = v.distribution, v.shift
            row = {
                "variant": v.name,
                "point": v.point,
                "mean": d.mean,
                "mcse": d.mcse,
                "median": d.median,
                "q05": d.quantiles[0.05],
                "q95": d.quantiles[0.95],
                "shift_mean": s.mean if s else 0.0,
                "shift_mcse": s.mcse if s else 0.0,
                "shift_q05": s.quantiles[0.05] if s else 0.0,
                "shift_median": s.median if s else 0.0,
                "shift_q95": s.quantiles[0.95] if s else 0.0,
                "p_up": s.above if s else math.nan,
                "p_down": s.below if s else math.nan,
            }
            for b in d.bands:
                row[f"P({b.name})"] = b.probability
            if d.threshold is not None:
                t = d.threshold
                row[f"P(>= {t.value:g})"] = t.p_at_least
                row[f"P(>= {t.value:g}) mcse"] = t.p_at_least_mcse
                row[f"P(<= {t.value:g})"] = t.p_at_most
                row[f"P(<= {t.value:g}) mcse"] = t.p_at_most_mcse
            rows.append(row)
        return pd.DataFrame(rows).set_index("variant")

    def summary_text(self) -> str:
        return "\n".join(v.describe() for v in self.variants[1:])

    def to_dict(self) -> dict[str, Any]:
        return {
            **provenance(self, "compare"),
            "runs": self.runs,
            "chunk_size": self.chunk_size,
            "executor": self.executor,
            "variants": [
                {
                    "name": v.name,
                    "interventions": v.interventions,
                    "point_forecast": v.point,
                    "touches_issue": v.touches_issue,
                    "distribution": v.distribution.to_dict(),
                    "threshold": (
                        v.distribution.threshold.to_dict()
                        if v.distribution.threshold is not None
                        else None
                    ),
                    "shift": v.shift.to_dict() if v.shift is not None else None,
                    "summary": v.describe(),
                }
                for v in self.variants
            ],
            "notes": self.notes,
            "elapsed": self.elapsed,
            "run_id": self.run_id,
        }


def _what_counts(sc: Scenario, issue: str, spec: Any) -> Any:
    """What an intervention must change to touch the forecast of ``issue``: the issue's
    stakes, or for a model of linked issues its linked set and the set's stakes."""
    if not isinstance(spec, LinkedInputSpec):
        return sc.issue(issue).model_dump()
    group = linked_set_of(sc, issue)
    return group, [sc.issue(i).model_dump() for i in group]


def compare(
    scenario: Scenario | str | Path,
    issue: str | None = None,
    model: str = "mean",
    interventions: Sequence[str] = (),
    options: CompareOptions | None = None,
    *,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> ComparisonResult:
    """Compare the baseline with each intervention and (``combine``) all of them together.

    Parameters
    ----------
    interventions : sequence of str
        Intervention ids of the scenario, at least one: the arms compared.
    options : CompareOptions, optional
        As for :func:`crossroads.ensemble` (its ``interventions`` are applied to every arm,
        the baseline included), and ``combine``: add the combination of all the
        interventions compared (applied in the order given) when there are two or more.

    Other Parameters
    ----------------
    **settings
        As for :func:`crossroads.ensemble`.

    Returns
    -------
    ComparisonResult

    Raises
    ------
    InterventionError
        An unknown intervention, or one that cannot be applied.

    Examples
    --------
    >>> import crossroads
    >>> r = crossroads.compare("tests/data/ensemble-small.yaml", "trade", "mean", ["noop"],
    ...                        runs=1024)
    >>> r.variant("noop").shift.mean
    0.0
    """
    interventions = list(interventions)
    if not interventions:
        raise CrossroadsError("give at least one intervention to compare with the baseline")
    dup = sorted({n for n in interventions if interventions.count(n) > 1})
    if dup:
        raise InterventionError(f"intervention '{dup[0]}' is given twice")
    opts = CompareOptions.of(options, settings)
    runs, seed, combine = opts.runs, opts.seed, opts.combine
    default_uncertainty, fields, first = opts.default_uncertainty, opts.fields, opts.interventions
    prep = prepare(
        scenario, issue, model, opts.preset, opts.params, first, default_uncertainty, fields
    )
    sc, iss = prep.scenario, prep.issue
    arms: list[list[str]] = [[n] for n in interventions]
    if combine and len(interventions) > 1:
        arms.append(list(interventions))
    specs = [prep.spec]
    touches = [True]
    points = [point_forecast(prep, seed=seed)]
    before = _what_counts(apply_interventions(sc, first), iss.id, prep.spec)
    for arm in arms:
        after = apply_interventions(sc, [*first, *arm])
        touches.append(_what_counts(after, iss.id, prep.spec) != before)
        spec = model_input_spec(sc, iss.id, prep.model, [*first, *arm], default_uncertainty, fields)
        specs.append(spec)
        points.append(point_forecast(prep, spec, seed))
    chunk = chunk_for(opts, max(s.n_actors for s in specs))
    threshold = check_threshold(opts.threshold, iss)
    job = Job(prep.model, prep.settings, tuple(specs), seed, prep.band_edges, threshold=threshold)
    t0 = time.perf_counter()
    own = executor is None
    ex = make_executor(opts.workers, opts.scheduler) if own else executor
    try:
        sums, shifts = execute(job, runs, chunk, ex, progress)
        exname = ex.name
    finally:
        if own:
            ex.close()
    elapsed = time.perf_counter() - t0
    observed = observed_outcome(iss)
    variants = []
    notes = []
    for k, (name, acc) in enumerate(zip([["baseline"]] + arms, sums, strict=True)):
        dist = acc.distribution(prep.band_names, observed)
        if dist.n == 0:
            raise ModelError(f"variant '{' + '.join(name)}' gave no forecast in any run")
        shift = shifts[k - 1].distribution() if k else None
        label = "baseline" if k == 0 else " + ".join(name)
        variants.append(
            Variant(
                name=label,
                interventions=[] if k == 0 else list(name),
                distribution=dist,
                shift=shift,
                point=points[k],
                touches_issue=touches[k],
            )
        )
        if k and not touches[k]:
            notes.append(f"'{label}' changes no stake of issue '{iss.id}'")
        if dist.n_invalid:
            notes.append(f"'{label}': {dist.n_invalid} runs gave no forecast and are left out")
    return ComparisonResult(
        scenario=sc.id,
        scenario_hash=prep.hash,
        issue=iss.id,
        model=prep.model,
        preset=prep.preset,
        params=prep.params,
        seed=seed,
        runs=runs,
        chunk_size=chunk,
        executor=exname,
        variants=variants,
        elapsed=elapsed,
        notes=notes,
        options={
            "interventions": interventions,
            "applied_first": list(first),
            "combine": combine,
            "fields": list(fields),
            "default_uncertainty": default_uncertainty,
            "threshold": threshold,
        },
    )


def intervention_comparisons(
    scenario: Scenario | str | Path,
    model: str = "mean",
    *,
    runs: int = 1024,
    seed: int = 0,
    preset: str | None = None,
    combine: bool = False,
    **params: Any,
) -> dict[str, ComparisonResult]:
    """Every intervention of a scenario against the baseline, issue by issue.

    For each one-dimensional issue that some intervention edits, one :func:`compare` of
    those interventions on common random numbers (with ``combine``, their combination as
    well, when two or more edit the issue). Used by :func:`intervention_overview` and
    :func:`crossroads.briefing.brief`.

    Returns
    -------
    dict of str to ComparisonResult
        Issue id -> its comparison, in the scenario's issue order; issues no intervention
        edits (and multi-dimensional issues) are absent.
    """
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    out: dict[str, ComparisonResult] = {}
    for iss in sc.issues:
        if not isinstance(iss.stakes[0], Stake):  # multi-dimensional: not summarised
            continue
        names = [iv.id for iv in sc.interventions if any(e.issue == iss.id for e in iv.edits)]
        if not names:
            continue
        out[iss.id] = compare(
            sc, iss.id, model, names, runs=runs, seed=seed, preset=preset, combine=combine,
            **params,
        )  # fmt: skip
    return out


def overview_rows(comparisons: dict[str, ComparisonResult]) -> pd.DataFrame:
    """The rows of :func:`intervention_overview` from :func:`intervention_comparisons`:
    one per (single intervention, issue); combinations are left out."""
    rows = []
    for issue, res in comparisons.items():
        base = res.baseline.distribution
        for v in res.variants[1:]:
            if len(v.interventions) != 1:
                continue
            s = v.shift
            assert s is not None
            rows.append(
                {
                    "intervention": v.name,
                    "issue": issue,
                    "baseline": base.mean,
                    "with": v.distribution.mean,
                    "shift": s.mean,
                    "± 95%": _Z * s.mcse,
                    "shift 5-95%": f"{s.quantiles[0.05]:+.1f} .. {s.quantiles[0.95]:+.1f}",
                    "P(up)": s.above,
                }
            )
    return pd.DataFrame(rows)


def intervention_overview(
    scenario: Scenario | str | Path,
    model: str = "mean",
    *,
    runs: int = 1024,
    seed: int = 0,
    preset: str | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Every intervention of a scenario against the baseline, on each issue it changes.

    For each one-dimensional issue that some intervention edits, one
    :func:`compare` of those interventions (not combined) on common random
    numbers; used by ``crossroads run``.

    Returns
    -------
    DataFrame
        One row per (intervention, issue): ``intervention``, ``issue``, ``baseline``
        and ``with`` (mean forecasts), ``shift`` (mean shift), ``± 95%`` (its Monte
        Carlo interval), ``shift 5-95%`` and ``P(up)``. Empty when the scenario has no
        intervention.
    """
    return overview_rows(
        intervention_comparisons(scenario, model, runs=runs, seed=seed, preset=preset, **params)
    )
