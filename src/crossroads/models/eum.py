"""Bueno de Mesquita's expected utility model (EUM), as formalised by Scholz et al. (2011).

Each actor i has a capability c_i >= 0, a salience s_i in 0-1 and a position x_i on
one issue dimension. Positions are normalised by a range D (``range``). Every round:

1. **Risk** (sec. 5, eqs. 32-33). With every risk exponent set to 1, each actor's
   *danger* is the sum of what the others expect from challenging it,
   ``d_i = sum_{j != i} E(U_ji)``; then ``R_i = (2 d_i - max_k d_k - min_k d_k) /
   (max_k d_k - min_k d_k)`` and ``r_i = (1 - R_i/3) / (1 + R_i/3)``, in [0.5, 2].
   (``risk='neutral'`` keeps every ``r_i = 1``.)
2. **Utilities** (sec. 3, eqs. 15-24), for a challenger a against b with
   ``delta = |x_a - x_b| / D`` and risk exponent r:
   ``Us = 2 - 4 (0.5 - 0.5 delta)^r`` (success), ``Uf = 2 - 4 (0.5 + 0.5 delta)^r``
   (failure), ``Ub = 2 - 4 (0.5 - 0.25 (|x_a - mu| + |x_a - x_b|) / D)^r`` (things get
   better without a challenge), ``Uw`` the same with ``+`` (worse), ``Usq = 2 - 4 (0.5)^r``
   (status quo); mu is the capability x salience weighted median position.
3. **Probability of success** (sec. 4, eq. 30). Voter k's vote for a over b is
   ``v_k(a, b) = c_k s_k (u_k(x_a) - u_k(x_b))`` with ``u_k(y) = -(|x_k - y| / D)^rho_k``;
   ``P_ab`` = (votes for a) / (a denominator); see ``vote_utility``, ``p_numerator``,
   ``p_denominator``.
4. **Expected utility of a challenge** (sec. 2.2, eqs. 25a-b)::

       E(U_ij) = s_j [P_ij Us + (1 - P_ij) Uf] + (1 - s_j) Us - Q Usq
                 - (1 - Q) [T Ub + (1 - T) Uw]

   and E(U_ji), what j expects from challenging i, with the salience and risk
   exponent chosen by ``opponent_salience`` and ``opponent_risk``.
5. **Offers** (sec. 6). From actor i's point of view, j's offer is a
   *confrontation* that i loses when ``E(U_ji) > E(U_ij) > 0`` (i moves to x_j), a
   *compromise* when ``E(U_ji) > 0 > E(U_ij)`` and ``E(U_ji) > |E(U_ij)|`` (i moves
   part of the way, ``compromise``), a *capitulation* when ``E(U_ji) > 0 > E(U_ij)``
   and ``E(U_ji) < |E(U_ij)|`` (i moves to x_j; ``capitulation``). Each actor accepts
   one offer (``offer_choice``); all actors move at once.

The forecast of a round is the capability x salience weighted mean of the positions
(``forecast='mean'``, what Scholz et al. plot) or the weighted median (``'median'``).

Degenerate inputs: a range D of zero (one actor, or all at one position) means no
movement and a forecast equal to that position; a challenge on which no votes are
cast (all weights zero) has P = 0; when all capability x salience weights are zero
the forecast weighs every actor equally; when every actor's danger is the same,
R = 0 and r = 1. Expected utilities within 1e-12 of each other count as equal (so
are distances in T's ``'closer'`` rule: a tie is not closer), and among equally good
offers an actor takes the lower position, so results do not depend on the order of
the actors.

Section and equation numbers are those of Scholz et al. (2011) as the public C#
implementation decisionmechanics/eum cites them. Both presets take Q = 1, as
Bueno de Mesquita's published applications and both public Python replications do
(then T, Ub and Uw have no effect); set ``q`` and ``t`` to use them.

Cost: a round is O(n^2) time and memory per worker thread. The probabilities are
sums of every voter's vote on every pair, O(n^3) if done term by term; because a
voter always votes for the nearer of two positions, sorting the positions and
taking prefix sums gives each pair's votes in O(1) (see ``eum_kernel``). Compiled
with numba; a large batch is split over one thread per CPU (:data:`THREADS`). The
result holds every round's positions, (runs, rounds + 1, actors) floats; a call
whose result and scratch would exceed :data:`MEMORY_LIMIT` bytes is refused with a
:class:`~crossroads.errors.ModelError` — split the runs into chunks.

References
----------
Scholz, J. B., Calbert, G. J., & Smith, G. A. (2011). Unravelling Bueno De
Mesquita's group decision model. *Journal of Theoretical Politics*, 23(4), 510-531.
doi:10.1177/0951629811418142

Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In
B. Bueno de Mesquita & F. N. Stokman (eds.), *European Community Decision Making*,
Yale University Press, 71-104.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator

from crossroads.errors import ModelError
from crossroads.models.base import KernelResult, as_batch
from crossroads.models.spec import MAX_ROUNDS, ModelParams, ModelSpec, worker_threads

__all__ = ["MAX_ACTORS", "CHOICES", "MEMORY_LIMIT", "SPEC", "THREADS", "EumParams", "run"]

#: Largest number of actors of one issue (a run's memory and time grow as actors^2 per
#: round; see docs/security.md, "Security and limits").
MAX_ACTORS = 2000

#: Largest number of bytes (result plus per-thread scratch) one call may need.
MEMORY_LIMIT = 2 * 1024**3

#: Worker threads for a large batch; ``None`` means one per available CPU. Results do
#: not depend on it (every run is computed on its own).
THREADS: int | None = None


class EumParams(ModelParams):
    """Every choice of the expected utility model; the defaults are Scholz et al.'s own code
    (as the public replication that reproduces their EC car-emissions trajectory reads it,
    jmckib/bdm-scholz-expected-utility-model), with a stopping tolerance. See :func:`run`."""

    rounds: Annotated[int, Field(ge=0, le=MAX_ROUNDS, description="round cap")] = 10
    tol: Annotated[float, Field(ge=0, allow_inf_nan=False, description="stopping tolerance")] = 1e-6
    stop: Literal["positions", "forecast"] = "positions"
    forecast: Literal["mean", "median"] = "mean"
    range: Literal["initial", "current", "scale"] = "initial"
    p_numerator: Literal["positive", "net"] = "positive"
    p_denominator: Literal["all", "pair"] = "all"
    vote_utility: Literal["risk", "linear"] = "risk"
    opponent_salience: Literal["challenged", "challenger"] = "challenged"
    opponent_risk: Literal["own", "opponent"] = "own"
    q: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 1.0
    t: Annotated[
        float | Literal["closer"],
        Field(json_schema_extra={"expected": "a number in 0-1 or 'closer'"}),
    ] = 1.0
    risk: Literal["scholz", "neutral"] = "scholz"
    compromise: Literal["fraction", "weighted"] = "fraction"
    compromise_choice: Literal["lowest", "least_move"] = "lowest"
    offer_choice: Literal["by_type", "least_move"] = "by_type"
    capitulation: bool = False

    @field_validator("t")
    @classmethod
    def _t_in_unit_interval(cls, v: float | str) -> float | str:
        if v != "closer" and not 0.0 <= v <= 1.0:  # type: ignore[operator]
            raise ValueError("t must lie in 0-1")
        return v


#: Allowed values of the string-valued parameters, in the kernel's code order.
CHOICES: dict[str, tuple[str, ...]] = {
    name: EumParams.model_fields[name].annotation.__args__  # type: ignore[union-attr]
    for name in (
        "p_numerator",
        "p_denominator",
        "vote_utility",
        "opponent_salience",
        "opponent_risk",
        "risk",
        "compromise",
        "compromise_choice",
        "offer_choice",
        "range",
        "stop",
        "forecast",
    )
}

#: Named parameter sets. ``scholz``: Scholz et al.'s own code, run until nothing moves;
#: ``paper``: the equations as printed in Scholz et al. (2011).
PRESETS: dict[str, EumParams] = {
    "default": EumParams(),
    "scholz": EumParams(tol=0.0),
    "paper": EumParams(
        range="current",
        p_denominator="pair",
        vote_utility="linear",
        opponent_salience="challenger",
        opponent_risk="opponent",
        compromise_choice="least_move",
        offer_choice="least_move",
        capitulation=True,
    ),
}


def run(c, s, x, *, scale=None, params=None, rng=None) -> KernelResult:
    """Run the expected utility model on a batch of one-dimensional issues.

    Parameters
    ----------
    c : array of shape (runs, actors) or (actors,)
        Capabilities, >= 0 (any unit: the model is invariant to their scale).
    s : array of shape (runs, actors) or (actors,)
        Saliences in 0-1.
    x : array of shape (runs, actors) or (actors,)
        Positions on the issue scale.
    scale : (min, max) or array of shape (runs, 2), optional
        The issue's scale; needed only with ``range='scale'``.
    params : EumParams, mapping of overrides, or None (the defaults)
        The fields below.
    rng : ignored (the model is deterministic)
    rounds : int, default 10
        Round cap.
    tol : float, default 1e-6
        A run stops once a round changes no position (``stop='positions'``) or the
        forecast (``stop='forecast'``) by more than ``tol`` times the initial range of
        positions; that round counts in ``rounds``, and the last state is carried
        forward to the cap. ``tol=0`` runs until nothing moves at all.
    stop : {'positions', 'forecast'}
    forecast : {'mean', 'median'}
        Capability x salience weighted mean of positions (what Scholz et al. plot) or
        weighted median, per round.
    range : {'initial', 'current', 'scale'}
        D: the range of the initial positions, of the current round's positions, or of
        the issue scale.
    p_numerator : {'positive', 'net'}
        Votes for the challenger: the sum of the positive votes (eq. 30) or the net
        sum of all votes clipped at zero (dmasad/BDM_DecisionModel_Replication).
    p_denominator : {'all', 'pair'}
        ``'pair'``: the absolute votes on this pair (eq. 30; then P_ij + P_ji = 1).
        ``'all'``: the absolute votes of every voter on every ordered pair of actors
        (Scholz et al.'s code, per jmckib/bdm-scholz-expected-utility-model), which
        makes every P small.
    vote_utility : {'risk', 'linear'}
        Voter k's utility for a position y: ``-(|x_k - y| / D)^{r_k}`` with its own
        risk exponent (Scholz's code) or linear ``-|x_k - y|`` (eq. 30).
    opponent_salience : {'challenged', 'challenger'}
        The salience in E(U_ji): that of the challenged actor i, i.e. the
        probability that the target resists, as in E(U_ij) (Scholz's code), or s_j
        as printed in eq. 25b.
    opponent_risk : {'own', 'opponent'}
        The risk exponent in E(U_ji): i's own (i reckons every utility with its own
        r; Scholz's code) or j's (the superscript j of eq. 25b).
    q : float in 0-1, default 1
        Q, the probability that the status quo holds when i does not challenge j.
    t : float in 0-1 or 'closer', default 1
        T, the probability that without a challenge j moves so that things get
        better for i; ``'closer'`` gives T = 1 when i is closer to the median than to
        j, else 0 (Eftekhari 2014, as in decisionmechanics/eum). No effect when q = 1.
    risk : {'scholz', 'neutral'}
        Risk exponents from eqs. 32-33 every round, or all 1.
    compromise : {'fraction', 'weighted'}
        Where a compromise lands: ``x_i + (x_j - x_i) |E(U_ij) / E(U_ji)|`` (Scholz's
        code; dmasad) or ``(|E(U_ij)| x_i + |E(U_ji)| x_j) / (|E(U_ij)| + |E(U_ji)|)``
        (decisionmechanics/eum).
    compromise_choice : {'lowest', 'least_move'}
        With ``offer_choice='by_type'``, which compromise an actor takes: the one whose
        weighted position (the ``'weighted'`` formula) is lowest on the scale, a quirk of
        Scholz's code, or the one that moves it least.
    offer_choice : {'by_type', 'least_move'}
        ``'by_type'``: a lost confrontation first, else a compromise, else a
        capitulation (Scholz's code; decisionmechanics). ``'least_move'``: whichever
        offer moves the actor least (the rule as stated in the paper).
    capitulation : bool
        Whether capitulation offers exist. Scholz's code, as replicated, never makes
        one (its test compares E(U_ji) with itself); the paper has them.

    Returns
    -------
    KernelResult
        positions (runs, rounds + 1, actors), forecast (runs, rounds + 1), rounds (runs,).

    Raises
    ------
    ModelError
        For a bad parameter (naming it), inputs of the wrong shape or with NaN, more
        than ``MAX_ACTORS`` actors, or a call that would need more than
        :data:`MEMORY_LIMIT` bytes.

    References
    ----------
    Scholz, Calbert & Smith (2011), *J. Theoretical Politics* 23(4), 510-531.

    Examples
    --------
    >>> from crossroads.models import eum
    >>> res = eum.run([0.5, 0.5], [1.0, 0.2], [0.0, 10.0], params={"rounds": 3})
    >>> res.positions.shape
    (1, 4, 2)
    """
    p = SPEC.validate(params)
    c, s, x = as_batch(c, s, x, model="eum", max_actors=MAX_ACTORS)
    if x.ndim != 2 or s.ndim != 2:
        SPEC.check_inputs("spatial", "; give x of shape (runs, actors)")
    runs, n = x.shape
    scale_d = np.zeros(runs)
    if p.range == "scale":
        if scale is None:
            raise ModelError("eum parameter range='scale' needs the issue's scale")
        sc = np.broadcast_to(np.asarray(scale, dtype=float), (runs, 2))
        if not np.all(np.isfinite(sc)):
            raise ModelError("the scale contains NaN or infinite values")
        scale_d = sc[:, 1] - sc[:, 0]
        if np.any(scale_d <= 0):
            raise ModelError("the scale's max must exceed its min")
        tol = 1e-9 * scale_d[:, None]
        if np.any(x < sc[:, :1] - tol) or np.any(x > sc[:, 1:] + tol):
            raise ModelError("with range='scale' every position must lie on the scale")
    # numba is imported (and the kernel loaded from its cache) on first use only.
    from crossroads.models.compilation import notify_if_compiling
    from crossroads.models.eum_kernel import N_MATS, N_VECS, eum_batch

    notify_if_compiling("eum", eum_batch)

    rounds = p.rounds
    threads = worker_threads(runs, runs * max(rounds, 1) * n * n, 20_000, THREADS)
    need = 8 * runs * (rounds + 1) * (n + 1) + 8 * threads * (N_MATS + 1) * (n + 1) ** 2
    if need > MEMORY_LIMIT:
        raise ModelError(
            f"eum: {runs} runs x {rounds + 1} rounds x {n} actors need about "
            f"{need / 1024**3:.1f} GiB, above the limit of {MEMORY_LIMIT / 1024**3:.0f} GiB; "
            "run fewer runs per call (chunk the batch)"
        )
    codes = np.array([CHOICES[k].index(getattr(p, k)) for k in CHOICES], dtype=np.int64)
    t_closer = p.t == "closer"
    t_value = 0.0 if t_closer else float(p.t)
    c, s, x = (np.ascontiguousarray(a) for a in (c, s, x))
    pos = np.empty((runs, rounds + 1, n))
    fc = np.empty((runs, rounds + 1))
    done = np.zeros(runs, dtype=np.int64)
    args = (
        rounds,
        float(p.tol),
        codes,
        float(p.q),
        t_value,
        bool(t_closer),
        bool(p.capitulation),
    )

    def work(lo: int, hi: int) -> None:
        mats = np.empty((N_MATS, n * n))
        eum_batch(
            c[lo:hi],
            s[lo:hi],
            x[lo:hi],
            scale_d[lo:hi],
            *args,
            pos[lo:hi],
            fc[lo:hi],
            done[lo:hi],
            mats,
            mats.view(np.int64),
            np.empty((N_VECS, n)),
            np.empty(n, dtype=np.int64),
            np.empty(n * (n + 1)),
        )

    if threads == 1:
        work(0, runs)
    else:
        bounds = np.linspace(0, runs, threads + 1).astype(int)
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, bounds[:-1], bounds[1:]))
    return KernelResult(positions=pos, forecast=fc, rounds=done.astype(int))


SPEC = ModelSpec(
    name="eum",
    title="Bueno de Mesquita's expected utility model, as formalised by Scholz et al. (2011)",
    params=EumParams,
    presets=PRESETS,
    inputs=frozenset({"scalar"}),
    run=run,
    references=(
        "Scholz, Calbert & Smith (2011), J. Theoretical Politics 23(4), 510-531, "
        "doi:10.1177/0951629811418142",
        "Bueno de Mesquita (1994), in Bueno de Mesquita & Stokman (eds.), European Community "
        "Decision Making, 71-104",
    ),
    max_actors=MAX_ACTORS,
)
