"""The ``crossroads`` command line: a thin layer over the Python API.

Each command module under ``crossroads.cli`` defines its commands on :data:`app`
(see ``register`` in each). :func:`main` maps every :class:`CrossroadsError` to one
line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

from crossroads.cli.application import app

__all__ = ["app", "main"]

#: Command modules, imported in this order; a missing module is skipped only if it
#: does not exist yet in this version of the package.
COMMAND_MODULES = [
    "crossroads.cli.core",
    "crossroads.cli.ensemble_cmds",
    "crossroads.cli.evaluate_cmds",
    "crossroads.cli.relations_cmds",
    "crossroads.cli.report_cmds",
]


def _load_commands() -> None:
    for mod in COMMAND_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name != mod:
                raise


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    from crossroads.errors import CrossroadsError

    _load_commands()
    try:
        app(args=argv, standalone_mode=False)
    except CrossroadsError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except SystemExit as e:  # typer/click exit codes
        return int(e.code or 0)
    except Exception as e:
        # usage errors from Typer's command parser (its own vendored click, or click)
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show()
            return int(e.exit_code)
        if type(e).__name__ == "Abort":
            sys.stderr.write("aborted\n")
            return 1
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
