"""Fit a model's free choices to observed outcomes, with k-fold cross-validation by group.

What is fitted (:func:`dimensions`), each choice a *dimension* with a list of values,
the unfitted default first:

- every model: the salience exponent (salience enters as ``s ** a``, ``a`` in
  {1, 0, 0.5, 2}); on a DEU III file also the capability scheme (``council``,
  ``equal``, ``gdp``) and the ``council`` options: unanimity weights or equal, the
  Commission's and the Parliament's capability multipliers and the date the weights
  are taken at (:mod:`crossroads.scenario.peers.deu3`);
- a model's parameters: every choice parameter over the values its parameter model
  allows (:meth:`crossroads.models.spec.ModelSpec.choices`), every boolean parameter, and
  the numeric parameters with values in :data:`PARAM_GRIDS` (for ``eum``: Q, T, the round
  cap and the stopping tolerance; for ``smp``: the round cap, the minimum rounds and the
  stopping tolerance; for ``exchange``: the round cap and the weights of the next round's
  start position), except those in :data:`UNFITTED`.
  Numeric parameters without a grid keep their value. ``mean`` and ``median`` have no
  parameters, so only their inputs are fitted.

Search: the full grid when it has at most :data:`MAX_GRID` distinct candidates (the
``mean`` and ``median`` input grid has 776); otherwise coordinate descent from the
defaults: each dimension in turn is set to its best value given the others, sweeps
repeated until one changes nothing (at most :data:`MAX_SWEEPS`). Both are
deterministic; every candidate is run once on all issues and cached, and choices
only ever look at the training issues' errors.

Cross-validation: the groups (DEU III proposals, ``prnr``) are shuffled with the
seed and dealt to ``k`` folds, largest first, each to the fold with the fewest
issues so far; a group never spans two folds. For each fold the search is run on the
other folds' issues and its choice is scored on the held-out fold only. The
out-of-fold MAE pools those held-out errors (each issue predicted once, by a choice
made without it). The in-sample MAE is that of the search run on all issues, which
is also the fitted result (the one a preset saves). A candidate that gives no
forecast for some training issue cannot be chosen.

Nested cross-validation (:mod:`crossroads.evaluation.nested`) reruns the whole
selection -- inner folds, search, and the keep-it-or-the-default verdict -- inside each
outer training set and scores its choice on the outer held-out fold: the honest
figure. Every MAE comes with its standard error clustered by proposal
(:mod:`crossroads.evaluation.clustered`), and the verdict (``beats_default`` or
``no_better``) is decided by the paired nested-CV difference fitted-minus-default:
``beats_default`` only when it is below minus its standard error.
:func:`save_fit_preset` refuses a ``no_better`` fit unless forced.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError, ModelError
from crossroads.evaluation.clustered import cluster_se, paired
from crossroads.evaluation.issues import Inputs, IssueSet, Source, issue_set, open_source
from crossroads.evaluation.nested import BEATS, NestedFold, nested_cv, verdict
from crossroads.evaluation.runner import run_model
from crossroads.evaluation.scoring import scores
from crossroads.models import get_model
from crossroads.presets import resolve_params
from crossroads.scenario import Scenario
from crossroads.scenario.peers.quirks import QuirkReport

__all__ = [
    "COUNCIL_GRID",
    "MAX_GRID",
    "MAX_SWEEPS",
    "PARAM_GRIDS",
    "SALIENCE_EXPONENTS",
    "UNFITTED",
    "Candidate",
    "Dimension",
    "FitResult",
    "FoldResult",
    "NestedFold",
    "BLEND_WEIGHTS",
    "assign_folds",
    "components",
    "cross_validate",
    "dimensions",
    "fit",
    "grid",
    "save_fit_preset",
]

#: Salience exponents tried (the default 1 first).
SALIENCE_EXPONENTS: tuple[float, ...] = (1.0, 0.0, 0.5, 2.0)

#: Options of the DEU III ``council`` capability scheme tried (defaults first).
COUNCIL_GRID: dict[str, tuple[Any, ...]] = {
    "unanimity": ("weights", "equal"),
    "com": (1.0, 0.0, 0.5, 2.0),
    "ep_cod": (1.0, 0.0, 0.5, 2.0),
    "ep_cns": (0.0, 0.5, 1.0),
    "weights_at": ("proposal", "decision"),
}

#: Values tried for numeric model parameters, per model (the base value is added first).
PARAM_GRIDS: dict[str, dict[str, tuple[Any, ...]]] = {
    "eum": {
        "q": (1.0, 0.5, 0.0),
        "t": (1.0, 0.5, 0.0, "closer"),
        "rounds": (10, 1, 2, 3, 5, 20, 50),
        "tol": (1e-6, 1e-3, 1e-2, 5e-2),
    },
    "smp": {
        "rounds": (100, 1, 2, 3, 5, 10, 20),
        "min_rounds": (2, 1),
        "tol": (0.02, 0.005, 0.05, 0.1),
    },
    "exchange": {
        "rounds": (10, 1, 3, 30),
        "salience_weight": (0.4, 0.0, 0.2, 0.8),
        "fixed_weight": (0.1, 0.0, 0.2),
    },
}

#: Parameters never fitted, per model: they change what is recorded, not the forecast
#: (``exchange``'s ``p`` is not fitted either: it has no grid, and any value but 0 needs
#: ``rate='randomised_equal_gain'``, so one coordinate step could not reach it).
UNFITTED: dict[str, frozenset[str]] = {"exchange": frozenset({"record_exchanges"})}

#: Largest grid searched exhaustively; larger spaces use coordinate descent.
MAX_GRID = 1000
#: Most coordinate-descent sweeps.
MAX_SWEEPS = 4

#: Weights of the first model tried when fitting a combination of two models.
BLEND_WEIGHTS: tuple[float, ...] = (0.5, 0.25, 0.75, 0.0, 1.0)

_COUNCIL_ONLY = tuple(COUNCIL_GRID)
_INPUT_FIELDS = {f.name for f in fields(Inputs)}


@dataclass(frozen=True)
class Candidate:
    """One point of the search space: input choices and model parameters (overrides)."""

    inputs: Inputs
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        """Hashable identity."""
        return (self.inputs, tuple(sorted(self.params.items(), key=lambda kv: kv[0])))

    def describe(self, base: dict[str, Any] | None = None) -> str:
        """Short label: inputs, then parameters (those differing from ``base`` if given)."""
        out = self.inputs.describe()
        shown = {k: v for k, v in self.params.items() if base is None or base.get(k) != v}
        if shown:
            out += " " + " ".join(f"{k}={v}" for k, v in shown.items())
        return out

    def to_dict(self) -> dict[str, Any]:
        """``inputs`` and ``params`` for JSON."""
        return {"inputs": self.inputs.to_dict(), "params": dict(self.params)}


@dataclass(frozen=True)
class Dimension:
    """One free choice and the values tried, the unfitted default first."""

    name: str
    kind: str  # "input" or "param"
    values: tuple[Any, ...]


def _first(default: Any, values: Sequence[Any]) -> tuple[Any, ...]:
    rest = [v for v in values if not (v == default and type(v) is type(default))]
    return (default, *rest)


def _names(model: str) -> list[str]:
    return [part.partition(":")[0].strip() for part in model.split("+")]


def components(model: str, preset: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The parts of ``model`` with their full parameter sets.

    ``model`` is one model (``'eum'``, ``'eum:scholz'``) or a combination of several
    joined by ``+`` (``'mean+eum:scholz'``), whose forecast is a weighted average of the
    parts' forecasts. ``preset`` applies to a single model only.

    Raises
    ------
    CrossroadsError
        For an empty or repeated part, an unknown model or preset, or ``preset`` given
        with a combination.
    """
    parts = [part.strip() for part in model.split("+")]
    if len(parts) > 1 and preset is not None:
        raise CrossroadsError(
            "give the presets of a combination's parts as model:preset, e.g. mean+eum:scholz"
        )
    out = []
    for part in parts:
        name, _, own = part.partition(":")
        name = name.strip()
        if not name:
            raise ModelError(f"empty model name in {model!r}")
        out.append((name, resolve_params(name, own.strip() or preset)))
    names = [n for n, _ in out]
    for n in names:
        if names.count(n) > 1:
            raise ModelError(f"model '{n}' appears twice in {model!r}")
    return out


def _flat_base(comps: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Parameters of one model as they are; of a combination as ``model.param`` + weight."""
    if len(comps) == 1:
        return dict(comps[0][1])
    out = {f"{m}.{k}": v for m, b in comps for k, v in b.items()}
    if len(comps) == 2:
        out["weight"] = BLEND_WEIGHTS[0]
    return out


def dimensions(
    source: Source, model: str, base: dict[str, Any] | None = None, what: str = "all"
) -> list[Dimension]:
    """The free choices :func:`fit` searches for ``model`` on ``source``.

    ``model`` is one model or a ``+`` combination (see :func:`components`); ``base`` the
    parameter set the search starts from (default: the defaults; for a combination the
    ``model.param`` names and ``weight``, the first part's weight, when there are two
    parts); ``what`` is ``'all'``, ``'inputs'`` or ``'params'``.
    """
    if what not in ("all", "inputs", "params"):
        raise CrossroadsError(f"what to fit must be all, inputs or params, got {what!r}")
    base = _flat_base(components(model)) if base is None else base
    names = _names(model)
    dims = []
    if what != "params":
        if source.is_deu3:
            dims.append(Dimension("capability", "input", ("council", "equal", "gdp")))
            dims += [Dimension(n, "input", v) for n, v in COUNCIL_GRID.items()]
        dims.append(Dimension("salience_exponent", "input", SALIENCE_EXPONENTS))
    if what == "inputs":
        return dims
    for m in names:
        spec = get_model(m)
        prefix = "" if len(names) == 1 else f"{m}."
        choices = spec.choices()
        grids = PARAM_GRIDS.get(m, {})
        for name in spec.params.model_fields:
            default = base[prefix + name]
            if name in UNFITTED.get(m, ()):
                continue
            if name in grids:
                values = grids[name]
            elif name in choices:
                values = choices[name]
            elif isinstance(default, bool | np.bool_):
                values = (False, True)
            else:
                continue
            dims.append(Dimension(prefix + name, "param", _first(default, values)))
    if len(names) == 2:
        # last: tuned after the parts, so that coordinate descent does not settle on one
        # part (weight 0 or 1) before the other's parameters have been tried in the blend
        dims.append(Dimension("weight", "param", _first(base["weight"], BLEND_WEIGHTS)))
    if what == "params" and not dims:
        raise CrossroadsError(f"model '{model}' has no parameters to fit; fit its inputs")
    return dims


def _candidate(assign: dict[str, Any], source: Source) -> Candidate:
    """A normalised candidate: council options reset when the scheme is not ``council``."""
    inp = {k: v for k, v in assign.items() if k in _INPUT_FIELDS}
    if not source.is_deu3:
        inp["capability"] = None
    elif inp.setdefault("capability", "council") != "council":
        defaults = Inputs()
        inp.update({k: getattr(defaults, k) for k in _COUNCIL_ONLY})
    params = {k: v for k, v in assign.items() if k not in _INPUT_FIELDS}
    return Candidate(Inputs(**inp), params)


def grid(dims: Sequence[Dimension], source: Source) -> list[Candidate]:
    """Every distinct candidate of the full grid, the all-defaults one first."""
    names = [d.name for d in dims]
    out: dict[tuple, Candidate] = {}
    for values in itertools.product(*(d.values for d in dims)):
        cand = _candidate(dict(zip(names, values, strict=True)), source)
        out.setdefault(cand.key, cand)
    return list(out.values())


class _Evaluator:
    """Runs candidates on all scored issues once each and caches the results.

    A combination's parts are cached separately, so changing only the weight re-runs
    nothing.
    """

    def __init__(
        self,
        comps: Sequence[tuple[str, dict[str, Any]]],
        source: Source,
        progress: Callable[[int, int], None] | None,
        total: int | None,
    ) -> None:
        self.comps, self.source = list(comps), source
        self.progress, self.total = progress, total
        self.sets: dict[Inputs, IssueSet] = {}
        self.parts: dict[tuple, np.ndarray] = {}
        self.cache: dict[tuple, np.ndarray] = {}
        self.failures: list[str] = []
        self.issues: IssueSet | None = None

    def issue_set(self, inputs: Inputs) -> IssueSet:
        if inputs not in self.sets:
            if inputs.salience_exponent == 1.0:
                self.sets[inputs] = issue_set(self.source, inputs)
            else:  # the same capabilities with another salience exponent
                raw = self.issue_set(replace(inputs, salience_exponent=1.0))
                sal = np.where(raw.mask, raw.salience**inputs.salience_exponent, 0.0)
                self.sets[inputs] = replace(raw, salience=sal)
            if self.issues is None:
                self.issues = self.sets[inputs]
        return self.sets[inputs]

    def _run(self, k: int, params: dict[str, Any], inputs: Inputs) -> np.ndarray:
        key = (k, inputs, tuple(sorted(params.items(), key=lambda kv: kv[0])))
        if key not in self.parts:
            m, base = self.comps[k]
            iset = self.issue_set(inputs)
            try:
                self.parts[key] = run_model(m, {**base, **params}, iset)
            except ModelError as e:  # a setting the kernel refuses: not a candidate
                self.parts[key] = np.full(len(iset), np.nan)
                shown = " ".join(f"{n}={v}" for n, v in params.items()) or "defaults"
                self.failures.append(f"{m} {shown} ({inputs.describe()}): {e}")
        return self.parts[key]

    def forecast(self, cand: Candidate) -> np.ndarray:
        if cand.key not in self.cache:
            if len(self.comps) == 1:
                f = self._run(0, cand.params, cand.inputs)
            else:
                fs = []
                for k, (m, _) in enumerate(self.comps):
                    own = {n[len(m) + 1 :]: v for n, v in cand.params.items()
                           if n.startswith(m + ".")}  # fmt: skip
                    fs.append(self._run(k, own, cand.inputs))
                if len(fs) == 2:
                    w = float(cand.params.get("weight", BLEND_WEIGHTS[0]))
                    f = w * fs[0] + (1.0 - w) * fs[1]
                else:
                    f = np.mean(fs, axis=0)
            self.cache[cand.key] = f
            if self.progress is not None:
                self.progress(len(self.cache), self.total or len(self.cache))
        return self.cache[cand.key]

    def errors(self, cand: Candidate) -> np.ndarray:
        f = self.forecast(cand)
        assert self.issues is not None
        return np.abs(f - self.issues.observed)


def _mae(err: np.ndarray, columns: np.ndarray) -> float:
    sub = err[columns]
    return math.inf if np.isnan(sub).any() else float(sub.mean())


def _descend(ev: _Evaluator, dims: Sequence[Dimension], columns: np.ndarray) -> Candidate:
    """Coordinate descent on the issues in ``columns``, from every dimension's first value."""
    assign = {d.name: d.values[0] for d in dims}
    current = _candidate(assign, ev.source)
    best = _mae(ev.errors(current), columns)
    for _ in range(MAX_SWEEPS):
        changed = False
        for d in dims:
            top_value, top = assign[d.name], best
            for v in d.values:
                if v == assign[d.name] and type(v) is type(assign[d.name]):
                    continue
                cand = _candidate({**assign, d.name: v}, ev.source)
                m = _mae(ev.errors(cand), columns)
                if m < top - 1e-12:
                    top_value, top = v, m
            if top < best - 1e-12:
                assign[d.name], best, changed = top_value, top, True
                current = _candidate(assign, ev.source)
        if not changed:
            break
    if not math.isfinite(best):
        why = f"; the first refusal: {ev.failures[0]}" if ev.failures else ""
        raise ModelError(f"no candidate gives a forecast for every training issue{why}")
    return current


def assign_folds(groups: Sequence[str], k: int, seed: int = 0) -> np.ndarray:
    """Fold number (0..k-1) of each item; items of one group always share a fold.

    Groups are shuffled with ``seed`` and dealt largest first, each to the fold with the
    fewest items so far (lowest fold number on ties), which balances fold sizes.

    Raises
    ------
    CrossroadsError
        When ``k`` < 2 or there are fewer groups than folds.
    """
    uniq = list(dict.fromkeys(groups))
    if k < 2:
        raise CrossroadsError(f"cross-validation needs at least 2 folds, got {k}")
    if len(uniq) < k:
        raise CrossroadsError(f"{len(uniq)} groups (proposals) cannot fill {k} folds")
    rng = np.random.default_rng(seed)
    order = [uniq[i] for i in rng.permutation(len(uniq))]
    size = dict.fromkeys(uniq, 0)
    for g in groups:
        size[g] += 1
    order.sort(key=lambda g: -size[g])  # stable: the shuffled order breaks ties
    load = np.zeros(k, dtype=int)
    fold_of: dict[str, int] = {}
    for g in order:
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += size[g]
    return np.array([fold_of[g] for g in groups], dtype=int)


def _best(errors: np.ndarray, columns: np.ndarray) -> int:
    """Row of ``errors`` with the lowest MAE over ``columns`` (NaN disqualifies; ties: first)."""
    sub = errors[:, columns]
    mae = np.where(np.isnan(sub).any(axis=1), np.inf, np.nan_to_num(sub).mean(axis=1))
    if not np.isfinite(mae).any():
        raise ModelError("no candidate gives a forecast for every training issue")
    return int(np.argmin(mae))


def cross_validate(errors: np.ndarray, folds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid cross-validation: choose on the training folds, score on the held-out fold.

    Parameters
    ----------
    errors : ndarray of shape (candidates, issues)
        Absolute error of each candidate on each issue.
    folds : ndarray of int, shape (issues,)

    Returns
    -------
    chosen : ndarray of int, shape (k,)
        The candidate chosen for each fold, using only the other folds' issues.
    oof : ndarray of shape (issues,)
        Each issue's error under the candidate chosen without its fold.
    """
    k = int(folds.max()) + 1
    chosen = np.zeros(k, dtype=int)
    oof = np.full(errors.shape[1], np.nan)
    for f in range(k):
        test = folds == f
        chosen[f] = _best(errors, ~test)
        oof[test] = errors[chosen[f], test]
    return chosen, oof


@dataclass(frozen=True)
class FoldResult:
    """One fold: what was chosen on the other folds and how it did on this one."""

    fold: int
    n_train: int
    n_test: int
    groups: list[str]
    chosen: Candidate
    train_mae: float
    test_mae: float


@dataclass(frozen=True)
class FitResult:
    """Cross-validated fit of one model's free choices.

    Attributes
    ----------
    source, model : str
    base_preset : str or None
        Preset the search starts from.
    base_params : dict
        The full parameter set the search starts from.
    search : {'grid', 'coordinate'}
    k, seed : int
        Outer folds (also the plain cross-validation's) and the seed.
    n_issues, n_groups : int
    n_candidates : int
        Distinct candidates run.
    best : Candidate
        The search's choice on all issues (the fitted result).
    in_sample : dict
        Scores of ``best`` on all issues (``n``, ``mae``, ``median_ae``, ``within_10``,
        and ``se``, the MAE's standard error clustered by group,
        :func:`~crossroads.evaluation.clustered.cluster_se`).
    out_of_fold : dict
        Scores of the plain held-out predictions (optimistic: the verdict is made on
        them), with ``se``.
    default : dict
        Scores of the starting point (no fitting), with ``se``.
    folds : list of FoldResult
    baselines : DataFrame
        Unfitted reference models on the same issues: the compromise model (``mean``)
        with the default inputs and, for DEU III, with equal capabilities.
    per_issue : DataFrame
        ``issue``, ``group``, ``fold``, ``observed``, ``forecast`` (out of fold),
        ``error``.
    failures : list of str
        Candidates the model refused (a :class:`ModelError`, e.g. a setting that does
        not converge on some issue), with the message; they are never chosen.
    inner_k : int
        Inner folds of the nested cross-validation.
    nested : dict
        Scores (with ``se``) of the nested cross-validation's held-out predictions.
    nested_folds : list of NestedFold
    difference : dict
        ``mean`` and clustered ``se`` of nested-CV error minus the default's, per issue.
    verdict : {'beats_default', 'no_better'}
        :func:`crossroads.evaluation.nested.verdict` of ``difference``.
    """

    source: str
    model: str
    base_preset: str | None
    base_params: dict[str, Any]
    search: str
    k: int
    seed: int
    n_issues: int
    n_groups: int
    n_candidates: int
    best: Candidate
    in_sample: dict[str, Any]
    out_of_fold: dict[str, Any]
    default: dict[str, Any]
    folds: list[FoldResult]
    baselines: pd.DataFrame
    per_issue: pd.DataFrame
    failures: list[str] = field(default_factory=list)
    quirks: QuirkReport = field(default_factory=QuirkReport)
    inner_k: int = 0
    nested: dict[str, Any] = field(default_factory=dict)
    nested_folds: list[NestedFold] = field(default_factory=list)
    difference: dict[str, float] = field(default_factory=dict)
    verdict: str = ""

    @property
    def beats_default(self) -> bool:
        """Whether the nested-CV verdict is ``beats_default``."""
        return self.verdict == BEATS

    def summary_df(self) -> pd.DataFrame:
        """Nested CV, plain out-of-fold, in-sample, the unfitted start and the baselines."""
        start = self.model if self.base_preset is None else f"{self.model}:{self.base_preset}"
        rows = [
            {
                "what": f"{self.model} fitted, nested CV ({self.k}x{self.inner_k} folds, honest)",
                **self.nested,
            },
            {
                "what": f"{self.model} fitted, out-of-fold ({self.k} folds, optimistic)",
                **self.out_of_fold,
            },
            {"what": f"{self.model} fitted, in-sample", **self.in_sample},
            {"what": f"{start} unfitted (default)", **self.default},
        ]
        for _, b in self.baselines.iterrows():
            rows.append(
                {
                    "what": f"baseline {b['label']}",
                    **{k: b[k] for k in ("n", "mae", "se", "median_ae", "within_10")},
                }
            )
        return pd.DataFrame(rows)[["what", "n", "mae", "se", "median_ae", "within_10"]]

    def nested_df(self) -> pd.DataFrame:
        """One row per outer fold: the inner verdict, the choice, held-out MAE vs default."""
        return pd.DataFrame(
            [
                {
                    "fold": f.fold,
                    "n_test": f.n_test,
                    "inner diff": f.inner_difference["mean"],
                    "inner se": f.inner_difference["se"],
                    "inner verdict": f.inner_verdict,
                    "chosen": "default" if f.chose_default else f.chosen.describe(self.base_params),
                    "held-out MAE": f.test_mae,
                    "default MAE": f.default_test_mae,
                }
                for f in self.nested_folds
            ]
        )

    def verdict_text(self) -> str:
        """One sentence: the verdict and the comparison that decided it."""
        d = self.difference
        cmp = (
            f"nested-CV MAE {self.nested['mae']:.2f} +- {self.nested['se']:.2f} vs the unfitted "
            f"default's {self.default['mae']:.2f} +- {self.default['se']:.2f}; difference "
            f"{d['mean']:+.2f} +- {d['se']:.2f} (SE clustered by proposal)"
        )
        if self.beats_default:
            return f"verdict beats_default: the fit beats the default by more than its SE ({cmp})"
        return (
            "verdict no_better: no candidate beats the default by more than the standard "
            f"error ({cmp})"
        )

    def offered_preset(self, force: bool = False) -> dict[str, Any] | None:
        """:meth:`preset` when the verdict is ``beats_default`` or ``force``; else None.

        None too for a combination of models, which no preset can hold.
        """
        if "+" in self.model or not (self.beats_default or force):
            return None
        return self.preset()

    def preset(self) -> dict[str, Any]:
        """What :func:`save_fit_preset` writes: ``model``, ``params``, ``inputs``, ``fit``.

        Raises
        ------
        CrossroadsError
            For a combination of models (a preset belongs to one model).
        """
        if "+" in self.model:
            raise CrossroadsError(
                f"'{self.model}' is a combination; a preset belongs to one model (fit and "
                "save each model separately)"
            )
        model = self.model.partition(":")[0].strip()
        params = {**self.base_params, **self.best.params}
        defaults = get_model(model).defaults.model_dump()
        params = {k: v for k, v in params.items() if k not in defaults or defaults[k] != v}
        return {
            "model": model,
            "params": params,
            "inputs": self.best.inputs.to_dict(),
            "fit": {
                "source": self.source,
                "search": self.search,
                "folds": self.k,
                "inner_folds": self.inner_k,
                "seed": self.seed,
                "issues": self.n_issues,
                "candidates": self.n_candidates,
                "in_sample_mae": self.in_sample["mae"],
                "out_of_fold_mae": self.out_of_fold["mae"],
                "nested_mae": self.nested["mae"],
                "nested_se": self.nested["se"],
                "default_mae": self.default["mae"],
                "difference": dict(self.difference),
                "verdict": self.verdict,
                "base_preset": self.base_preset,
            },
        }

    def folds_df(self) -> pd.DataFrame:
        """One row per fold: sizes, the choice made without it, train and held-out MAE."""
        return pd.DataFrame(
            [
                {
                    "fold": f.fold,
                    "n_train": f.n_train,
                    "n_test": f.n_test,
                    "proposals": len(f.groups),
                    "chosen": f.chosen.describe(self.base_params),
                    "train_mae": f.train_mae,
                    "test_mae": f.test_mae,
                }
                for f in self.folds
            ]
        )

    def to_dict(self, per_issue: bool = False) -> dict[str, Any]:
        """JSON-ready result."""
        out: dict[str, Any] = {
            "source": self.source,
            "model": self.model,
            "base_preset": self.base_preset,
            "search": self.search,
            "folds": self.k,
            "inner_folds": self.inner_k,
            "seed": self.seed,
            "issues": self.n_issues,
            "groups": self.n_groups,
            "candidates": self.n_candidates,
            "best": self.best.to_dict(),
            "best_label": self.best.describe(self.base_params),
            "nested": {
                **self.nested,
                "per_fold": [
                    {
                        "fold": f.fold,
                        "n_train": f.n_train,
                        "n_test": f.n_test,
                        "groups": f.groups,
                        "inner_difference": f.inner_difference,
                        "inner_verdict": f.inner_verdict,
                        "chosen": f.chosen.to_dict(),
                        "chosen_label": "default"
                        if f.chose_default
                        else f.chosen.describe(self.base_params),
                        "chose_default": f.chose_default,
                        "test_mae": f.test_mae,
                        "default_test_mae": f.default_test_mae,
                    }
                    for f in self.nested_folds
                ],
            },
            "out_of_fold": self.out_of_fold,
            "in_sample": self.in_sample,
            "default": self.default,
            "difference": self.difference,
            "verdict": self.verdict,
            "per_fold": [
                {
                    "fold": f.fold,
                    "n_train": f.n_train,
                    "n_test": f.n_test,
                    "groups": f.groups,
                    "chosen": f.chosen.to_dict(),
                    "chosen_label": f.chosen.describe(self.base_params),
                    "train_mae": f.train_mae,
                    "test_mae": f.test_mae,
                }
                for f in self.folds
            ],
            "baselines": self.baselines.to_dict(orient="records"),
            "failures": self.failures,
            "quirks": self.quirks.to_dict(),
        }
        if per_issue:
            out["per_issue"] = self.per_issue.to_dict(orient="records")
        return out


#: Largest full grid enumerated before falling back to coordinate descent.
_ENUMERATE_LIMIT = 50_000


def fit(
    source: str | Path | Scenario | Source,
    model: str = "mean",
    *,
    format: str | None = None,
    folds: int = 5,
    inner_folds: int = 5,
    seed: int = 0,
    preset: str | None = None,
    search: str = "auto",
    what: str = "all",
    space: Sequence[Candidate] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FitResult:
    """Fit ``model``'s free choices to the observed outcomes, cross-validated by group.

    Parameters
    ----------
    source : str, Path, Scenario or Source
        A DEU III file (groups = proposals) or a scenario with observed outcomes
        (groups = issues).
    model : str
        A model name (its module must be present), optionally with a starting preset
        (``'eum:scholz'``), or a combination of models joined by ``+`` (``'mean+eum'``),
        whose forecast is the weighted average of its parts; for two parts the weight
        is fitted too (:data:`BLEND_WEIGHTS`).
    format : {'deu3'}, optional
    folds : int
        Number of (outer) folds ``k`` (>= 2, at most the number of groups): the plain
        cross-validation's and the nested one's outer folds.
    inner_folds : int
        Inner folds of the nested cross-validation (>= 2, at most the groups of every
        outer training set).
    seed : int
        Seed of the fold assignment; the same seed gives the same folds and numbers.
    preset : str, optional
        Start the parameters from this preset.
    search : {'auto', 'grid', 'coordinate'}
        ``auto``: the full grid when it has at most :data:`MAX_GRID` candidates, else
        coordinate descent.
    what : {'all', 'inputs', 'params'}
        Fit the input choices and the model's parameters, or only one of them (the
        others stay at their defaults: ``council`` capabilities and salience exponent 1
        on DEU III).
    space : sequence of Candidate, optional
        An explicit grid of candidates instead of :func:`dimensions` (the first is taken
        as the unfitted start).
    progress : callable, optional
        Called as ``progress(done, total)`` after each new candidate run (``total`` is
        the grid size, or the count so far for coordinate descent).

    Returns
    -------
    FitResult

    Raises
    ------
    CrossroadsError
        For a bad source, model, preset, fold count or search.
    """
    if search not in ("auto", "grid", "coordinate"):
        raise CrossroadsError(f"search must be auto, grid or coordinate, got {search!r}")
    src = open_source(source, format)
    comps = components(model, preset)
    base = _flat_base(comps)
    dims: list[Dimension] = []
    if space is not None:
        cands = list(space)
        if not cands:
            raise CrossroadsError("the search space is empty")
        mode = "grid"
    else:
        dims = dimensions(src, model, base, what)
        size = math.prod(len(d.values) for d in dims)
        cands = grid(dims, src) if size <= _ENUMERATE_LIMIT else []
        if search == "grid" and not cands:
            raise CrossroadsError(f"the full grid has {size} points; use coordinate search")
        if search == "grid" or (search == "auto" and len(cands) <= MAX_GRID and cands):
            mode = "grid"
        else:
            mode = "coordinate"
    ev = _Evaluator(comps, src, progress, len(cands) if mode == "grid" else None)
    start = cands[0] if space is not None else _candidate({d.name: d.values[0] for d in dims}, src)
    ev.forecast(start)
    if mode == "grid":
        errors = np.vstack([ev.errors(c) for c in cands])

        def select(columns: np.ndarray) -> Candidate:
            return cands[_best(errors, columns)]
    else:

        def select(columns: np.ndarray) -> Candidate:
            return _descend(ev, dims, columns)

    iset = ev.issues
    assert iset is not None
    fold_of = assign_folds(iset.groups, folds, seed)
    oof = np.full(len(iset), np.nan)
    forecast_oof = np.full(len(iset), np.nan)
    fold_results = []
    for f in range(folds):
        test = fold_of == f
        chosen = select(~test)
        err = ev.errors(chosen)
        oof[test] = err[test]
        forecast_oof[test] = ev.forecast(chosen)[test]
        fold_results.append(
            FoldResult(
                fold=f,
                n_train=int((~test).sum()),
                n_test=int(test.sum()),
                groups=list(dict.fromkeys(np.asarray(iset.groups)[test].tolist())),
                chosen=chosen,
                train_mae=float(np.mean(err[~test])),
                test_mae=float(np.mean(err[test])),
            )
        )
    nested_err, nested_folds = nested_cv(
        select, ev.errors, start, iset.groups, fold_of, [fr.chosen for fr in fold_results],
        inner_folds, seed, assign_folds,
    )  # fmt: skip
    default_err = ev.errors(start)
    difference = paired(nested_err, default_err, iset.groups)
    best = select(np.ones(len(iset), dtype=bool))
    per_issue = pd.DataFrame(
        {
            "issue": iset.issues,
            "group": iset.groups,
            "fold": fold_of,
            "observed": iset.observed,
            "forecast": forecast_oof,
            "error": oof,
        }
    )
    return FitResult(
        source=src.label,
        model=model,
        base_preset=preset,
        base_params=base,
        search=mode,
        k=folds,
        seed=seed,
        n_issues=len(iset),
        n_groups=len(set(iset.groups)),
        n_candidates=len(ev.cache),
        best=best,
        in_sample=_scored(ev.errors(best), iset.groups),
        out_of_fold=_scored(oof, iset.groups),
        default=_scored(default_err, iset.groups),
        folds=fold_results,
        baselines=_baselines(src),
        per_issue=per_issue,
        failures=list(ev.failures),
        quirks=src.quirks,
        inner_k=inner_folds,
        nested=_scored(nested_err, iset.groups),
        nested_folds=nested_folds,
        difference=difference,
        verdict=verdict(difference),
    )


def _scored(errors: np.ndarray, groups: Sequence[str]) -> dict[str, Any]:
    """:func:`scores` with ``se``, the MAE's standard error clustered by group."""
    out = scores(errors)
    se = cluster_se(np.abs(np.asarray(errors, dtype=float)), groups)
    return {"n": out["n"], "mae": out["mae"], "se": se, "median_ae": out["median_ae"],
            "within_10": out["within_10"]}  # fmt: skip


def _baselines(src: Source) -> pd.DataFrame:
    """The compromise model, unfitted, on the same issues."""
    variants = (
        [
            ("mean (council)", Inputs(capability="council")),
            ("mean (equal)", Inputs(capability="equal")),
        ]
        if src.is_deu3
        else [("mean", Inputs(capability=None))]
    )
    rows = []
    for label, inp in variants:
        b = issue_set(src, inp)
        rows.append({"label": label, **_scored(run_model("mean", {}, b) - b.observed, b.groups)})
    return pd.DataFrame(rows)


def save_fit_preset(name: str, result: FitResult, *, force: bool = False) -> Path:
    """Save ``result.best`` as user preset ``name`` (:mod:`crossroads.presets`).

    The preset stores the parameters that differ from the model's defaults and every
    input choice, with the fit's provenance (source, folds, seed, in-sample, out-of-fold
    and nested MAE, the difference from the default and the verdict).

    Raises
    ------
    CrossroadsError
        When the verdict is ``no_better`` and ``force`` is false (nothing is written), or
        for a combination of models.
    """
    from crossroads.presets import save_user_preset

    body = result.preset()
    if not result.beats_default and not force:
        raise CrossroadsError(
            f"preset '{name}' not saved: {result.verdict_text()}; force it (--force) to "
            "save it anyway"
        )
    return save_user_preset(
        name, body["model"], body["params"], inputs=body["inputs"], fit=body["fit"]
    )
