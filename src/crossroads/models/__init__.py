"""Bargaining models: batched kernels over arrays with a leading run axis, one module each.

Every model module defines ``SPEC``, a :class:`~crossroads.models.spec.ModelSpec` (its
parameter model, presets, accepted input shapes and ``run`` function), and is registered
by name in :data:`crossroads.model_registry.MODEL_NAMES`. Adding a model is one module and
its name there.

>>> from crossroads.models import get_model
>>> get_model("eum").preset("paper").p_denominator
'pair'
"""

from __future__ import annotations

import importlib

from crossroads.errors import ModelError
from crossroads.model_registry import MODEL_NAMES
from crossroads.models.base import KernelResult
from crossroads.models.spec import ModelParams, ModelSpec

__all__ = ["MODELS", "KernelResult", "ModelParams", "ModelSpec", "get_model", "model_names"]


#: model name -> the module that defines its ``SPEC``. Modules are imported on first use.
MODELS: dict[str, str] = {name: f"crossroads.models.{name}" for name in MODEL_NAMES}


def model_names() -> list[str]:
    """Names of the registered models."""
    return list(MODELS)


def get_model(name: str) -> ModelSpec:
    """The specification of model ``name``.

    Raises
    ------
    ModelError
        For a name that is not registered, listing the models.
    """
    if name not in MODELS:
        raise ModelError(f"unknown model '{name}'; models: {', '.join(MODELS)}")
    spec = importlib.import_module(MODELS[name]).SPEC
    if not isinstance(spec, ModelSpec) or spec.name != name:
        raise ModelError(f"module {MODELS[name]} does not define the SPEC of model '{name}'")
    return spec
