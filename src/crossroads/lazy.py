"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package lists its public names with the module that defines each; a name is imported on
first access, so ``import crossroads`` costs almost nothing and each command imports only
what it uses.

>>> import types
>>> mod = types.ModuleType("demo")
>>> getattr_, dir_ = lazy_exports("demo", {"sqrt": "math", "dumps": "json"})
>>> getattr_("sqrt")(9.0)
3.0
>>> dir_()
['dumps', 'sqrt']
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` that import ``exports`` on first access.

    Parameters
    ----------
    package : str
        ``__name__`` of the package whose attributes these are.
    exports : mapping of str to str
        Public name -> the module that defines it (``{"load": "crossroads.scenario.loading"}``).

    Returns
    -------
    (getattr, dir)
        ``getattr(name)`` imports the defining module, caches the value as an attribute of
        ``package`` (so the next access is an ordinary attribute lookup) and returns it; an
        unknown name raises :class:`AttributeError`, which is also what lets
        ``from package import submodule`` fall back to importing the submodule.
        ``dir()`` lists the module's globals and every export.
    """

    def __getattr__(name: str) -> Any:
        try:
            source = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(source), name)
        module = sys.modules.get(package)
        if module is not None:
            setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        module = sys.modules.get(package)
        here = set(vars(module)) if module is not None else set()
        return sorted(here | set(exports))

    return __getattr__, __dir__
