"""Closed-form dependence metrics, pure functions over shares.

Shared by the importers (an importer's partner HHI) and the dependence
analytics (:mod:`crossroads.network.trade_dependence`), so it sits below both.

References
----------
.. [1] A. O. Hirschman, *National Power and the Structure of Foreign Trade*,
   University of California Press, 1945 (partner concentration of a country's
   trade as the root of a sum of squared shares).
.. [2] O. C. Herfindahl, *Concentration in the Steel Industry*, PhD thesis,
   Columbia University, 1950.
.. [3] K. Barbieri, "Economic interdependence: A path to peace or a source of
   interstate conflict?", *Journal of Peace Research* 33(1), 29-49, 1996,
   doi:10.1177/0022343396033001003 (trade share, salience, symmetry,
   interdependence of a dyad).
"""

from __future__ import annotations

import numpy as np

__all__ = ["barbieri", "hhi", "hhi_bounds", "hhi_of_values"]


def hhi(shares: np.ndarray) -> float:
    """Herfindahl-Hirschman index of partner shares: ``sum_i s_i^2`` (0-1 scale).

    Parameters
    ----------
    shares : array of shape (partners,)
        Shares of a total (need not sum to one; see :func:`hhi_bounds` for
        incomplete coverage). NaN entries are ignored.

    Returns
    -------
    float
        From 1/n for n equal partners to 1 for a single partner [1]_ [2]_.

    Examples
    --------
    >>> round(hhi([0.5, 0.3, 0.2]), 4)
    0.38
    """
    s = np.asarray(shares, dtype=float)
    s = s[np.isfinite(s)]
    return float(np.sum(s**2))


def hhi_of_values(values: np.ndarray) -> float:
    """HHI of non-negative values, each taken as a share of their sum (NaN when the sum is 0).

    >>> round(hhi_of_values([50, 30, 20]), 4)
    0.38
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    total = v.sum()
    if total <= 0:
        return float("nan")
    return hhi(v / total)


def hhi_bounds(shares: np.ndarray) -> tuple[float, float, float]:
    """HHI of known, disjoint partner shares with the rest of the total unknown.

    With known shares ``s_i`` covering ``c = sum s_i`` of the total, the full
    index lies between ``sum s_i^2`` (the rest spread over infinitely many small
    partners) and ``sum s_i^2 + (1 - c)^2`` (the rest a single partner).

    Returns
    -------
    lower, upper, coverage : float

    Examples
    --------
    >>> [round(x, 4) for x in hhi_bounds([0.4, 0.2])]
    [0.2, 0.36, 0.6]
    """
    s = np.asarray(shares, dtype=float)
    s = s[np.isfinite(s)]
    c = float(s.sum())
    lower = float(np.sum(s**2))
    rest = max(0.0, 1.0 - c)
    return lower, lower + rest**2, c


def barbieri(share_a: float, share_b: float) -> dict[str, float]:
    """Barbieri's (1996) dyadic interdependence measures from the two trade shares.

    Parameters
    ----------
    share_a : float
        The dyad's trade as a share of A's total trade (A's dependence on B).
    share_b : float
        The same trade as a share of B's total trade.

    Returns
    -------
    dict
        ``asymmetry`` ``share_a - share_b`` (positive: A depends more on B than
        B on A); ``symmetry`` ``1 - |share_a - share_b|``; ``salience``
        ``sqrt(share_a * share_b)``; ``interdependence`` salience x symmetry [3]_.

    Examples
    --------
    >>> {k: round(v, 4) for k, v in barbieri(0.36, 0.04).items()}
    {'asymmetry': 0.32, 'symmetry': 0.68, 'salience': 0.12, 'interdependence': 0.0816}
    """
    d = share_a - share_b
    sal = float(np.sqrt(share_a * share_b))
    sym = 1.0 - abs(d)
    return {
        "asymmetry": float(d),
        "symmetry": float(sym),
        "salience": sal,
        "interdependence": float(sal * sym),
    }
