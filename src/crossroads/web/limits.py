"""ASGI middleware guarding the dashboard: request size and pace, Host, Origin, security headers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import anyio

__all__ = [
    "EXPENSIVE_GETS",
    "SAFE_METHODS",
    "BodyLimit",
    "HostCheck",
    "OriginCheck",
    "SecurityHeaders",
]

#: Methods that change nothing; every other method is checked by :class:`OriginCheck`.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: GET paths (prefixes) that compute, checked by :class:`OriginCheck` like a POST.
EXPENSIVE_GETS = ("/api/report/", "/api/system")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over a limit with 413, whether or not Content-Length is sent.

    Parameters
    ----------
    app : ASGI app
    max_body : int
        Limit for every request, in bytes.
    large : dict of str to int
        Paths with their own (larger) limit, e.g. the upload endpoint.
    seconds : float
        Time the client has to send the whole body, from the application's first
        read (408 beyond: a slow body is not waited for).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body: int,
        large: dict[str, int] | None = None,
        seconds: float = 30.0,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.large = dict(large or {})
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large.get(scope.get("path", ""), self.max_body)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await _error(send, 400, "bad Content-Length header")
                return
            if int(length) > limit:
                await _error(
                    send,
                    413,
                    f"request body of {int(length):,} bytes exceeds the limit of {limit:,} bytes",
                )
                return
        seen = 0
        started = False
        refused = False
        deadline: float | None = None

        async def limited_receive() -> Message:
            nonlocal seen, refused, deadline
            if refused:
                return {"type": "http.disconnect"}
            now = anyio.current_time()
            if deadline is None:
                deadline = now + self.seconds
            message = None
            with anyio.move_on_after(max(deadline - now, 0)):
                message = await receive()
            if message is None:
                refused = True
                if not started:
                    await _error(
                        send, 408, f"request body sent too slowly (limit {self.seconds:g} s)"
                    )
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # answer 413 now; the application sees the client go away, and anything
                    # it still sends is dropped
                    refused = True
                    if not started:
                        await _error(
                            send, 413, f"request body exceeds the limit of {limit:,} bytes"
                        )
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)


class HostCheck:
    """Answer 400 to requests whose Host header is not an allowed name.

    A server on 127.0.0.1 accepts only ``127.0.0.1``, ``localhost`` and ``[::1]``
    (with any port), which stops DNS-rebinding pages from reaching it.
    ``allowed=None`` accepts any host (a server bound to another address).
    """

    def __init__(self, app: ASGIApp, allowed: Iterable[str] | None) -> None:
        self.app = app
        self.allowed = None if allowed is None else {h.lower() for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allowed is None:
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
        if host.startswith("["):
            name = host.split("]")[0] + "]"
        else:
            name = host.rsplit(":", 1)[0] if ":" in host else host
        if name not in self.allowed:
            await _error(
                send, 400, "this server only answers requests addressed to it by a local name"
            )
            return
        await self.app(scope, receive, send)


class OriginCheck:
    """Answer 403 to cross-origin requests that change state or compute.

    A page on another site can make a visitor's browser send requests to this
    server (a form post, ``fetch`` in ``no-cors`` mode) even though it cannot read the
    answers. So every request that is not ``GET``/``HEAD``/``OPTIONS``, and the GET
    endpoints that compute (:data:`EXPENSIVE_GETS`), is refused when

    * its ``Sec-Fetch-Site`` header (sent by every current browser) is ``cross-site``, or
    * it has an ``Origin`` header other than the server's own -- ``scheme://`` plus
      the request's ``Host`` -- or one of ``allowed`` (``Origin: null``, from a
      sandboxed frame or a file, is refused too).

    A request without ``Origin`` (curl, scripts, same-origin GETs) passes: browsers
    send ``Origin`` with every cross-origin POST and every ``fetch``.

    Parameters
    ----------
    app : ASGI app
    allowed : iterable of str
        Further origins allowed, e.g. ``https://dash.example.org`` behind a proxy.
    """

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = {o.lower().rstrip("/") for o in allowed}

    def guarded(self, scope: Scope) -> bool:
        """Whether the request changes state or computes."""
        if scope.get("method", "GET") not in SAFE_METHODS:
            return True
        return str(scope.get("path", "")).startswith(EXPENSIVE_GETS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.guarded(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
        origin = headers.get(b"origin")
        if site == "cross-site":
            await _error(send, 403, "cross-site requests may not change or compute anything here")
            return
        if origin is not None:
            have = origin.decode("latin-1").strip().lower().rstrip("/")
            host = headers.get(b"host", b"").decode("latin-1").strip().lower()
            own = f"{scope.get('scheme', 'http')}://{host}"
            if have != own and have not in self.allowed:
                await _error(
                    send,
                    403,
                    "requests from another origin may not change or compute anything here "
                    "(allow an origin with Settings.allowed_origins / serve --allow-origin)",
                )
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Add ``nosniff``, ``no-referrer`` and frame denial to every response."""

    HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in self.HEADERS if h[0] not in have
                ]
            await send(message)

        await self.app(scope, receive, add)
