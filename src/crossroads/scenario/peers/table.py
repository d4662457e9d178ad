"""Shared reading of delimited peer files (CSV/TSV) with file:line errors.

What real files do and what the readers make of it:

* read without a word: a UTF-8 byte-order mark (``read_text`` drops it), CRLF or CR
  line ends, blank lines, cells padded with spaces, quoted cells (``"0.5"``),
  trailing separators (trailing empty cells are dropped unless a reader keeps them
  to detect truncated rows);
* read with a quirk (``decimal-comma``), when the reader passes a
  :class:`~crossroads.scenario.peers.quirks.QuirkReport`: a number with a decimal
  comma (``0,9``) in a file whose separator is not a comma, or in a quoted cell of
  a comma-separated file;
* refused: ``1,000`` and the like (a decimal comma or a thousands separator?),
  other text where a number belongs, NaN and infinities, text that is not UTF-8.

The separator is a tab when the first line has one, else a comma when it has one,
else a semicolon when it has one (spreadsheets in locales with a decimal comma
write ``;``).
"""

from __future__ import annotations

import csv
import io
import math
import re

from crossroads.errors import ScenarioError
from crossroads.scenario.peers.quirks import QuirkReport

__all__ = ["number", "read_rows", "slug", "sniff_delimiter"]


def sniff_delimiter(text: str) -> str:
    """The separator of a delimited text: tab, else comma, else semicolon (first line)."""
    first = text.splitlines()[0] if text.splitlines() else ""
    if "\t" in first:
        return "\t"
    if "," not in first and ";" in first:
        return ";"
    return ","


def read_rows(
    text: str, label: str, delimiter: str | None = None, *, keep_trailing: bool = False
) -> list[tuple[int, list[str]]]:
    """Rows of a delimited text as ``(line_number, cells)``, blank rows dropped.

    The delimiter is :func:`sniff_delimiter`'s unless given. Trailing empty cells
    (from trailing separators) are removed unless ``keep_trailing``.
    """
    delimiter = delimiter or sniff_delimiter(text)
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if not keep_trailing:
                while cells and cells[-1] == "":
                    cells.pop()
            rows.append((reader.line_num, cells))
    except csv.Error as e:
        raise ScenarioError(
            f"not valid delimited text: {e}", file=label, line=reader.line_num
        ) from None
    return rows


_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+")


def number(
    cell: str, label: str, line: int, field: str, quirks: QuirkReport | None = None
) -> float:
    """``cell`` as a finite float, or a ScenarioError naming file, line and column.

    With ``quirks``, a decimal comma (``0,9``) is read as a decimal point and recorded
    as a ``decimal-comma`` quirk; ``1,000`` (decimal comma or thousands separator?) is
    refused either way.
    """
    try:
        value = float(cell)
    except ValueError:
        text = cell.strip()
        if _THOUSANDS.fullmatch(text):
            raise ScenarioError(
                f"{cell!r} is ambiguous (a decimal comma or a thousands separator?); write "
                f"{text.replace(',', '')} or {text.replace(',', '.')}",
                file=label,
                line=line,
                field=field,
            ) from None
        if quirks is not None and _DECIMAL_COMMA.fullmatch(text):
            value = float(text.replace(",", "."))
            quirks.add("decimal-comma", label, line, field, f"{cell!r} read as {value:g}")
        else:
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
