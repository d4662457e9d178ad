"""Which uncertain input moves the forecast most: Sobol indices and a one-at-a-time tornado.

Sobol (variance-based) indices
------------------------------
Each uncertain input (an actor's position, salience or capability, with the
distribution :mod:`crossroads.uncertainty.sampling` gives it) is written as the
inverse CDF of a uniform ``u`` on [0, 1]. SALib draws a Sobol' sequence design
over the ``u`` (``SALib.sample.sobol.sample``, Saltelli's scheme, ``N`` a power
of 2, ``N (D + 2)`` model runs for ``D`` inputs) and estimates, for each input,
the first-order index ``S1`` (the share of the forecast's variance that the input
explains alone) and the total index ``ST`` (its share including every
interaction), with bootstrap 95% confidence intervals
(``SALib.analyze.sobol.analyze``; Saltelli et al. 2010, Comput. Phys. Commun.
181, 259-270, doi:10.1016/j.cpc.2009.09.018). Inputs are ranked by ``ST``.

One at a time (tornado)
-----------------------
Every input at its stake value except one, set to the 5% and then the 95%
quantile of its distribution; inputs are ranked by the swing of the forecast: the
span of the forecasts at the low value, the stake value and the high value (for a
forecast monotone in the input, simply |f(high) - f(low)|).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError, ModelError
from crossroads.models import get_model
from crossroads.scenario import Scenario
from crossroads.seeding import model_rng
from crossroads.uncertainty.chunks import Job, run_design
from crossroads.uncertainty.executors import Executor, make_executor
from crossroads.uncertainty.monte_carlo import chunk_for, point_forecast, prepare, provenance
from crossroads.uncertainty.options import METHODS, SensitivityOptions
from crossroads.uncertainty.sampling import FIELDS, InputSpec
from crossroads.wording import possessive

__all__ = ["METHODS", "SensitivityResult", "sensitivity"]

#: Quantiles of each input's distribution used as its low and high in the tornado.
OAT_LOW, OAT_HIGH = 0.05, 0.95


@dataclass(frozen=True)
class SensitivityResult:
    """Sensitivity of one forecast to every uncertain input, ranked.

    Attributes
    ----------
    method : {'sobol', 'oat'}
    table : DataFrame
        One row per uncertain input, most important first. Columns ``input``
        (e.g. "Russia's position"), ``actor``, ``field``, ``distribution``;
        for Sobol ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; for OAT ``low``,
        ``high``, ``forecast_low``, ``forecast_high``, ``swing``.
    point : float
        The forecast at the stakes' own values.
    model_runs : int
        Model runs made.
    variance : float
        Variance of the forecast over the design (Sobol).
    """

    method: str
    scenario: str
    scenario_hash: str
    issue: str
    model: str
    preset: str | None
    params: dict[str, Any]
    seed: int
    samples: int
    model_runs: int
    point: float
    variance: float
    table: pd.DataFrame
    elapsed: float
    executor: str
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None
    store: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """What the run store keeps beyond the provenance (see crossroads.store.save_result)."""
        return {
            "kind": "sensitivity",
            "runs": self.model_runs,
            "options": {**self.options, "executor": self.executor},
            "elapsed": self.elapsed,
            "headline": self.headline(),
            "summary": self.to_dict(),
        }

    def to_df(self) -> pd.DataFrame:
        """The ranked table."""
        return self.table

    def top(self, k: int = 3) -> pd.DataFrame:
        """The ``k`` most important inputs."""
        return self.table.head(k)

    def headline(self, k: int = 3) -> str:
        """The ``k`` most important inputs in one short line."""
        col = "ST" if self.method == "sobol" else "swing"
        top = self.table.head(k)
        return f"{self.method}: " + ", ".join(
            f"{r['input']} ({col} {r[col]:.3g})" for _, r in top.iterrows()
        )

    def summary_text(self, k: int = 3) -> str:
        """Which ``k`` inputs matter most, in plain words."""
        return _plain_words(self.method, self.table, self.variance, k, self.point)

    def to_dict(self) -> dict[str, Any]:
        return {
            **provenance(self, "sensitivity"),
            "method": self.method,
            "samples": self.samples,
            "model_runs": self.model_runs,
            "point_forecast": self.point,
            "variance": self.variance,
            "inputs": self.table.to_dict(orient="records"),
            "summary": self.summary_text(),
            "notes": self.notes,
            "executor": self.executor,
            "elapsed": self.elapsed,
            "run_id": self.run_id,
        }


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plain_words(
    method: str, table: pd.DataFrame, variance: float, k: int, point: float = float("nan")
) -> str:
    top = table.head(k)
    if top.empty:
        return "No input is uncertain, so nothing moves the forecast."
    lead = (
        "The input that matters most is"
        if len(top) == 1
        else (f"The {len(top)} inputs that matter most are")
    )
    if method == "sobol":
        if not variance > 0:
            return "The forecast did not vary across the design: no input moves it."
        parts = [f"{r.input} (total index {r.ST:.2f}, alone {r.S1:.2f})" for r in top.itertuples()]
        alone = float(np.clip(top["S1"], 0, None).sum())
        tail = (
            ". A total index is the share of the forecast's variance that involves the input, "
            f"interactions included; on their own (first-order) these {len(top)} explain about "
            f"{min(alone, 1.0):.0%} of it."
        )
        return f"{lead} {_and(parts)}{tail}"
    if not float(top["swing"].iloc[0]) > 0:
        return "Moving any single input between its 5% and 95% values leaves the forecast as it is."
    parts = [
        f"{r.input} (forecast {r.forecast_low:.3g} at {r.low:.3g}, {point:.3g} at its stake "
        f"value {r.value:.3g}, {r.forecast_high:.3g} at {r.high:.3g}: a swing of {r.swing:.3g})"
        for r in top.itertuples()
    ]
    return f"{lead} {_and(parts)}."


def _input_names(names: list[str], fidx: np.ndarray, aidx: np.ndarray) -> list[str]:
    return [f"{possessive(names[a])} {FIELDS[f]}" for f, a in zip(fidx, aidx, strict=True)]


def sensitivity(
    scenario: Scenario | str | Path,
    issue: str | None = None,
    model: str = "mean",
    options: SensitivityOptions | None = None,
    *,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> SensitivityResult:
    """Rank the uncertain inputs of ``issue`` by how much they move ``model``'s forecast.

    Parameters
    ----------
    scenario, issue, model
        As for :func:`crossroads.ensemble`.
    options : SensitivityOptions, optional
        The ensemble's options (:class:`~crossroads.uncertainty.options.RunOptions`; ``runs``
        is not used) and ``method`` (``'sobol'``: first-order and total indices; ``'oat'``:
        a one-at-a-time tornado) and ``samples`` (the Sobol base sample size ``N``, a power
        of 2: ``N (D + 2)`` model runs). ``seed`` seeds the scrambled Sobol' sequence and
        (through a seed derived from it) the bootstrap of the confidence intervals;
        ``fields`` are the stake fields that may vary. The executor settings apply to Sobol
        only (the tornado's 2D + 1 runs are one batch in this process).
    executor, progress, **settings
        As for :func:`crossroads.ensemble`.

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import crossroads
    >>> r = crossroads.sensitivity("tests/data/ensemble-small.yaml", "trade", "mean",
    ...                            method="oat")
    >>> list(r.table.columns[:3])
    ['input', 'actor', 'field']
    """
    opts = SensitivityOptions.of(options, settings)
    if opts.threshold is not None:
        raise CrossroadsError(
            "sensitivity does not take a threshold: it ranks inputs by how much they move the "
            "forecast; use 'crossroads ensemble --threshold X' for P(forecast >= X)"
        )
    method, samples, seed = opts.method, opts.samples, opts.seed
    prep = prepare(
        scenario, issue, model, opts.preset, opts.params, opts.interventions,
        opts.default_uncertainty, opts.fields,
    )  # fmt: skip
    spec = prep.spec
    if not isinstance(spec, InputSpec):
        raise CrossroadsError(
            f"sensitivity of a model of linked issues ('{prep.model}') is not supported yet; "
            "use ensemble or compare"
        )
    fidx, aidx = np.nonzero(spec.uncertain)
    if fidx.size == 0:
        raise CrossroadsError(
            f"issue '{prep.issue.id}' has no uncertain input (every field is fixed); "
            "give stakes an uncertainty or allow the built-in default"
        )
    names = _input_names(spec.names, fidx, aidx)
    point = point_forecast(prep, seed=seed)
    base_cols = {
        "input": names,
        "actor": [spec.actors[a] for a in aidx],
        "field": [FIELDS[f] for f in fidx],
        "distribution": [spec.describe(int(f), int(a)) for f, a in zip(fidx, aidx, strict=True)],
    }
    notes: list[str] = []
    t0 = time.perf_counter()
    if method == "oat":
        table = _oat(prep, fidx, aidx, base_cols, point, seed)
        runs, variance, exname = 2 * fidx.size + 1, 0.0, "in-process"
    else:
        table, runs, variance, exname = _sobol(
            prep, fidx, aidx, names, base_cols, samples, seed, opts, executor, progress, notes
        )
    elapsed = time.perf_counter() - t0
    return SensitivityResult(
        method=method,
        scenario=prep.scenario.id,
        scenario_hash=prep.hash,
        issue=prep.issue.id,
        model=prep.model,
        preset=prep.preset,
        params=prep.params,
        seed=seed,
        samples=samples if method == "sobol" else 0,
        model_runs=runs,
        point=point,
        variance=variance,
        table=table,
        elapsed=elapsed,
        executor=exname,
        notes=notes,
        options={
            "method": method,
            "samples": samples if method == "sobol" else 0,
            "fields": list(opts.fields),
            "interventions": list(opts.interventions),
            "default_uncertainty": opts.default_uncertainty,
        },
    )


def _oat(prep, fidx, aidx, base_cols, point: float, seed: int) -> pd.DataFrame:
    spec = prep.spec
    c0, s0, x0 = spec.nominal
    d = fidx.size
    base = np.stack([c0, s0, x0])  # (3, actors)
    batch = np.repeat(base[None], 2 * d, axis=0)  # (2d, 3, actors)
    pairs = [(int(f), int(a)) for f, a in zip(fidx, aidx, strict=True)]
    low = np.array([spec.quantile(f, a, OAT_LOW) for f, a in pairs])
    high = np.array([spec.quantile(f, a, OAT_HIGH) for f, a in pairs])
    rows = np.arange(d)
    batch[2 * rows, fidx, aidx] = low
    batch[2 * rows + 1, fidx, aidx] = high
    res = get_model(prep.model).run(
        batch[:, 0], batch[:, 1], batch[:, 2], scale=spec.scale,
        params=prep.settings.forecast_only(), rng=model_rng(seed, 0),
    )  # fmt: skip
    f = np.asarray(res.forecast)[:, -1]
    if np.isnan(f).any():
        raise ModelError(
            "a one-at-a-time run gave no forecast (every actor's capability x salience zero)"
        )
    table = pd.DataFrame(
        {
            **base_cols,
            "value": [float(base[f_, a_]) for f_, a_ in zip(fidx, aidx, strict=True)],
            "low": low,
            "high": high,
            "forecast_low": f[0::2],
            "forecast_high": f[1::2],
        }
    )
    # the span of the forecast over low, stake value and high: for a monotone response it is
    # |f(high) - f(low)|; for a non-monotone one (EUM can be) it also counts the middle
    span = np.stack([f[0::2], f[1::2], np.full(d, point)])
    table["swing"] = span.max(axis=0) - span.min(axis=0)
    table = table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    table.index.name = "rank"
    table.index += 1
    return table


def _sobol(prep, fidx, aidx, names, base_cols, samples, seed, opts, executor, progress, notes):
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    d = fidx.size
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    design = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    m = len(design)
    chunk = chunk_for(opts, prep.spec.n_actors)
    job = Job(prep.model, prep.settings, (prep.spec,), seed)
    tasks = [(job, design[a : a + chunk], fidx, aidx, a) for a in range(0, m, chunk)]
    y = np.empty(m)
    own = executor is None
    ex = make_executor(opts.workers, opts.scheduler) if own else executor
    try:
        done = 0
        if progress is not None:
            progress(0, m)
        for i, f in ex.map(run_design, tasks):
            a = i * chunk
            y[a : a + len(f)] = f
            done += len(f)
            if progress is not None:
                progress(done, m)
        exname = ex.name
    finally:
        if own:
            ex.close()
    bad = int(np.isnan(y).sum())
    if bad:
        raise ModelError(
            f"{bad} of {m} Sobol runs gave no forecast (every actor's capability x salience "
            "zero); narrow the salience or capability uncertainty"
        )
    variance = float(np.var(y))
    if not variance > 0:
        notes.append("the forecast did not vary across the design; every index is zero")
        s1 = st = s1c = stc = np.zeros(d)
    else:
        # SALib seeds its bootstrap only for a truthy seed (``if seed:``), so 0 would draw
        # from numpy's global state: derive a nonzero seed from the user's instead.
        boot = int(np.random.SeedSequence(seed, spawn_key=(1,)).generate_state(1)[0]) | 1
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=boot)
        s1, st = np.asarray(si["S1"]), np.asarray(si["ST"])
        s1c, stc = np.asarray(si["S1_conf"]), np.asarray(si["ST_conf"])
        if st.sum() > 0 and s1.sum() < 0.9 * st.sum():
            notes.append(
                f"first-order indices sum to {s1.sum():.2f}: interactions between inputs carry "
                f"about {max(0.0, 1 - s1.sum()):.0%} of the variance"
            )
    table = pd.DataFrame({**base_cols, "S1": s1, "S1_conf": s1c, "ST": st, "ST_conf": stc})
    table = table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
    table.index.name = "rank"
    table.index += 1
    return table, m, variance, exname
