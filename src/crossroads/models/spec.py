"""The contract every bargaining model fulfils: one specification, one run signature.

A model is one module under :mod:`crossroads.models` that defines ``SPEC``, a
:class:`ModelSpec`, and is registered by name in :data:`crossroads.models.MODELS`.
The specification holds

* ``params``: a frozen pydantic model (a subclass of :class:`ModelParams`: ``extra="forbid"``,
  strict types, ``Literal`` choices) whose defaults are the model's defaults;
* ``presets``: named instances of it, always including ``"default"``;
* ``inputs``: which input shapes the kernel accepts (:data:`InputShape`);
* ``run``: the batched kernel, called as ``run(c, s, x, *, scale, params, rng)`` with a
  leading run axis on every array (see :mod:`crossroads.models.base`).

Parameters are validated once, by :meth:`ModelSpec.validate`, with messages that name the
model, the parameter, what was expected and what was given. A model's provenance is its
parameter model's :meth:`~pydantic.BaseModel.model_dump`. ``tests/test_model_contract.py``
runs every registered model through the same checks.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from crossroads.errors import ModelError

__all__ = [
    "INPUT_SHAPES",
    "MAX_ROUNDS",
    "InputShape",
    "ModelParams",
    "ModelSpec",
    "actor_limit_text",
    "expected_text",
    "worker_threads",
]

#: Input shapes a kernel may accept: ``scalar`` positions (runs, actors) on one issue;
#: ``spatial`` positions (runs, actors, dims) of one multi-dimensional issue; ``issues``
#: positions (runs, actors, issues) of several linked one-dimensional issues.
InputShape = Literal["scalar", "spatial", "issues"]
INPUT_SHAPES: tuple[str, ...] = typing.get_args(InputShape)

#: Largest round cap a model takes (its trajectory holds rounds + 1 states per run).
MAX_ROUNDS = 10_000


class ModelParams(BaseModel):
    """Base of every model's parameters: frozen, no unknown fields, strict types.

    numpy scalars are taken as the Python numbers they hold (a fitted grid gives them).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _plain_numbers(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v.item() if isinstance(v, np.generic) else v for k, v in data.items()}
        return data

    def is_stochastic(self) -> bool:
        """Whether these settings make the kernel draw random numbers (then it needs ``rng``)."""
        return False

    def forecast_only(self) -> ModelParams:
        """These settings for a run whose forecast alone is used (an ensemble's chunk, a scored
        issue): the same forecasts, nothing else kept. The base class keeps nothing else."""
        return self


def expected_text(annotation: Any, metadata: list[Any]) -> str:
    """What a field accepts, in words: ``one of a, b``, ``an integer >= 0``, ``a number in 0-1``."""
    extra = None
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    bounds = {}
    for m in metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                bounds[key] = getattr(m, key)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        extra = "an integer"
    elif annotation is float:
        extra = "a number"
    else:
        return str(annotation).replace("typing.", "")
    if "ge" in bounds and "le" in bounds:
        return f"{extra} in {bounds['ge']:g}-{bounds['le']:g}"
    for key, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        if key in bounds:
            return f"{extra} {sign} {bounds[key]:g}"
    return extra


def _message(model: str, params: type[ModelParams], err: dict[str, Any]) -> str:
    loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
    name = loc[0] if loc else ""
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(params.model_fields) or "none"
        return f"model '{model}' has no parameter '{name}'; parameters: {allowed}"
    if name in params.model_fields:
        info = params.model_fields[name]
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        expected = extra.get("expected") or expected_text(info.annotation, info.metadata)
        got = repr(err.get("input"))
        got = got if len(got) <= 60 else got[:57] + "..."
        return f"model '{model}' parameter '{name}' must be {expected}; got {got}"
    return f"model '{model}' parameters: {err.get('msg', 'invalid')}"


@dataclass(frozen=True)
class ModelSpec:
    """Everything the rest of crossroads knows about a model.

    Attributes
    ----------
    name : str
        The registered name (``mean``, ``eum``, ...).
    title : str
        One line saying what the model is, with its reference.
    params : type of ModelParams
        The parameter model; its defaults are the model's defaults.
    presets : mapping of str to ModelParams
        Named parameter sets; ``"default"`` is always one of them.
    inputs : frozenset of InputShape
        The input shapes ``run`` accepts.
    run : callable
        ``run(c, s, x, *, scale=None, params=None, rng=None) -> KernelResult``.
    references : tuple of str
        Papers the equations come from.
    max_actors : int or None
        Most actors of one issue the model accepts (its module's ``MAX_ACTORS``); None for
        no limit.
    """

    name: str
    title: str
    params: type[ModelParams]
    presets: Mapping[str, ModelParams]
    inputs: frozenset[str]
    run: Callable[..., Any]
    references: tuple[str, ...] = field(default=())
    max_actors: int | None = None

    def __post_init__(self) -> None:
        if "default" not in self.presets:
            raise ValueError(f"model '{self.name}' has no 'default' preset")
        for key, value in self.presets.items():
            if type(value) is not self.params:
                raise ValueError(f"model '{self.name}': preset '{key}' is not {self.params}")
        unknown = set(self.inputs) - set(INPUT_SHAPES)
        if not self.inputs or unknown:
            raise ValueError(f"model '{self.name}': inputs must be some of {INPUT_SHAPES}")

    @property
    def defaults(self) -> ModelParams:
        """The parameter model's defaults (the ``default`` preset)."""
        return self.presets["default"]

    def validate(self, params: ModelParams | Mapping[str, Any] | None = None) -> ModelParams:
        """``params`` checked against this model: an instance, a mapping of overrides, or None.

        A mapping overrides the defaults. Raises :class:`ModelError` naming the parameter,
        what is allowed and what was given.
        """
        if params is None:
            return self.defaults
        if isinstance(params, self.params):
            return params
        if isinstance(params, ModelParams):
            raise ModelError(
                f"model '{self.name}' was given parameters of another model "
                f"({type(params).__name__})"
            )
        if not isinstance(params, Mapping):
            raise ModelError(
                f"model '{self.name}' parameters must be a mapping of names to values; "
                f"got {type(params).__name__}"
            )
        return self.override(self.defaults, params)

    def override(self, base: ModelParams, changes: Mapping[str, Any]) -> ModelParams:
        """``base`` with ``changes`` applied, validated as a whole."""
        try:
            return self.params.model_validate({**base.model_dump(), **dict(changes)})
        except ValidationError as e:
            raise ModelError(_message(self.name, self.params, e.errors()[0])) from None

    def choices(self) -> dict[str, tuple[Any, ...]]:
        """The allowed values of every parameter that is a choice (a ``Literal``), in order."""
        return {
            name: typing.get_args(f.annotation)
            for name, f in self.params.model_fields.items()
            if typing.get_origin(f.annotation) is Literal
        }

    def preset(self, name: str) -> ModelParams:
        """The built-in preset ``name`` (:class:`ModelError` naming the presets otherwise)."""
        if name not in self.presets:
            raise ModelError(
                f"model '{self.name}' has no preset '{name}'; presets: {', '.join(self.presets)}"
            )
        return self.presets[name]

    def check_actors(self, n: int, where: str = "") -> None:
        """Refuse an issue of ``n`` actors above :attr:`max_actors`; ``where`` starts the message
        (the file and issue, e.g. ``"big.yaml: issue 'trade': "``)."""
        if self.max_actors is not None and n > self.max_actors:
            raise ModelError(f"{where}{actor_limit_text(self.name, n, self.max_actors)}")

    def check_inputs(self, shape: str, what: str = "") -> None:
        """Refuse an input shape this model does not take; ``what`` says more (the issue)."""
        if shape in self.inputs:
            return
        kinds = {"scalar": "one-dimensional issues", "spatial": "multi-dimensional issues",
                 "issues": "several linked issues"}  # fmt: skip
        if set(self.inputs) == {"scalar"}:
            raise ModelError(f"model '{self.name}' is one-dimensional{what}")
        raise ModelError(f"model '{self.name}' does not take {kinds[shape]}{what}")


def actor_limit_text(model: str | None, n: int, limit: int) -> str:
    """The refusal of ``n`` actors above a model's ``limit``."""
    who = f"model '{model}'" if model else "this model"
    return (
        f"{n:,} actors exceed the limit of {limit:,} actors of {who} for one issue "
        '(see docs/security.md, "Security and limits")'
    )


def worker_threads(runs: int, work: float, threshold: float, override: int | None) -> int:
    """Threads for a batch of ``runs`` independent runs costing ``work`` in all.

    One thread below ``threshold`` (threads cost more than they save); else ``override``
    when set, or one per available CPU; never more than ``runs``. Results never depend on it.
    """
    if runs < 2 or work < threshold:
        return 1
    if override is not None:
        return max(1, min(int(override), runs))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, runs))
