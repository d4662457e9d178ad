"""User presets: named parameter sets saved by ``crossroads fit --save-preset NAME``.

A user preset is one JSON file ``<name>.json`` in the presets directory:
``$CROSSROADS_PRESETS`` when set, else ``$XDG_CONFIG_HOME/crossroads/presets/``
(``~/.config/crossroads/presets/`` when ``XDG_CONFIG_HOME`` is unset). Its
content::

    {
      "crossroads_preset": 1,
      "name": "deu3-mean",
      "model": "mean",
      "params": {},                       # model parameters (crossroads.models PARAMS)
      "inputs": {"capability": "council", "salience_exponent": 0.5, ...},
      "fit": {...}                        # how it was fitted: file, folds, seed, MAE
    }

``params`` are used by every command through :func:`resolve` (a preset name that is not
built into the model is looked up here). ``inputs`` are
choices about the inputs rather than the model (the DEU III capability scheme, a
salience exponent); ``crossroads evaluate`` applies them, other commands ignore them.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossroads.errors import ModelError
from crossroads.models import get_model
from crossroads.models.spec import ModelParams

__all__ = [
    "PRESET_NAME",
    "UserPreset",
    "list_user_presets",
    "presets_dir",
    "resolve",
    "resolve_params",
    "save_user_preset",
    "user_preset",
]

#: What a preset name may look like.
PRESET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")


@dataclass(frozen=True)
class UserPreset:
    """A preset read from the user's presets directory.

    Attributes
    ----------
    name, model : str
    params : dict
        Model parameters.
    inputs : dict
        Input choices (capability scheme, salience exponent); may be empty.
    fit : dict
        Provenance of a fitted preset; may be empty.
    path : Path
        The file it was read from.
    """

    name: str
    model: str
    params: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def presets_dir() -> Path:
    """The directory user presets are read from and saved to (it may not exist yet)."""
    env = os.environ.get("CROSSROADS_PRESETS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "crossroads" / "presets"


def _check_name(name: str) -> None:
    if not PRESET_NAME.match(name):
        raise ModelError(
            f"preset name {name!r} is not allowed; use letters, digits, '.', '_' and '-' "
            "(at most 80 characters, starting with a letter or digit)"
        )


def _finite_json(value: Any, where: str, path: Path) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ModelError(f"{path}: field '{where}' is not a finite number")
    if isinstance(value, dict):
        for k, v in value.items():
            _finite_json(v, f"{where}.{k}", path)
    if isinstance(value, list):
        for i, v in enumerate(value):
            _finite_json(v, f"{where}[{i}]", path)


def _read(path: Path) -> UserPreset:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ModelError(f"{path}, line {e.lineno}: not valid JSON ({e.msg})") from None
    except (RecursionError, ValueError):  # nested too deep, or an integer too long
        raise ModelError(f"{path}: not a preset (nested too deep or a number too long)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ModelError(f"{path}: cannot read preset ({e})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: a preset file holds one JSON object")
    if data.get("crossroads_preset") != 1:
        raise ModelError(f"{path}: field 'crossroads_preset' must be 1")
    for key, kind in (("model", str), ("params", dict)):
        if not isinstance(data.get(key), kind):
            raise ModelError(f"{path}: field '{key}' must be a {kind.__name__}")
    for key in ("inputs", "fit"):
        if not isinstance(data.get(key, {}), dict):
            raise ModelError(f"{path}: field '{key}' must be an object")
    try:
        _finite_json(data["params"], "params", path)
        _finite_json(data.get("inputs", {}), "inputs", path)
    except RecursionError:
        raise ModelError(f"{path}: not a preset (nested too deep)") from None
    return UserPreset(
        name=path.stem,
        model=data["model"],
        params=dict(data["params"]),
        inputs=dict(data.get("inputs", {})),
        fit=dict(data.get("fit", {})),
        path=path,
    )


def user_preset(name: str) -> UserPreset | None:
    """The user preset ``name``, or None when there is no such file.

    Raises
    ------
    ModelError
        When the file exists but is malformed (naming the file and the field).
    """
    if not PRESET_NAME.match(name):
        return None
    path = presets_dir() / f"{name}.json"
    if not path.is_file():
        return None
    return _read(path)


def list_user_presets(model: str | None = None) -> list[str]:
    """Names of the user presets (for ``model`` only, when given); malformed files skipped."""
    root = presets_dir()
    if not root.is_dir():
        return []
    out = []
    for p in sorted(root.glob("*.json")):
        if not PRESET_NAME.match(p.stem):
            continue
        if model is not None:
            try:
                if _read(p).model != model:
                    continue
            except ModelError:
                continue
        out.append(p.stem)
    return out


def save_user_preset(
    name: str,
    model: str,
    params: dict[str, Any],
    inputs: dict[str, Any] | None = None,
    fit: dict[str, Any] | None = None,
) -> Path:
    """Write a user preset; returns its path. The write is atomic (temp file + rename).

    Raises
    ------
    ModelError
        For a bad name, a name that a built-in preset of ``model`` already uses (it would
        never be reached), a parameter ``model`` does not have, or an unwritable directory.
    """
    _check_name(name)
    spec = get_model(model)
    if name in spec.presets:
        raise ModelError(f"'{name}' is a built-in preset of model '{model}'; choose another name")
    spec.validate(params)
    data = {
        "crossroads_preset": 1,
        "name": name,
        "model": model,
        "params": params,
        "inputs": inputs or {},
        "fit": fit or {},
    }
    _finite_json(data, "preset", Path(name))
    root = presets_dir()
    path = root / f"{name}.json"
    tmp = root / f".{name}.json.tmp"
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        raise ModelError(f"cannot save preset '{name}' in {root}: {e.strerror or e}") from None
    return path


def resolve(model: str, preset: str | None = None, **params: Any) -> ModelParams:
    """The parameters of ``model``: its defaults, then ``preset``, then ``params``.

    ``preset`` names a built-in preset of the model or, failing that, a user preset (a file
    in :func:`presets_dir`). Unknown parameter or preset names, a user preset for another
    model and malformed values raise :class:`ModelError` naming them.
    """
    spec = get_model(model)
    base = spec.defaults
    if preset is not None:
        if preset in spec.presets:
            base = spec.presets[preset]
        else:
            user = user_preset(preset)
            if user is None:
                known = ", ".join([*spec.presets, *list_user_presets(model)])
                raise ModelError(f"model '{model}' has no preset '{preset}'; presets: {known}")
            if user.model != model:
                raise ModelError(
                    f"preset '{preset}' ({user.path}) is for model '{user.model}', not '{model}'"
                )
            for key in user.params:
                if key not in spec.params.model_fields:
                    raise ModelError(
                        f"preset '{preset}' ({user.path}) sets '{key}', which model '{model}' "
                        "does not have"
                    )
            base = spec.override(base, user.params)
    return spec.override(base, params) if params else base


def resolve_params(model: str, preset: str | None = None, **params: Any) -> dict[str, Any]:
    """:func:`resolve` as plain data (the parameter model's dump: what provenance records)."""
    return resolve(model, preset, **params).model_dump()
