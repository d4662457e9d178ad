"""The web dashboard (FastAPI + uvicorn): ``crossroads serve``.

>>> from crossroads.web import Settings, create_app
>>> app = create_app(Settings(warm=False))
"""

from __future__ import annotations

from typing import Any

from crossroads.web.app import create_app
from crossroads.web.settings import LOCAL_HOSTS, Settings

__all__ = ["LOCAL_HOSTS", "Settings", "create_app", "serve", "server_config"]

#: Largest request line plus headers uvicorn's h11 parser buffers (bytes; 431/400 beyond).
MAX_HEAD_BYTES = 16 * 1024


def server_config(settings: Settings, port: int = 8000, log_level: str = "warning") -> Any:
    """The uvicorn configuration of the dashboard: its app, address and connection limits.

    Idle kept-alive connections close after ``settings.keep_alive_seconds``, a request
    whose head is not in after ``settings.header_seconds`` is disconnected
    (:mod:`crossroads.web.protocol`), a head is at most :data:`MAX_HEAD_BYTES`, and at
    most 512 connections are served at once (503 beyond).
    """
    import uvicorn

    from crossroads.web.protocol import head_timeout_protocol

    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=port,
        log_level=log_level,
        http=head_timeout_protocol(settings.header_seconds),
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        limit_concurrency=512,
        timeout_keep_alive=settings.keep_alive_seconds,
        server_header=False,
    )


def serve(settings: Settings, port: int = 8000, log_level: str = "warning") -> None:
    """Run the dashboard with uvicorn until interrupted.

    Parameters
    ----------
    settings : Settings
        ``settings.host`` is the address bound (127.0.0.1: this machine only).
    port : int
    log_level : str
        uvicorn's log level.
    """
    import uvicorn

    uvicorn.Server(server_config(settings, port, log_level)).run()
