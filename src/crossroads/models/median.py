"""Weighted median voter model.

With single-peaked (distance-based) preferences on one dimension, the position
that beats every other in pairwise votes weighted by capability x salience is
the weighted median (Black 1948; used as the baseline in Thomson et al. 2006,
*The European Union Decides*).
"""

from __future__ import annotations

import numpy as np

from crossroads.errors import ModelError
from crossroads.models.base import KernelResult, as_batch, weighted_median

__all__ = ["PARAMS", "PRESETS", "run"]

PARAMS: dict[str, object] = {}
PRESETS: dict[str, dict[str, object]] = {"default": {}}


def run(c, s, x, *, scale=None) -> KernelResult:
    """Forecast = the capability x salience weighted median position, per run.

    Parameters
    ----------
    c, s, x : array of shape (runs, actors)
    scale : ignored

    Returns
    -------
    KernelResult with one round (round 0).
    """
    c, s, x = as_batch(c, s, x)
    if x.ndim != 2:
        raise ModelError("the median model is one-dimensional; give x of shape (runs, actors)")
    f = weighted_median(c * s, x)
    return KernelResult(positions=x[:, None, :], forecast=f[:, None], rounds=np.zeros(len(c), int))
