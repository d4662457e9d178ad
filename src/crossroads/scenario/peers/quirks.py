"""What a peer reader met and read by a documented rule instead of refusing.

Real peer files (DEU III exports, EUM tables from papers, KTAB CSVs) carry habits
of the tools that wrote them: dates a spreadsheet turned around, a voting rule
written ``QMV(10)``, a typo in an id, decimal commas. A reader reads such a cell
by the rule its module docstring states and records a :class:`Quirk`; the
:class:`QuirkReport` of a file summarises them (kind, count, first rows) for the
command line (stderr and ``--json`` under ``quirks``).

Examples
--------
>>> r = QuirkReport()
>>> r.add("vote-form", "f.tsv", 3, "counvte", "'QMV(10)' read as QMV")
>>> r.add("vote-form", "f.tsv", 4, "counvte", "'QMV(10)' read as QMV")
>>> r.summary()[0]["count"], r.summary()[0]["lines"]
(2, [3, 4])
>>> print(r.text())
f.tsv: read with 2 quirk(s): vote-form x2 (lines 3, 4): line 3, counvte: 'QMV(10)' read as QMV
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Quirk", "QuirkReport"]

#: How many lines :meth:`QuirkReport.summary` lists per kind.
FIRST_LINES = 5


@dataclass(frozen=True)
class Quirk:
    """One cell or row read by a documented rule rather than as written.

    Attributes
    ----------
    kind : str
        Short name of the rule applied, e.g. ``date-swapped`` (each reader's module
        docstring lists its kinds).
    file : str
        The file's label.
    line : int or None
        1-based line in the file.
    field : str or None
        The column.
    detail : str
        What was written and how it was read.
    """

    kind: str
    file: str
    line: int | None
    field: str | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """The quirk as a JSON-ready mapping."""
        return {
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "detail": self.detail,
        }


@dataclass
class QuirkReport:
    """The quirks met while reading one source, in the order met.

    A reader appends with :meth:`add`; callers read :meth:`summary`, :meth:`text` or
    :meth:`to_dict`. An empty report is falsy.
    """

    quirks: list[Quirk] = field(default_factory=list)

    def add(self, kind: str, file: str, line: int | None, field: str | None, detail: str) -> None:
        """Record one quirk."""
        self.quirks.append(Quirk(kind, file, line, field, detail))

    def extend(self, other: QuirkReport) -> None:
        """Append every quirk of ``other``."""
        self.quirks.extend(other.quirks)

    def __len__(self) -> int:
        return len(self.quirks)

    def __bool__(self) -> bool:
        return bool(self.quirks)

    def __iter__(self) -> Iterator[Quirk]:
        return iter(self.quirks)

    def kinds(self) -> dict[str, int]:
        """Count of quirks per kind, in the order the kinds were first met."""
        out: dict[str, int] = {}
        for q in self.quirks:
            out[q.kind] = out.get(q.kind, 0) + 1
        return out

    def summary(self, first: int = FIRST_LINES) -> list[dict[str, Any]]:
        """One row per kind: ``kind``, ``count``, the first ``first`` ``lines``, and the
        ``first`` quirk's text (``line N, field: detail``)."""
        rows: dict[str, dict[str, Any]] = {}
        for q in self.quirks:
            row = rows.get(q.kind)
            if row is None:
                row = rows[q.kind] = {"kind": q.kind, "count": 0, "lines": [], "first": _one(q)}
            row["count"] += 1
            if q.line is not None and len(row["lines"]) < first and q.line not in row["lines"]:
                row["lines"].append(q.line)
        return list(rows.values())

    def _more_lines(self, kind: str, listed: int) -> bool:
        lines = {q.line for q in self.quirks if q.kind == kind and q.line is not None}
        return len(lines) > listed

    def text(self) -> str:
        """The summary as short lines for stderr; empty string when there is nothing."""
        if not self.quirks:
            return ""
        files = list(dict.fromkeys(q.file for q in self.quirks))
        head = f"{', '.join(files)}: read with {len(self.quirks)} quirk(s)"
        parts = []
        for row in self.summary():
            lines = ", ".join(str(n) for n in row["lines"])
            more = ", ..." if self._more_lines(row["kind"], len(row["lines"])) else ""
            word = "line" if len(row["lines"]) == 1 and not more else "lines"
            where = f" ({word} {lines}{more})" if lines else ""
            parts.append(f"{row['kind']} x{row['count']}{where}: {row['first']}")
        if len(parts) == 1:
            return f"{head}: {parts[0]}"
        return head + ":\n  " + "\n  ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``count`` (all quirks), ``kinds`` (the :meth:`summary` rows)."""
        return {"count": len(self.quirks), "kinds": self.summary()}


def _one(q: Quirk) -> str:
    where = [f"line {q.line}"] if q.line is not None else []
    if q.field:
        where.append(q.field)
    return f"{', '.join(where)}: {q.detail}" if where else q.detail
