"""Compile every model's numba kernel ahead (``crossroads compile``, ``make run``).

``python -m crossroads.models.precompile [MODEL ...]`` or the hidden ``crossroads compile``
runs a tiny forecast through each model's public ``run`` so that its kernel compiles for
exactly the argument types every analysis uses, and numba caches it on disk. The one-time
notice is :func:`crossroads.models.compilation.notify_if_compiling`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import IO

from crossroads.errors import CrossroadsError, ModelError
from crossroads.models import get_model
from crossroads.models.compilation import KERNELS, kernel_is_cached, notify_if_compiling

__all__ = ["compile_kernels", "main"]

#: model name -> (capability, salience, position) of a tiny issue in the shapes it takes
_TINY = {
    "eum": ([1.0, 2.0, 3.0], [0.5, 0.8, 0.6], [10.0, 50.0, 90.0]),
    "smp": ([100.0, 60.0, 35.0], [[0.3], [0.6], [0.4]], [[30.0], [45.0], [60.0]]),
    # one run, two actors, two linked issues
    "exchange": ([[1.0, 1.0]], [[[0.8, 0.2], [0.2, 0.8]]], [[[0.0, 0.0], [100.0, 100.0]]]),
}


def compile_kernels(
    models: Sequence[str] | None = None, stream: IO[str] | None = None
) -> dict[str, float]:
    """Compile (and cache on disk) every kernel of ``models`` that is not cached yet.

    Parameters
    ----------
    models : sequence of str, optional
        Model names (default: every model with a compiled kernel,
        :data:`~crossroads.models.compilation.KERNELS`).
    stream : text stream, optional
        Where progress goes (default: ``sys.stderr``): the notice of
        :func:`~crossroads.models.compilation.notify_if_compiling`, then
        ``compiled the eum model in 9.8 s``.

    Returns
    -------
    dict of str to float
        Seconds spent compiling each model of ``models`` (0.0 for one already cached).

    Raises
    ------
    ModelError
        for a model without a compiled kernel.
    """
    out = sys.stderr if stream is None else stream
    names = list(KERNELS) if models is None else list(models)
    for name in names:
        if name not in KERNELS:
            raise ModelError(
                f"no compiled kernel for model '{name}'; models with one: {', '.join(KERNELS)}"
            )
    spent: dict[str, float] = {}
    for name in names:
        kernel = KERNELS[name]
        if kernel_is_cached(kernel.dispatcher()):
            spent[name] = 0.0
            continue
        t0 = time.perf_counter()
        notify_if_compiling(name, kernel.dispatcher(), kernel.seconds, stream=out)
        c, s, x = _TINY[name]
        get_model(name).run(c, s, x, params={"rounds": 2})
        spent[name] = time.perf_counter() - t0
        out.write(f"compiled the {name} model in {spent[name]:.1f} s\n")
        out.flush()
    return spent


def main(argv: list[str] | None = None) -> int:
    """``python -m crossroads.models.precompile [MODEL ...]``: compile the kernels ahead."""
    ap = argparse.ArgumentParser(
        prog="python -m crossroads.models.precompile",
        description="Compile the numba kernels of the models not cached yet.",
    )
    ap.add_argument("models", nargs="*", help=f"models (default: all of {', '.join(KERNELS)})")
    args = ap.parse_args(argv)
    try:
        compile_kernels(args.models or None)
    except CrossroadsError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
