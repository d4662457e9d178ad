"""The shipped calibrated interval of a point forecast, for showing beside input-noise spreads.

``crossroads run``, the HTML report and the dashboard show two kinds of interval:

* the ensemble's 5-95% range, which says how the forecast moves when the guessed input
  uncertainty of the stakes is sampled (**input noise only**), and
* the split-conformal interval of :mod:`crossroads.evaluation.calibration`, calibrated on
  the residuals of the same model on the 180 decided DEU III issues shipped with the
  package (Lei et al. 2018, "Distribution-free predictive inference for regression",
  JASA 113(523), section 2.2), which says how far such forecasts have landed from real
  outcomes (**calibrated on DEU III**).

Only the models of the shipped calibration at their default settings have one; any other
model or a named preset gets an unavailable interval with the reason, never a borrowed one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CALIBRATED_LABEL", "INPUT_NOISE_LABEL", "CalibratedInterval", "builtin_interval"]

#: How the calibrated interval is named wherever it is shown.
CALIBRATED_LABEL = "calibrated on DEU III residuals (split conformal), not input noise"
#: How the ensemble's spread is named wherever it is shown beside the calibrated one.
INPUT_NOISE_LABEL = "input noise only (guessed stake uncertainty; not calibrated)"


@dataclass(frozen=True)
class CalibratedInterval:
    """A point forecast's calibrated interval, or why there is none.

    Attributes
    ----------
    model : str
        The model (with ``:preset`` when one was named).
    level : float
        Nominal coverage, e.g. 0.9.
    lo, hi : float or None
        The interval's ends in the issue's units (None when unavailable).
    source : str
        What it was calibrated on (empty when unavailable).
    reason : str or None
        Why there is no interval (None when there is one).
    """

    model: str
    level: float
    lo: float | None
    hi: float | None
    source: str
    reason: str | None = None

    @property
    def available(self) -> bool:
        """True when there is an interval."""
        return self.reason is None

    def text(self) -> str:
        """``"12.3–85.6"``, or ``"no calibration"``."""
        if not self.available:
            return "no calibration"
        return f"{_num(self.lo)}–{_num(self.hi)}"

    def to_dict(self) -> dict[str, Any] | None:
        """``{level, lo, hi, source}``, or None when unavailable (see :attr:`reason`)."""
        if not self.available:
            return None
        return {"level": self.level, "lo": self.lo, "hi": self.hi, "source": self.source}

    def as_json(self, of: str) -> dict[str, Any]:
        """``calibrated`` ({level, lo, hi, source, label, of}, or None) and
        ``calibrated_reason``, the keys a JSON answer carries; ``of`` names the forecast the
        interval is about (``baseline``, ``variant``, ``point_forecast``)."""
        d = self.to_dict()
        if d is not None:
            d.update(label=CALIBRATED_LABEL, of=of)
        return {"calibrated": d, "calibrated_reason": self.reason}


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def builtin_interval(
    model: str,
    forecast: Any,
    scale: tuple[float, float],
    *,
    level: float = 0.9,
    preset: str | None = None,
    params: dict[str, Any] | None = None,
) -> CalibratedInterval:
    """The interval of ``forecast`` under the shipped DEU III calibration of ``model``.

    Parameters
    ----------
    model : str
        ``mean``, ``median``, ``eum`` or ``smp`` have a shipped calibration (default
        settings); any other model, or a ``preset``, gets an unavailable interval.
    forecast : float or array
        The point forecast; an array of more than one value (a multi-dimensional
        issue) gets an unavailable interval.
    scale : (min, max)
        The issue's scale; the interval is ``forecast -+ q x (max - min)`` clipped to it.
    level : float
        Nominal coverage.
    preset : str, optional
    params : dict, optional
        The model's full parameters (``ModelParams.model_dump()``); when they differ from its
        defaults the interval is unavailable, as for a preset.
    """
    from crossroads.evaluation.calibration import builtin_calibration, builtin_models

    label = model if preset is None else f"{model}:{preset}"

    def none(reason: str) -> CalibratedInterval:
        return CalibratedInterval(label, float(level), None, None, "", reason)

    if model not in builtin_models():
        return none(f"no calibration for model '{model}'")
    if preset is not None:
        return none(
            f"no calibration for {label} (the shipped calibration is of {model}'s defaults)"
        )
    if params is not None:
        from crossroads.models import get_model

        if dict(params) != get_model(model).validate(None).model_dump():
            return none(
                f"no calibration for {model} with parameters other than its defaults (the "
                "shipped calibration is of its defaults)"
            )
    f = np.asarray(forecast, dtype=float)
    if f.size != 1:
        return none("no calibration for multi-dimensional issues")
    value = float(f.reshape(()))
    if not math.isfinite(value):
        return none("no calibration: the forecast is not a finite number")
    cal = builtin_calibration(model, level)
    lo, hi = cal.interval(value, (float(scale[0]), float(scale[1])))
    return CalibratedInterval(label, cal.level, float(lo), float(hi), cal.source)
