"""Shared reading of delimited peer files (CSV/TSV) with file:line errors."""

from __future__ import annotations

import csv
import io
import math
import re

from crossroads.errors import ScenarioError

__all__ = ["read_rows", "number", "slug"]


def read_rows(text: str, label: str, delimiter: str | None = None) -> list[tuple[int, list[str]]]:
    """Rows of a delimited text as ``(line_number, cells)``, blank rows dropped.

    The delimiter is a tab when the first line has one, else a comma, unless given.
    Trailing empty cells (from trailing commas) are removed.
    """
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = delimiter or ("\t" if "\t" in first else ",")
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                rows.append((reader.line_num, cells))
    except csv.Error as e:
        raise ScenarioError(
            f"not valid delimited text: {e}", file=label, line=reader.line_num
        ) from None
    return rows


def number(cell: str, label: str, line: int, field: str) -> float:
    """``cell`` as a finite float, or a ScenarioError naming file, line and column."""
    try:
        value = float(cell)
    except ValueError:
        raise ScenarioError(
            f"must be a number, got {cell!r}", file=label, line=line, field=field
        ) from None
    if not math.isfinite(value):
        raise ScenarioError(
            f"must be a finite number, got {cell!r}", file=label, line=line, field=field
        )
    return value


def slug(name: str, taken: set[str]) -> str:
    """A scenario id made from a display name, unique within ``taken`` (which it updates)."""
    base = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "actor"
    if not base[0].isalnum():
        base = "a-" + base
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out
