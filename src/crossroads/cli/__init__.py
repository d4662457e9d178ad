"""The ``crossroads`` command line: a thin layer over the Python API.

Each command module under ``crossroads.cli`` defines its commands on :data:`app`;
importing this package registers them all. Command modules import only Typer, Rich and
light constants at module level and the library inside each command, so ``crossroads
--help`` loads neither pandas nor numba, and each command imports only what it uses.
:func:`main` maps every :class:`CrossroadsError` to one line on stderr and exit status 1,
never a traceback.
"""

from __future__ import annotations

import sys

# each command module registers its commands on `app` when imported
from crossroads.cli import (  # noqa: F401
    compile_cmds,
    core,
    ensemble_cmds,
    evaluate_cmds,
    plan_cmds,
    relations_cmds,
    report_cmds,
    starter_cmds,
)
from crossroads.cli.application import app

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    from crossroads.errors import CrossroadsError

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
