"""Conformal calibration of a model's forecasts on decided issues.

A model's point forecast says nothing of how wrong such forecasts tend to be. Given a
calibration set of issues whose outcomes are known (a DEU III file, or a scenario whose
issues record ``observed``), :func:`calibrate` keeps each issue's residual

.. math:: r_i = (y_i - \\hat y_i) / (\\max_i - \\min_i),

the observed outcome minus the forecast in units of the issue's scale width (0-1 units, so
sets on different scales mix), and the split-conformal quantile of :math:`|r|` (Vovk,
Gammerman & Shafer 2005, *Algorithmic Learning in a Random World*; Lei, G'Sell, Rinaldo,
Tibshirani & Wasserman 2018, "Distribution-free predictive inference for regression",
JASA 113(523), section 2.2):

.. math:: q = |r|_{(k)}, \\qquad k = \\lceil (n + 1)\\,\\ell \\rceil,

the ``k``-th smallest of the ``n`` absolute residuals at nominal level :math:`\\ell`
(e.g. 0.9). When the calibration and the new issues are exchangeable, the interval
``forecast +- q x width`` covers the outcome of a new issue with probability at least
:math:`\\ell` (and at most :math:`\\ell + 1/(n+1)` without ties). When ``k > n`` the
quantile is infinite: the interval is the whole scale.

Variant: symmetric, on ``|r|``. Signed residual quantiles (separate lower and upper
ends) would follow a skewed error distribution, but split the ``n`` residuals' worth of
information between two tails (each end estimated at level ``(1 + l) / 2`` from the same
``n``), which on the ~90 proposals-worth of issues of one half of DEU III makes each end
noisier; the clipping of the interval to the scale already absorbs most of the skew at
the scale's ends (DEU III outcomes sit at 0 or 100 often).

The predictive distribution is the point forecast plus every calibration residual (times
the issue's width), clipped to the scale: an ensemble of ``n`` equally weighted members,
scored by the CRPS (:func:`crps`, via ``scoringrules``) and giving threshold probabilities
``P(outcome >= X)`` (:meth:`Calibration.prob_at_least`).

How this combines with the input-noise ensemble (``crossroads ensemble``): it does not.
The calibrated interval is about the point forecast at the inputs as given; the
ensemble's interval stays separate and is labelled "input noise only". The residuals
were measured with the models run at the data's own inputs, which are themselves
estimates (DEU III positions and saliences come from expert interviews), so they already
contain the error that guessed input noise stands for; convolving the ensemble's runs
with the residuals would count that error twice, with a noise level nobody calibrated.
:func:`threshold_text` prints both probabilities side by side, each named for its kind.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from crossroads.errors import CrossroadsError

__all__ = [
    "BUILTIN_FIXTURE",
    "METHOD",
    "Calibration",
    "builtin_calibration",
    "builtin_models",
    "calibrate",
    "check_level",
    "conformal_quantile",
    "conformal_rank",
    "crps",
    "scaled_residuals",
    "split_by_group",
    "threshold_text",
]

#: How the quantile is computed (recorded in every result).
METHOD = "split conformal, symmetric |observed - forecast| / scale width"

#: The calibration shipped with the package (package data, with its provenance).
BUILTIN_FIXTURE = "calibration-deu3-dev.json"


def check_level(level: float) -> float:
    """``level`` as a float strictly between 0 and 1, or a :class:`CrossroadsError`."""
    if isinstance(level, bool) or not isinstance(level, int | float):
        raise CrossroadsError(f"interval level must be a number between 0 and 1, got {level!r}")
    lv = float(level)
    if not (0.0 < lv < 1.0) or not math.isfinite(lv):
        raise CrossroadsError(f"interval level must lie strictly between 0 and 1, got {lv:g}")
    return lv


def conformal_rank(n: int, level: float) -> int:
    """``ceil((n + 1) * level)``: the rank of the split-conformal quantile among ``n`` scores.

    A small tolerance keeps a product that is a whole number in exact arithmetic from being
    rounded up by floating-point error (``10 * 0.9`` is ``9.000000000000002``).

    >>> conformal_rank(9, 0.9), conformal_rank(19, 0.9), conformal_rank(90, 0.9)
    (9, 18, 82)
    """
    return int(math.ceil((n + 1) * check_level(level) - 1e-9))


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The split-conformal quantile of non-conformity ``scores`` at ``level``.

    The ``ceil((n + 1) level)``-th smallest score (Lei et al. 2018, section 2.2), or
    ``inf`` when that rank exceeds ``n`` (too few scores for the level).

    >>> conformal_quantile(np.array([0.1, 0.4, 0.2, 0.3]), 0.5)
    0.3
    >>> conformal_quantile(np.array([0.1, 0.4, 0.2, 0.3]), 0.9)
    inf
    """
    s = np.sort(np.asarray(scores, dtype=float))
    if s.size == 0:
        raise CrossroadsError("conformal calibration needs at least one scored issue")
    k = conformal_rank(s.size, level)
    return math.inf if k > s.size else float(s[k - 1])


def scaled_residuals(observed: np.ndarray, forecast: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``(observed - forecast) / (max - min)`` per issue; ``scale`` has shape (issues, 2)."""
    sc = np.asarray(scale, dtype=float).reshape(-1, 2)
    width = sc[:, 1] - sc[:, 0]
    if np.any(width <= 0):
        raise CrossroadsError("an issue's scale has zero width; residuals cannot be scaled")
    return (np.asarray(observed, dtype=float) - np.asarray(forecast, dtype=float)) / width


def split_by_group(groups: Sequence[str], seed: int = 0) -> np.ndarray:
    """True for the items of the calibration half: groups (proposals) dealt into two halves.

    The halves are the two folds of :func:`crossroads.evaluation.fitting.assign_folds`
    (groups shuffled with ``seed``, dealt largest first to the smaller half), so every
    issue of a proposal falls in the same half; fold 0 is the calibration half.
    """
    from crossroads.evaluation.fitting import assign_folds

    return assign_folds(list(groups), 2, seed) == 0


def _scale_arrays(forecast: Any, scale: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = np.asarray(forecast, dtype=float)
    sc = np.asarray(scale, dtype=float)
    if sc.shape == (2,):
        sc = np.broadcast_to(sc, (*f.shape, 2))
    lo, hi = sc[..., 0], sc[..., 1]
    return f, lo, hi


@dataclass(frozen=True)
class Calibration:
    """A model's conformal calibration: residuals on decided issues and their quantile.

    Attributes
    ----------
    model : str
        The model label calibrated (``mean``, ``eum:scholz``, ``mean+eum``...).
    level : float
        Nominal coverage of :meth:`interval`, e.g. 0.9.
    n : int
        Calibration issues (with a forecast and an observed outcome).
    groups : int
        Distinct groups (DEU III proposals) among them.
    quantile : float
        Split-conformal quantile of ``|residuals|`` at ``level``, in scale-width units
        (``inf`` when ``n`` is too small for the level).
    residuals : ndarray of shape (n,)
        Signed ``(observed - forecast) / width`` of every calibration issue.
    source : str
        What it was calibrated on.
    """

    model: str
    level: float
    n: int
    groups: int
    quantile: float
    residuals: np.ndarray
    source: str

    def at_level(self, level: float) -> Calibration:
        """The same residuals at another nominal level."""
        return calibrate(self.residuals, model=self.model, level=level, source=self.source,
                         groups=self.groups)  # fmt: skip

    def interval(self, forecast: Any, scale: Any) -> tuple[np.ndarray, np.ndarray]:
        """``forecast -+ quantile x width``, clipped to the scale.

        Parameters
        ----------
        forecast : float or ndarray of shape (issues,)
        scale : (min, max), or ndarray of shape (issues, 2)

        Returns
        -------
        (lower, upper) : ndarrays shaped like ``forecast``
        """
        f, lo, hi = _scale_arrays(forecast, scale)
        half = self.quantile * (hi - lo) if math.isfinite(self.quantile) else np.inf
        return np.clip(f - half, lo, hi), np.clip(f + half, lo, hi)

    def predictive(self, forecast: Any, scale: Any) -> np.ndarray:
        """The predictive ensemble: ``forecast + residual x width`` for every calibration
        residual, clipped to the scale; shape ``(*forecast.shape, n)``."""
        f, lo, hi = _scale_arrays(forecast, scale)
        members = f[..., None] + self.residuals * (hi - lo)[..., None]
        return np.clip(members, lo[..., None], hi[..., None])

    def prob_at_least(self, threshold: float, forecast: Any, scale: Any) -> np.ndarray:
        """``P(outcome >= threshold)`` under the predictive distribution (shaped like
        ``forecast``); ``threshold`` is in the issues' own units and must lie on each scale."""
        f, lo, hi = _scale_arrays(forecast, scale)
        x = float(threshold)
        if not math.isfinite(x) or np.any((x < lo) | (x > hi)):
            raise CrossroadsError(
                f"threshold {x:g} lies outside an issue's scale "
                f"({float(np.min(lo)):g}-{float(np.max(hi)):g})"
            )
        # members within a rounding error of the threshold count as reaching it
        tol = 1e-9 * (hi - lo)[..., None]
        return (self.predictive(f, np.stack([lo, hi], axis=-1)) >= x - tol).mean(axis=-1)

    def describe(self) -> str:
        """E.g. ``mean calibrated on deu3-dev.tsv: 180 issues, 90% half-width 0.31 of the
        scale``."""
        q = "the whole scale" if not math.isfinite(self.quantile) else f"{self.quantile:.3g}"
        return (
            f"{self.model} calibrated on {self.source}: {self.n} issues, "
            f"{self.level:.0%} half-width {q} of the scale"
        )

    def to_dict(self, residuals: bool = True) -> dict[str, Any]:
        """JSON-ready; ``quantile`` is None when infinite."""
        out: dict[str, Any] = {
            "model": self.model,
            "level": self.level,
            "method": METHOD,
            "n": self.n,
            "groups": self.groups,
            "quantile": self.quantile if math.isfinite(self.quantile) else None,
            "source": self.source,
        }
        if residuals:
            out["residuals"] = [round(float(r), 6) for r in self.residuals]
        return out


def calibrate(
    residuals: np.ndarray,
    *,
    model: str,
    level: float = 0.9,
    source: str = "",
    groups: int | None = None,
) -> Calibration:
    """A :class:`Calibration` from signed scale-width residuals (NaN dropped).

    Raises
    ------
    CrossroadsError
        When no residual is left.
    """
    r = np.asarray(residuals, dtype=float).ravel()
    r = r[~np.isnan(r)]
    if r.size == 0:
        raise CrossroadsError(
            f"cannot calibrate {model} on {source or 'these issues'}: no issue has both a "
            "forecast and an observed outcome"
        )
    lv = check_level(level)
    return Calibration(
        model=model,
        level=lv,
        n=int(r.size),
        groups=int(r.size if groups is None else groups),
        quantile=conformal_quantile(np.abs(r), lv),
        residuals=r,
        source=source,
    )


def crps(calibration: Calibration, observed: Any, forecast: Any, scale: Any) -> np.ndarray:
    """CRPS of the predictive ensemble of each issue, in the issues' own units.

    ``scoringrules.crps_ensemble`` with the ``nrg`` estimator: the CRPS of the empirical
    distribution of the ensemble members (Gneiting & Raftery 2007, "Strictly proper
    scoring rules, prediction, and estimation", JASA 102(477), eq. 21). A point forecast's
    CRPS is its absolute error, so the figure compares with the MAE.
    """
    import scoringrules as sr  # slow to import (numba gufuncs): only when scoring

    ens = calibration.predictive(forecast, scale)
    return np.asarray(
        sr.crps_ensemble(np.asarray(observed, dtype=float), ens, estimator="nrg"), dtype=float
    )


def _fixture() -> dict[str, Any]:
    path = resources.files("crossroads") / "data" / BUILTIN_FIXTURE
    return json.loads(path.read_text(encoding="utf-8"))


def builtin_models() -> list[str]:
    """The model labels of the shipped calibration."""
    return list(_fixture()["models"])


def builtin_calibration(model: str, level: float = 0.9) -> Calibration:
    """The calibration shipped with the package: residuals of ``model`` on the 180 decided
    issues of the shared DEU III half ``deu3-dev.tsv`` (council capabilities, default
    parameters); its provenance is in the fixture's ``provenance`` and
    ``scripts/make_calibration_fixture.py`` rebuilds it.

    Examples
    --------
    >>> from crossroads.evaluation.calibration import builtin_calibration
    >>> cal = builtin_calibration("mean")
    >>> lo, hi = cal.interval(40.0, (0.0, 100.0))
    >>> bool(lo < 40.0 < hi), cal.n
    (True, 180)
    """
    data = _fixture()
    models = data["models"]
    if model not in models:
        raise CrossroadsError(
            f"no built-in calibration for model '{model}'; calibrated: {', '.join(models)}"
        )
    prov = data["provenance"]
    return calibrate(
        np.array(models[model]["residuals"], dtype=float),
        model=model,
        level=level,
        source=f"DEU III ({prov['file']})",
        groups=int(models[model]["groups"]),
    )


def threshold_text(
    threshold: float,
    *,
    input_noise: float | None = None,
    calibrated: float | None = None,
    calibrated_on: str = "",
) -> str:
    """One line naming each kind of probability, e.g.
    ``P(outcome >= 50): input noise: P=0.62, calibrated on DEU III: P=0.55``.

    >>> threshold_text(50, input_noise=0.62, calibrated=0.547, calibrated_on="DEU III")
    'P(outcome >= 50): input noise: P=0.62, calibrated on DEU III: P=0.55'
    """
    parts = []
    if input_noise is not None:
        parts.append(f"input noise: P={input_noise:.2f}")
    if calibrated is not None:
        on = f" on {calibrated_on}" if calibrated_on else ""
        parts.append(f"calibrated{on}: P={calibrated:.2f}")
    if not parts:
        raise CrossroadsError("threshold_text needs at least one probability")
    return f"P(outcome >= {threshold:g}): " + ", ".join(parts)
