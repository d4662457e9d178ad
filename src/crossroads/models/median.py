"""Weighted median voter model.

With single-peaked (distance-based) preferences on one dimension, the position
that beats every other in pairwise votes weighted by capability x salience is
the weighted median (Black 1948; used as the baseline in Thomson et al. 2006,
*The European Union Decides*).
"""

from __future__ import annotations

import numpy as np

from crossroads.models.base import KernelResult, as_batch, weighted_median
from crossroads.models.spec import ModelParams, ModelSpec

__all__ = ["SPEC", "MedianParams", "run"]


class MedianParams(ModelParams):
    """The median voter model has no parameters."""


def run(c, s, x, *, scale=None, params=None, rng=None) -> KernelResult:
    """Forecast = the capability x salience weighted median position, per run.

    Parameters
    ----------
    c, s, x : array of shape (runs, actors)
    scale, rng : ignored
    params : MedianParams, mapping or None
        Accepted for the common signature; the model has no parameters.

    Returns
    -------
    KernelResult with one round (round 0).
    """
    SPEC.validate(params)
    c, s, x = as_batch(c, s, x)
    if x.ndim != 2:
        SPEC.check_inputs("spatial", "; give x of shape (runs, actors)")
    f = weighted_median(c * s, x)
    return KernelResult(positions=x[:, None, :], forecast=f[:, None], rounds=np.zeros(len(c), int))


SPEC = ModelSpec(
    name="median",
    title="weighted median voter: the position no capability x salience majority beats",
    params=MedianParams,
    presets={"default": MedianParams()},
    inputs=frozenset({"scalar"}),
    run=run,
    references=("Black (1948), J. Political Economy 56(1)",
                "Thomson, Stokman, Achen & König (eds.) (2006), The European Union Decides"),
)  # fmt: skip
