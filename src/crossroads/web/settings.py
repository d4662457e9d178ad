"""How a dashboard server runs: its address, limits, run store and warm-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LOCAL_HOSTS", "Settings"]

#: Host names a loopback server answers to.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass
class Settings:
    """How the dashboard runs.

    Attributes
    ----------
    host : str
        Address the server binds (127.0.0.1 by default: this machine only).
    store : str, Path or None
        The run store to list and save to (None: no store; the CLI passes the
        default store).
    max_upload_bytes : int
        Largest scenario or peer file accepted by ``/api/upload``.
    max_body_bytes : int
        Largest body of any other request.
    max_uploads : int
        Uploaded scenarios kept in memory (the oldest dropped first).
    runs : int
        Ensemble runs of each dashboard update.
    warm : bool
        Run each model once at start-up (compiles numba kernels before the first user).
    fit_seconds : float
        Time limit of one ``/api/fit``: the fit runs in a child process killed at the
        limit (503), and is refused early (422) once its first candidates predict it
        would exceed it.
    compute_seconds : float
        Time limit of every other computation (forecast, ensemble, compare,
        sensitivity, explore, evaluate, report, system), enforced the same way.
    compute_slots : int
        Computations (child processes) running at once; more requests wait.
    allowed_hosts : tuple of str, optional
        Host names the server answers to (default: :meth:`hosts`).
    allowed_origins : tuple of str
        Origins (``scheme://host:port``) besides the server's own from which a browser
        may send state-changing or expensive requests (default: none).
    header_seconds : float
        Time a client has to send a request's line and headers (slow clients are
        disconnected).
    body_seconds : float
        Time a client has to send a request's body once its headers are in (408 beyond).
    keep_alive_seconds : float
        An idle kept-alive connection is closed after this long.
    """

    host: str = "127.0.0.1"
    store: str | Path | None = None
    max_upload_bytes: int = 2 * 1024 * 1024
    max_body_bytes: int = 256 * 1024
    max_uploads: int = 32
    runs: int = 1000
    warm: bool = True
    fit_seconds: float = 30.0
    compute_seconds: float = 30.0
    compute_slots: int = 4
    allowed_hosts: tuple[str, ...] | None = field(default=None)
    allowed_origins: tuple[str, ...] = ()
    header_seconds: float = 10.0
    body_seconds: float = 30.0
    keep_alive_seconds: float = 5.0

    def hosts(self) -> tuple[str, ...] | None:
        """The Host names answered: ``allowed_hosts``, else :data:`LOCAL_HOSTS` on a
        loopback address, else None (any host)."""
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        if self.host in ("127.0.0.1", "localhost", "::1"):
            return LOCAL_HOSTS
        return None
