"""Errors the API answers with their own HTTP status (the handlers are in :mod:`.app`)."""

from __future__ import annotations

from crossroads.errors import CrossroadsError

__all__ = ["NotFound", "OverTime", "TooMuchWork"]


class NotFound(CrossroadsError):
    """An unknown scenario or run: answered 404 with the message."""


class OverTime(CrossroadsError):
    """A computation stopped at the server's time limit: answered 503."""


class TooMuchWork(CrossroadsError):
    """Work predicted to exceed the time limit, refused with the estimate: answered 422."""
