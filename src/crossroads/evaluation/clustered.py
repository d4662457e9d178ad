"""Standard errors of a mean error when issues come in clusters (DEU III proposals).

The issues of one proposal are decided together, by the same actors in the same
months, so their errors are not independent and the textbook ``sd / sqrt(n)``
understates the uncertainty of a mean absolute error. :func:`cluster_se` uses the
cluster-robust (sandwich) variance of a mean with the usual small-sample factor
``G / (G - 1)`` (the cluster-robust variance of Cameron and Miller 2015, "A
practitioner's guide to cluster-robust inference", J. Human Resources 50(2), with a
constant as the only regressor, where Stata's ``CR1`` factor
``G/(G-1) * (n-1)/(n-k)`` is ``G/(G-1)``)::

    mean = sum_i e_i / n
    S_g  = sum_{i in g} (e_i - mean)          (one sum per cluster g, G clusters)
    se   = sqrt(G / (G - 1) * sum_g S_g ** 2) / n

When every cluster holds one issue this is the ordinary ``sd / sqrt(n)`` (with
``n - 1`` in the variance). :func:`paired` applies it to per-issue differences of
two forecasts' errors on the same issues, the comparison that decides whether a
fit beats its default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["cluster_se", "mean_se", "paired"]


def cluster_se(values: np.ndarray, groups: Sequence[str] | np.ndarray) -> float:
    """Cluster-robust standard error of the mean of ``values`` (NaN values dropped).

    Parameters
    ----------
    values : ndarray of shape (n,)
        Per-issue values (absolute errors, or differences of errors).
    groups : sequence of str, length n
        The cluster (proposal) of each issue.

    Returns
    -------
    float
        ``sqrt(G / (G - 1) * sum_g S_g ** 2) / n`` (module docstring); NaN when fewer
        than two clusters have a value (no spread between clusters to estimate from).
    """
    v = np.asarray(values, dtype=float)
    g = np.asarray(groups)
    if v.shape != g.shape:
        raise ValueError(f"values {v.shape} and groups {g.shape} differ in shape")
    keep = ~np.isnan(v)
    v, g = v[keep], g[keep]
    _, cluster = np.unique(g, return_inverse=True)
    n_clusters = int(cluster.max()) + 1 if len(v) else 0
    if n_clusters < 2:
        return math.nan
    sums = np.bincount(cluster, weights=v - v.mean(), minlength=n_clusters)
    factor = n_clusters / (n_clusters - 1)
    return float(math.sqrt(factor * float(np.sum(sums**2))) / len(v))


def mean_se(values: np.ndarray, groups: Sequence[str] | np.ndarray) -> dict[str, float]:
    """``mean`` of ``values`` (NaN dropped) and its clustered ``se`` (:func:`cluster_se`)."""
    v = np.asarray(values, dtype=float)
    kept = v[~np.isnan(v)]
    return {
        "mean": float(kept.mean()) if len(kept) else math.nan,
        "se": cluster_se(v, groups),
    }


def paired(
    errors: np.ndarray, reference: np.ndarray, groups: Sequence[str] | np.ndarray
) -> dict[str, float]:
    """Mean and clustered SE of ``errors - reference``, issue by issue.

    Negative means ``errors`` are smaller (better) than ``reference``'s on average.
    """
    return mean_se(np.asarray(errors, dtype=float) - np.asarray(reference, dtype=float), groups)
