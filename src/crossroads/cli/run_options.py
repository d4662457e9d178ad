"""Command-line options made from the library's ensemble options.

``crossroads ensemble``, ``sensitivity`` and ``compare`` take the options of the library's
options objects (:mod:`crossroads.uncertainty.options`); :func:`with_options` turns each
entry of their light table (:mod:`crossroads.uncertainty.option_fields`: name, default,
help) into a Typer option, so an option is defined once, in the library, and registering
the commands imports no pydantic. The command function receives one ``options``
argument, validated by the options class when the command runs.

Spellings that are not ``--field-name`` with the field's own type:

* ``params``: ``--param KEY=VALUE`` (repeatable; VALUE read as JSON) and ``--rounds N``;
* ``interventions``: ``--intervention NAME`` / ``-i`` (repeatable);
* ``default_uncertainty``: ``--no-default-uncertainty``; ``combine``: ``--no-combine``;
* ``fields``: ``--fields`` as a comma-separated list.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer

from crossroads.errors import CrossroadsError
from crossroads.uncertainty.option_fields import GROUPS

__all__ = ["MAX_PARAM_CHARS", "parse_params", "with_options"]

#: Longest value of one ``--param KEY=VALUE``; model parameters are numbers and names.
MAX_PARAM_CHARS = 1000

_KW = inspect.Parameter.KEYWORD_ONLY


def parse_params(param: Iterable[str] | None, rounds: int | None = None) -> dict[str, Any]:
    """``--param KEY=VALUE`` items (VALUE read as JSON, else taken as text) and ``--rounds``."""
    out: dict[str, Any] = {}
    for item in param or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise CrossroadsError(f"--param expects KEY=VALUE, got '{item[:60]}'")
        if len(raw) > MAX_PARAM_CHARS:
            raise CrossroadsError(
                f"--param {key.strip()[:40]}: the value has {len(raw):,} characters; "
                f"at most {MAX_PARAM_CHARS:,}"
            )
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
        except (RecursionError, ValueError):  # nested too deep, or an integer too long
            raise CrossroadsError(
                f"--param {key.strip()[:40]}: the value is not a number, text or simple JSON "
                "(nested too deep or a number too long)"
            ) from None
    if rounds is not None:
        if rounds < 0:
            raise CrossroadsError("--rounds must be >= 0")
        out["rounds"] = rounds
    return out


def _specs(name: str, help_text: str, default: Any, off: str) -> list[tuple[str, Any, Any]]:
    """(parameter name, annotation, default) of the CLI options for one field."""
    opt = typer.Option
    if name == "params":
        return [
            ("rounds", Annotated[int | None, opt(help="Round cap (models with rounds).")], None),
            ("param", Annotated[list[str] | None, opt("--param", help="Model parameter "
             "KEY=VALUE (repeatable); VALUE read as JSON.")], None),
        ]  # fmt: skip
    if name == "interventions":
        return [("intervention", Annotated[list[str] | None,
                 opt("--intervention", "-i", help=help_text + " (repeatable)")], None)]  # fmt: skip
    if name in ("default_uncertainty", "combine"):
        flag = f"--no-{name.replace('_', '-')}"
        return [(f"no_{name}", Annotated[bool, opt(flag, help=off)], False)]
    if name == "fields":
        return [("fields", Annotated[str, opt(help=help_text + " (comma-separated)")],
                 ",".join(default))]  # fmt: skip
    kinds = {
        "preset": str | None, "scheduler": str | None, "method": str, "runs": int, "seed": int,
        "samples": int, "workers": int | None, "chunk_size": int | None,
        "threshold": float | None,
    }  # fmt: skip
    return [(name, Annotated[kinds[name], opt(help=help_text)], default)]


def _value(name: str, got: dict[str, Any]) -> tuple[str, Any]:
    """The field's value from the parsed CLI options."""
    if name == "params":
        return name, parse_params(got.pop("param"), got.pop("rounds"))
    if name == "interventions":
        return name, tuple(got.pop("intervention") or ())
    if name in ("default_uncertainty", "combine"):
        return name, not got.pop(f"no_{name}")
    if name == "fields":
        return name, tuple(f.strip() for f in got.pop("fields").split(",") if f.strip())
    return name, got.pop(name)


def with_options(
    cls_name: str, groups: Iterable[str], *, skip: Iterable[str] = (), **defaults: Any
) -> Callable:
    """Decorate a command whose parameter ``options`` is an instance of options class
    ``cls_name`` (in :mod:`crossroads.uncertainty.options`) made of the option ``groups``.

    Every option of the groups (but ``skip``) becomes CLI options; ``defaults`` override
    the options' defaults for this command.
    """
    skip = set(skip)
    entries = [f for g in groups for f in GROUPS[g] if f.name not in skip]

    def deco(fn: Callable) -> Callable:
        sig = inspect.signature(fn, eval_str=True)
        base = [p for p in sig.parameters.values() if p.name != "options"]
        extra, generated = [], []
        for f in entries:
            default = defaults.get(f.name, f.default)
            off = f.off or f"Turn off: {f.help}"
            for pname, ann, dflt in _specs(f.name, f.help, default, off):
                extra.append(inspect.Parameter(pname, _KW, default=dflt, annotation=ann))
                generated.append(pname)

        @functools.wraps(fn)
        def command(**kwargs: Any) -> Any:
            from crossroads.uncertainty import options as library

            got = {k: kwargs.pop(k) for k in generated}
            values = dict(_value(f.name, got) for f in entries)
            kwargs["options"] = getattr(library, cls_name).of(None, values)
            return fn(**kwargs)

        command.__signature__ = sig.replace(parameters=base + extra)  # type: ignore[attr-defined]
        return command

    return deco
