"""Forecast accuracy against observed outcomes: ``evaluate``.

Scores are computed over the issues with an observed outcome: the mean absolute
error (MAE), the median absolute error and the share of issues forecast within 10
points (``|forecast - outcome| <= 10``), on the issue's own scale (0-100 for DEU III).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossroads.errors import CrossroadsError, ModelError
from crossroads.evaluation.issues import Inputs, IssueSet, Source, issue_set, open_source
from crossroads.evaluation.runner import run_model
from crossroads.models import get_model, model_names
from crossroads.presets import resolve_params, user_preset
from crossroads.scenario import Scenario
from crossroads.scenario.peers.quirks import QuirkReport

__all__ = [
    "WITHIN",
    "Evaluation",
    "ModelSpec",
    "evaluate",
    "parse_model_spec",
    "parse_models",
    "scores",
]

#: Threshold of the "within" share, in points of the issue scale.
WITHIN = 10.0


def scores(errors: np.ndarray) -> dict[str, float | int]:
    """``n``, ``mae``, ``median_ae`` and ``within_10`` of absolute ``errors`` (NaN skipped)."""
    e = np.abs(np.asarray(errors, dtype=float))
    e = e[~np.isnan(e)]
    if len(e) == 0:
        return {"n": 0, "mae": np.nan, "median_ae": np.nan, "within_10": np.nan}
    return {
        "n": len(e),
        "mae": float(e.mean()),
        "median_ae": float(np.median(e)),
        "within_10": float((e <= WITHIN).mean()),
    }


@dataclass(frozen=True)
class ModelSpec:
    """A model to score: its name, an optional preset, its parameters and input choices."""

    model: str
    preset: str | None
    params: dict[str, Any]
    inputs: dict[str, Any] | None  # from a user preset; None when the preset has none

    @property
    def label(self) -> str:
        """``model`` or ``model:preset``."""
        return self.model if self.preset is None else f"{self.model}:{self.preset}"


def parse_model_spec(spec: str, overrides: dict[str, Any] | None = None) -> ModelSpec:
    """``'eum'`` or ``'eum:scholz'`` (model, colon, preset) as a :class:`ModelSpec`.

    Raises
    ------
    ModelError
        For an unknown model, a model whose module is missing, or an unknown preset.
    """
    name, _, preset = spec.strip().partition(":")
    name, preset = name.strip(), preset.strip() or None
    if not name:
        raise ModelError(f"empty model name in {spec!r}; models: {', '.join(model_names())}")
    get_model(name)  # clean error for an unknown or missing model
    params = resolve_params(name, preset, **(overrides or {}))
    inputs = None
    if preset is not None and preset not in get_model(name).presets:
        user = user_preset(preset)
        if user is not None and user.inputs:
            inputs = dict(user.inputs)
    return ModelSpec(model=name, preset=preset, params=params, inputs=inputs)


def parse_models(spec: str, params: dict[str, dict[str, Any]] | None = None) -> list[ModelSpec]:
    """One model spec, or the parts of a combination ``'mean+eum:scholz'``.

    A combination's forecast is the equal-weight average of its parts' forecasts; its
    parts share the input choices, so a part's preset may not carry its own.
    """
    params = params or {}
    parts = [p for p in spec.split("+")]
    out = [parse_model_spec(p, params.get(p.partition(":")[0].strip())) for p in parts]
    if len(out) > 1:
        names = [s.model for s in out]
        for s in out:
            if names.count(s.model) > 1:
                raise ModelError(f"model '{s.model}' appears twice in {spec!r}")
            if s.inputs:
                raise ModelError(
                    f"preset '{s.preset}' carries input choices; a combination's parts share "
                    "the inputs (--capability, --salience-exponent), so use it alone"
                )
    return out


@dataclass(frozen=True)
class Evaluation:
    """Accuracy of several models on one source.

    Attributes
    ----------
    source : str
        The file or scenario scored.
    summary : DataFrame
        One row per (model, inputs): ``label``, ``model``, ``preset``, ``inputs``
        (short description), ``capability``, ``salience_exponent``, ``n`` (issues
        scored), ``missing`` (issues without a forecast), ``mae``, ``median_ae``,
        ``within_10``.
    errors : DataFrame
        One row per (label, issue): ``label``, ``issue``, ``group``, ``observed``,
        ``forecast``, ``error`` (absolute), ``scale_min``, ``scale_max`` (the issue's scale).
    quirks : QuirkReport
        What the source's reader read by a documented rule (empty for YAML).
    """

    source: str
    summary: pd.DataFrame
    errors: pd.DataFrame
    quirks: QuirkReport = field(default_factory=QuirkReport)

    def to_df(self) -> pd.DataFrame:
        """The summary table."""
        return self.summary

    def per_issue(self) -> pd.DataFrame:
        """Wide per-issue table: observed outcome, then each label's forecast and error."""
        e = self.errors
        base = e.drop_duplicates("issue").set_index("issue")[["group", "observed"]]
        fc = e.pivot(index="issue", columns="label", values="forecast")
        er = e.pivot(index="issue", columns="label", values="error")
        labels = list(dict.fromkeys(e["label"]))
        out = base.copy()
        for lab in labels:
            out[f"{lab} forecast"] = fc[lab]
            out[f"{lab} error"] = er[lab]
        return out.loc[list(dict.fromkeys(e["issue"]))]

    def to_dict(self, per_issue: bool = False) -> dict[str, Any]:
        """JSON-ready: ``source``, ``models`` (the summary rows), ``quirks``, optionally
        ``per_issue``."""
        out: dict[str, Any] = {
            "source": self.source,
            "within": WITHIN,
            "models": self.summary.to_dict(orient="records"),
            "quirks": self.quirks.to_dict(),
        }
        if per_issue:
            out["per_issue"] = self.errors.to_dict(orient="records")
        return out


def _input_sets(
    source: Source, capability: str | Sequence[str] | None, salience_exponent: float | None
) -> list[Inputs]:
    if capability is None:
        caps: list[str | None] = ["council"] if source.is_deu3 else [None]
    else:
        caps = [capability] if isinstance(capability, str) else list(capability)
        if not caps:
            raise CrossroadsError("no capability scheme given")
        if not source.is_deu3:
            raise CrossroadsError(
                f"capability schemes apply to DEU III files; '{source.label}' is a scenario "
                "with its own capabilities"
            )
    exp = 1.0 if salience_exponent is None else float(salience_exponent)
    out = []
    for c in caps:
        inp = Inputs(capability=c, salience_exponent=exp)
        inp.check()
        out.append(inp)
    return out


def _spec_inputs(spec: ModelSpec, source: Source, fallback: Inputs) -> Inputs:
    """The inputs a user preset carries, restricted to what applies to ``source``."""
    assert spec.inputs is not None
    data = dict(spec.inputs)
    if not source.is_deu3:
        data = {"salience_exponent": data.get("salience_exponent", fallback.salience_exponent)}
    return Inputs.from_dict(data, where=f"preset '{spec.preset}'")


def evaluate(
    source: str | Path | Scenario,
    models: Sequence[str] = ("mean", "median"),
    *,
    format: str | None = None,
    capability: str | Sequence[str] | None = None,
    salience_exponent: float | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> Evaluation:
    """Score models against the observed outcomes of a DEU III file or a scenario.

    Parameters
    ----------
    source : str, Path or Scenario
        A DEU III TSV file, a scenario file, a built-in scenario name (e.g.
        ``'kazakhstan-2010'``), or a loaded :class:`~crossroads.scenario.Scenario`.
    models : sequence of str
        Model names, each optionally with a preset: ``'eum:scholz'``. A user preset
        (saved by :func:`crossroads.evaluation.fitting`) brings its input choices too.
        ``'mean+eum'`` scores the equal-weight average of the parts' forecasts.
    format : {'deu3'}, optional
        Read ``source`` as DEU III even if its header is not recognised.
    capability : str or sequence of str, optional
        DEU III capability scheme(s): ``council`` (default), ``equal``, ``gdp``. Each
        model is scored under each scheme. Not allowed for other sources.
    salience_exponent : float, optional
        Salience enters as ``s ** salience_exponent`` (default 1).
    params : dict, optional
        Parameter overrides per model name, e.g. ``{'eum': {'rounds': 20}}``.

    Returns
    -------
    Evaluation

    Raises
    ------
    CrossroadsError
        For an unreadable source, an unknown or unavailable model or preset, or a source
        without observed outcomes.

    Examples
    --------
    >>> from crossroads.evaluation import evaluate
    >>> path = "../shared/data/deu/deu3-dev.tsv"
    >>> ev = evaluate(path, ["mean"], capability="equal")  # doctest: +SKIP
    >>> round(ev.summary.loc[0, "mae"], 1)  # doctest: +SKIP
    21.4
    """
    if not models:
        raise ModelError(f"no model given; models: {', '.join(model_names())}")
    combos = [parse_models(m, params) for m in models]
    labels = ["+".join(s.label for s in c) for c in combos]
    for lab in labels:
        if labels.count(lab) > 1:
            raise ModelError(f"model '{lab}' is given twice")
    src = open_source(source, format)
    input_sets = _input_sets(src, capability, salience_exponent)
    cache: dict[Inputs, IssueSet] = {}

    def issues_for(inp: Inputs) -> IssueSet:
        if inp not in cache:
            cache[inp] = issue_set(src, inp)
        return cache[inp]

    rows, err_rows = [], []
    for combo, base_label in zip(combos, labels, strict=True):
        spec = combo[0]
        runs = [_spec_inputs(spec, src, input_sets[0])] if spec.inputs else input_sets
        for inp in runs:
            iset = issues_for(inp)
            forecast = np.mean([run_model(s.model, s.params, iset) for s in combo], axis=0)
            err = np.abs(forecast - iset.observed)
            label = base_label
            if len(runs) > 1 or (len(input_sets) > 1 and spec.inputs):
                label += f" ({inp.describe()})"
            s = scores(err)
            rows.append(
                {
                    "label": label,
                    "model": "+".join(c.model for c in combo),
                    "preset": spec.preset if len(combo) == 1 else None,
                    "inputs": inp.describe(),
                    "capability": inp.capability or "scenario",
                    "salience_exponent": inp.salience_exponent,
                    "n": s["n"],
                    "missing": int(np.isnan(forecast).sum()),
                    "mae": s["mae"],
                    "median_ae": s["median_ae"],
                    "within_10": s["within_10"],
                }
            )
            err_rows.append(
                pd.DataFrame(
                    {
                        "label": label,
                        "issue": iset.issues,
                        "group": iset.groups,
                        "observed": iset.observed,
                        "forecast": forecast,
                        "error": err,
                        "scale_min": iset.scale[:, 0],
                        "scale_max": iset.scale[:, 1],
                    }
                )
            )
    summary = pd.DataFrame(rows)
    errors = pd.concat(err_rows, ignore_index=True)
    return Evaluation(source=src.label, summary=summary, errors=errors, quirks=src.quirks)
