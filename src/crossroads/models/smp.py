"""KTAB's Spatial Model of Politics (SMP) with probabilistic Condorcet elections.

A reimplementation of the SMP of the KAPSARC Toolkit for Behavioral Analysis
(KTAB, MIT licence, repository lsyaseen/KTAB; ``examples/smp/libsrc/smp.cpp``,
``smpbcn.cpp``, ``KTAB/kmodel/libsrc/kmodel.cpp``). Each actor i has one
capability c_i > 0 and, on each of D dimensions, a position x_id and a salience
s_id >= 0 with sum_d s_id <= 1. Work is on KTAB's internal 0-1 scale: positions
are mapped from the issue's scale (0-100 in KTAB files) to 0-1 and back.

Every round (``SMPState::stepBCN``):

1. **Utilities.** Actor i's distance to a position y is the salience-weighted
   Euclidean distance ``d = sqrt(sum_d (s_id (x_id - y_d))^2 / sum_d s_id^2)``, and its
   utility is ``u = (1 - d)(1 + d R)`` with risk attitude R (``SMPModel::bsUtil``).
2. **Risk attitudes.** A probabilistic Condorcet election (PCE) among all current
   positions with risk-neutral utilities: actor k votes ``c_k (u_ki - u_kj)`` for i
   over j (``voting_rule``), coalitions add up the votes on each side, the victory
   probability of i over j is ``C_ij / (C_ij + C_ji)`` (``vp_model``), and the
   probability that i wins is ``prod_j P[i > j]`` normalised (``pce_model``). The
   likelier an actor's position, the more risk-averse it is taken to be:
   ``R_i = (3 p_i - p_max - 2 p_min) / (2 (p_max - p_min))`` in [-1/2, 1]
   (``big_r_range``). Actor h estimates i's attitude as ``(2 R_h + R_i) / 3``
   (``big_r_adjust``).
3. **Challenges.** Actor i estimates, for each j, the probability that it would
   beat j, adding to each side the votes of i and j (weight c s) and of every
   third party n, which weighs joining i against joining j by the utility sums of
   the outcomes (``third_party_commit``); i's expected gain from challenging j is
   ``(1 - s_j) 2 u_ii + s_j (P 2 u_ii + (1 - P) 2 u_ij) - (u_ii + u_ij)``. Each actor
   challenges the target with the largest gain above 1e-5, if any.
4. **Bargains.** A challenge proposes a bargain that moves both parties, dimension
   by dimension, to ``(w_i x_i + w_j x_j) / (w_i + w_j)`` with ``w = (s P)^2`` (P the
   initiator's estimate of its own and of the target's chance; ``inter_vec_bargain``),
   rounded to 1e-4 on 0-1 as KTAB does. With the default ``bargain_model`` only the
   initiator's view is proposed.
5. **Resolution.** For each actor k, its bargains (as initiator or target) and the
   status quo are options; the value of each to actor a is the mean over actors of a's
   utility for their positions after the bargain; a PCE among the options, with
   capabilities as weights, picks k's new position: the most probable option
   (``state_transitions='Deterministic'``) or a random draw by those probabilities.
6. **Stopping.** After at least ``min_rounds`` rounds, stop when the sum over actors of
   the distance each moved in the last round is below ``tol`` times that of the first
   round (plus 1e-4); or after ``rounds`` rounds (``smpStopFn``: 2, 0.02, 100).

The forecast of each state is the expected position under KTAB's own "winning
probability" of each distinct position (a PCE among the distinct positions with each
actor's risk-aware utilities, ``SMPState::pDist(-1)``); ``forecast='mean'`` gives the
capability x salience weighted mean per dimension instead. The probabilities are
returned as :attr:`SMPResult.win_prob`.

With the defaults (KTAB's ``smpc`` settings) the states match KTAB's reference runs of
``smpc --logmin`` to KTAB's printed precision. KTAB's default run draws no random
numbers: its PRNG seed only matters for ``state_transitions='Stochastic'``, where
KTAB draws in the order its threads happen to run; here each run draws from its own
stream of ``seed`` (NumPy PCG64), so results are reproducible but not KTAB's.

Differences from KTAB, all outside its reference runs: KTAB refuses fewer than 3
actors (this code runs them); when every position is equally likely KTAB divides by
zero (here every R is 0); KTAB breaks exact ties between an actor's bargains by the
order its threads produced them (here the lower initiator index wins).

Cost: a round is O(n^3) (third-party votes on candidate challenges, pruned by a
bound on the gain) and O(n^2) memory, compiled with numba (first call compiles for
some seconds; the machine code is cached on disk) and spread over threads by run.

References
----------
KTAB source, MIT licence: https://github.com/lsyaseen/KTAB (``KTAB/kmodel/libsrc/kmodel.cpp``,
``examples/smp/libsrc/smp.cpp``, ``smpbcn.cpp``, ``smpread.cpp``).

KAPSARC methodology papers listed by KTAB (``web/papers.html``): "An Introduction to the
KAPSARC Toolkit for Behavioral Analysis (KTAB)"; "Multidimensional Bargaining Using
KTAB"; "Group Choice with Interdependent Sublinear Voting"; "Toward the Integration of
Policymaking Models and Economic Models" (https://www.kapsarc.org/research/publications/).

Wise, B. P. "Markov Voting with Incentives in KTAB", draft, KTAB ``kmodel/doc/
markov-incentives.tex`` (the ``MarkovIncentive`` PCE).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from crossroads.errors import ModelError
from crossroads.models.base import KernelResult, as_batch, require_rng
from crossroads.models.spec import MAX_ROUNDS, ModelParams, ModelSpec, worker_threads

__all__ = [
    "MAX_ACTORS",
    "CHOICES",
    "MEMORY_LIMIT",
    "SPEC",
    "SMPParams",
    "SMPResult",
    "THREADS",
    "run",
]

#: Worker threads for a batch of runs; ``None`` means one per available CPU.
#: Results do not depend on it (each run is computed on its own).
THREADS: int | None = None

#: Largest number of actors of one issue. A round costs O(actors^3): one forecast of 200
#: random actors took about 4 s on the project's 2-core machine, 500 actors about 30 s
#: (see docs/security.md, "Security and limits").
MAX_ACTORS = 200

#: Largest number of bytes the result arrays of one call may take.
MEMORY_LIMIT = 2 * 1024**3


class SMPParams(ModelParams):
    """Every option of KTAB's SMP; the defaults are KTAB's ``smpc --csv FILE``
    (``SMPModel::configExec`` and the Model defaults). Choices are spelled as KTAB prints
    them, in KTAB's enum order, and matched without regard to case. See :func:`run`."""

    vp_model: Literal["Linear", "Square", "Quartic", "Octic", "Binary"] = "Linear"
    pce_model: Literal["Conditional", "MarkovIncentive", "MarkovUniform"] = "Conditional"
    voting_rule: Literal["Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"] = "Prop"
    state_transitions: Literal["Deterministic", "Stochastic"] = "Deterministic"
    big_r_range: Literal["Min", "Mid", "Max"] = "Mid"
    big_r_adjust: Literal["None", "OneThird", "Half", "TwoThirds", "Full"] = "OneThird"
    third_party_commit: Literal["NoCommit", "SemiCommit", "FullCommit"] = "SemiCommit"
    inter_vec_bargain: Literal["S1P1", "S2P2", "S2PMax"] = "S2P2"
    bargain_model: Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"] = "InitOnlyInterp"
    tol: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.02
    min_rounds: Annotated[int, Field(ge=0, le=MAX_ROUNDS)] = 2
    rounds: Annotated[int, Field(ge=0, le=MAX_ROUNDS)] = 100
    forecast: Literal["pce", "mean"] = "pce"

    @field_validator(
        "vp_model", "pce_model", "voting_rule", "state_transitions", "big_r_range",
        "big_r_adjust", "third_party_commit", "inter_vec_bargain", "bargain_model",
        "forecast", mode="before",
    )  # fmt: skip
    @classmethod
    def _any_case(cls, v: Any, info: Any) -> Any:
        if isinstance(v, str):
            for a in cls.model_fields[info.field_name].annotation.__args__:
                if a.lower() == v.strip().lower():
                    return a
        return v

    def is_stochastic(self) -> bool:
        return self.state_transitions == "Stochastic"


#: Allowed values of the named options, in KTAB's enum order.
CHOICES: dict[str, tuple[str, ...]] = {
    name: f.annotation.__args__  # type: ignore[union-attr]
    for name, f in SMPParams.model_fields.items()
    if getattr(f.annotation, "__origin__", None) is Literal
}

#: Named parameter sets: ``default`` is KTAB's ``smpc`` as it ships.
PRESETS: dict[str, SMPParams] = {"default": SMPParams()}

# order of the option codes handed to the kernel (smp_kernel.OPT_*)
_CODE_ORDER = (
    "voting_rule",
    "vp_model",
    "pce_model",
    "state_transitions",
    "big_r_range",
    "big_r_adjust",
    "third_party_commit",
    "inter_vec_bargain",
    "bargain_model",
)

_MIN_SIG_DELTA = 1e-4  # smpc's floor on the first step's size (0-1 scale)
_POS_TOL = 1e-3  # SMPModel::posTol: positions closer than this (0-1 scale) are one option
_SAL_TOL = 1e-9


@dataclass(frozen=True)
class SMPResult(KernelResult):
    """A batch of SMP trajectories.

    Attributes
    ----------
    positions : ndarray of shape (runs, rounds + 1, actors[, dims])
    forecast : ndarray of shape (runs, rounds + 1[, dims])
    rounds : ndarray of int, shape (runs,)
    win_prob : ndarray of shape (runs, rounds + 1, actors)
        KTAB's probability that each actor's position is the outcome, per state
        (the "History of actors' winning probabilities" of its logs).
    """

    win_prob: np.ndarray


def _inputs(c, s, x, scale):
    """Arrays (runs, actors), (runs, actors, dims) x2 on 0-1, the scale, and whether 1-D."""
    c, s, x = as_batch(c, s, x, model="smp", max_actors=MAX_ACTORS)
    one_dim = x.ndim == 2
    if one_dim:
        x = x[..., None]
        s = s[..., None]
    elif s.shape != x.shape:
        raise ModelError(
            f"smp takes one salience per actor and dimension: salience {s.shape} must match "
            f"position {x.shape}"
        )
    runs, n, dims = x.shape
    if dims < 1:
        raise ModelError("smp needs at least one dimension")
    if np.any(c <= 0):
        r, a = np.argwhere(c <= 0)[0]
        raise ModelError(
            f"smp needs every capability > 0 (KTAB's votes need a positive weight); "
            f"run {r}, actor {a} has {c[r, a]:g}"
        )
    total = s.sum(axis=-1)
    if np.any(total <= 0) or np.any(total > 1 + _SAL_TOL):
        r, a = np.argwhere((total <= 0) | (total > 1 + _SAL_TOL))[0]
        raise ModelError(
            f"smp: an actor's saliences must sum to more than 0 and at most 1; run {r}, "
            f"actor {a} sums to {total[r, a]:g}"
        )
    if scale is None:
        lo, hi = np.zeros(dims), np.full(dims, 100.0)
    else:
        try:
            lo, hi = (np.broadcast_to(np.asarray(v, dtype=float), (dims,)) for v in scale)
        except (TypeError, ValueError):
            raise ModelError(
                f"smp: scale must be (min, max), each a number or one per dimension; got {scale!r}"
            ) from None
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(hi > lo)):
            raise ModelError(f"smp: the scale's max must exceed its min; got {scale!r}")
    span = hi - lo
    x01 = (x - lo) / span
    if np.any(x01 < -1e-9) or np.any(x01 > 1 + 1e-9):
        raise ModelError(
            "smp: every position must lie on the scale "
            f"({', '.join(f'{a:g}-{b:g}' for a, b in zip(lo, hi, strict=True))})"
        )
    x01 = np.clip(x01, 0.0, 1.0)
    return c, np.ascontiguousarray(s), np.ascontiguousarray(x01), lo, span, one_dim


def run(c, s, x, *, scale=None, params=None, rng=None) -> SMPResult:
    """Run the Spatial Model of Politics on a batch of scenarios.

    Parameters
    ----------
    c : array of shape (runs, actors)
        Capability (KTAB's "influence" or "power"), > 0.
    s : array of shape (runs, actors, dims), or (runs, actors) with 1-D ``x``
        Salience of each dimension to each actor, in 0-1; an actor's saliences sum to
        at most 1 (KTAB's 0-100 saliences divided by 100).
    x : array of shape (runs, actors, dims) or (runs, actors)
        Positions on ``scale``. A batch of one may drop the run axis.
    scale : (min, max), optional
        The scale of the positions: two numbers, or two arrays of one value per
        dimension. Default (0, 100), KTAB's scale.
    params : SMPParams, mapping of overrides, or None (the defaults)
        The fields below.
    rng : numpy Generator, needed with ``state_transitions='Stochastic'``
        Run r draws its transitions from the r-th of ``runs`` seeds drawn from ``rng``
        (one ``integers`` call), so a batch's first runs get the same numbers whatever
        runs follow them.
    vp_model : {'Linear', 'Square', 'Quartic', 'Octic', 'Binary'}, default 'Linear'
        Victory probability of coalition strengths C1, C2: ``C1^k / (C1^k + C2^k)``
        with k = 1, 2, 4, 8, or certain victory from a 10% advantage (``Binary``).
    pce_model : {'Conditional', 'MarkovIncentive', 'MarkovUniform'}, default 'Conditional'
        How pairwise victory probabilities give each option's probability:
        ``prod_j P[i > j]`` normalised, or the stationary distribution of a Markov
        chain of challenges (proportional to incentives, or uniform).
    voting_rule : {'Binary', 'PropBin', 'Prop', 'PropCbc', 'Cubic', 'ASymProsp'}, default 'Prop'
        Vote as a function of the utility difference (``Model::vote``).
    state_transitions : {'Deterministic', 'Stochastic'}, default 'Deterministic'
        Adopt the most probable bargain, or draw one by the PCE probabilities.
    big_r_range : {'Min', 'Mid', 'Max'}, default 'Mid'
        Range of risk attitudes: [0, 1], [-1/2, 1] or [-1, 1].
    big_r_adjust : {'None', 'OneThird', 'Half', 'TwoThirds', 'Full'}, default 'OneThird'
        Weight of i's own attitude in h's estimate of it (h's own attitude gets the rest).
    third_party_commit : {'NoCommit', 'SemiCommit', 'FullCommit'}, default 'SemiCommit'
        What a third party expects of the outcomes of a contest it joins.
    inter_vec_bargain : {'S1P1', 'S2P2', 'S2PMax'}, default 'S2P2'
        Bargain weights ``s P``, ``(s P)^2``, or a shift by the probability advantage.
    bargain_model : {'InitOnlyInterp', 'InitRcvrInterp', 'PWCompInterp'}, default 'InitOnlyInterp'
        Propose the initiator's view of the bargain; both views; or their weighted
        compromise (with KTAB's weights c_i s_i and c_i s_j, as its code has them).
    tol : float, default 0.02
        Stop once a round moves the actors less than ``tol`` times the first round.
    min_rounds : int, default 2
        Rounds before the tolerance may stop a run.
    rounds : int, default 100
        Round cap.
    forecast : {'pce', 'mean'}, default 'pce'
        Forecast per state: expected position under KTAB's winning probabilities, or
        the capability x salience weighted mean per dimension.

    Returns
    -------
    SMPResult
        positions (runs, rounds + 1, actors[, dims]) on ``scale``; forecast
        (runs, rounds + 1[, dims]); rounds (runs,); win_prob (runs, rounds + 1, actors).
        The dims axis is present when ``x`` had one. A run that stopped early carries
        its last state forward.

    Raises
    ------
    ModelError
        for malformed arrays, a capability <= 0, saliences that do not sum to
        (0, 1], positions off the scale, an unknown parameter or value, or stochastic
        transitions without ``rng``.

    Examples
    --------
    >>> from crossroads.models import smp
    >>> res = smp.run([100.0, 60.0, 35.0], [[0.3], [0.6], [0.4]], [[30.0], [45.0], [60.0]])
    >>> res.positions.shape[-2:]
    (3, 1)
    """
    p = SPEC.validate(params)
    c, s, x01, lo, span, one_dim = _inputs(c, s, x, scale)
    runs, n, dims = x01.shape
    cap = p.rounds
    codes = np.array([CHOICES[k].index(getattr(p, k)) for k in _CODE_ORDER], dtype=np.int64)
    stochastic = p.is_stochastic()
    need = 8 * runs * (cap + 1) * n * (dims + 2 + int(stochastic))
    if need > MEMORY_LIMIT:
        raise ModelError(
            f"smp: {runs} runs x {cap + 1} rounds x {n} actors x {dims} dims need about "
            f"{need / 1024**3:.1f} GiB, above the limit of {MEMORY_LIMIT / 1024**3:.0f} GiB; "
            "run fewer runs per call (chunk the batch) or lower 'rounds'"
        )
    if stochastic:
        seeds = require_rng("smp", rng).integers(0, 2**63, size=runs)
        draws = [np.random.default_rng(int(sd)).random((max(cap, 1), n)) for sd in seeds]
    else:  # never read
        draws = [np.zeros((max(cap, 1), n))] * runs
    traj = np.empty((runs, cap + 1, n, dims))
    win = np.empty((runs, cap + 1, n))
    fc = np.empty((runs, cap + 1, dims))
    done = np.zeros(runs, dtype=np.int64)
    errs = np.zeros(runs, dtype=np.int64)
    c = np.ascontiguousarray(c)
    args = (float(p.tol), _MIN_SIG_DELTA, p.min_rounds, cap, _POS_TOL)

    from crossroads.models.compilation import notify_if_compiling
    from crossroads.models.smp_kernel import run_one

    notify_if_compiling("smp", run_one)

    def work(lo_r: int, hi_r: int) -> None:
        for r in range(lo_r, hi_r):
            done[r], errs[r] = run_one(
                codes, x01[r], s[r], c[r], *args, draws[r], traj[r], win[r], fc[r]
            )

    threads = worker_threads(runs, runs * n**3, 200_000, THREADS)
    if threads == 1:
        work(0, runs)
    else:
        bounds = np.linspace(0, runs, threads + 1).astype(int)
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, bounds[:-1], bounds[1:]))
    if np.any(errs):
        raise ModelError(
            f"smp: the {p.pce_model} PCE did not settle within 1000 iterations "
            f"(run {int(np.argmax(errs != 0))}); try pce_model='Conditional'"
        )
    last = int(done.max()) + 1
    traj = traj[:, :last]
    positions = lo + span * traj
    if p.forecast == "mean":
        w = c[:, None, :, None] * s[:, None, :, :]
        forecast = (w * positions).sum(axis=2) / w.sum(axis=2)
    else:
        forecast = lo + span * fc[:, :last]
    win = win[:, :last]
    if one_dim:
        positions, forecast = positions[..., 0], forecast[..., 0]
    return SMPResult(positions=positions, forecast=forecast, rounds=done.astype(int), win_prob=win)


SPEC = ModelSpec(
    name="smp",
    title="KTAB's Spatial Model of Politics with probabilistic Condorcet elections",
    params=SMPParams,
    presets=PRESETS,
    inputs=frozenset({"scalar", "spatial"}),
    run=run,
    references=("KAPSARC Toolkit for Behavioral Analysis (KTAB), MIT licence, lsyaseen/KTAB",),
    max_actors=MAX_ACTORS,
)
