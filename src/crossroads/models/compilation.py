"""Compilation of the numba kernels: a one-time notice, and compiling them all ahead.

The ``eum`` and ``smp`` kernels are ``@njit(cache=True)`` functions: the first call in a
fresh install compiles them (about 10 s and 25 s) and stores the machine code in numba's
on-disk cache; every later process loads it in well under a second. Without a word that
first call looks like a hang, so each model's wrapper calls :func:`notify_if_compiling`
just before its kernel's first call in a process, which prints one line to stderr when
the cache holds no compiled code for the kernel::

    compiling the eum model (once; about 10 s) ...

:func:`crossroads.models.precompile.compile_kernels` (``crossroads compile``, or ``python -m
crossroads.models.precompile``) compiles every kernel not cached yet, so that ``make run``
and ``make test`` do it once after installing instead of inside the first analysis. This
module imports no model (the models import it).

Numba caches next to the kernel's source (``crossroads/models/__pycache__/*.nbi`` index
and ``*.nbc`` data files), in ``$NUMBA_CACHE_DIR`` when that is set, or in a per-user
directory when the source folder is read-only; the check asks the kernel's own cache
object, so it follows numba wherever it puts the files.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
import threading
from dataclasses import dataclass
from typing import IO, Any

__all__ = ["KERNELS", "Kernel", "kernel_is_cached", "notify_if_compiling"]


@dataclass(frozen=True)
class Kernel:
    """A model's compiled entry kernel.

    Attributes
    ----------
    model : str
        The model name (``crossroads.models.MODELS``).
    module : str
        The module that defines the kernel (imports numba).
    name : str
        The kernel's name in ``module`` (a numba dispatcher).
    seconds : int
        About how long its first compilation takes on a 2-core machine.
    """

    model: str
    module: str
    name: str
    seconds: int

    def dispatcher(self) -> Any:
        """The numba dispatcher (imports the kernel module, which imports numba)."""
        return getattr(importlib.import_module(self.module), self.name)


#: model name -> its compiled entry kernel
KERNELS: dict[str, Kernel] = {
    "eum": Kernel("eum", "crossroads.models.eum_kernel", "eum_batch", 10),
    "smp": Kernel("smp", "crossroads.models.smp_kernel", "run_one", 25),
    "exchange": Kernel("exchange", "crossroads.models.exchange_kernel", "exchange_batch", 20),
}

_notified: set[str] = set()
_lock = threading.Lock()


def kernel_is_cached(dispatcher: Any) -> bool:
    """Whether numba's on-disk cache holds compiled code of ``dispatcher`` for this machine.

    Parameters
    ----------
    dispatcher : numba dispatcher
        An ``@njit(cache=True)`` function.

    Returns
    -------
    bool
        True if the cache index exists, is fresh (numba drops an index whose source file
        changed) and has an entry compiled for this CPU from the kernel's current bytecode;
        False otherwise, including for a dispatcher without an on-disk cache or a numba
        whose cache internals differ from those read here (then the notice may be printed
        once without need, never left out).

    Notes
    -----
    Reads numba's ``FunctionCache`` (``dispatcher._cache._cache_file._load_index()``), as
    numba itself does before compiling; it loads no machine code and compiles nothing.
    """
    try:
        index = dispatcher._cache._cache_file._load_index()
        magic = dispatcher.targetctx.codegen().magic_tuple()
        code = hashlib.sha256(dispatcher.py_func.__code__.co_code).hexdigest()
    except (AttributeError, OSError, EOFError, ValueError):
        return False
    for key in index:
        try:
            _sig, key_magic, (key_code, _closure) = key
        except (TypeError, ValueError):
            continue
        if key_magic == magic and key_code == code:
            return True
    return False


def notify_if_compiling(
    model: str, dispatcher: Any, seconds: int | None = None, stream: IO[str] | None = None
) -> bool:
    """Print ``compiling the MODEL model (once; about N s) ...`` if ``dispatcher`` will compile.

    Call it just before the first call of a model's kernel; only the first call per model
    in a process looks at the cache, later ones return at once.

    Parameters
    ----------
    model : str
        The model's name, as the user knows it (``"eum"``).
    dispatcher : numba dispatcher
        The ``@njit(cache=True)`` kernel about to be called.
    seconds : int, optional
        Expected compile time; default: that of :data:`KERNELS` for ``model``, else 10.
    stream : text stream, optional
        Where the notice goes (default: ``sys.stderr``).

    Returns
    -------
    bool
        Whether the notice was printed.

    Examples
    --------
    In a model's wrapper, after importing its kernel::

        from crossroads.models.compilation import notify_if_compiling
        notify_if_compiling("eum", eum_batch)
    """
    with _lock:
        if model in _notified:
            return False
        _notified.add(model)
        if kernel_is_cached(dispatcher):
            return False
        if seconds is None:
            seconds = KERNELS[model].seconds if model in KERNELS else 10
        out = sys.stderr if stream is None else stream
        out.write(f"compiling the {model} model (once; about {seconds} s) ...\n")
        out.flush()
        return True
