"""Compromise model: the capability x salience weighted mean of positions.

References
----------
Achen, C. H. (2006). Institutional realism and bargaining models. In Thomson,
Stokman, Achen & König (eds.), *The European Union Decides*, Cambridge UP, ch. 4.
"""

from __future__ import annotations

import numpy as np

from crossroads.models.base import KernelResult, as_batch, weighted_mean

__all__ = ["PARAMS", "PRESETS", "run"]

PARAMS: dict[str, object] = {}
PRESETS: dict[str, dict[str, object]] = {"default": {}}


def run(c, s, x, *, scale=None) -> KernelResult:
    """Forecast = sum(c s x) / sum(c s), per run.

    Parameters
    ----------
    c, s : array of shape (runs, actors)
    x : array of shape (runs, actors) or (runs, actors, dims)
    scale : ignored (the mean needs no scale)

    Returns
    -------
    KernelResult with one round (round 0): positions are the inputs.
    """
    c, s, x = as_batch(c, s, x)
    f = weighted_mean(c * s, x)
    return KernelResult(
        positions=x[:, None, ...], forecast=f[:, None, ...], rounds=np.zeros(len(c), dtype=int)
    )
