"""The API's two kinds of answer: plain JSON data, and ``{"error": "..."}`` with a status."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response

from crossroads.serialisation import dumps

__all__ = ["MAX_MESSAGE", "error_response", "json_response", "one_line"]

#: Longest error message the API answers (characters); longer ones are cut.
MAX_MESSAGE = 400


def json_response(data: Any) -> Response:
    """``data`` as compact JSON (NumPy to plain numbers, NaN and infinities as null)."""
    return Response(dumps(data, compact=True), media_type="application/json")


def one_line(message: str) -> str:
    """``message`` on one line of at most :data:`MAX_MESSAGE` characters (never a value whole).

    >>> one_line("no scenario '" + "x" * 1000 + "'")[-40:]
    'xxxxxxxxxxxxxxxx... (654 characters cut)'
    """
    text = " ".join(message.split())
    if len(text) <= MAX_MESSAGE:
        return text
    keep = MAX_MESSAGE - 40
    return f"{text[:keep]}... ({len(text) - keep:,} characters cut)"


def error_response(status: int, message: str) -> JSONResponse:
    """``{"error": message}`` with HTTP status ``status``, the message cut by :func:`one_line`."""
    return JSONResponse({"error": one_line(message)}, status_code=status)
