"""Bargaining models: batched kernels over (runs, actors) arrays, one module each.

Each model module exposes ``run(c, s, x, *, scale=None, **params) -> KernelResult``,
``PARAMS`` (parameter names with their defaults) and ``PRESETS`` (named parameter
sets). :data:`MODELS` maps a model name to its module.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from crossroads.errors import ModelError
from crossroads.models.base import KernelResult

__all__ = ["MODELS", "KernelResult", "get_model", "model_names", "resolve_params"]

#: model name -> module path. Modules are imported on first use.
MODELS: dict[str, str] = {
    "mean": "crossroads.models.mean",
    "median": "crossroads.models.median",
    "eum": "crossroads.models.eum",
    "smp": "crossroads.models.smp",
}


def model_names() -> list[str]:
    """Names of the models whose modules are present."""
    out = []
    for name, mod in MODELS.items():
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def get_model(name: str) -> ModuleType:
    """The module implementing model ``name``."""
    if name not in MODELS:
        raise ModelError(f"unknown model '{name}'; models: {', '.join(model_names())}")
    try:
        return importlib.import_module(MODELS[name])
    except ModuleNotFoundError as e:
        if e.name == MODELS[name]:
            raise ModelError(f"model '{name}' is not available in this version") from None
        raise


def resolve_params(name: str, preset: str | None = None, **params) -> dict[str, object]:
    """The full parameter set of model ``name``: defaults, then the preset, then ``params``.

    A preset name that is not built into the model is looked up in the user presets
    (:mod:`crossroads.presets`: ``$CROSSROADS_PRESETS`` or ``~/.config/crossroads/presets/``).
    Unknown parameter or preset names raise :class:`ModelError` naming them.
    """
    mod = get_model(name)
    out = dict(mod.PARAMS)
    if preset is not None:
        if preset in mod.PRESETS:
            out.update(mod.PRESETS[preset])
        else:
            from crossroads.presets import list_user_presets, user_preset

            user = user_preset(preset)
            if user is None:
                known = ", ".join([*mod.PRESETS, *list_user_presets(name)])
                raise ModelError(f"model '{name}' has no preset '{preset}'; presets: {known}")
            if user.model != name:
                raise ModelError(
                    f"preset '{preset}' ({user.path}) is for model '{user.model}', not '{name}'"
                )
            for key in user.params:
                if key not in mod.PARAMS:
                    raise ModelError(
                        f"preset '{preset}' ({user.path}) sets '{key}', which model '{name}' "
                        "does not have"
                    )
            out.update(user.params)
    for key, value in params.items():
        if key not in mod.PARAMS:
            allowed = ", ".join(mod.PARAMS) or "none"
            raise ModelError(f"model '{name}' has no parameter '{key}'; parameters: {allowed}")
        out[key] = value
    return out
