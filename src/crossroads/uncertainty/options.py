"""The options of ensembles, sensitivity studies and comparisons, defined once.

The library functions (:func:`~crossroads.uncertainty.monte_carlo.ensemble`,
:func:`~crossroads.uncertainty.sensitivity_analysis.sensitivity`,
:func:`~crossroads.uncertainty.what_if.compare`) take one of these objects; the CLI builds
its command-line options from their fields (``crossroads.cli.run_options``) and the web
API's request models derive from them (``crossroads.web.requests``), so a new option is
added in one place.

* :class:`SamplingOptions`: what is drawn and how the model is set (every front-end).
* :class:`RunOptions`: adds where it runs (Dask workers, a scheduler, the chunk size);
  the web API does not offer these.
* :class:`SobolOptions`, :class:`CompareOptions`: the extra settings of a sensitivity
  study and of a comparison.

Values are checked by the same functions the kernels' callers always used (so the
messages say what is allowed and what was given); the objects are frozen.

Examples
--------
>>> from crossroads.uncertainty.options import RunOptions
>>> o = RunOptions.of(None, {"runs": 2000, "rounds": 5})   # a field, and a model parameter
>>> o.runs, o.params
(2000, {'rounds': 5})
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crossroads.errors import CrossroadsError
from crossroads.seeding import BLOCK, check_seed
from crossroads.uncertainty.option_fields import FIELDS, option

__all__ = [
    "FIELDS",
    "MAX_RUNS",
    "METHODS",
    "CombineOption",
    "CompareOptions",
    "RunOptions",
    "SamplingOptions",
    "SobolOptions",
    "SensitivityOptions",
    "check_runs",
]

#: Largest ensemble accepted in one call.
MAX_RUNS = 10**10

#: Sensitivity methods.
METHODS = ("sobol", "oat")


def check_runs(runs: object, what: str = "runs") -> int:
    """``runs`` as a positive int, or a :class:`CrossroadsError` saying what is allowed."""
    if isinstance(runs, bool) or not isinstance(runs, numbers.Integral):
        raise CrossroadsError(f"{what} must be a whole number >= 1, got {runs!r}")
    if not 1 <= int(runs) <= MAX_RUNS:
        raise CrossroadsError(f"{what} must be between 1 and {MAX_RUNS:.0e}, got {runs}")
    return int(runs)


def _plain(check: Any, value: Any) -> Any:
    """``check(value)``, its CrossroadsError turned into the ValueError pydantic reports."""
    try:
        return check(value)
    except CrossroadsError as e:
        raise ValueError(str(e)) from None


def _field(name: str) -> Any:
    """The pydantic field of option ``name``: its default and description from the table."""
    entry = option(name)
    extra = {"off": entry.off} if entry.off else None
    if isinstance(entry.default, dict):
        return Field(default_factory=dict, description=entry.help, json_schema_extra=extra)
    return Field(entry.default, description=entry.help, json_schema_extra=extra)


class _Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def of(cls, options: _Options | None, settings: Mapping[str, Any]) -> Any:
        """``options`` (or the defaults) updated with ``settings``.

        A key of ``settings`` that is a field of this class sets that field; any other key
        is a model parameter and goes into ``params``.
        """
        base = {} if options is None else options.model_dump()
        if options is not None and not isinstance(options, cls):
            raise CrossroadsError(f"options must be {cls.__name__}, got {type(options).__name__}")
        fields = {k: v for k, v in settings.items() if k in cls.model_fields}
        params = {k: v for k, v in settings.items() if k not in cls.model_fields}
        if params:
            fields["params"] = {**dict(fields.get("params", base.get("params", {}))), **params}
        try:
            return cls.model_validate({**base, **fields})
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "value_error":
                raise CrossroadsError(msg) from None
            name = ".".join(str(p) for p in err["loc"])
            raise CrossroadsError(f"option '{name}': {msg}, got {err.get('input')!r}") from None


class SamplingOptions(_Options):
    """What an ensemble draws and how the model is set."""

    preset: str | None = _field("preset")
    params: dict[str, Any] = _field("params")
    runs: int = _field("runs")
    seed: int = _field("seed")
    interventions: tuple[str, ...] = _field("interventions")
    default_uncertainty: bool = _field("default_uncertainty")
    fields: tuple[str, ...] = _field("fields")
    threshold: float | None = _field("threshold")

    @field_validator("runs", mode="before")
    @classmethod
    def _runs(cls, v: Any) -> int:
        return _plain(check_runs, v)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, v: Any) -> int:
        return _plain(check_seed, v)

    @field_validator("threshold", mode="before")
    @classmethod
    def _threshold(cls, v: Any) -> float | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"threshold must be a finite number on the issue's scale, got {v!r}")
        return float(v)

    @field_validator("interventions", "fields", mode="before")
    @classmethod
    def _names(cls, v: Any, info: Any) -> tuple[str, ...]:
        if isinstance(v, str) or not all(isinstance(x, str) for x in v):
            raise ValueError(f"{info.field_name} must be a list of names, got {v!r}")
        return tuple(v)

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [f for f in v if f not in FIELDS]
        if bad:
            raise ValueError(f"unknown field {bad[0]!r}; fields: {', '.join(FIELDS)}")
        if not v:
            raise ValueError(f"give at least one field to vary; fields: {', '.join(FIELDS)}")
        return v


class RunOptions(SamplingOptions):
    """:class:`SamplingOptions` and where the runs are computed."""

    workers: int | None = _field("workers")
    scheduler: str | None = _field("scheduler")
    chunk_size: int | None = _field("chunk_size")

    @field_validator("chunk_size", mode="before")
    @classmethod
    def _chunk(cls, v: Any) -> int | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise ValueError(f"chunk size must be a whole number >= 1, got {v!r}")
        if v < 1:
            raise ValueError(f"chunk size must be at least 1, got {v}")
        return -(-int(v) // BLOCK) * BLOCK


class SobolOptions(_Options):
    """The settings of a sensitivity study."""

    method: str = _field("method")
    samples: int = _field("samples")

    @field_validator("method")
    @classmethod
    def _method(cls, v: str) -> str:
        if v not in METHODS:
            raise ValueError(f"unknown method '{v}'; methods: {', '.join(METHODS)}")
        return v

    @field_validator("samples", mode="before")
    @classmethod
    def _samples(cls, v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 2 or (v & (v - 1)):
            raise ValueError(f"samples must be a power of 2 (e.g. 512, 1024), got {v!r}")
        return int(v)


class SensitivityOptions(RunOptions, SobolOptions):
    """Everything a sensitivity study takes."""


class CombineOption(_Options):
    """Whether a comparison adds the combination of its interventions."""

    combine: bool = _field("combine")


class CompareOptions(RunOptions, CombineOption):
    """Everything a what-if comparison takes (its interventions are the arms compared)."""
