"""The names of the registered models, importable without numpy (help texts, start-up).

:data:`MODEL_NAMES` is the one list of models; :mod:`crossroads.models` builds its registry
from it, so that the CLI's help texts name every model without loading a kernel.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DEFAULT_MODEL", "DEFAULT_MODELS", "MODEL_NAMES", "or_list"]

#: the registered models, in the order commands list them; model ``NAME`` is defined by
#: the module ``crossroads.models.NAME`` (its ``SPEC``), imported on first use
MODEL_NAMES: tuple[str, ...] = ("mean", "median", "eum", "smp", "exchange")

#: the model a one-model command uses unless told (forecast, ensemble, compare, plan,
#: benchmarks, the report's table of incentives, the dashboard)
DEFAULT_MODEL = "mean"

#: the models ``crossroads run`` and the report run on every issue unless told
DEFAULT_MODELS: tuple[str, ...] = ("mean", "median", "eum")


def or_list(names: Iterable[str] | None = None, *, word: str = "or") -> str:
    """``"a, b, c or d"``: names joined for a sentence (default: every registered model).

    >>> or_list()
    'mean, median, eum, smp or exchange'
    >>> or_list(["mean", "median", "eum"], word="and")
    'mean, median and eum'
    >>> or_list(["eum"])
    'eum'
    """
    items = list(MODEL_NAMES if names is None else names)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
