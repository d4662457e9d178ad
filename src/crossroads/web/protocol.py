"""uvicorn's h11 protocol with a deadline for the request head (against slow-loris clients).

uvicorn closes a kept-alive connection that stays idle after a response
(``timeout_keep_alive``), but waits for ever on a new connection that sends
nothing, or sends its headers a byte at a time. :func:`head_timeout_protocol`
makes a protocol class that closes the connection when a request's line and
headers have not all arrived within ``seconds`` of the connection opening (or of
the first byte of a later request on it).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["head_timeout_protocol"]


def head_timeout_protocol(seconds: float) -> type[asyncio.Protocol]:
    """An h11 protocol class (uvicorn's) that closes slow request heads after ``seconds``."""

    class HeadTimeoutProtocol(H11Protocol):
        head_seconds = seconds

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._head_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(self.head_seconds, self._head_timeout)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self) -> None:
            self._head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.IDLE:
                self._arm()  # a head under way: it must end in time
            else:
                self._disarm()

        def on_response_complete(self) -> None:
            self._disarm()  # the keep-alive timeout takes over
            super().on_response_complete()

    return HeadTimeoutProtocol
