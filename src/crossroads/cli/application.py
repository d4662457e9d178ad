"""The Typer application object and shared console helpers."""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.console import Console

from crossroads.serialisation import dumps

__all__ = ["app", "console", "console_err", "print_json"]

app = typer.Typer(
    name="crossroads",
    help="Model a small state's multi-vector foreign policy and forecast contested decisions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = Console(soft_wrap=True)
console_err = Console(stderr=True)


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (NaN and infinities become null)."""
    text = dumps(obj, indent=2)
    sys.stdout.write(text + "\n")
