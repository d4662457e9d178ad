"""One exception tree for crossroads.

Every error a person can act on derives from :class:`CrossroadsError`; the CLI
turns each into one line on stderr and a non-zero exit status, never a
traceback.
"""

from __future__ import annotations

__all__ = [
    "CrossroadsError",
    "ScenarioError",
    "ModelError",
    "InterventionError",
    "StoreError",
]


class CrossroadsError(Exception):
    """Root of every error crossroads raises on purpose."""


class ScenarioError(CrossroadsError):
    """A scenario or peer-format file is malformed.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    file : str, optional
        The file name as the user gave it.
    line : int, optional
        1-based line number in the file.
    field : str, optional
        Dotted path of the offending field, e.g. ``issues[0].stakes[2].salience``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ModelError(CrossroadsError):
    """A model was asked for something it cannot do (bad parameter, too many actors)."""


class InterventionError(CrossroadsError):
    """An intervention cannot be applied (unknown actor, unknown issue)."""


class StoreError(CrossroadsError):
    """The run store cannot be read or written."""
