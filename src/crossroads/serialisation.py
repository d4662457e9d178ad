"""Plain JSON from crossroads' results: the one sanitiser every output uses.

JSON has no NaN or infinity and no NumPy types; results have both. :func:`jsonable`
turns a nested structure into plain Python JSON data (dicts with string keys, lists,
str, int, float, bool, None) and :func:`dumps` writes it with ``allow_nan=False``, so
that a value JSON cannot hold is never written as the invalid ``NaN``. The CLI's
``--json``, the run store, the report's figures and the dashboard's API all go
through it; each keeps its own layout (indentation, key order, ASCII) by the
parameters of :func:`dumps`.

>>> import numpy as np
>>> jsonable({"x": np.float64("nan"), "y": np.arange(3), 1: (np.int64(2), float("inf"))})
{'x': None, 'y': [0, 1, 2], '1': [2, None]}
>>> dumps({"b": [1.5, np.float32(0.5)], "a": None}, compact=True, sort_keys=True)
'{"a":null,"b":[1.5,0.5]}'
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

__all__ = ["dumps", "jsonable"]


def _key(k: Any) -> str:
    """A dict key as ``json.dumps`` writes it (numpy scalars as their Python value)."""
    if isinstance(k, str):
        return k
    if hasattr(k, "item") and type(k).__module__ == "numpy":
        k = k.item()
    if k is None or isinstance(k, bool | int | float):
        return json.dumps(k)
    return str(k)


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON data: NumPy to Python, NaN and infinities to None.

    Parameters
    ----------
    obj : any
        Nested dicts, lists, tuples and sets of numbers, strings, ``None``, NumPy
        arrays and scalars, objects with a ``to_dict()`` method (crossroads'
        results, pandas frames) and other array-likes with ``tolist()``.

    Returns
    -------
    any
        The same data built of dict (string keys, written as :func:`json.dumps`
        writes a key), list, str, int, float, bool and None only. Every float that
        is NaN or infinite -- Python's or NumPy's, alone or in an array -- is None.
        Anything else is returned unchanged (and :func:`dumps` then refuses it).
    """
    if isinstance(obj, str) or obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, float):  # numpy.float64 too
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, dict):
        return {_key(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v) for v in obj]
    np = sys.modules.get("numpy")  # no NumPy loaded: no NumPy object to convert
    if np is not None:
        if isinstance(obj, np.ndarray):
            return jsonable(obj.tolist())
        if isinstance(obj, np.generic):
            return jsonable(obj.item())
    if not isinstance(obj, type):
        for method in ("to_dict", "tolist"):  # results and frames; other array-likes
            convert = getattr(obj, method, None)
            if callable(convert):
                return jsonable(convert())
    return obj


def dumps(
    obj: Any,
    *,
    indent: int | None = None,
    compact: bool = False,
    sort_keys: bool = False,
    ensure_ascii: bool = True,
) -> str:
    """``obj`` as JSON text, through :func:`jsonable` (NaN and infinities as ``null``).

    Parameters
    ----------
    obj : any
        What :func:`jsonable` accepts.
    indent : int, optional
        Indentation of nested values (None: one line).
    compact : bool
        No spaces after ``,`` and ``:`` (for the wire and for embedding).
    sort_keys : bool
        Keys of every dict in sorted order (canonical text, e.g. for the run store).
    ensure_ascii : bool
        Escape every non-ASCII character (``\\u00e9``); False writes UTF-8 text.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        A value that is not JSON data (after :func:`jsonable`).
    """
    return json.dumps(
        jsonable(obj),
        indent=indent,
        separators=(",", ":") if compact else None,
        sort_keys=sort_keys,
        ensure_ascii=ensure_ascii,
        allow_nan=False,
    )
