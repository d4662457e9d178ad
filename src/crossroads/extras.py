"""Optional parts of crossroads that need an extra: ``crossroads[web]`` and ``crossroads[dask]``.

The core (scenarios, models, ensembles in this process, relations, the report) needs only
the base install; the dashboard needs the ``web`` extra (FastAPI, uvicorn,
python-multipart, httpx) and runs on Dask need the ``dask`` extra. A feature that needs a
missing extra calls :func:`require_extra` first, which turns the ImportError into one line
saying what to install.

>>> require_extra("web", "the test", ["json"])      # present: nothing happens
>>> require_extra("web", "crossroads serve", ["no_such_module"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
crossroads.extras.MissingExtraError: crossroads serve needs the web extra (no module ...
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from crossroads.errors import CrossroadsError

__all__ = ["EXTRAS", "MissingExtraError", "require_extra"]

#: extra name -> the modules it provides (``a|b``: either one), as checked by the features
EXTRAS: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "uvicorn", "python_multipart|multipart"),
    "dask": ("distributed",),
}


class MissingExtraError(CrossroadsError):
    """A feature needs an optional extra that is not installed."""


def _importable(name: str) -> str | None:
    """None if module ``name`` imports, else the name of the module that is missing."""
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as e:
        return e.name or name
    return None


def require_extra(extra: str, needed_by: str, modules: Sequence[str] | None = None) -> None:
    """Import ``modules`` (default: those of ``extra`` in :data:`EXTRAS`), or say what to install.

    Parameters
    ----------
    extra : str
        The extra that provides the modules (``"web"``, ``"dask"``).
    needed_by : str
        What needs them, as the user calls it (``"crossroads serve"``).
    modules : sequence of str, optional
        Module names; ``"a|b"`` is satisfied by either (a package renamed its module).

    Raises
    ------
    MissingExtraError
        when a module (or one it imports) is not installed, with the one-line message
        ``crossroads serve needs the web extra (no module named 'uvicorn'):
        pip install 'crossroads[web]'``.
    """
    for spec in EXTRAS[extra] if modules is None else modules:
        missing: list[str] = []
        for name in spec.split("|"):
            absent = _importable(name)
            if absent is None:
                break
            missing.append(absent)
        else:  # no alternative imports: name the first (today's) one
            raise MissingExtraError(
                f"{needed_by} needs the {extra} extra (no module named {missing[0]!r}): "
                f"pip install 'crossroads[{extra}]'"
            )
