"""The scenarios a dashboard serves: the built-in ones, and files uploaded into this server.

An upload is read from the request into memory (at most ``max_bytes``), written
to a fresh temporary folder the server creates, under a name the server derives
(letters, digits, ``._-`` of the client's file name; never a client path), parsed
by :func:`crossroads.load` -- so it gets exactly the CLI's checks and messages --
and deleted. Messages name the file as the client called it (its base name only).
Uploaded scenarios live in memory under a random key, the oldest dropped beyond
``max_items``. An uploaded DEU III file also keeps its table, so that ``evaluate`` and
``fit`` can apply the capability schemes to it as the CLI does to the file.

:func:`read_upload` reads a request's file into memory and :func:`staged` is the one
way it reaches the filesystem: the upload endpoint, ``validate``, ``check`` and
``import`` all go through them.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crossroads.errors import CrossroadsError, ScenarioError
from crossroads.evaluation.issues import Source
from crossroads.scenario import Scenario, builtin_names, load

if TYPE_CHECKING:
    from fastapi import UploadFile

__all__ = [
    "KEY_PATTERN",
    "ScenarioRegistry",
    "Staged",
    "UploadError",
    "check_upload",
    "read_upload",
    "safe_name",
    "staged",
]

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


def check_upload(data: bytes, client_name: str | None, max_bytes: int) -> str:
    """The safe name of an upload after checking it is neither too large nor empty.

    Raises
    ------
    UploadError
        Empty, or larger than ``max_bytes``.
    """
    name = safe_name(client_name)
    if len(data) > max_bytes:
        raise UploadError(
            f"{name}: the file is {len(data) / 1e6:.1f} MB; uploads are limited to "
            f"{max_bytes / 1e6:.1f} MB"
        )
    if not data.strip():
        raise UploadError(f"{name}: the file is empty")
    return name


async def read_upload(file: UploadFile, max_bytes: int) -> tuple[bytes, str | None]:
    """An uploaded file's content (at most ``max_bytes + 1`` bytes read) and client name.

    One byte more than the limit is read, so that :func:`check_upload` can tell a file
    over the limit from one exactly at it.
    """
    data = await file.read(max_bytes + 1)
    await file.close()
    return data, file.filename


class Staged:
    """Uploaded files written into a fresh temporary folder under server-chosen names.

    Attributes
    ----------
    paths : list of Path
        Where each file was written (``<tmp>/<k>/<safe name>``).
    names : list of str
        Each file's name as messages show it (the client's base name, made safe).
    """

    def __init__(self, folder: Path, paths: list[Path], names: list[str]) -> None:
        self.folder, self.paths, self.names = folder, paths, names

    def clean(self, text: str) -> str:
        """``text`` with each temporary path replaced by its file's name."""
        for path, name in zip(self.paths, self.names, strict=True):
            text = text.replace(str(path), name)
        return text.replace(str(self.folder), "")

    def clean_data(self, obj: Any) -> Any:
        """:meth:`clean` applied to every string in nested dicts and lists."""
        if isinstance(obj, str):
            return self.clean(obj)
        if isinstance(obj, dict):
            return {k: self.clean_data(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [self.clean_data(v) for v in obj]
        return obj


@contextmanager
def staged(files: Sequence[tuple[bytes, str | None]], max_bytes: int) -> Iterator[Staged]:
    """Write uploaded files to a fresh temporary folder for the ``with`` block, then delete it.

    Each file is checked (:func:`check_upload`) and written as ``<k>/<safe name>``: the
    client's base name reduced to letters, digits and ``._-`` (never a client path), its
    extension kept when it is a known one (``.yaml .yml .csv .tsv .txt``), else ``.txt``
    so that the readers sniff the content. A :class:`CrossroadsError` raised in the block
    comes out with the temporary paths replaced by the file names.

    Parameters
    ----------
    files : sequence of (bytes, str or None)
        Each file's content and the name the client gave it.
    max_bytes : int
        Largest file accepted.
    """
    checked = [(data, check_upload(data, client, max_bytes)) for data, client in files]
    with tempfile.TemporaryDirectory(prefix="crossroads-upload-") as tmp:
        paths = []
        for k, (data, name) in enumerate(checked):
            suffix = Path(name).suffix.lower()
            stem = Path(name).stem or "upload"
            if suffix not in _SUFFIXES:
                # no or unknown extension: let the reader sniff the content
                suffix = ".txt"
            folder = Path(tmp) / str(k)
            folder.mkdir()
            path = folder / f"{stem}{suffix}"
            path.write_bytes(data)
            paths.append(path)
        st = Staged(Path(tmp), paths, [name for _, name in checked])
        try:
            yield st
        except ScenarioError as e:
            file = st.clean(e.file) if e.file else None
            raise ScenarioError(
                st.clean(e.message), file=file, line=e.line, field=e.field
            ) from None
        except CrossroadsError as e:
            raise CrossroadsError(st.clean(str(e))) from None


@dataclass(frozen=True)
class Entry:
    """A scenario the server holds.

    Attributes
    ----------
    key : str
    scenario : Scenario
    builtin : bool
    filename : str or None
        An upload's file name (safe base name).
    source : Source or None
        An uploaded DEU III file as a table (:mod:`crossroads.evaluation`), so that its
        capability schemes can be chosen; None for anything else.
    """

    key: str
    scenario: Scenario
    builtin: bool
    filename: str | None = None
    source: Source | None = None

    def evaluation_source(self) -> Source:
        """What :func:`crossroads.evaluation.evaluate` and ``fit`` read for this entry."""
        return self.source or Source(label=self.filename or self.key, scenario=self.scenario)


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
        """The scenario under ``key``; :class:`KeyError` when there is none."""
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

    # --- uploads ---------------------------------------------------------------------------
    def parse(self, data: bytes, client_name: str | None) -> Entry:
        """Validate an uploaded file as :func:`crossroads.load` does, without keeping it.

        Returns an entry with no key (``key == ""``).

        Raises
        ------
        UploadError
            Empty, too large.
        ScenarioError
            Anything :func:`crossroads.load` refuses, with the client's file name.
        """
        from crossroads.scenario.peers.deu3 import looks_like_deu3, read_deu3_table
        from crossroads.scenario.yaml_loader import read_text

        with staged([(data, client_name)], self.max_bytes) as st:
            path, name = st.paths[0], st.names[0]
            try:
                sc = load(path)
            except ScenarioError as e:
                if e.file is not None:
                    raise
                raise ScenarioError(e.message, file=name, line=e.line, field=e.field) from None
            source = None
            if path.suffix not in (".yaml", ".yml") and looks_like_deu3(
                read_text(path, name)[:4096]
            ):
                source = Source(label=name, table=read_deu3_table(path, name))
        return Entry("", sc, builtin=False, filename=name, source=source)

    def add(self, scenario: Scenario, filename: str | None, source: Source | None = None) -> Entry:
        """Keep ``scenario`` under a new random key (the oldest upload dropped beyond the limit)."""
        key = f"upload-{secrets.token_hex(6)}"
        entry = Entry(key, scenario, builtin=False, filename=filename, source=source)
        with self._lock:
            self._uploads[key] = entry
            while len(self._uploads) > self.max_items:
                self._uploads.popitem(last=False)
        return entry

    def add_upload(self, data: bytes, client_name: str | None) -> Entry:
        """Validate an uploaded file and keep it; returns its entry.

        Raises
        ------
        UploadError
            Empty, too large.
        ScenarioError
            Anything :func:`crossroads.load` refuses, with the client's file name.
        """
        parsed = self.parse(data, client_name)
        return self.add(parsed.scenario, parsed.filename, parsed.source)
