"""Write a text file whole or not at all, refusing to overwrite unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from crossroads.errors import CrossroadsError

__all__ = ["write_whole"]


def write_whole(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    A reader never sees half a file, and a failed write leaves any earlier file as it was.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder must exist.
    text : str
        The contents (written as UTF-8).
    force : bool
        Replace an existing file; without it an existing file is an error.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    if path.is_dir():
        raise CrossroadsError(f"{path}: is a directory; give a file name")
    if path.exists() and not force:
        raise CrossroadsError(f"{path}: exists; use --force to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CrossroadsError(f"{path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise CrossroadsError(f"{path}: cannot write in {folder} ({e.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise CrossroadsError(f"{path}: cannot write ({e.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
