"""What every model kernel takes and returns.

A kernel is a pure function over arrays with a leading run axis::

    run(c, s, x, *, scale=None, params=None, rng=None) -> KernelResult

``c`` capability, shape (runs, actors), >= 0; ``s`` salience in 0-1, shape (runs, actors),
or (runs, actors, dims) with one salience per dimension; ``x`` position, shape
(runs, actors) for one-dimensional issues or (runs, actors, dims) for multi-dimensional
ones (:data:`~crossroads.models.spec.InputShape`); ``scale`` the (min, max) of the issue's
scale; ``params`` the model's parameters (an instance of its parameter model, a mapping of
overrides, or None for the defaults); ``rng`` a :class:`numpy.random.Generator`, the only
source of random numbers of a stochastic model, which must draw for run r only what it
draws for the first r + 1 runs of any batch (so a batch's prefix gives the same numbers).
A single forecast is a batch of one run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossroads.errors import ModelError
from crossroads.models.spec import actor_limit_text

__all__ = [
    "KernelResult",
    "MAX_INPUT",
    "as_batch",
    "require_weight",
    "require_rng",
    "weighted_mean",
    "weighted_median",
]

#: Largest magnitude of a capability or position a kernel accepts. Beyond it, sums of
#: capability x salience x position can overflow to infinity (the scenario format has the
#: same bound, :data:`crossroads.scenario.schema.MAX_MAGNITUDE`).
MAX_INPUT = 1e15


@dataclass(frozen=True)
class KernelResult:
    """A batch of trajectories.

    Attributes
    ----------
    positions : ndarray of shape (runs, rounds + 1, actors[, dims])
        Each actor's position after each round; round 0 is the input.
    forecast : ndarray of shape (runs, rounds + 1[, dims])
        The model's forecast of the outcome after each round.
    rounds : ndarray of int, shape (runs,)
        Rounds each run made before its stopping rule held (or the cap).
        A run that stopped early carries its final state forward.
    """

    positions: np.ndarray
    forecast: np.ndarray
    rounds: np.ndarray


def as_batch(
    c, s, x, *, model: str | None = None, max_actors: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check and broadcast kernel inputs to float arrays with a run axis.

    Inputs without a run axis (``c`` of shape (actors,)) become a batch of one run. ``s``
    has the shape of ``c``, or of ``x`` (one salience per actor and dimension).
    ``max_actors`` is the calling model's limit (its module's ``MAX_ACTORS``; None: none),
    ``model`` its name for the message.
    """
    c = np.asarray(c, dtype=float)
    s = np.asarray(s, dtype=float)
    x = np.asarray(x, dtype=float)
    if c.ndim == 1:
        c, s = c[None, :], s[None, ...]
        x = x[None, ...]
    if c.ndim != 2 or x.ndim not in (2, 3) or x.shape[:2] != c.shape:
        raise ModelError(
            f"capability {c.shape}, salience {s.shape} and position {x.shape} must share "
            "(runs, actors)"
        )
    if s.shape not in (c.shape, x.shape):
        raise ModelError(
            f"capability {c.shape}, salience {s.shape} and position {x.shape} must share "
            f"(runs, actors): salience {s.shape} must match capability (one per actor) or "
            "position (one per actor and dimension)"
        )
    n = c.shape[1]
    if n < 1:
        raise ModelError("an issue needs at least one actor")
    if max_actors is not None and n > max_actors:
        raise ModelError(actor_limit_text(model, n, max_actors))
    for name, a in (("capability", c), ("salience", s), ("position", x)):
        if not np.all(np.isfinite(a)):
            raise ModelError(f"{name} contains NaN or infinite values")
    for name, a in (("capability", c), ("position", x)):
        if np.any(np.abs(a) > MAX_INPUT):
            raise ModelError(
                f"{name} beyond +-{MAX_INPUT:g} (sums of capability x salience x position "
                "could overflow); rescale: only ratios of capabilities matter"
            )
    if np.any(c < 0):
        raise ModelError("capability must be >= 0")
    if np.any((s < 0) | (s > 1)):
        raise ModelError("salience must lie in 0-1")
    return c, s, x


def require_weight(c, s, issue: str | None = None) -> None:
    """Refuse inputs in which no actor has capability x salience > 0 (nothing to weight).

    ``c`` of shape (actors,), ``s`` (actors,) or (actors, dims): one forecast's stakes, as
    :func:`crossroads.forecast` and the ensembles check them before running any model.
    """
    c = np.asarray(c, dtype=float)
    s = np.asarray(s, dtype=float)
    w = c[:, None] * s if s.ndim == 2 else c * s
    if not np.any(w > 0):
        what = f"issue '{issue}'" if issue else "the issue"
        raise ModelError(f"{what}: every actor has zero capability x salience; nothing to weight")


def require_rng(model: str, rng: np.random.Generator | None) -> np.random.Generator:
    """``rng``, or a :class:`ModelError` when a stochastic setting was given none."""
    if not isinstance(rng, np.random.Generator):
        raise ModelError(
            f"model '{model}' draws random numbers with these parameters: give rng, a "
            f"numpy Generator (crossroads.seeding.as_generator(seed)); got {type(rng).__name__}"
        )
    return rng


def weighted_mean(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Weighted mean over the actor axis.

    ``w`` has shape (runs, actors); ``x`` (runs, actors) gives (runs,), and
    (runs, actors, dims) gives (runs, dims). ``w`` of shape (runs, actors, dims) weighs each
    dimension on its own. Runs whose weights are all zero give NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if w.ndim == 3:
            return (w * x).sum(axis=1) / w.sum(axis=1)
        total = w.sum(axis=-1)
        if x.ndim == 3:
            return np.einsum("ra,rad->rd", w, x) / total[:, None]
        return (w * x).sum(axis=-1) / total


def weighted_median(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Weighted median of ``x`` (runs, actors) with weights ``w`` (runs, actors).

    The position of the median voter: the smallest position whose cumulative
    weight reaches half the total. When the cumulative weight equals half
    exactly, every point between that position and the next is a median and the
    midpoint is returned. Runs whose weights are all zero give NaN.
    """
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    cum = np.cumsum(ws, axis=-1)
    half = cum[..., -1:] / 2.0
    tol = 1e-12 * np.maximum(cum[..., -1:], 1.0)
    k = np.argmax(cum >= half - tol, axis=-1)[..., None]
    lower = np.take_along_axis(xs, k, axis=-1)[..., 0]
    exact = np.abs(np.take_along_axis(cum, k, axis=-1) - half)[..., 0] <= tol[..., 0]
    k_next = np.minimum(k + 1, x.shape[-1] - 1)
    upper = np.take_along_axis(xs, k_next, axis=-1)[..., 0]
    out = np.where(exact & (k[..., 0] < x.shape[-1] - 1), (lower + upper) / 2.0, lower)
    return np.where(cum[..., -1] > 0, out, np.nan)
