"""Reading dataset CSV files with errors that name the file, the line and the column."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.scenario.yaml_loader import read_text

__all__ = ["MISSING", "Table", "read_table"]

#: Cells read as "no value" in every dataset file.
MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "..", "."})


@dataclass(frozen=True)
class Table:
    """A CSV file as its header and its rows, each with its 1-based line number."""

    label: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    header_line: int = 1

    def has(self, *columns: str) -> bool:
        """Whether every column in ``columns`` is present."""
        return all(c in self.header for c in columns)

    def need(self, *columns: str, what: str = "this file") -> None:
        """Raise a :class:`ScenarioError` naming the first missing column."""
        for c in columns:
            if c not in self.header:
                shown = ", ".join(self.header[:12]) + (", ..." if len(self.header) > 12 else "")
                raise ScenarioError(
                    f"{what} needs a column '{c}'; the header has: {shown}",
                    file=self.label,
                    line=self.header_line,
                    field=c,
                )

    def text(self, line: int, row: dict[str, str], column: str, *, required: bool = True) -> str:
        """A non-empty text cell (``required``) or possibly empty."""
        cell = row.get(column, "").strip()
        if required and cell in MISSING:
            raise ScenarioError(
                "is empty; a value is required", file=self.label, line=line, field=column
            )
        return cell

    def number(
        self, line: int, row: dict[str, str], column: str, *, required: bool = False
    ) -> float | None:
        """A finite float, None for a missing cell (an error when ``required``)."""
        cell = row.get(column, "").strip()
        if cell in MISSING:
            if required:
                raise ScenarioError(
                    "is empty; a number is required", file=self.label, line=line, field=column
                )
            return None
        try:
            value = float(cell)
        except ValueError:
            raise ScenarioError(
                f"must be a number, got {cell!r}", file=self.label, line=line, field=column
            ) from None
        if not math.isfinite(value):
            raise ScenarioError(
                f"must be a finite number, got {cell!r}", file=self.label, line=line, field=column
            )
        return value

    def integer(self, line: int, row: dict[str, str], column: str) -> int:
        """A required whole number (``1992`` or ``1992.0``)."""
        value = self.number(line, row, column, required=True)
        assert value is not None
        if value != int(value):
            raise ScenarioError(
                f"must be a whole number, got {row.get(column)!r}",
                file=self.label,
                line=line,
                field=column,
            )
        return int(value)

    def year(self, line: int, row: dict[str, str], column: str = "year") -> int:
        """A required four-digit year."""
        y = self.integer(line, row, column)
        if not 1800 <= y <= 2200:
            raise ScenarioError(
                f"must be a year between 1800 and 2200, got {y}",
                file=self.label,
                line=line,
                field=column,
            )
        return y


def read_table(
    path: Path, label: str | None = None, *, header_starts: str | tuple[str, ...] | None = None
) -> Table:
    """Read a comma-separated file with a header row.

    Parameters
    ----------
    path : Path
    label : str, optional
        The file as the user named it, for messages.
    header_starts : str or tuple of str, optional
        The first cell of the header row (or any of several); lines before it are a
        preamble (World Bank downloads have four). Default: the first line is the header.

    Raises
    ------
    ScenarioError
        for a missing, empty or non-UTF-8 file, bad quoting, or a row whose
        number of cells differs from the header's.
    """
    label = label or str(path)
    text = read_text(path, label)
    starts = (header_starts,) if isinstance(header_starts, str) else header_starts
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                first = cells[0].strip() if cells else ""
                if starts is not None and first not in starts:
                    continue
                header = [c.strip() for c in cells]
                while header and header[-1] == "":
                    header.pop()
                header_line = line
                if len(set(header)) != len(header):
                    dup = next(c for c in header if header.count(c) > 1)
                    raise ScenarioError(
                        f"column '{dup}' appears twice in the header",
                        file=label,
                        line=line,
                        field=dup,
                    )
                continue
            if not any(c.strip() for c in cells):
                continue
            extra = cells[len(header) :]
            if any(c.strip() for c in extra):
                raise ScenarioError(
                    f"has {len(cells)} cells but the header has {len(header)} columns",
                    file=label,
                    line=line,
                )
            if len(cells) < len(header):
                raise ScenarioError(
                    f"has {len(cells)} cells but the header has {len(header)} columns "
                    f"(missing: {', '.join(header[len(cells) :][:3])})",
                    file=label,
                    line=line,
                )
            rows.append((line, dict(zip(header, (c.strip() for c in cells), strict=False))))
    except csv.Error as e:
        raise ScenarioError(f"not valid CSV: {e}", file=label, line=reader.line_num) from None
    if header is None:
        if starts:
            firsts = " or ".join(f"'{c}'" for c in starts)
            raise ScenarioError(f"no header row starting with {firsts}", file=label, line=1)
        raise ScenarioError("no header row", file=label, line=1)
    if not rows:
        raise ScenarioError("has a header but no data rows", file=label, line=header_line)
    return Table(label=label, header=header, rows=rows, header_line=header_line)
