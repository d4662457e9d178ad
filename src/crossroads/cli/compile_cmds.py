"""``crossroads compile`` (hidden): compile the numba kernels ahead, as ``make run`` does."""

from __future__ import annotations

from typing import Annotated

import typer

from crossroads.cli.application import app

__all__: list[str] = []


@app.command("compile", hidden=True)
def compile_cmd(
    models: Annotated[
        list[str] | None, typer.Argument(help="Models to compile (default: eum and smp).")
    ] = None,
) -> None:
    """Compile the numba kernels not in numba's on-disk cache yet (once per install).

    Example: crossroads compile
    """
    from crossroads.models.precompile import compile_kernels

    compile_kernels(models or None)
