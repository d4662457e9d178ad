"""Reader for KTAB's spatial-model (SMP) CSV scenarios.

The format (KTAB ``SMPModel::csvRead``, ``examples/smp/libsrc/smpread.cpp``):

* row 1: ``name, description, nActors, nDims``;
* row 2: headers ``Actor, Description, Influence`` (or ``Power``), then per
  dimension a position and a salience column (``Pstn1, Sal1, ...`` or
  ``Policy Position, Policy Salience, ...``; the position header names the
  dimension);
* one row per actor: name, description, influence (>= 0), then position
  (0-100) and salience (0-100) per dimension; an actor's saliences sum to at
  most 100.

Quirks accepted as KTAB accepts them, silently: trailing commas, cells padded
with spaces, quoted cells, CRLF line ends, blank lines, a byte-order mark. Read
with a quirk (when a :class:`~crossroads.scenario.peers.quirks.QuirkReport` is
passed, as :func:`crossroads.scenario.loading.load_with_quirks` does): non-empty
extra cells after ``nDims`` on row 1, which KTAB ignores (``row1-extra``; the
6-dimension example has a ``0`` there), and a decimal comma in a quoted cell
(``decimal-comma``). Unlike KTAB, which reads exactly ``nActors`` rows and
ignores the rest, a file whose actor rows or columns do not match its counts
is refused, as are numbers that are not numbers (``1,000`` is ambiguous).

The file becomes a scenario with one issue on 0-100, with saliences divided by
100: a multi-dimensional issue (one :class:`~crossroads.scenario.schema.Dimension`
per position column, named by its header) when nDims > 1, an ordinary
one-dimensional issue when nDims = 1 (so every model can forecast it).
"""

from __future__ import annotations

from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.scenario.peers.quirks import QuirkReport
from crossroads.scenario.peers.table import number, read_rows, slug
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import read_text, validate_data

__all__ = ["looks_like_ktab", "read_ktab_csv"]

_SAL_TOL = 1e-9


def _cells(line: str) -> list[str]:
    return [c.strip().strip('"').strip().lower() for c in line.split(",")]


def _is_int(cell: str) -> bool:
    try:
        return float(cell) == int(float(cell))
    except ValueError:
        return False


def looks_like_ktab(text: str) -> bool:
    """True for KTAB's layout: an ``Actor`` header on row 2, or counts on row 1."""
    lines = [ln for ln in text.splitlines() if ln.strip().strip(",")]
    if not lines or "\t" in lines[0]:
        return False
    first = _cells(lines[0])
    if first[0] in ("actor", "stakeholder", "name"):
        return False
    if len(lines) > 1 and _cells(lines[1])[0] == "actor":
        return True
    return len(first) >= 4 and _is_int(first[2]) and _is_int(first[3])


def _count(cell: str, label: str, line: int, field: str) -> int:
    value = number(cell, label, line, field)
    if value != int(value) or value < 1:
        raise ScenarioError(
            f"must be a whole number >= 1, got {cell!r}", file=label, line=line, field=field
        )
    return int(value)


def read_ktab_csv(
    path: Path, label: str | None = None, *, quirks: QuirkReport | None = None
) -> Scenario:
    """A scenario with one multi-dimensional issue from a KTAB SMP CSV file.

    ``quirks`` receives what was read by a rule of the module docstring; without it,
    a decimal comma is refused.

    Raises
    ------
    ScenarioError
        naming the file, the line and the field of the first problem.
    """
    label = label or str(path)
    met = QuirkReport()
    q = met if quirks is not None else None
    rows = read_rows(read_text(path, label), label, delimiter=",")
    if not rows:
        raise ScenarioError("file has no rows with values", file=label)
    line1, head = rows[0]
    if len(head) < 4:
        raise ScenarioError(
            f"row 1 has {len(head)} cells; KTAB's row 1 is: name, description, nActors, nDims",
            file=label,
            line=line1,
        )
    scen_name, scen_desc = head[0], head[1]
    n_act = _count(head[2], label, line1, "nActors")
    n_dim = _count(head[3], label, line1, "nDims")
    extra = [c for c in head[4:] if c]
    if extra:
        met.add(
            "row1-extra", label, line1, None,
            f"{len(extra)} extra cell(s) after nDims ({', '.join(map(repr, extra[:3]))}) "
            "ignored, as KTAB does",
        )  # fmt: skip
    width = 3 + 2 * n_dim
    if len(rows) < 2:
        raise ScenarioError(
            "no header row; row 2 is: Actor, Description, Influence, then Position, Salience "
            "per dimension",
            file=label,
            line=line1,
        )
    line2, header = rows[1]
    if len(header) != width:
        raise ScenarioError(
            f"header has {len(header)} columns; with nDims = {n_dim} KTAB needs {width}: "
            "Actor, Description, Influence, then Position, Salience per dimension",
            file=label,
            line=line2,
        )
    dim_titles = [header[3 + 2 * d] or f"Dim{d}" for d in range(n_dim)]
    actor_rows = rows[2:]
    if len(actor_rows) != n_act:
        line = actor_rows[n_act][0] if len(actor_rows) > n_act else (rows[-1][0])
        raise ScenarioError(
            f"{len(actor_rows)} actor rows, but row 1 gives nActors = {n_act}",
            file=label,
            line=line,
            field="nActors",
        )
    names: list[str] = []
    descs: list[str] = []
    lines: list[int] = []
    caps: list[float] = []
    pos: list[list[float]] = []
    sal: list[list[float]] = []
    seen: dict[str, int] = {}
    for line, cells in actor_rows:
        if len(cells) < width:
            missing = header[len(cells)] or f"column {len(cells) + 1}"
            raise ScenarioError(
                f"row has {len(cells)} cells; the header has {width} (missing {missing})",
                file=label,
                line=line,
                field=missing,
            )
        if len(cells) > width:
            raise ScenarioError(
                f"row has {len(cells)} cells; the header has {width}", file=label, line=line
            )
        name = cells[0]
        if not name:
            raise ScenarioError("actor name is empty", file=label, line=line, field=header[0])
        if name in seen:
            raise ScenarioError(
                f"actor '{name}' appears twice (first on line {seen[name]})",
                file=label,
                line=line,
                field=header[0],
            )
        seen[name] = line
        cap = number(cells[2], label, line, header[2], q)
        if cap < 0:
            raise ScenarioError(
                f"influence must be >= 0, got {cap:g}", file=label, line=line, field=header[2]
            )
        xs, ss = [], []
        total = 0.0
        for d in range(n_dim):
            xcol, scol = 3 + 2 * d, 4 + 2 * d
            x = number(cells[xcol], label, line, header[xcol], q)
            if not 0 <= x <= 100:
                raise ScenarioError(
                    f"position must lie in 0-100, got {x:g}",
                    file=label,
                    line=line,
                    field=header[xcol],
                )
            s = number(cells[scol], label, line, header[scol], q)
            if not 0 <= s <= 100:
                raise ScenarioError(
                    f"salience must lie in 0-100, got {s:g}",
                    file=label,
                    line=line,
                    field=header[scol],
                )
            total += s
            if total > 100 + _SAL_TOL:
                raise ScenarioError(
                    f"saliences sum to {total:g} by this column; an actor's saliences sum to "
                    "at most 100",
                    file=label,
                    line=line,
                    field=header[scol],
                )
            xs.append(x)
            ss.append(s / 100.0)
        names.append(name)
        descs.append(cells[1])
        lines.append(line)
        caps.append(cap)
        pos.append(xs)
        sal.append(ss)
    taken: set[str] = set()
    ids = [slug(n, taken) for n in names]
    dim_taken: set[str] = set()
    dim_ids = [slug(t, dim_taken) for t in dim_titles]
    stem = slug(path.stem, set())
    issue: dict[str, object] = {
        "id": stem,
        "title": scen_name or path.stem,
        "question": scen_desc or f"Outcome of the scenario in {path.name}",
        "scale": {"min": 0.0, "max": 100.0},
    }
    if n_dim == 1:  # an ordinary one-dimensional issue, which every model can forecast
        issue["question"] = f"{issue['question']} ({dim_titles[0]})"
        issue["stakes"] = [
            {
                "actor": i,
                "capability": c,
                "position": x[0],
                "salience": s[0],
                "source": "file",
                "where": f"line {ln}",
            }
            for i, c, x, s, ln in zip(ids, caps, pos, sal, lines, strict=True)
        ]
    else:
        issue["dimensions"] = [
            {
                "id": i,
                "title": t,
                "scale": {"min": 0.0, "max": 100.0},
                "source": "file",
                "where": f"line {line2}",
            }
            for i, t in zip(dim_ids, dim_titles, strict=True)
        ]
        issue["stakes"] = [
            {
                "actor": i,
                "capability": c,
                "positions": x,
                "saliences": s,
                "source": "file",
                "where": f"line {ln}",
            }
            for i, c, x, s, ln in zip(ids, caps, pos, sal, lines, strict=True)
        ]
    data = {
        "crossroads": 1,
        "id": stem,
        "title": scen_name or path.stem,
        "description": scen_desc or None,
        "sources": [{"id": "file", "title": path.name, "note": "KTAB SMP CSV input file"}],
        "actors": [
            {"id": i, "name": n, "kind": "group", "description": dsc or None,
             "source": "file", "where": f"line {ln}"}
            for i, n, dsc, ln in zip(ids, names, descs, lines, strict=True)
        ],
        "issues": [issue],
    }  # fmt: skip
    sc = validate_data(data, label)
    if quirks is not None:
        quirks.extend(met)
    return sc
