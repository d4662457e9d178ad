"""The cheapest package of interventions whose ensemble reaches a target with a probability.

A *package* is a set of the scenario's interventions, applied in the scenario's order
(the order in which ``interventions`` lists them). Its *cost* is the sum of its
interventions' ``cost.value`` (:class:`~crossroads.scenario.schema.Cost`); its
*probability* is the exact share of ensemble runs whose forecast meets the target
(``forecast >= X`` or ``forecast <= X``), from :func:`crossroads.ensemble` with the
``threshold`` option. Every package is run with the same seed and runs, so all share the
same uniform draws (common random numbers, :mod:`crossroads.uncertainty.sampling`), and a
package's probability is exactly what ``crossroads ensemble -i A -i B --runs N --seed S
--threshold X`` gives. An intervention's ``link`` and ``unlink`` come with it: a package
holding it switches its linkages on or off (they change the forecast of models that
bargain linked issues together; a single-issue model's forecast is unchanged by them).

Search
------
* Up to :data:`EXHAUSTIVE_MAX` candidates: every subset within the budget (the empty
  package, the baseline, included), ``2**k`` ensembles at most.
* More candidates: a heuristic (``search = "heuristic"``, which may miss the optimum).
  Greedy: from the baseline, while the package does not meet the target, evaluate adding
  each affordable candidate and keep the one with the largest gain in probability per
  unit of cost (a free candidate with a positive gain first); when no addition raises the
  probability, the one that moves the mean forecast furthest toward the target per unit
  of cost; stop when nothing helps. Then local search on the package found: drop a member,
  or swap a member for a cheaper non-member, whenever the result still meets the target,
  cheapest first, until no move lowers the cost.

Decisions
---------
The best package is the cheapest whose probability is at least the one required (ties:
the higher probability, then fewer interventions); the comparison is on the estimate, and
each probability carries its Monte Carlo standard error ``sqrt(p (1 - p) / n)``. The
frontier is the set of evaluated packages that no other evaluated package dominates
(costing no more and reaching at least as high a probability, one of them strictly), sorted
by cost. A package whose cost exceeds the budget (by more than 1e-9 of it, so sums of
decimal costs compare as written) is never evaluated. Interventions without a cost are
refused, listed by name, unless the candidates leave them out; costs in different units
are refused (they cannot be added).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from crossroads.errors import CrossroadsError, InterventionError
from crossroads.models import get_model
from crossroads.scenario import Scenario, load
from crossroads.scenario.targets import Target, parse_target
from crossroads.uncertainty.executors import Executor, make_executor
from crossroads.uncertainty.monte_carlo import EnsembleResult, ensemble
from crossroads.uncertainty.options import RunOptions

__all__ = [
    "EXHAUSTIVE_MAX",
    "Package",
    "PlanResult",
    "Target",
    "parse_target",
    "plan",
]

#: Largest number of candidates searched exhaustively (2**12 = 4,096 packages).
EXHAUSTIVE_MAX = 12


@dataclass(frozen=True)
class Package:
    """One evaluated package of interventions.

    Attributes
    ----------
    interventions : tuple of str
        Intervention ids, in the scenario's order (empty: the baseline).
    cost : float
        Sum of their costs.
    probability, mc_error : float
        Share of runs meeting the target, and its Monte Carlo standard error.
    mean : float
        The ensemble's mean forecast.
    meets : bool
        ``probability`` reaches the required probability.
    """

    interventions: tuple[str, ...]
    cost: float
    probability: float
    mc_error: float
    mean: float
    meets: bool

    @property
    def label(self) -> str:
        return " + ".join(self.interventions) if self.interventions else "(baseline: none)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "interventions": list(self.interventions),
            "cost": self.cost,
            "probability": self.probability,
            "mc_error": self.mc_error,
            "mean_forecast": self.mean,
        }


@dataclass(frozen=True)
class PlanResult:
    """The cheapest package that reaches a target, and the cost-probability frontier.

    Attributes
    ----------
    best : Package or None
        The cheapest package meeting the target with the required probability; None when
        no evaluated package does (``reason`` says why).
    frontier : list of Package
        Non-dominated packages in (lower cost, higher probability), by increasing cost.
    packages : list of Package
        Every evaluated package, in the order evaluated.
    search : {'exhaustive', 'heuristic'}
    """

    scenario: str
    issue: str
    model: str
    preset: str | None
    target: Target
    probability_required: float
    budget: float | None
    unit: str | None
    runs: int
    seed: int
    search: Literal["exhaustive", "heuristic"]
    candidates: list[str]
    packages: list[Package]
    best: Package | None
    frontier: list[Package]
    reason: str | None
    executor: str
    elapsed: float
    notes: list[str] = field(default_factory=list)

    @property
    def evaluated(self) -> int:
        return len(self.packages)

    def to_df(self) -> pd.DataFrame:
        """Every evaluated package: interventions, cost, probability, mc_error, mean, meets,
        on_frontier, best."""
        front = {p.interventions for p in self.frontier}
        best = self.best.interventions if self.best is not None else None
        return pd.DataFrame(
            [
                {
                    "package": p.label,
                    "interventions": list(p.interventions),
                    "size": len(p.interventions),
                    "cost": p.cost,
                    "probability": p.probability,
                    "mc_error": p.mc_error,
                    "mean_forecast": p.mean,
                    "meets": p.meets,
                    "on_frontier": p.interventions in front,
                    "best": p.interventions == best,
                }
                for p in self.packages
            ]
        )

    def headline(self) -> str:
        """The answer in one sentence."""
        aim = f"{self.target.describe()} >= {self.probability_required:g}"
        if self.best is None:
            return f"no package reaches {aim}: {self.reason}"
        b = self.best
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"cheapest package reaching {aim}: {b.label}, cost {b.cost:g}{unit}, "
            f"P = {b.probability:.3f} ± {b.mc_error:.3f}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "plan",
            "scenario": self.scenario,
            "issue": self.issue,
            "model": self.model,
            "preset": self.preset,
            "target": str(self.target),
            "probability_required": self.probability_required,
            "budget": self.budget,
            "unit": self.unit,
            "runs": self.runs,
            "seed": self.seed,
            "search": self.search,
            "evaluated": self.evaluated,
            "candidates": self.candidates,
            "best": self.best.to_dict() if self.best is not None else None,
            "reason": self.reason,
            "frontier": [p.to_dict() for p in self.frontier],
            "headline": self.headline(),
            "executor": self.executor,
            "elapsed": self.elapsed,
            "notes": self.notes,
        }


def _candidates(sc: Scenario, candidates: Sequence[str] | None) -> list[str]:
    """The candidate ids in the scenario's order, each known, costed, once."""
    known = [iv.id for iv in sc.interventions]
    if candidates is None:
        chosen = known
    else:
        chosen = list(candidates)
        for name in chosen:
            if name not in known:
                raise InterventionError(
                    f"unknown intervention '{name[:80]}' in the candidates; interventions of "
                    f"scenario '{sc.id}': {', '.join(known) or 'none'}"
                )
        dup = sorted({n for n in chosen if chosen.count(n) > 1})
        if dup:
            raise InterventionError(f"intervention '{dup[0]}' is given twice in the candidates")
        chosen = [k for k in known if k in set(chosen)]
    if not chosen:
        raise CrossroadsError(f"scenario '{sc.id}' has no interventions to plan with")
    free = [k for k in chosen if sc.intervention(k).cost is None]
    if free:
        raise CrossroadsError(
            f"interventions without a cost: {', '.join(free)}; give each a cost "
            "({value, unit, source}) in the scenario, or leave them out of the candidates"
        )
    units = sorted({str(sc.intervention(k).cost.unit) for k in chosen})  # type: ignore[union-attr]
    if len(units) > 1:
        raise CrossroadsError(
            "the candidates' costs are in different units ("
            + ", ".join("none" if u == "None" else u for u in units)
            + "); costs can only be added in one unit"
        )
    return chosen


def _within(cost: float, budget: float | None) -> bool:
    return budget is None or cost <= budget + 1e-9 * max(1.0, abs(budget))


def _frontier(packages: list[Package]) -> list[Package]:
    """Packages no other dominates in (lower cost, higher probability), by increasing cost."""
    ranked = sorted(
        enumerate(packages),
        key=lambda ip: (ip[1].cost, -ip[1].probability, len(ip[1].interventions), ip[0]),
    )
    out: list[Package] = []
    for _, p in ranked:
        if not out or p.probability > out[-1].probability:
            out.append(p)
    return out


def _best(packages: list[Package]) -> Package | None:
    ok = [(i, p) for i, p in enumerate(packages) if p.meets]
    if not ok:
        return None
    return min(
        ok, key=lambda ip: (ip[1].cost, -ip[1].probability, len(ip[1].interventions), ip[0])
    )[1]


def plan(
    scenario: Scenario | str | Path,
    issue: str | None,
    model: str,
    target: str | Target,
    probability: float,
    *,
    budget: float | None = None,
    candidates: Sequence[str] | None = None,
    options: RunOptions | None = None,
    executor: Executor | None = None,
    **settings: Any,
) -> PlanResult:
    """The cheapest package of interventions reaching ``target`` with ``probability``.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A scenario or anything :func:`crossroads.load` accepts.
    issue : str or None
        Issue id (may be omitted when the scenario has one issue).
    model : str
        Any model :func:`crossroads.ensemble` runs.
    target : str or Target
        ``'>=X'`` or ``'<=X'`` (:func:`parse_target`), X on the issue's scale.
    probability : float
        Required probability, in (0, 1].
    budget : float, optional
        Packages costing more are not evaluated.
    candidates : sequence of str, optional
        Intervention ids to combine (default: all of the scenario's; each needs a cost).
    options : RunOptions, optional
        The ensemble's options, shared by every package (runs, seed, preset, model
        parameters, uncertainty, workers). ``interventions`` and ``threshold`` are set by
        the plan and may not be given.
    executor : Executor, optional
        An open executor; otherwise one is opened from ``workers``/``scheduler`` for all
        packages and closed at the end.
    **settings
        Fields of :class:`RunOptions` or model parameters, as for :func:`crossroads.ensemble`.

    Returns
    -------
    PlanResult

    Examples
    --------
    >>> import crossroads
    >>> r = crossroads.plan("tests/data/plan-small.yaml", "trade", "mean", ">=50", 0.8,
    ...                     runs=1024)
    >>> r.search, r.evaluated
    ('exhaustive', 16)
    """
    t = target if isinstance(target, Target) else parse_target(target)
    if (
        isinstance(probability, bool)
        or not isinstance(probability, (int, float))
        or not 0 < probability <= 1
    ):
        raise CrossroadsError(f"probability must be a number in (0, 1], got {probability!r}")
    if budget is not None and (
        isinstance(budget, bool)
        or not isinstance(budget, (int, float))
        or not math.isfinite(budget)
        or budget < 0
    ):
        raise CrossroadsError(f"budget must be a number >= 0, got {budget!r}")
    opts = RunOptions.of(options, settings)
    if opts.interventions:
        raise CrossroadsError(
            "plan chooses the interventions itself; give the ones to consider as candidates"
        )
    if opts.threshold is not None:
        raise CrossroadsError("plan sets the threshold from its target; do not give one")
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    names = _candidates(sc, candidates)
    order = {k: i for i, k in enumerate(names)}
    costs = {k: float(sc.intervention(k).cost.value) for k in names}  # type: ignore[union-attr]
    unit = sc.intervention(names[0]).cost.unit  # type: ignore[union-attr]

    cache: dict[tuple[str, ...], Package] = {}
    evaluated: list[Package] = []
    first: list[EnsembleResult] = []

    def cost_of(pkg: tuple[str, ...]) -> float:
        return math.fsum(costs[k] for k in pkg)

    def evaluate(pkg: Sequence[str]) -> Package:
        key = tuple(sorted(pkg, key=order.__getitem__))
        if key in cache:
            return cache[key]
        res = ensemble(
            sc, issue, model, RunOptions.of(opts, {"interventions": key, "threshold": t.value}),
            executor=ex,
        )  # fmt: skip
        if not first:
            first.append(res)
        assert res.threshold is not None
        p, err = res.threshold.share(t.op)
        out = Package(key, cost_of(key), p, err, res.distribution.mean, p >= probability)
        cache[key] = out
        evaluated.append(out)
        return out

    t0 = time.perf_counter()
    own = executor is None
    ex = make_executor(opts.workers, opts.scheduler) if own else executor
    assert ex is not None
    try:
        if len(names) <= EXHAUSTIVE_MAX:
            search: Literal["exhaustive", "heuristic"] = "exhaustive"
            for size in range(len(names) + 1):
                for pkg in itertools.combinations(names, size):
                    if _within(cost_of(pkg), budget):
                        evaluate(pkg)
        else:
            search = "heuristic"
            _greedy_then_local(names, costs, budget, t, evaluate)
        exname = getattr(ex, "name", "executor")
    finally:
        if own:
            ex.close()
    elapsed = time.perf_counter() - t0
    best = _best(evaluated)
    reason = None
    if best is None:
        top = max(evaluated, key=lambda p: p.probability)
        within = f" within the budget {budget:g}" if budget is not None else ""
        how = (
            "of the packages the heuristic search evaluated (it may miss one)"
            if search == "heuristic"
            else f"of all {len(evaluated)} packages{within}"
        )
        reason = (
            f"the highest {t.describe()} {how} is {top.probability:.3f} ± {top.mc_error:.3f}, "
            f"reached by {top.label}, below the {probability:g} required"
        )
        # the package that moves the mean forecast furthest towards the target
        toward = max(evaluated, key=lambda p: p.mean if t.op == ">=" else -p.mean)
        if toward.interventions:
            reason += (
                f"; the mean forecast comes closest with {toward.label} "
                f"({toward.mean:.4g}, cost {toward.cost:g})"
            )
    base = first[0]
    notes = []
    zero = cache.get(())
    inert = [
        k for k in names
        if zero is not None and (k,) in cache
        and (cache[(k,)].probability, cache[(k,)].mean) == (zero.probability, zero.mean)
    ]  # fmt: skip
    if inert:
        notes.append(
            f"{', '.join(inert)} alone leave{'s' if len(inert) == 1 else ''} the probability "
            f"and the mean forecast as in the baseline: "
            + (
                "it changes no stake of the issue's linked set and switches on no link to it"
                if get_model(base.model).inputs == {"issues"}
                else "a link matters only to models that bargain linked issues together, and "
                "no stake of the issue changes"
            )
        )
    if search == "heuristic":
        notes.append(
            f"{len(names)} candidates are more than {EXHAUSTIVE_MAX}: greedy search by gain in "
            "probability per unit cost, then drops and swaps; it may miss the cheapest package"
        )
    return PlanResult(
        scenario=sc.id,
        issue=base.issue,
        model=base.model,
        preset=base.preset,
        target=t,
        probability_required=float(probability),
        budget=None if budget is None else float(budget),
        unit=unit,
        runs=opts.runs,
        seed=opts.seed,
        search=search,
        candidates=names,
        packages=evaluated,
        best=best,
        frontier=_frontier(evaluated),
        reason=reason,
        executor=exname,
        elapsed=elapsed,
        notes=notes,
    )


def _greedy_then_local(
    names: list[str],
    costs: dict[str, float],
    budget: float | None,
    t: Target,
    evaluate: Any,
) -> None:
    """The heuristic search (see the module docstring); packages are kept by ``evaluate``."""
    sign = 1.0 if t.op == ">=" else -1.0

    def ratio(gain: float, cost: float) -> float:
        return math.inf if cost <= 0 else gain / cost

    current: tuple[str, ...] = ()
    now = evaluate(current)
    while not now.meets:
        spent = math.fsum(costs[k] for k in current)
        options = [
            (k, evaluate((*current, k)))
            for k in names
            if k not in current and _within(spent + costs[k], budget)
        ]
        gains = [(ratio(p.probability - now.probability, costs[k]), k, p) for k, p in options
                 if p.probability > now.probability]  # fmt: skip
        if not gains:
            gains = [(ratio(sign * (p.mean - now.mean), costs[k]), k, p) for k, p in options
                     if sign * (p.mean - now.mean) > 0]  # fmt: skip
        if not gains:
            return
        _, k, now = max(gains, key=lambda g: (g[0], -costs[g[1]], -names.index(g[1])))
        current = now.interventions
    improved = True
    while improved:
        improved = False
        moves: list[tuple[str, ...]] = [tuple(x for x in current if x != k) for k in current]
        moves += [
            (*(x for x in current if x != k), j)
            for k in current
            for j in names
            if j not in current and costs[j] < costs[k]
        ]
        spent = math.fsum(costs[k] for k in current)
        ok = []
        for m in moves:
            c = math.fsum(costs[k] for k in m)
            if c < spent and _within(c, budget):
                p = evaluate(m)
                if p.meets:
                    ok.append(p)
        if ok:
            nxt = min(ok, key=lambda p: (p.cost, -p.probability))
            current, improved = nxt.interventions, True
