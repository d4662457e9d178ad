"""The scenarios a dashboard serves: the built-in ones, and files uploaded into this server.

An upload is read from the request into memory (at most ``max_bytes``), written
to a fresh temporary folder the server creates, under a name the server derives
(letters, digits, ``._-`` of the client's file name; never a client path), parsed
by :func:`crossroads.load` -- so it gets exactly the CLI's checks and messages --
and deleted. Messages name the file as the client called it (its base name only).
Uploaded scenarios live in memory under a random key, the oldest dropped beyond
``max_items``.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from crossroads.errors import CrossroadsError, ScenarioError
from crossroads.scenario import Scenario, builtin_names, load

__all__ = ["KEY_PATTERN", "ScenarioRegistry", "UploadError", "safe_name"]

#: Upload keys and built-in names: what a client may name a scenario with.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")

_SUFFIXES = (".yaml", ".yml", ".csv", ".tsv", ".txt")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(CrossroadsError):
    """An upload refused before parsing (too large, empty, wrong kind of file)."""


def safe_name(client_name: str | None) -> str:
    """The base name of ``client_name`` reduced to letters, digits and ``._-`` (max 80).

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\Users\\\\me\\\\my scenario.yaml")
    'my-scenario.yaml'
    """
    base = re.split(r"[\\/]", client_name or "")[-1]
    base = _UNSAFE.sub("-", base).strip(".-")
    return base[:80] or "upload"


@dataclass(frozen=True)
class Entry:
    key: str
    scenario: Scenario
    builtin: bool
    filename: str | None = None


class ScenarioRegistry:
    """Built-in scenarios (loaded on first use) and uploads, by key.

    Parameters
    ----------
    max_items : int
        Uploaded scenarios kept; the oldest is dropped beyond this.
    max_bytes : int
        Largest upload accepted.
    """

    def __init__(self, max_items: int = 32, max_bytes: int = 2 * 1024 * 1024) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._uploads: OrderedDict[str, Entry] = OrderedDict()
        self._builtins: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    # --- look-up ----------------------------------------------------------------------------
    def keys(self) -> list[Entry]:
        """Every scenario available: the built-ins first, then uploads, newest last."""
        out = [self.get(name) for name in builtin_names()]
        with self._lock:
            out += list(self._uploads.values())
        return out

    def get(self, key: str) -> Entry:
        """The scenario under ``key``; :class:`CrossroadsError` when there is none."""
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise KeyError(key)
        with self._lock:
            if key in self._uploads:
                return self._uploads[key]
            if key in self._builtins:
                return self._builtins[key]
        if key not in builtin_names():
            raise KeyError(key)
        # one load per built-in: concurrent first requests wait for it instead of each parsing
        with self._load_lock:
            with self._lock:
                if key in self._builtins:
                    return self._builtins[key]
            entry = Entry(key, load(key), builtin=True)
            with self._lock:
                self._builtins[key] = entry
            return entry

    # --- uploads ----------------------------------------------------------------------------
    def add_upload(self, data: bytes, client_name: str | None) -> Entry:
        """Validate an uploaded file and keep it; returns its entry.

        Raises
        ------
        UploadError
            Empty, too large.
        ScenarioError
            Anything :func:`crossroads.load` refuses, with the client's file name.
        """
        name = safe_name(client_name)
        if len(data) > self.max_bytes:
            raise UploadError(
                f"{name}: the file is {len(data) / 1e6:.1f} MB; uploads are limited to "
                f"{self.max_bytes / 1e6:.1f} MB"
            )
        if not data.strip():
            raise UploadError(f"{name}: the file is empty")
        suffix = Path(name).suffix.lower()
        stem = Path(name).stem or "upload"
        if suffix not in _SUFFIXES:
            # no or unknown extension: let the loader sniff the content (YAML or a peer table)
            suffix = ".txt"
        with tempfile.TemporaryDirectory(prefix="crossroads-upload-") as tmp:
            path = Path(tmp) / f"{stem}{suffix}"
            path.write_bytes(data)
            try:
                sc = load(path)
            except ScenarioError as e:
                msg = e.message.replace(str(path), name).replace(tmp, "")
                raise ScenarioError(msg, file=name, line=e.line, field=e.field) from None
            except CrossroadsError as e:
                raise CrossroadsError(str(e).replace(str(path), name).replace(tmp, "")) from None
        key = f"upload-{secrets.token_hex(6)}"
        entry = Entry(key, sc, builtin=False, filename=name)
        with self._lock:
            self._uploads[key] = entry
            while len(self._uploads) > self.max_items:
                self._uploads.popitem(last=False)
        return entry
