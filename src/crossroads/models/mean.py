"""Compromise model: the capability x salience weighted mean of positions.

References
----------
Achen, C. H. (2006). Institutional realism and bargaining models. In Thomson,
Stokman, Achen & König (eds.), *The European Union Decides*, Cambridge UP, ch. 4.
"""

from __future__ import annotations

import numpy as np

from crossroads.models.base import KernelResult, as_batch, weighted_mean
from crossroads.models.spec import ModelParams, ModelSpec

__all__ = ["SPEC", "MeanParams", "run"]


class MeanParams(ModelParams):
    """The compromise model has no parameters."""


def run(c, s, x, *, scale=None, params=None, rng=None) -> KernelResult:
    """Forecast = sum(c s x) / sum(c s), per run (and per dimension).

    Parameters
    ----------
    c : array of shape (runs, actors)
    s : array of shape (runs, actors), or (runs, actors, dims) for one salience per dimension
    x : array of shape (runs, actors) or (runs, actors, dims)
    scale, rng : ignored (the mean needs no scale and draws nothing)
    params : MeanParams, mapping or None
        Accepted for the common signature; the model has no parameters.

    Returns
    -------
    KernelResult with one round (round 0): positions are the inputs.

    Examples
    --------
    >>> float(run([1.0, 3.0], [1.0, 1.0], [0.0, 100.0]).forecast[0, 0])
    75.0
    """
    SPEC.validate(params)
    c, s, x = as_batch(c, s, x)
    w = c[..., None] * s if s.ndim == 3 else c * s
    f = weighted_mean(w, x)
    return KernelResult(
        positions=x[:, None, ...], forecast=f[:, None, ...], rounds=np.zeros(len(c), dtype=int)
    )


SPEC = ModelSpec(
    name="mean",
    title="compromise model: capability x salience weighted mean of positions (Achen 2006)",
    params=MeanParams,
    presets={"default": MeanParams()},
    inputs=frozenset({"scalar", "spatial"}),
    run=run,
    references=(
        "Achen (2006), in Thomson, Stokman, Achen & König (eds.), The European Union "
        "Decides, ch. 4",
    ),  # fmt: skip
)
