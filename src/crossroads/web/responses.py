"""The API's two kinds of answer: plain JSON data, and ``{"error": "..."}`` with a status."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response

from crossroads.serialisation import dumps

__all__ = ["error_response", "json_response"]


def json_response(data: Any) -> Response:
    """``data`` as compact JSON (NumPy to plain numbers, NaN and infinities as null)."""
    return Response(dumps(data, compact=True), media_type="application/json")


def error_response(status: int, message: str) -> JSONResponse:
    """``{"error": message}`` with HTTP status ``status``."""
    return JSONResponse({"error": message}, status_code=status)
