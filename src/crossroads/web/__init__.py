"""The web dashboard (FastAPI + uvicorn): ``crossroads serve``.

>>> from crossroads.web import Settings, create_app
>>> app = create_app(Settings(warm=False))
"""

from __future__ import annotations

from crossroads.web.app import create_app
from crossroads.web.settings import LOCAL_HOSTS, Settings

__all__ = ["LOCAL_HOSTS", "Settings", "create_app", "serve"]


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

    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=port,
        log_level=log_level,
        limit_concurrency=512,
        timeout_keep_alive=5,
        server_header=False,
    )
    uvicorn.Server(config).run()
