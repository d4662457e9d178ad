"""An aim for a forecast, ``forecast >= X`` or ``forecast <= X``, parsed from its text.

Shared by the scenario's ``aims`` (validated when a scenario loads) and by
:func:`crossroads.plan`, which re-exports :class:`Target` and :func:`parse_target`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from crossroads.errors import CrossroadsError

__all__ = ["Target", "parse_target"]

_TARGET = re.compile(r"^\s*(>=|<=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Target:
    """An aim for the forecast: ``forecast >= value`` or ``forecast <= value``."""

    op: Literal[">=", "<="]
    value: float

    def __str__(self) -> str:
        return f"{self.op}{self.value:g}"

    def describe(self) -> str:
        return f"P(forecast {self.op} {self.value:g})"


def parse_target(text: str) -> Target:
    """``'>=75'`` or ``'<=40'`` as a :class:`Target`; anything else is one clear error."""
    m = _TARGET.match(text) if isinstance(text, str) else None
    if m is None:
        shown = text[:40] if isinstance(text, str) else repr(text)
        raise CrossroadsError(
            f"target must be '>=X' or '<=X' with X a number on the issue's scale, e.g. '>=75', "
            f"got '{shown}'"
        )
    value = float(m.group(2))
    if not math.isfinite(value):
        raise CrossroadsError(f"target value must be finite, got '{text[:40]}'")
    return Target(m.group(1), value)  # type: ignore[arg-type]
