"""The exchange model of policy networks (Stokman & Van Oosten 1994), batched over runs.

Actors hold positions on several linked issues at once, each with a power ``c`` and a
salience ``s`` in 0-1 per issue. Actors trade concessions: each gives ground on an issue it
cares less about in return for ground on one it cares more about. Every round:

1. **Outcome** (Stokman & Van Oosten 1994, eq. 1): each issue's expected outcome is the
   power x salience weighted mean of positions, ``O_k = sum_a c_ak s_ak x_ak / W_k`` with
   ``W_k = sum_a c_ak s_ak``. An actor is *left* of an issue when ``x_ak <= O_k``.
2. **Candidate exchanges** (sec. "exchange of voting positions", conditions 1-2): for
   every pair of issues (p, q), in issue order, and every pair of actors on opposite sides
   of the outcome on both issues (right-right with left-left, then right-left with
   left-right), in actor order. The actor I with the larger salience ratio
   ``s_p / s_q`` demands p and supplies (gives ground on) q; J supplies p and demands q.
3. **Exchange ratio.** Moving actor a by d on issue k shifts the outcome by
   ``d c_ak s_ak / W_k``. The exchange trades a shift ``dp`` of the outcome on p (J's
   concession) for ``dq = rho dp`` on q (I's). The gains are
   ``G_I = dp s_Ip - dq s_Iq`` and ``G_J = dq s_Jq - dp s_Jp``; both are positive for
   ``s_Jp / s_Jq < rho < s_Ip / s_Iq``. ``rate='equal_gain'`` takes
   ``rho = (s_Ip + s_Jp) / (s_Iq + s_Jq)``, which makes ``G_I = G_J``;
   ``'random_rate'`` draws rho uniformly between the two bounds (Dijkstra, Van Assen,
   Stokman & Draaijer 2018); ``'randomised_equal_gain'`` moves rho from the Equal Gain
   ratio towards one of the bounds (each with probability 1/2) by the fraction ``p u``,
   u uniform in 0-1 (our parametrisation, in the spirit of Dijkstra et al.; ``p = 0`` is
   Equal Gain, ``p = 1`` a random rate on the chosen side).
4. **Size of the exchange.** J first moves all the way to I's position on p; when I's
   move that the ratio then demands exceeds its distance to J's position on q, I moves all
   the way instead and J's move follows from the ratio. With ``cap_outcome``, a move that
   would carry the outcome on the issue past the other actor's position is cut to put the
   outcome exactly there, and the other actor's move follows from the ratio.
5. **Realisation.** The exchange with the highest gain is made (for unequal gains, the
   smaller of the two ranks it). Gains within ``tie_tol`` are equal; among them
   (``tie_break='first'``) the public implementation's list order decides: it stable-sorts
   its list of candidates by gain before every choice, so the exchange whose gain was
   higher at the latest choice where the two differed comes first, else the one created
   first (issue pair, then actor pair order). Then every remaining exchange that shares an
   actor and a
   supply issue with it is recomputed from that actor's new position, and every exchange
   whose actor demands the same issue as one of the two records the other's move in its
   own view of the outcome (the public implementation's bookkeeping; see ``updates``).
   An exchange is dropped once its moves are invalid: a move smaller than 1e-10, a
   position off the scale, a reversal of direction against that actor's earlier move in
   the same exchange, or (``move_sum_cap``) moves summing above 100. Repeat until no
   exchange is left. An actor may take part in any number of exchanges in a round, also
   on the same issue: its moves accumulate.
6. **Next round.** Each actor that moved on an issue ends the round at its *voting
   position* (the last realised exchange's); the round's forecast is the outcome of the
   voting positions. It starts the next round (``start='blend'``) at
   ``x' = ((1 - s) sw + fw) y + (1 - (1 - s) sw - fw) x`` (sw ``salience_weight`` = 0.4,
   fw ``fixed_weight`` = 0.1, y the voting, x the round's start position), at its voting
   position (``'voting'``), or back at its start position (``'reset'``).

Positions are normalised to 0-100 per issue with ``scale`` for the computation (as the
public implementation does, so its absolute thresholds keep their meaning); positions,
forecasts and outcomes are returned on each issue's own scale, gains and externalities in
salience x 0-100 units. A stake that is missing (``x`` NaN: the actor has no ``#D`` row for
the issue) counts in no outcome and no exchange on that issue; an actor with zero power or
zero salience on an issue counts in no exchange on it. An issue on which every weight is
zero has a NaN forecast.

The defaults (preset ``'decide'``) reproduce decide-exchange-model 2022.1.28
(foarsitter/decide-exchange-model, GPL-3.0; read, not copied) with
``EqualGainModel.ALLOW_RANDOM = False``. That package computes in 28-digit ``Decimal``;
where two exchanges have mathematically equal gains, or an outcome lands exactly on an
actor's position, its choice falls on the last digit's rounding. With those two cases
decided as exact arithmetic decides them, its 10 rounds on cop21.csv and copenhagen.csv
(every outcome, position and realised exchange) agree with ours to < 1e-13; as published
it agrees up to its first such choice (cop21: exchange 47 of round 1; copenhagen:
exchange 17 of round 2), after which the runs differ (``tests/test_exchange.py``,
fixtures in ``tests/data/exchange``).

References
----------
Stokman, F. N., & Van Oosten, R. (1994). The exchange of voting positions: an
object-oriented model of policy networks. In B. Bueno de Mesquita & F. N. Stokman (eds.),
*European Community Decision Making: Models, Applications, and Comparisons*, Yale
University Press, 105-127.

Dijkstra, J., Van Assen, M. A. L. M., Stokman, F. N., & Draaijer, J. (2018). Randomised
exchange rates in the exchange model of policy networks (see the public implementation's
documentation for the randomised Equal Gain variant).
"""

from __future__ import annotations

import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from crossroads.errors import ModelError
from crossroads.models.base import KernelResult, require_rng
from crossroads.models.spec import ModelParams, ModelSpec

__all__ = [
    "CHOICES",
    "SPEC",
    "ExchangeParams",
    "ExchangeResult",
    "PRESETS",
    "THREADS",
    "exchanges_df",
    "externalities",
    "run",
]

#: Worker threads for a large batch; ``None`` means one per available CPU. Results do not
#: depend on it (every run is computed on its own).
THREADS: int | None = None

#: Largest number of bytes the result arrays of one call may take.
MEMORY_LIMIT = 4 * 1024**3


class ExchangeParams(ModelParams):
    """Every modelling choice of the exchange model; the defaults are the public
    implementation's (decide-exchange-model 2022.1.28, Equal Gain, no random tie-breaks).
    """

    rounds: int = Field(10, ge=0, le=10_000, description="Round cap.")
    rate: Literal["equal_gain", "random_rate", "randomised_equal_gain"] = Field(
        "equal_gain",
        description=(
            "Exchange ratio rho = dq/dp: Equal Gain (s_Ip + s_Jp)/(s_Iq + s_Jq); a random "
            "rate uniform between the break-even ratios s_Jp/s_Jq and s_Ip/s_Iq; or Equal "
            "Gain moved towards one bound by the fraction p*u. Drawn once per candidate "
            "exchange per round."
        ),
    )
    p: float = Field(
        0.0, ge=0.0, le=1.0, description="Randomisation of 'randomised_equal_gain', 0-1."
    )
    start: Literal["blend", "voting", "reset"] = Field(
        "blend",
        description=(
            "Next round's start position of an actor that moved: the public "
            "implementation's blend of start and voting position (new_start_position), the "
            "voting position, or the round's start position again."
        ),
    )
    salience_weight: float = Field(
        0.4, ge=0.0, le=1.0, description="'blend': weight (1 - s) sw on the voting position."
    )
    fixed_weight: float = Field(
        0.1, ge=0.0, le=1.0, description="'blend': fixed weight fw on the voting position."
    )
    tie_break: Literal["first", "random"] = Field(
        "first",
        description=(
            "Among exchanges of equal gain (within tie_tol): the first in the public "
            "implementation's stably re-sorted list (higher gain at the latest choice where "
            "they differed, else creation order), or one chosen at random."
        ),
    )
    tie_tol: float = Field(1e-12, ge=0.0, description="Gains this close count as equal.")
    stop: Literal["none", "forecast", "positions"] = Field(
        "none",
        description=(
            "Stopping rule besides the round cap: none (the public implementation), or stop "
            "once a round changes no forecast (start position) by more than tol times the "
            "issue's scale range."
        ),
    )
    tol: float = Field(1e-6, ge=0.0, description="Tolerance of the stopping rule.")
    cap_outcome: bool = Field(
        True,
        description=(
            "Cut a move that would carry the outcome past the other actor's position "
            "(AbstractExchangeActor.check_nbs)."
        ),
    )
    move_sum_cap: bool = Field(
        True,
        description=(
            "Drop an exchange whose actor's recorded moves sum above 100 on the 0-100 scale "
            "(is_move_valid; one-sided: only upward moves can reach it)."
        ),
    )
    updates: Literal["decide", "latest"] = Field(
        "decide",
        description=(
            "How an exchange's own record of another actor's earlier move is refreshed when "
            "that actor moves again: the public implementation's rule (update_updates: the "
            "smaller move is kept), or the latest position."
        ),
    )
    record_exchanges: bool = Field(True, description="Return the realised exchanges.")

    @model_validator(mode="after")
    def _check(self) -> ExchangeParams:
        if self.p != 0.0 and self.rate != "randomised_equal_gain":
            raise ValueError("p is used only with rate='randomised_equal_gain'")
        if self.salience_weight + self.fixed_weight > 1.0:
            raise ValueError("salience_weight + fixed_weight must be at most 1")
        return self

    def is_stochastic(self) -> bool:
        """A random rate, randomised Equal Gain or random tie-breaks draw random numbers."""
        return self.rate != "equal_gain" or self.tie_break == "random"

    def forecast_only(self) -> ExchangeParams:
        """Without the record of realised exchanges (which takes about a fifth of the kernel's
        time on COP21 and ~150 bytes per exchange); forecasts and positions are the same."""
        return self.model_copy(update={"record_exchanges": False})


#: Named parameter sets. ``decide`` is the public implementation's behaviour.
PRESETS: dict[str, ExchangeParams] = {
    "default": ExchangeParams(),
    "decide": ExchangeParams(
        rounds=10,
        rate="equal_gain",
        p=0.0,
        start="blend",
        salience_weight=0.4,
        fixed_weight=0.1,
        tie_break="first",
        tie_tol=1e-12,
        stop="none",
        cap_outcome=True,
        move_sum_cap=True,
        updates="decide",
    ),
}

#: Allowed values of the choices, in the kernel's code order.
CHOICES: dict[str, tuple[str, ...]] = {
    "rate": ("equal_gain", "random_rate", "randomised_equal_gain"),
    "start": ("blend", "voting", "reset"),
    "tie_break": ("first", "random"),
    "stop": ("none", "forecast", "positions"),
    "updates": ("decide", "latest"),
}


@dataclass(frozen=True)
class ExchangeResult(KernelResult):
    """A batch of exchange-model trajectories.

    Attributes
    ----------
    positions : ndarray of shape (runs, rounds + 1, actors, issues)
        Entry 0 the input; entry k each actor's voting position after round k's exchanges
        (NaN where the actor has no stake).
    start_positions : ndarray of shape (runs, rounds + 1, actors, issues)
        Entry k the positions round k + 1 starts from (entry 0 the input).
    forecast : ndarray of shape (runs, rounds + 1, issues)
        Expected outcome per issue: the power x salience weighted mean of ``positions``.
    rounds : ndarray of int, shape (runs,)
        Rounds made (the cap, or fewer when the stopping rule held; the final state is
        carried forward).
    ex_run, ex_round, ex_actor_i, ex_actor_j, ex_issue_i, ex_issue_j : ndarray of int
        One entry per realised exchange, in the order made: the run, the round (1-based),
        the two actors, the issue i gives ground on (j gets it) and the issue j gives
        ground on (i gets it).
    ex_position_i, ex_position_j : ndarray of float
        i's new position on the issue it gives, j's on the issue it gives (issue scale).
    ex_gain_i, ex_gain_j : ndarray of float
        Each side's gain (salience x outcome shift, 0-100 scale).
    ex_outcome_i, ex_outcome_j : ndarray of shape (exchanges, 2)
        The outcome (0-100 scale) on i's (j's) give issue before and after the exchange,
        as the exchange saw it (the public implementation's nbs_0, nbs_1).
    scale : ndarray of shape (issues, 2)
        Each issue's (min, max).
    """

    positions: np.ndarray
    start_positions: np.ndarray
    forecast: np.ndarray
    rounds: np.ndarray
    ex_run: np.ndarray
    ex_round: np.ndarray
    ex_actor_i: np.ndarray
    ex_actor_j: np.ndarray
    ex_issue_i: np.ndarray
    ex_issue_j: np.ndarray
    ex_position_i: np.ndarray
    ex_position_j: np.ndarray
    ex_gain_i: np.ndarray
    ex_gain_j: np.ndarray
    ex_outcome_i: np.ndarray
    ex_outcome_j: np.ndarray
    scale: np.ndarray


def _threads(runs: int, work: int) -> int:
    if work < 200_000 or runs < 2:
        return 1
    if THREADS is not None:
        return max(1, min(int(THREADS), runs))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, runs))


def _inputs(c, s, x, scale):
    x = np.asarray(x, dtype=float)
    if x.ndim != 3:
        raise ModelError(f"x must have shape (runs, actors, issues); got {x.shape}")
    runs, n, k = x.shape
    c = np.asarray(c, dtype=float)
    if c.ndim == 2:
        c = c[:, :, None]
    try:
        c = np.broadcast_to(c, x.shape)
        s = np.broadcast_to(np.asarray(s, dtype=float), x.shape)
    except ValueError as err:
        raise ModelError(
            f"c (power) must have shape (runs, actors) or (runs, actors, issues) and s "
            f"(salience) (runs, actors, issues) matching x {x.shape}"
        ) from err
    if n < 1 or k < 1:
        raise ModelError("the exchange model needs at least one actor and one issue")
    sc = np.asarray(scale, dtype=float)
    if sc.shape != (k, 2):
        raise ModelError(f"scale must have shape (issues, 2) = ({k}, 2); got {sc.shape}")
    if not np.all(np.isfinite(sc)) or np.any(sc[:, 1] <= sc[:, 0]):
        raise ModelError("scale: every issue's max must exceed its min (finite numbers)")
    present = np.isfinite(x)
    if np.any(np.isinf(x)):
        raise ModelError("x (position) contains infinite values; use NaN for no stake")
    for name, a in (("c (power)", c), ("s (salience)", s)):
        if not np.all(np.isfinite(a[present])):
            raise ModelError(f"{name} contains NaN or infinite values where x is given")
    if np.any(c[present] < 0):
        raise ModelError("c (power) must be >= 0")
    if np.any((s[present] < 0) | (s[present] > 1)):
        raise ModelError("s (salience) must lie in 0-1")
    lo, hi = sc[:, 0], sc[:, 1]
    tol = 1e-9 * (hi - lo)
    xv = np.where(present, x, lo)
    if np.any(xv < lo - tol) or np.any(xv > hi + tol):
        raise ModelError("x (position): every position must lie on its issue's scale")
    # normalise to 0-100 as the public implementation does: (x - min) * (100 / (max - min))
    xn = np.where(present, (xv - lo) * (100.0 / (hi - lo)), 0.0)
    c = np.where(present, c, 0.0)
    s = np.where(present, s, 0.0)
    return (
        np.ascontiguousarray(c),
        np.ascontiguousarray(s),
        np.ascontiguousarray(xn),
        np.ascontiguousarray(present),
        sc,
    )


def run(c, s, x, *, scale=None, params=None, rng=None) -> ExchangeResult:
    """Run the exchange model (Stokman & Van Oosten 1994) on a batch of runs.

    Parameters
    ----------
    c : array of shape (runs, actors, issues) or (runs, actors)
        Power, >= 0 (one value per actor is broadcast over the issues). The model is
        invariant to its scale.
    s : array of shape (runs, actors, issues)
        Salience, 0-1.
    x : array of shape (runs, actors, issues)
        Positions on each issue's scale; NaN where an actor has no stake in an issue.
    scale : array of shape (issues, 2), optional
        Each issue's (min, max) (a decide file's ``#M`` extremes); None: 0-100 for every
        issue.
    params : ExchangeParams, mapping or None
        The modelling choices (an instance, a mapping of overrides of the defaults, or
        None for the defaults); see :class:`ExchangeParams` and :data:`PRESETS`.
    rng : numpy.random.Generator or None
        Source of every random number (needed by ``rate`` 'random_rate' and
        'randomised_equal_gain' and by ``tie_break='random'``; may be None otherwise). One
        seed per run is drawn from it, in run order, before anything is computed, so a
        run's numbers depend only on its own inputs and its seed: the first m runs of a
        batch equal a batch of those m runs given a generator in the same state.

    Returns
    -------
    ExchangeResult

    Raises
    ------
    ModelError
        For inputs of the wrong shape, NaN power or salience where a position is given,
        positions off the scale, ``params`` not an ExchangeParams, or a random variant
        without ``rng``.

    Notes
    -----
    Equations: Stokman & Van Oosten (1994); each step is described in this module's
    docstring. Cost per round O(K^2 n^2) candidates; each realised exchange recomputes only
    the candidates that share an actor and an issue with it.

    Examples
    --------
    >>> import numpy as np
    >>> from crossroads.models import exchange
    >>> x = np.array([[[0.0, 0.0], [100.0, 100.0]]])  # 1 run, 2 actors, 2 issues
    >>> s = np.array([[[0.8, 0.2], [0.2, 0.8]]])
    >>> res = exchange.run(np.ones((1, 2)), s, x, scale=[[0, 100], [0, 100]],
    ...                    params=exchange.ExchangeParams(rounds=1), rng=None)
    >>> res.positions[0, 1].round(6).tolist()
    [[0.0, 100.0], [0.0, 100.0]]
    """
    params = SPEC.validate(params)
    if scale is None:
        scale = np.tile([0.0, 100.0], (np.shape(x)[-1] if np.ndim(x) == 3 else 1, 1))
    c, s, xn, present, sc = _inputs(c, s, x, scale)
    runs, n, k = xn.shape
    rounds = params.rounds
    if params.is_stochastic():
        rng = require_rng("exchange", rng)
        seeds = rng.integers(0, 2**63 - 1, size=runs, dtype=np.int64)
    else:
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise ModelError("rng must be a numpy.random.Generator or None")
        seeds = np.zeros(runs, dtype=np.int64)
    need = 8 * runs * (rounds + 1) * (2 * n * k + k)
    if need > MEMORY_LIMIT:
        raise ModelError(
            f"model 'exchange': {runs} runs x {rounds + 1} rounds x {n} actors x {k} issues need "
            f"about {need / 1024**3:.1f} GiB, above {MEMORY_LIMIT / 1024**3:.0f} GiB; chunk "
            "the batch"
        )
    from crossroads.models.compilation import notify_if_compiling
    from crossroads.models.exchange_kernel import N_REC_F, N_REC_I, exchange_batch

    notify_if_compiling("exchange", exchange_batch)

    codes = np.array(
        [
            CHOICES["rate"].index(params.rate),
            CHOICES["start"].index(params.start),
            CHOICES["tie_break"].index(params.tie_break),
            CHOICES["stop"].index(params.stop),
            int(params.cap_outcome),
            int(params.move_sum_cap),
            CHOICES["updates"].index(params.updates),
        ],
        dtype=np.int64,
    )
    pos = np.empty((runs, rounds + 1, n, k))
    start = np.empty((runs, rounds + 1, n, k))
    fc = np.empty((runs, rounds + 1, k))
    done = np.zeros(runs, dtype=np.int64)
    record = bool(params.record_exchanges)
    tol = float(params.tol) * 100.0  # on the 0-100 scale
    max_c = max(1, (k * (k - 1)) // 2 * ((n * n) // 4))

    def work(lo: int, hi: int):
        # the first buffer holds at least one run's most exchanges (rounds x candidates),
        # so every call completes a run; later ones are sized from the rate seen
        cap = max(rounds * max_c, (hi - lo) * min(rounds * max_c, 256)) if record else 0
        parts = []
        r0 = lo
        status = np.zeros(2, dtype=np.int64)
        while r0 < hi:
            rr = np.empty(cap, dtype=np.int64)
            ri = np.empty((cap, N_REC_I), dtype=np.int64)
            rf = np.empty((cap, N_REC_F))
            exchange_batch(
                c[r0:hi], s[r0:hi], xn[r0:hi], present[r0:hi], rounds, codes,
                float(params.p), float(params.salience_weight), float(params.fixed_weight),
                float(params.tie_tol), tol, seeds[r0:hi], pos[r0:hi], start[r0:hi],
                fc[r0:hi], done[r0:hi], rr, ri, rf, record, status,
            )  # fmt: skip
            got, completed = int(status[0]), int(status[1])
            parts.append((rr[:got] + r0, ri[:got], rf[:got]))
            r0 += completed
            if r0 < hi:  # a run's exchanges did not fit: size the buffers from the rate so far
                rate = got / completed if completed else 0.0
                cap = max(4 * cap if not completed else 0, int((hi - r0) * rate * 1.25) + 1024)
        return parts

    threads = _threads(runs, runs * rounds * max_c)
    if threads == 1:
        parts = work(0, runs)
    else:
        # several slices per thread, handed out as threads free up: one thread slowed by
        # other load does not leave the others idle at the end
        bounds = np.linspace(0, runs, min(runs, 8 * threads) + 1).astype(int)
        with ThreadPoolExecutor(threads) as pool:
            parts = [p for ps in pool.map(work, bounds[:-1], bounds[1:]) for p in ps]
    if record and parts:
        rr = np.concatenate([p[0] for p in parts])
        ri = np.concatenate([p[1] for p in parts])
        rf = np.concatenate([p[2] for p in parts])
    else:
        rr = np.zeros(0, dtype=np.int64)
        ri = np.zeros((0, N_REC_I), dtype=np.int64)
        rf = np.zeros((0, N_REC_F))
    lo, hi = sc[:, 0], sc[:, 1]
    span = (hi - lo) / 100.0

    def denorm(v, issue):
        return lo[issue] + v * span[issue]

    pos = lo + pos * span
    start = lo + start * span
    fc = lo + fc * span
    iss_i = ri[:, 3].astype(int)
    iss_j = ri[:, 4].astype(int)
    return ExchangeResult(
        positions=pos,
        start_positions=start,
        forecast=fc,
        rounds=done.astype(int),
        ex_run=rr.astype(int),
        ex_round=ri[:, 0].astype(int) + 1,
        ex_actor_i=ri[:, 1].astype(int),
        ex_actor_j=ri[:, 2].astype(int),
        ex_issue_i=iss_i,
        ex_issue_j=iss_j,
        ex_position_i=denorm(rf[:, 0], iss_i),
        ex_position_j=denorm(rf[:, 1], iss_j),
        ex_gain_i=rf[:, 2].copy(),
        ex_gain_j=rf[:, 3].copy(),
        ex_outcome_i=rf[:, 4:6].copy(),
        ex_outcome_j=rf[:, 6:8].copy(),
        scale=sc,
    )


def externalities(result: ExchangeResult, s, *, partial_stakes: bool = False) -> np.ndarray:
    """Each actor's gain or loss from each realised exchange's shift of the outcomes.

    The public implementation's definition (``calculations.actor_externalities``): for
    actor k and an exchange that moves the outcome on issue a from ``O_a0`` to ``O_a1``
    and on issue b from ``O_b0`` to ``O_b1``,
    ``E_k = s_ka (|O_a0 - x_ka| - |O_a1 - x_ka|) + s_kb (|O_b0 - x_kb| - |O_b1 - x_kb|)``,
    with x the positions the round started from; positive is a gain. An actor with a stake
    in only one of the two issues gets 0 (the public implementation's rule), or, with
    ``partial_stakes``, the term of the issue it has a stake in. For the two actors of the
    exchange it is the same formula (their own gain is ``ex_gain_i``, ``ex_gain_j``).

    Parameters
    ----------
    result : ExchangeResult
    s : array of shape (runs, actors, issues)
        The saliences the model was run with.
    partial_stakes : bool
        Count the issue an actor has a stake in when it has none in the other.

    Returns
    -------
    ndarray of shape (exchanges, actors)
        In salience x 0-100 scale units, like the gains.
    """
    s = np.asarray(s, dtype=float)
    runs, _, n, k = result.start_positions.shape
    s = np.broadcast_to(s, (runs, n, k))
    lo, hi = result.scale[:, 0], result.scale[:, 1]
    x = (result.start_positions - lo) * (100.0 / (hi - lo))  # 0-100 scale
    r, rd = result.ex_run, result.ex_round - 1
    xa = x[r, rd, :, result.ex_issue_i]  # (exchanges, actors)
    xb = x[r, rd, :, result.ex_issue_j]
    sa = s[r, :, result.ex_issue_i]
    sb = s[r, :, result.ex_issue_j]
    oa, ob = result.ex_outcome_i, result.ex_outcome_j
    with np.errstate(invalid="ignore"):
        ea = sa * (np.abs(oa[:, :1] - xa) - np.abs(oa[:, 1:] - xa))
        eb = sb * (np.abs(ob[:, :1] - xb) - np.abs(ob[:, 1:] - xb))
    if partial_stakes:  # an issue without the actor's stake (NaN position) adds nothing
        return np.where(np.isfinite(ea), ea, 0.0) + np.where(np.isfinite(eb), eb, 0.0)
    out = ea + eb
    return np.where(np.isfinite(out), out, 0.0)


def exchanges_df(result: ExchangeResult, actor_names, issue_names, run: int = 0):
    """The realised exchanges of one run as a pandas DataFrame.

    Columns: round, actor_i, actor_j, i_gives (the issue i gives ground on, j gets),
    j_gives (i gets), i_position, j_position (their new positions), gain_i, gain_j.
    """
    import pandas as pd

    if not isinstance(run, numbers.Integral) or not 0 <= run < result.rounds.shape[0]:
        raise ModelError(f"run must be an integer in 0-{result.rounds.shape[0] - 1}; got {run}")
    m = result.ex_run == run
    a = np.asarray(list(actor_names), dtype=object)
    i = np.asarray(list(issue_names), dtype=object)
    return pd.DataFrame(
        {
            "round": result.ex_round[m],
            "actor_i": a[result.ex_actor_i[m]],
            "actor_j": a[result.ex_actor_j[m]],
            "i_gives": i[result.ex_issue_i[m]],
            "j_gives": i[result.ex_issue_j[m]],
            "i_position": result.ex_position_i[m],
            "j_position": result.ex_position_j[m],
            "gain_i": result.ex_gain_i[m],
            "gain_j": result.ex_gain_j[m],
        }
    )


SPEC = ModelSpec(
    name="exchange",
    title=(
        "exchange model of linked issues: actors trade concessions across issues "
        "(Stokman & Van Oosten 1994)"
    ),
    params=ExchangeParams,
    presets=PRESETS,
    inputs=frozenset({"issues"}),
    run=run,
    references=(
        "Stokman & Van Oosten (1994), in Bueno de Mesquita & Stokman (eds.), European "
        "Community Decision Making, Yale UP, 105-127",
        "Dijkstra, Van Assen, Stokman & Draaijer (2018), randomised exchange rates",
    ),
)
