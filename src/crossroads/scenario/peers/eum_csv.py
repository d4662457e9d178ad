"""Reader for peers' one-issue expected-utility tables (CSV or TSV).

The column names vary between published implementations; accepted (any case):

=========== ==========================================
meaning     header names
=========== ==========================================
actor       Actor, Stakeholder, Name
capability  Capability, Resources, Power, Influence, c
position    Position, x
salience    Salience, s
=========== ==========================================

Salience is given on 0-1 or on 0-100; a file whose saliences exceed 1 is read as
0-100 and divided by 100. The issue's scale runs from the smallest to the
largest position in the file (peer files do not state their scale).

The separator is a tab, a comma or a semicolon
(:func:`~crossroads.scenario.peers.table.sniff_delimiter`). What real files do
(:mod:`crossroads.scenario.peers.table` for the common part):

* read silently: a byte-order mark, CRLF line ends, blank lines, padded or quoted
  cells, trailing separators, columns after the four the reader uses;
* read with a quirk: a decimal comma (``decimal-comma``, ``0,9`` in a TSV or
  semicolon file or a quoted CSV cell); a salience of exactly 1 in a 0-100 file
  (``salience-one``: read as 1 on 0-100, i.e. 0.01; write 100 if full salience
  was meant);
* refused, naming the lines: saliences that mix the two scales (a value strictly
  between 0 and 1 in a file whose saliences exceed 1: ``0.9`` would otherwise
  become 0.009); a row with more cells than the header (an unquoted decimal comma
  in a CSV splits a number in two); a row missing one of the four columns.
"""

from __future__ import annotations

from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.scenario.peers.quirks import QuirkReport
from crossroads.scenario.peers.table import number, read_rows, slug, sniff_delimiter
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import read_text, validate_data

__all__ = ["COLUMNS", "looks_like_eum", "read_eum_table"]

COLUMNS = {
    "actor": ("actor", "stakeholder", "name"),
    "capability": ("capability", "resources", "power", "influence", "c"),
    "position": ("position", "x"),
    "salience": ("salience", "s"),
}


def _display(names: tuple[str, ...]) -> str:
    return ", ".join(n if len(n) == 1 else n.title() for n in names)


def _columns(header: list[str]) -> dict[str, int] | None:
    lower = [h.strip().lower() for h in header]
    found = {}
    for meaning, names in COLUMNS.items():
        for n in names:
            if n in lower:
                found[meaning] = lower.index(n)
                break
    return found


def looks_like_eum(text: str) -> bool:
    """True when the first row names an actor column and a position column."""
    rows = text.splitlines()
    if not rows:
        return False
    header = rows[0].split(sniff_delimiter(rows[0]))
    cols = _columns(header)
    return "actor" in cols and "position" in cols


def read_eum_table(
    path: Path, label: str | None = None, *, quirks: QuirkReport | None = None
) -> Scenario:
    """A one-issue scenario from an EUM CSV/TSV file.

    Parameters
    ----------
    path : Path
    label : str, optional
        The file's name in messages.
    quirks : QuirkReport, optional
        Receives what was read by a rule of the module docstring; without it, a decimal
        comma is refused and the other quirks go unrecorded.

    Raises
    ------
    ScenarioError
        naming the file, the line and the column of the first problem.
    """
    label = label or str(path)
    met = QuirkReport()
    text = read_text(path, label)
    rows = read_rows(text, label)
    header_line, header = rows[0]
    cols = _columns(header)
    for meaning, names in COLUMNS.items():
        if meaning not in cols:
            raise ScenarioError(
                f"no {meaning} column; expected one of: {_display(names)}",
                file=label,
                line=header_line,
                field=meaning,
            )
    if len(rows) < 2:
        raise ScenarioError("no actor rows after the header", file=label, line=header_line)
    names, c, x, s, lines = [], [], [], [], []
    width = max(cols.values()) + 1
    for line, cells in rows[1:]:
        if len(cells) < width:
            raise ScenarioError(
                f"row has {len(cells)} cells; the header has {len(header)}", file=label, line=line
            )
        if len(cells) > len(header):
            raise ScenarioError(
                f"row has {len(cells)} cells; the header has {len(header)} (an unquoted "
                "decimal comma or a stray separator?)",
                file=label,
                line=line,
            )
        name = cells[cols["actor"]]
        if not name:
            raise ScenarioError(
                "actor name is empty", file=label, line=line, field=header[cols["actor"]]
            )
        vals = {
            m: number(
                cells[cols[m]], label, line, header[cols[m]], met if quirks is not None else None
            )
            for m in ("capability", "position", "salience")
        }
        if vals["capability"] < 0:
            raise ScenarioError(
                f"capability must be >= 0, got {vals['capability']:g}",
                file=label,
                line=line,
                field=header[cols["capability"]],
            )
        if not 0 <= vals["salience"] <= 100:
            raise ScenarioError(
                f"salience must lie in 0-1 or 0-100, got {vals['salience']:g}",
                file=label,
                line=line,
                field=header[cols["salience"]],
            )
        names.append(name)
        c.append(vals["capability"])
        x.append(vals["position"])
        s.append(vals["salience"])
        lines.append(line)
    if max(s) > 1:
        _one_scale(s, lines, label, header[cols["salience"]], met)
        s = [v / 100.0 for v in s]
    seen: dict[str, int] = {}
    for name, line in zip(names, lines, strict=True):
        if name in seen:
            raise ScenarioError(
                f"actor '{name}' appears twice (first on line {seen[name]})",
                file=label,
                line=line,
                field=header[cols["actor"]],
            )
        seen[name] = line
    taken: set[str] = set()
    ids = [slug(n, taken) for n in names]
    lo, hi = min(x), max(x)
    if hi == lo:
        hi = lo + 1.0
    stem = slug(path.stem, set())
    data = {
        "crossroads": 1,
        "id": stem,
        "title": path.stem,
        "description": f"One-issue scenario read from the expected-utility table {path.name}.",
        "sources": [{"id": "file", "title": path.name, "note": "peer-format input file"}],
        "actors": [
            {"id": i, "name": n, "kind": "group", "source": "file", "where": f"line {ln}"}
            for i, n, ln in zip(ids, names, lines, strict=True)
        ],
        "issues": [
            {
                "id": stem,
                "title": path.stem,
                "question": f"Outcome of the issue in {path.name}",
                "scale": {"min": lo, "max": hi},
                "stakes": [
                    {
                        "actor": i,
                        "capability": ci,
                        "position": xi,
                        "salience": si,
                        "source": "file",
                        "where": f"line {ln}",
                    }
                    for i, ci, xi, si, ln in zip(ids, c, x, s, lines, strict=True)
                ],
            }
        ],
    }
    sc = validate_data(data, label)
    if quirks is not None:
        quirks.extend(met)
    return sc


def _one_scale(
    s: list[float], lines: list[int], label: str, field: str, quirks: QuirkReport
) -> None:
    """Refuse saliences that mix 0-1 and 0-100; record a salience of exactly 1 on 0-100."""
    top = max(range(len(s)), key=lambda i: s[i])
    low = [(ln, v) for v, ln in zip(s, lines, strict=True) if 0 < v < 1]
    if low:
        shown = ", ".join(f"line {ln} ({v:g})" for ln, v in low[:5])
        more = f" and {len(low) - 5} more" if len(low) > 5 else ""
        raise ScenarioError(
            f"saliences mix the 0-1 and 0-100 scales: {shown}{more} lie between 0 and 1 while "
            f"line {lines[top]} has {s[top]:g}; write every salience on one scale",
            file=label,
            line=low[0][0],
            field=field,
        )
    for v, ln in zip(s, lines, strict=True):
        if v == 1:
            quirks.add(
                "salience-one", label, ln, field,
                "salience 1 in a 0-100 file read as 1 on 0-100 (0.01); write 100 for full "
                "salience",
            )  # fmt: skip
