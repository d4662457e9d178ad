"""The JSON bodies the API accepts, with the limits of what one request may ask for.

Every model forbids unknown fields, so a misspelt option is a 422 naming it rather
than a silently ignored setting.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from crossroads.uncertainty.options import CombineOption, SamplingOptions, SobolOptions

__all__ = [
    "MAX_CHECK_FILES",
    "MAX_EVAL_MODELS",
    "MAX_FOLDS",
    "MAX_RUNS",
    "CompareRequest",
    "EnsembleRequest",
    "EvaluateRequest",
    "ExploreRequest",
    "FitRequest",
    "ForecastRequest",
    "IssueRequest",
    "LinkedRequest",
    "LinkedSummaryRequest",
    "MAX_PLAN_RUNS",
    "Name",
    "PlanRequest",
    "SensitivityRequest",
    "StakeEdit",
]

#: Largest ensemble the web API runs in one request (the CLI has no such limit).
MAX_RUNS = 100_000
#: Most files one ``/api/check`` request compares against.
MAX_CHECK_FILES = 8
#: Most models (each under each capability scheme) one ``/api/evaluate`` scores.
MAX_EVAL_MODELS = 8
#: Most cross-validation folds (outer, and inner) of one ``/api/fit``.
MAX_FOLDS = 10

#: Most ensemble runs per package of one ``/api/plan`` (and per arm of ``/api/linked/summary``).
MAX_PLAN_RUNS = 20_000

#: A scenario key, issue, model, preset or actor id as a request names it.
Name = Annotated[str, Field(min_length=1, max_length=100)]


class StakeEdit(BaseModel):
    """New values for one actor's stake (fields left out keep their value)."""

    model_config = ConfigDict(extra="forbid")

    actor: Name
    position: float | None = None
    salience: float | None = None
    capability: float | None = None


class IssueRequest(BaseModel):
    """One issue of a scenario, one model, with optional stake edits."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    issue: Name | None = None
    model: Name = "mean"
    rounds: Annotated[int, Field(ge=0, le=10_000)] | None = None
    stakes: Annotated[list[StakeEdit], Field(max_length=2000)] = []


class ForecastRequest(IssueRequest):
    """One forecast, with optional stake edits and interventions."""

    preset: Name | None = None
    interventions: Annotated[list[Name], Field(max_length=100)] = []


class EnsembleRequest(IssueRequest, SamplingOptions):
    """An ensemble (or comparison, or sensitivity study) of one forecast.

    Its options are :class:`~crossroads.uncertainty.options.SamplingOptions` (the ones every
    front-end shares), with fewer runs by default and at most :data:`MAX_RUNS`; the
    executor's options (Dask workers, scheduler, chunk size) are not offered over HTTP.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), frozen=False)

    runs: Annotated[int, Field(le=MAX_RUNS)] = 1000
    interventions: Annotated[tuple[Name, ...], Field(max_length=100)] = ()
    params: Annotated[dict[str, object], Field(max_length=50)] = {}
    figures: bool = False
    save: bool = False

    def sampling(self) -> dict[str, object]:
        """The shared options as keyword arguments (``rounds`` joins the model parameters)."""
        out = self.model_dump(include=set(SamplingOptions.model_fields))
        if self.rounds is not None:
            out["params"] = {**out["params"], "rounds": self.rounds}
        return out


class CompareRequest(EnsembleRequest, CombineOption):
    """A what-if comparison: ``interventions`` are the arms compared."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), frozen=False)


class SensitivityRequest(EnsembleRequest, SobolOptions):
    """A sensitivity study (a tornado by default, at most 65,536 Sobol samples)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), frozen=False)

    method: Name = "oat"
    samples: Annotated[int, Field(le=65536)] = 256


class ExploreRequest(ForecastRequest):
    """The dashboard's update: forecast and ensemble, with and without the interventions."""

    runs: Annotated[int, Field(ge=0, le=MAX_RUNS)] = 1000
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0


class EvaluateRequest(BaseModel):
    """``crossroads evaluate``: models scored against a scenario's observed outcomes."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    models: Annotated[list[Name], Field(min_length=1, max_length=MAX_EVAL_MODELS)] = [
        "mean",
        "median",
    ]
    capability: Annotated[list[Name], Field(min_length=1, max_length=3)] | None = None
    salience_exponent: Annotated[float, Field(ge=0, le=100)] | None = None
    per_issue: bool = False


class FitRequest(BaseModel):
    """``crossroads fit``: a model's free choices fitted with nested cross-validation.

    ``outer_folds`` and ``inner_folds`` are ``--outer-folds`` and ``--inner-folds``. The
    server saves no preset; ``force`` decides whether the response's ``preset`` (what
    ``--save-preset`` would write) is given for a fit whose verdict is ``no_better``.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    model: Name = "mean"
    preset: Name | None = None
    outer_folds: Annotated[int, Field(ge=2, le=MAX_FOLDS)] = 5
    inner_folds: Annotated[int, Field(ge=2, le=MAX_FOLDS)] = 5
    force: bool = False
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    search: Literal["auto", "grid", "coordinate"] = "auto"
    what: Literal["all", "inputs", "params"] = "all"
    per_issue: bool = False


class LinkedRequest(BaseModel):
    """``crossroads forecast --model exchange``: one forecast of a set of linked issues."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    issue: Name | None = None
    issues: Annotated[list[Name], Field(max_length=100)] | None = None
    model: Name = "exchange"
    preset: Name | None = None
    rounds: Annotated[int, Field(ge=0, le=10_000)] | None = None
    interventions: Annotated[list[Name], Field(max_length=100)] = []
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0


class LinkedSummaryRequest(BaseModel):
    """What ``crossroads run`` prints of the linked sets and the aims, with the report's
    charts (the dashboard's linked view)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    runs: Annotated[int, Field(ge=1, le=MAX_PLAN_RUNS)] = 1024
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    aims: bool = True
    models: Annotated[list[Name], Field(min_length=1, max_length=8)] = ["mean", "median", "eum"]
    figures: bool = True


class PlanRequest(BaseModel):
    """``crossroads plan``: the cheapest package reaching a target with a probability.

    Give ``aim`` (an aim of the scenario: its issue, target and probability) or ``target``
    and ``probability`` (and ``issue`` when the scenario has several)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    scenario: Name
    aim: Name | None = None
    issue: Name | None = None
    model: Name = "mean"
    target: Annotated[str, Field(max_length=40)] | None = None
    probability: Annotated[float, Field(gt=0, le=1)] | None = None
    budget: Annotated[float, Field(ge=0)] | None = None
    candidates: Annotated[list[Name], Field(max_length=100)] | None = None
    runs: Annotated[int, Field(ge=1, le=MAX_PLAN_RUNS)] = 1024
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    figures: bool = False
