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
        Time limit of one ``/api/fit`` (checked after each candidate).
    allowed_hosts : tuple of str, optional
        Host names the server answers to (default: :meth:`hosts`).
    """

    host: str = "127.0.0.1"
    store: str | Path | None = None
    max_upload_bytes: int = 2 * 1024 * 1024
    max_body_bytes: int = 256 * 1024
    max_uploads: int = 32
    runs: int = 1000
    warm: bool = True
    fit_seconds: float = 30.0
    allowed_hosts: tuple[str, ...] | None = field(default=None)

    def hosts(self) -> tuple[str, ...] | None:
        """The Host names answered: ``allowed_hosts``, else :data:`LOCAL_HOSTS` on a
        loopback address, else None (any host)."""
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        if self.host in ("127.0.0.1", "localhost", "::1"):
            return LOCAL_HOSTS
        return None
