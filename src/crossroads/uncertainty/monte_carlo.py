"""Monte Carlo ensembles: draw N input sets, run the batched model in chunks, stream a summary."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError, ModelError
from crossroads.evaluation.calibrated_display import CalibratedInterval, builtin_interval
from crossroads.models import get_model
from crossroads.models.base import require_weight
from crossroads.models.spec import ModelParams
from crossroads.presets import resolve
from crossroads.scenario import Scenario, load
from crossroads.scenario.schema import Issue
from crossroads.seeding import model_rng
from crossroads.store import PROVENANCE, scenario_hash
from crossroads.uncertainty.chunks import (
    ChunkResult,
    Job,
    chunk_ranges,
    default_chunk_size,
    run_chunk,
)
from crossroads.uncertainty.executors import Executor, make_executor
from crossroads.uncertainty.linked_sampling import LinkedInputSpec, linked_input_spec
from crossroads.uncertainty.options import MAX_RUNS, RunOptions
from crossroads.uncertainty.sampling import FIELDS, InputSpec, input_spec
from crossroads.uncertainty.summary import (
    Distribution,
    StreamSummary,
    ThresholdShares,
    bands_of,
)

__all__ = ["MAX_RUNS", "EnsembleResult", "Prepared", "ensemble", "prepare"]

Progress = Callable[[int, int], None]


def chunk_for(options: RunOptions, n_actors: int) -> int:
    """Runs per chunk: the options' chunk size (whole blocks), else the default for the issue."""
    return options.chunk_size or default_chunk_size(n_actors)


@dataclass(frozen=True)
class Prepared:
    """A scenario, issue, model and parameters checked and ready to run."""

    scenario: Scenario
    issue: Issue
    model: str
    preset: str | None
    params: dict[str, Any]
    settings: ModelParams
    spec: InputSpec | LinkedInputSpec
    band_edges: np.ndarray
    band_names: list[str]
    hash: str


def prepare(
    scenario: Scenario | str | Path,
    issue: str | None,
    model: str,
    preset: str | None,
    params: dict[str, Any],
    interventions: Sequence[str] = (),
    default_uncertainty: bool = True,
    fields: Sequence[str] = FIELDS,
) -> Prepared:
    """Load and check everything an ensemble, sensitivity study or comparison needs."""

    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    iss = sc.issue(issue)
    settings = resolve(model, preset, **params)
    arr = sc.arrays(iss.id)
    if np.ndim(arr.position) != 1:
        raise ModelError(
            f"issue '{iss.id}' is multi-dimensional; ensemble, sensitivity and compare "
            "summarise one-dimensional issues only"
        )
    spec = model_input_spec(sc, iss.id, model, interventions, default_uncertainty, fields)
    where = f"{scenario}: " if not isinstance(scenario, Scenario) else ""
    get_model(model).check_actors(spec.n_actors, f"{where}issue '{iss.id}': ")
    # as forecast does: the eum kernel would weigh all equally
    for one in spec.specs if isinstance(spec, LinkedInputSpec) else (spec,):
        c0, s0, _ = one.nominal
        require_weight(c0, s0, one.issue)
    bands = bands_of(float(iss.scale.min), float(iss.scale.max), dict(iss.scale.labels))
    edges = np.array([b[0] for b in bands] + [bands[-1][1]]) if bands else np.empty(0)
    return Prepared(
        scenario=sc,
        issue=iss,
        model=model,
        preset=preset,
        params=settings.model_dump(),
        settings=settings,
        spec=spec,
        band_edges=edges,
        band_names=[b[2] for b in bands],
        hash=scenario_hash(sc),
    )


def model_input_spec(
    scenario: Scenario,
    issue: str,
    model: str,
    interventions: Sequence[str] = (),
    default_uncertainty: bool = True,
    fields: Sequence[str] = FIELDS,
) -> InputSpec | LinkedInputSpec:
    """The uncertain inputs ``model`` needs to forecast ``issue``: the issue's own, or for a
    model of linked issues (``exchange``) those of the issue's linked set."""
    build = linked_input_spec if get_model(model).inputs == {"issues"} else input_spec
    return build(
        scenario, issue, interventions=interventions, default_uncertainty=default_uncertainty,
        fields=fields,
    )  # fmt: skip


def execute(
    job: Job,
    runs: int,
    chunk_size: int,
    executor: Executor,
    progress: Progress | None = None,
) -> tuple[list[StreamSummary], list[StreamSummary]]:
    """Run every chunk of ``job`` on ``executor``; merge parts as they arrive.

    Returns one summary per variant and one per variant's shift from the baseline.
    """
    lo, hi = job.specs[0].scale
    w = hi - lo
    sums = [
        StreamSummary(lo, hi, runs, job.band_edges, job.bins, job.keep, job.threshold)
        for _ in job.specs
    ]
    shifts = [StreamSummary(-w, w, runs, (), 2 * job.bins, job.keep) for _ in job.specs[1:]]
    tasks = [(job, a, b) for a, b in chunk_ranges(runs, chunk_size)]
    done = 0
    if progress is not None:
        progress(0, runs)
    for _, res in executor.map(run_chunk, tasks):
        assert isinstance(res, ChunkResult)
        for acc, part in zip(sums, res.parts, strict=True):
            acc.add(part)
        for acc, part in zip(shifts, res.shifts, strict=True):
            acc.add(part)
        done += res.stop - res.start
        if progress is not None:
            progress(done, runs)
    if sums[0].seen != runs:  # pragma: no cover - executor bug
        raise CrossroadsError(f"executor returned {sums[0].seen} of {runs} runs")
    return sums, shifts


def check_threshold(threshold: float | None, iss: Issue) -> float | None:
    """``threshold`` if it lies on ``iss``'s scale (or is None), else a clear error."""
    if threshold is None:
        return None
    lo, hi = float(iss.scale.min), float(iss.scale.max)
    if not lo <= threshold <= hi:
        raise CrossroadsError(
            f"threshold {threshold:g} lies outside the scale of issue '{iss.id}' ({lo:g}..{hi:g})"
        )
    return threshold


def observed_outcome(iss: Issue) -> float | None:
    """The issue's observed outcome (its ``observed.value``), or None when none is recorded."""
    return float(iss.observed.value) if iss.observed is not None else None


def provenance(result: Any, kind: str) -> dict[str, Any]:
    """``{"kind": kind}`` and the :data:`PROVENANCE` fields of ``result``."""
    return {"kind": kind, **{name: getattr(result, name) for name in PROVENANCE}}


@dataclass(frozen=True)
class EnsembleResult:
    """The distribution of one model's forecast of one issue under uncertain inputs.

    Attributes
    ----------
    scenario, scenario_hash, issue, model : str
    preset : str or None
    params : dict
        Full model parameters.
    seed, runs, chunk_size : int
    executor : str
    interventions : list of str
    default_uncertainty : bool
    scale : (float, float)
    distribution : Distribution
        Mean, median, quantiles, labelled bands, Monte Carlo errors.
    inputs : DataFrame
        Each (actor, field) with its distribution and where it comes from.
    elapsed : float
        Seconds.
    per_run : DataFrame or None
        ``run``, ``forecast``, ``rounds`` of every run (only with ``keep_runs=True``).
    threshold : ThresholdShares or None
        With the ``threshold`` option X: the exact shares of runs with forecast >= X and
        <= X and their Monte Carlo errors (``distribution.threshold``).
    run_id : int or None
        Id in the run store, when saved.
    """

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
    interventions: list[str]
    default_uncertainty: bool
    scale: tuple[float, float]
    distribution: Distribution
    inputs: pd.DataFrame
    elapsed: float
    per_run: pd.DataFrame | None = None
    run_id: int | None = None
    store: str | None = None
    point: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    fields: list[str] = field(default_factory=lambda: list(FIELDS))

    @property
    def mean(self) -> float:
        return self.distribution.mean

    @property
    def threshold(self) -> ThresholdShares | None:
        return self.distribution.threshold

    @property
    def median(self) -> float:
        return self.distribution.median

    @property
    def calibrated(self) -> CalibratedInterval:
        """The 90% interval of the point forecast calibrated on DEU III outcomes, beside the
        ensemble's spread (input noise only); unavailable, with the reason, for a model,
        preset or parameters without a shipped calibration."""
        return builtin_interval(
            self.model, math.nan if self.point is None else self.point, self.scale,
            preset=self.preset, params=self.params,
        )  # fmt: skip

    def to_df(self) -> pd.DataFrame:
        """One row per statistic: ``value`` and its Monte Carlo standard error ``mcse``."""
        d = self.distribution
        rows = [{"statistic": "mean", "value": d.mean, "mcse": d.mcse}]
        for p, v in d.quantiles.items():
            name = "median" if p == 0.5 else f"q{round(p * 100):02d}"
            rows.append({"statistic": name, "value": v, "mcse": d.quantile_mcse[p]})
        rows.append({"statistic": "sd", "value": d.sd, "mcse": math.nan})
        for b in d.bands:
            rows.append({"statistic": f"P({b.name})", "value": b.probability, "mcse": b.mcse})
        t = d.threshold
        if t is not None:
            rows.append(
                {
                    "statistic": f"P(>= {t.value:g})",
                    "value": t.p_at_least,
                    "mcse": t.p_at_least_mcse,
                }
            )
            rows.append(
                {"statistic": f"P(<= {t.value:g})", "value": t.p_at_most, "mcse": t.p_at_most_mcse}
            )
        return pd.DataFrame(rows).set_index("statistic")

    def bands_df(self) -> pd.DataFrame:
        """The labelled bands with their probabilities."""
        return pd.DataFrame([dataclasses.asdict(b) for b in self.distribution.bands])

    def runs_df(self) -> pd.DataFrame:
        """Per-run forecasts (needs ``keep_runs=True``)."""
        if self.per_run is None:
            raise CrossroadsError("per-run forecasts were not kept; pass keep_runs=True")
        return self.per_run

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the JSON output and what the run store keeps)."""
        return {
            **provenance(self, "ensemble"),
            "runs": self.runs,
            "chunk_size": self.chunk_size,
            "executor": self.executor,
            "interventions": self.interventions,
            "default_uncertainty": self.default_uncertainty,
            "scale": list(self.scale),
            "point_forecast": self.point,
            **self.calibrated.as_json("point_forecast"),
            "uncertain_inputs": int(self.inputs["uncertain"].sum()),
            "inputs": self.inputs.to_dict(orient="records"),
            "distribution": self.distribution.to_dict(),
            "threshold": self.threshold.to_dict() if self.threshold is not None else None,
            "elapsed": self.elapsed,
            "run_id": self.run_id,
        }

    def record(self) -> dict[str, Any]:
        """What the run store keeps beyond the provenance (see crossroads.store.save_result)."""
        return {
            "kind": "ensemble",
            "runs": self.runs,
            "options": {
                "interventions": self.interventions,
                "default_uncertainty": self.default_uncertainty,
                "fields": self.fields,
                "executor": self.executor,
                "chunk_size": self.chunk_size,
                "threshold": self.threshold.value if self.threshold is not None else None,
            },
            "elapsed": self.elapsed,
            "headline": self.headline(),
            "summary": self.to_dict(),
        }

    def headline(self) -> str:
        d = self.distribution
        out = (
            f"mean {d.mean:.4g} ± {d.mcse:.2g}, median {d.median:.4g}, "
            f"90% in {d.quantiles[0.05]:.4g}..{d.quantiles[0.95]:.4g}"
        )
        t = d.threshold
        if t is not None:
            out += (
                f", P(>= {t.value:g}) {t.p_at_least:.3f} ± {t.p_at_least_mcse:.2g}, "
                f"P(<= {t.value:g}) {t.p_at_most:.3f} ± {t.p_at_most_mcse:.2g}"
            )
        return out

    def _repr_html_(self) -> str:  # Jupyter: a histogram and the summary table
        from crossroads.display import ensemble_html

        return ensemble_html(self)


def point_forecast(
    prep: Prepared, spec: InputSpec | LinkedInputSpec | None = None, seed: int = 0
) -> float:
    """The model's forecast at the stakes' own values (a batch of one; a stochastic model
    draws from the stream of run 0 of ``seed``)."""
    spec = spec or prep.spec
    c, s, x = spec.nominal
    res = get_model(prep.model).run(
        c[None], s[None], x[None], scale=spec.kernel_scale, params=prep.settings.forecast_only(),
        rng=model_rng(seed, 0),
    )  # fmt: skip
    return float(spec.select(res.forecast)[0, -1])


def ensemble(
    scenario: Scenario | str | Path,
    issue: str | None = None,
    model: str = "mean",
    options: RunOptions | None = None,
    *,
    executor: Executor | None = None,
    keep_runs: bool = False,
    progress: Progress | None = None,
    **settings: Any,
) -> EnsembleResult:
    """Monte Carlo ensemble of ``model``'s forecast of ``issue`` under uncertain stakes.

    Draws ``runs`` input sets (see :mod:`crossroads.uncertainty.sampling` for the
    distributions and the built-in default), runs the batched model chunk by
    chunk and aggregates the final forecasts as they stream, so memory does not
    grow with ``runs`` (unless ``keep_runs``). The result is returned, not saved:
    :func:`crossroads.store.save_result` keeps it in the run store.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A scenario or anything :func:`crossroads.load` accepts.
    issue : str, optional
        Issue id (may be omitted when the scenario has one issue).
    model : str
        A model name (``mean``, ``median``, ``eum``, ...).
    options : RunOptions, optional
        Runs, seed, preset, model parameters, interventions applied first, the default
        uncertainty, the stake fields that vary, and the executor's workers, scheduler
        and chunk size (see :class:`~crossroads.uncertainty.options.RunOptions`). The same
        seed gives the same numbers on every executor, worker count and chunk size.
        ``threshold`` X (a point on the issue's scale) adds the exact shares of runs with
        forecast >= X and <= X (:attr:`EnsembleResult.threshold`).
    executor : Executor, optional
        An already open executor (overrides ``workers`` and ``scheduler``).
    keep_runs : bool
        Also return every run's forecast as :attr:`EnsembleResult.per_run`.
    progress : callable, optional
        Called as ``progress(done_runs, total_runs)`` after each chunk.
    **settings
        Fields of :class:`RunOptions` (``runs=2000``, ``seed=1``, ...) overriding
        ``options``; any other name is a model parameter (``rounds=5``).

    Returns
    -------
    EnsembleResult

    Examples
    --------
    >>> import crossroads
    >>> r = crossroads.ensemble("tests/data/ensemble-small.yaml", "trade", "mean", runs=2000)
    >>> r.distribution.n
    2000
    """
    opts = RunOptions.of(options, settings)
    runs, seed = opts.runs, opts.seed
    prep = prepare(
        scenario, issue, model, opts.preset, opts.params, opts.interventions,
        opts.default_uncertainty, opts.fields,
    )  # fmt: skip
    threshold = check_threshold(opts.threshold, prep.issue)
    chunk = chunk_for(opts, prep.spec.n_actors)
    job = Job(
        prep.model, prep.settings, (prep.spec,), seed, prep.band_edges, keep=keep_runs,
        threshold=threshold,
    )  # fmt: skip
    point = point_forecast(prep, seed=seed)
    t0 = time.perf_counter()
    own = executor is None
    ex = make_executor(opts.workers, opts.scheduler) if own else executor
    assert ex is not None
    try:
        sums, _ = execute(job, runs, chunk, ex, progress)
    finally:
        if own:
            ex.close()
    elapsed = time.perf_counter() - t0
    acc = sums[0]
    dist = acc.distribution(prep.band_names, observed_outcome(prep.issue))
    if dist.n == 0:
        raise ModelError(
            f"none of the {runs} runs gave a forecast: every actor's capability x salience was "
            "zero in every draw"
        )
    per_run = None
    if keep_runs:
        vals, rounds = acc.values()
        per_run = pd.DataFrame({"run": np.arange(runs), "forecast": vals, "rounds": rounds})
    return EnsembleResult(
        scenario=prep.scenario.id,
        scenario_hash=prep.hash,
        issue=prep.issue.id,
        model=prep.model,
        preset=prep.preset,
        params=prep.params,
        seed=seed,
        runs=runs,
        chunk_size=chunk,
        executor=getattr(ex, "name", "executor"),
        interventions=list(opts.interventions),
        default_uncertainty=opts.default_uncertainty,
        scale=prep.spec.scale,
        distribution=dist,
        inputs=prep.spec.inputs_df(),
        elapsed=elapsed,
        per_run=per_run,
        point=point,
        fields=list(opts.fields),
    )
