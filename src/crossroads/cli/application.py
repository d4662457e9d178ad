"""The Typer application object and shared console helpers."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["LazyConsole", "app", "console", "console_err", "print_json"]

app = typer.Typer(
    name="crossroads",
    help="Model a small state's multi-vector foreign policy and forecast contested decisions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from crossroads.version import __version__

        sys.stdout.write(f"crossroads {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        is_eager=True,
        callback=_print_version,
        help="Print crossroads' version and exit.",
    ),
) -> None:
    """Model a small state's multi-vector foreign policy and forecast contested decisions."""


class LazyConsole:
    """A Rich ``Console`` made on first use; every attribute read and write goes to it.

    Importing ``rich.console`` costs 20-50 ms, which commands that print JSON (or fail
    early) never need. ``LazyConsole(**options)`` stands for ``Console(**options)``.
    """

    __slots__ = ("_console", "_options")

    def __init__(self, **options: Any) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_console", None)

    @property
    def real(self) -> Console:
        """The console itself (made now if not yet)."""
        if self._console is None:
            from rich.console import Console

            object.__setattr__(self, "_console", Console(**self._options))
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.real, name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self.real, name)


console = LazyConsole(soft_wrap=True)
console_err = LazyConsole(stderr=True)


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (NaN and infinities become null)."""
    from crossroads.serialisation import dumps

    text = dumps(obj, indent=2)
    sys.stdout.write(text + "\n")
