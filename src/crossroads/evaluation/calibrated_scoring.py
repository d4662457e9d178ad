"""Scores of calibrated predictive distributions: coverage, width, CRPS and Brier.

:func:`evaluate_calibrated` calibrates each model (:mod:`crossroads.evaluation.calibration`)
on one set of decided issues and scores its predictive distribution on another: the
share of outcomes inside the interval (``coverage``), the interval's mean width, the
CRPS, and with a threshold ``X`` the Brier score of ``P(outcome >= X)`` (Brier 1950,
"Verification of forecasts expressed in terms of probability", Monthly Weather Review
78(1)) next to the Brier score of the calibration set's base rate. The calibration set
is another file, or the scored file itself split in two halves by proposal
(``calibration="split"``); issues of one proposal never sit on both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError
from crossroads.evaluation.calibration import (
    METHOD,
    Calibration,
    calibrate,
    check_level,
    crps,
    scaled_residuals,
    split_by_group,
)
from crossroads.evaluation.scoring import evaluate
from crossroads.scenario import Scenario
from crossroads.scenario.peers.quirks import QuirkReport

__all__ = [
    "BUILTIN",
    "SPLIT",
    "CalibratedEvaluation",
    "brier",
    "calibrate_on",
    "evaluate_calibrated",
]

#: The ``calibration`` value that splits the scored source itself by proposal.
SPLIT = "split"
#: The ``calibration`` value that splits the source by proposal and scores both halves,
#: each calibrated on the other (two-fold cross-conformal): every issue scored once.
CROSS = "cross"


def brier(probability: np.ndarray, event: np.ndarray) -> float:
    """Mean Brier score ``mean((p - 1[event])^2)`` via ``scoringrules.brier_score``."""
    import scoringrules as sr  # slow to import: only when scoring

    p = np.asarray(probability, dtype=float)
    y = np.asarray(event, dtype=bool).astype(float)
    return float(np.mean(sr.brier_score(y, p)))


@dataclass(frozen=True)
class CalibratedEvaluation:
    """Calibrated predictive scores of several models.

    Attributes
    ----------
    source, calibration_source : str
        The scored source, and what the models were calibrated on (``'<file> (split
        by proposal, seed S)'`` for a split).
    level : float
        Nominal coverage of the intervals.
    threshold : float or None
        The ``X`` of ``P(outcome >= X)``, when asked.
    seed : int or None
        Seed of the split by proposal (None when calibrated on another source).
    summary : DataFrame
        One row per model label: ``label``, ``n`` (issues scored), ``missing`` (scored
        issues without a forecast), ``mae``, ``crps``, ``coverage``, ``interval_width``
        (mean, scale units), ``quantile`` (half-width in scale-width units), ``cal_n``,
        ``cal_groups``; with a threshold also ``threshold``, ``base_rate`` (share of
        calibration outcomes >= X), ``brier`` and ``brier_base``.
    per_issue : DataFrame
        One row per (label, scored issue with a forecast): ``label``, ``issue``,
        ``group``, ``observed``, ``forecast``, ``lower``, ``upper``, ``covered``,
        ``crps``; with a threshold ``p_at_least`` and ``at_least`` (observed >= X).
    calibrations : dict of str to Calibration
    quirks, calibration_quirks : QuirkReport
        What each source's reader read by a documented rule.
    """

    source: str
    calibration_source: str
    level: float
    threshold: float | None
    seed: int | None
    summary: pd.DataFrame
    per_issue: pd.DataFrame
    calibrations: dict[str, Calibration]
    quirks: QuirkReport = field(default_factory=QuirkReport)
    calibration_quirks: QuirkReport = field(default_factory=QuirkReport)

    def to_dict(self, per_issue: bool = False) -> dict[str, Any]:
        """JSON-ready: ``source``, ``calibration`` (source, method, level, seed),
        ``threshold``, ``models`` (summary rows), ``quirks``, optionally ``per_issue``."""
        rows = self.summary.replace({np.inf: None}).to_dict(orient="records")
        out: dict[str, Any] = {
            "source": self.source,
            "calibration": {
                "source": self.calibration_source,
                "method": METHOD,
                "level": self.level,
                "seed": self.seed,
            },
            "threshold": self.threshold,
            "models": rows,
            "quirks": self.quirks.to_dict(),
            "calibration_quirks": self.calibration_quirks.to_dict(),
        }
        if per_issue:
            out["per_issue"] = self.per_issue.to_dict(orient="records")
        return out


def _shared_groups(a: pd.Series, b: pd.Series) -> list[str]:
    return sorted(set(a) & set(b))


def _calibration_for(label: str, cal: pd.DataFrame, level: float, source: str) -> Calibration:
    r = scaled_residuals(cal["observed"], cal["forecast"], cal[["scale_min", "scale_max"]])
    ok = ~np.isnan(r)
    return calibrate(r[ok], model=label, level=level, source=source,
                     groups=int(cal["group"][ok].nunique()))  # fmt: skip


def _base_rate(cal: pd.DataFrame, x: float, where: str) -> float:
    lo, hi = cal["scale_min"].to_numpy(), cal["scale_max"].to_numpy()
    if np.any((x < lo) | (x > hi)):
        raise CrossroadsError(
            f"threshold {x:g} lies outside the scale of an issue of {where} "
            f"({lo.min():g}-{hi.max():g})"
        )
    return float((cal["observed"].to_numpy() >= x).mean())


def _score(
    label: str, cal: Calibration, test: pd.DataFrame, threshold: float | None, base: float | None
) -> tuple[dict[str, Any], pd.DataFrame]:
    has = ~test["forecast"].isna()
    t = test[has]
    scale = t[["scale_min", "scale_max"]].to_numpy()
    obs, fc = t["observed"].to_numpy(), t["forecast"].to_numpy()
    lo, hi = cal.interval(fc, scale)
    covered = (obs >= lo) & (obs <= hi)
    c = crps(cal, obs, fc, scale) if len(t) else np.array([])
    row: dict[str, Any] = {
        "label": label,
        "n": len(t),
        "missing": int((~has).sum()),
        "mae": float(np.abs(obs - fc).mean()) if len(t) else np.nan,
        "crps": float(c.mean()) if len(t) else np.nan,
        "coverage": float(covered.mean()) if len(t) else np.nan,
        "interval_width": float((hi - lo).mean()) if len(t) else np.nan,
        "quantile": cal.quantile,
        "cal_n": cal.n,
        "cal_groups": cal.groups,
    }
    per = pd.DataFrame(
        {
            "label": label,
            "issue": t["issue"].to_numpy(),
            "group": t["group"].to_numpy(),
            "observed": obs,
            "forecast": fc,
            "lower": lo,
            "upper": hi,
            "covered": covered,
            "crps": c,
        }
    )
    if threshold is not None:
        assert base is not None
        p = cal.prob_at_least(threshold, fc, scale) if len(t) else np.array([])
        event = obs >= threshold
        row.update(
            threshold=threshold,
            base_rate=base,
            brier=brier(p, event) if len(t) else np.nan,
            brier_base=brier(np.full(len(t), base), event) if len(t) else np.nan,
        )
        per["p_at_least"] = p
        per["at_least"] = event
        per["base_rate"] = base
    return row, per


def _pooled(label: str, halves: list[tuple[dict[str, Any], pd.DataFrame]]) -> dict[str, Any]:
    """The summary row of both halves of a two-fold cross-conformal evaluation, from the
    pooled per-issue results (each issue scored by the calibration of the other half)."""
    per = pd.concat([p for _, p in halves], ignore_index=True)
    n = len(per)
    row: dict[str, Any] = {
        "label": label,
        "n": n,
        "missing": int(sum(r["missing"] for r, _ in halves)),
        "mae": float((per["observed"] - per["forecast"]).abs().mean()) if n else np.nan,
        "crps": float(per["crps"].mean()) if n else np.nan,
        "coverage": float(per["covered"].mean()) if n else np.nan,
        "interval_width": float((per["upper"] - per["lower"]).mean()) if n else np.nan,
        "quantile": float(np.mean([r["quantile"] for r, _ in halves])),
        "cal_n": int(round(np.mean([r["cal_n"] for r, _ in halves]))),
        "cal_groups": int(round(np.mean([r["cal_groups"] for r, _ in halves]))),
    }
    if "p_at_least" in per:
        event = per["at_least"].to_numpy(dtype=bool)
        row.update(
            threshold=halves[0][0]["threshold"],
            base_rate=float(per["base_rate"].mean()),
            brier=brier(per["p_at_least"].to_numpy(), event) if n else np.nan,
            brier_base=brier(per["base_rate"].to_numpy(), event) if n else np.nan,
        )
    return row


def evaluate_calibrated(
    source: str | Path | Scenario,
    models: Sequence[str] = ("mean", "median"),
    *,
    calibration: str | Path | Scenario = SPLIT,
    level: float = 0.9,
    threshold: float | None = None,
    seed: int | None = None,
    format: str | None = None,
    calibration_format: str | None = None,
    capability: str | Sequence[str] | None = None,
    salience_exponent: float | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> CalibratedEvaluation:
    """Calibrate each model on decided issues and score its predictive distribution.

    Parameters
    ----------
    source : str, Path or Scenario
        What to score: anything :func:`crossroads.evaluation.evaluate` reads.
    models : sequence of str
        Model labels as for ``evaluate`` (``'eum:scholz'``, ``'mean+eum'``).
    calibration : str, Path, Scenario, ``'split'`` or ``'cross'``
        The calibration set (a DEU III file, a scenario with ``observed`` outcomes), or
        ``'split'``: the groups (proposals) of ``source`` dealt into two halves with
        ``seed``; calibrate on one, score the other; or ``'cross'`` (two-fold
        cross-conformal): the same halves, each scored with the calibration of the other,
        so every issue is scored once, by a calibration made without its proposal (half
        the sampling noise of one half's coverage).
    level : float
        Nominal coverage of the interval (0.9 for a 90% interval).
    threshold : float, optional
        Also report ``P(outcome >= threshold)`` per issue and its Brier score.
    seed : int, optional
        Seed of the split (default 0); only with ``calibration='split'``.
    format, calibration_format : {'deu3'}, optional
        Force the DEU III reader for ``source`` / ``calibration``.
    capability, salience_exponent, params
        As for ``evaluate``; the same inputs are used on both sets.

    Returns
    -------
    CalibratedEvaluation

    Raises
    ------
    CrossroadsError
        For a calibration set without observed outcomes, one that shares proposals with
        ``source`` (use ``'split'``), a split with fewer than two proposals, a threshold
        off the scale, or anything ``evaluate`` refuses.
    """
    lv = check_level(level)
    if threshold is not None:
        threshold = float(threshold)
        if not np.isfinite(threshold):
            raise CrossroadsError(f"threshold must be a finite number, got {threshold!r}")
    ev = evaluate(source, models, format=format, capability=capability,
                  salience_exponent=salience_exponent, params=params)  # fmt: skip
    labels = list(ev.summary["label"])
    cross = isinstance(calibration, str) and calibration == CROSS
    split = isinstance(calibration, str) and calibration in (SPLIT, CROSS)
    if seed is not None and not split:
        raise CrossroadsError(
            "a seed applies to a split by proposal (calibration='split' or 'cross') only"
        )
    seed = 0 if seed is None else seed
    if split:
        first = ev.errors[ev.errors["label"] == labels[0]]
        if first["group"].nunique() < 2:
            raise CrossroadsError(
                f"'{ev.source}' has {first['group'].nunique()} group(s) (proposals); a split "
                "by proposal needs at least 2"
            )
        cal_mask = split_by_group(first["group"].tolist(), seed)
        how = "both halves, each calibrated on the other" if cross else "split by proposal"
        cal_source = f"{ev.source} ({how}, seed {seed})"
        parts = {
            lab: (e[cal_mask], e[~cal_mask])
            for lab in labels
            for e in [ev.errors[ev.errors["label"] == lab].reset_index(drop=True)]
        }
        cal_quirks, used_seed = ev.quirks, seed
    else:
        try:
            cal_ev = evaluate(calibration, models, format=calibration_format,
                              capability=capability, salience_exponent=salience_exponent,
                              params=params)  # fmt: skip
        except CrossroadsError as e:
            raise CrossroadsError(f"calibration set: {e}") from None
        shared = _shared_groups(ev.errors["group"], cal_ev.errors["group"])
        if shared:
            raise CrossroadsError(
                f"the calibration set '{cal_ev.source}' shares {len(shared)} proposal(s) with "
                f"'{ev.source}' (first: {shared[0]}); calibrate on other decisions, or use "
                "--calibration split to split one file by proposal"
            )
        cal_source, cal_quirks, used_seed = cal_ev.source, cal_ev.quirks, None
        parts = {
            lab: (
                cal_ev.errors[cal_ev.errors["label"] == lab],
                ev.errors[ev.errors["label"] == lab],
            )
            for lab in labels
        }
    rows, pers, cals = [], [], {}
    for lab in labels:
        cal_rows, test_rows = parts[lab]
        folds = [(cal_rows, test_rows), (test_rows, cal_rows)] if cross else [parts[lab]]
        halves = []
        for cal_part, test_part in folds:
            cal = _calibration_for(lab, cal_part, lv, cal_source)
            base = None if threshold is None else _base_rate(cal_part, threshold, cal_source)
            if threshold is not None:
                _base_rate(test_part, threshold, ev.source)  # the threshold must lie on both
            halves.append(_score(lab, cal, test_part, threshold, base))
        rows.append(_pooled(lab, halves) if cross else halves[0][0])
        pers.append(pd.concat([p for _, p in halves], ignore_index=True))
        cals[lab] = cal  # for 'cross': the second half's (calibrated on the first's test half)
    return CalibratedEvaluation(
        source=ev.source,
        calibration_source=cal_source,
        level=lv,
        threshold=threshold,
        seed=used_seed,
        summary=pd.DataFrame(rows),
        per_issue=pd.concat(pers, ignore_index=True),
        calibrations=cals,
        quirks=ev.quirks,
        calibration_quirks=cal_quirks,
    )


#: The ``calibration`` value of :func:`calibrate_on` that loads the shipped calibration.
BUILTIN = "builtin"


def calibrate_on(
    source: str | Path | Scenario,
    model: str,
    *,
    level: float = 0.9,
    format: str | None = None,
) -> Calibration:
    """``model``'s calibration on every decided issue of ``source``, or on the shipped DEU
    III calibration when ``source`` is ``'builtin'``
    (:func:`~crossroads.evaluation.calibration.builtin_calibration`).

    Raises
    ------
    CrossroadsError
        For a source without observed outcomes, or anything ``evaluate`` refuses.
    """
    from crossroads.evaluation.calibration import builtin_calibration

    if isinstance(source, str) and source == BUILTIN:
        if format is not None:
            raise CrossroadsError("a format applies to a calibration file, not to 'builtin'")
        return builtin_calibration(model, level)
    try:
        ev = evaluate(source, [model], format=format)
    except CrossroadsError as e:
        raise CrossroadsError(f"calibration set: {e}") from None
    label = str(ev.summary["label"].iloc[0])
    return _calibration_for(label, ev.errors, check_level(level), ev.source)
