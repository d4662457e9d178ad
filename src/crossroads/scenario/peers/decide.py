"""Reader for the input files of the exchange model's public implementation (decide).

The exchange model of policy networks (Stokman & Van Oosten 1994) bargains several
linked issues at once; its public implementation, decide-exchange-model, reads a
tab-separated file of typed rows (this reader is written from the format's
description, not from that program's code):

========================= =========================================================
row                       fields
========================= =========================================================
``#A``                    actor: key, name, comment
``#P``                    issue: key, name, comment
``#M``                    labelled point of an issue's scale: issue key, position,
                          description
``#D``                    an actor's stake on an issue: actor key, issue key,
                          position, salience (0-1), power
``#O``, ``#/``, ``#0``    title (``#O``) and comments
========================= =========================================================

The file becomes one scenario with one issue per ``#P`` row, read as follows.

* Capability: the format gives power per (actor, issue); it becomes the stake's
  capability on that issue (>= 0; only ratios between actors matter, as in the
  schema).
* Salience is on 0-1 in the format as in the schema, and is kept as it is; a value
  outside 0-1 is refused, not rescaled.
* Scale: the smallest and largest position of an issue's ``#M`` rows; the
  descriptions of its ``#M`` rows become the scale's labels. An issue without
  ``#M`` rows is on 0-100. A stake's position must lie on its issue's scale.
* An actor without a ``#D`` row on an issue has no stake in it; an actor with no
  ``#D`` row at all stays in the scenario without stakes. An issue without any
  ``#D`` row is refused.
* Ids are made from the keys (lower case, ``-`` for other characters); names are
  the ``#A``/``#P`` names (the key when blank); an actor's comment becomes its
  description, an issue's comment (or else its name) its question. Stakes are in
  the order of the ``#A`` rows.
* The scenario id comes from the file name, its title from the first ``#O`` row
  (else the file name); ``sources`` has one entry, ``file``, that every actor,
  issue and stake cites with its line.
* Every issue of a decide file is bargained together with the others: the scenario
  has one active linkage, ``all``, of every issue (with at least two issues).

Lenient where real files vary: cells quoted with single (or double) quotes or not,
padding around cells, trailing empty cells, CRLF line ends, a UTF-8 byte-order
mark, blank lines, lower-case row types, and comment rows anywhere. Rows may come
in any order (an ``#M`` or ``#D`` row may precede the ``#P`` row it names). Strict
where data would be wrong: an unknown row type, a missing or an extra field, an
empty key, a duplicate key, an ``#M`` or ``#D`` row naming an unknown actor or
issue, two ``#D`` rows for one actor and issue, a non-numeric or non-finite number,
a salience outside 0-1, a negative power, a position off its issue's scale, an
issue with one ``#M`` position only or without stakes, and a file without
``#A``, ``#P`` or ``#D`` rows are each refused with one
:class:`~crossroads.errors.ScenarioError` naming the file, the line and the field.
Two ``#M`` rows at one position are one point unless their descriptions differ.
Each line is one row, split at tabs (not read with the csv module, as
:func:`~crossroads.scenario.peers.table.read_rows` does, so that an unmatched quote
in a comment cannot swallow the lines after it). Problems are looked for in three
passes, so the one reported is the first of the
``#A``/``#P``/``#O`` rows, else of the ``#M`` rows, else of the ``#D`` rows.

References
----------
Stokman, F. N. & Van Oosten, R. (1994). The exchange of voting positions: an
object-oriented model of policy networks. In B. Bueno de Mesquita & F. N. Stokman
(eds.), *European Community Decision Making*, Yale UP, 105-127.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from crossroads.errors import ScenarioError
from crossroads.scenario.peers.table import number, slug
from crossroads.scenario.schema import Scenario
from crossroads.scenario.yaml_loader import read_text, validate_data

__all__ = ["FIELDS", "ROW_TYPES", "decide_rows", "looks_like_decide", "read_decide"]

#: Row types of the decide format and what each row holds.
ROW_TYPES: dict[str, str] = {
    "#A": "actor",
    "#P": "issue",
    "#M": "scale point",
    "#D": "stake",
    "#O": "title",
    "#/": "comment",
    "#0": "comment",
}

#: The fields of each data row, after its row type (``#M``'s description is optional).
FIELDS: dict[str, tuple[str, ...]] = {
    "#A": ("key", "name", "comment"),
    "#P": ("key", "name", "comment"),
    "#M": ("issue", "position", "description"),
    "#D": ("actor", "issue", "position", "salience", "power"),
}

_REQUIRED = {"#A": 1, "#P": 1, "#M": 2, "#D": 5}
_DEFAULT_SCALE = (0.0, 100.0)


def _unquote(raw: str) -> str:
    cell = raw.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] and cell[0] in "'\"":
        cell = cell[1:-1].strip()
    return cell


def decide_rows(text: str) -> list[tuple[int, str, list[str]]]:
    """The rows of a decide file as ``(line, row type, fields)``; blank rows dropped.

    Cells are split at tabs, padding and one pair of surrounding quotes are
    removed, trailing empty cells dropped, and the row type is upper-cased.
    """
    rows = []
    for n, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        cells = [_unquote(c) for c in line.rstrip("\r").split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((n, cells[0].upper(), cells[1:]))
    return rows


def looks_like_decide(text: str) -> bool:
    """True when the first non-blank row starts with a decide row type (``#A``, ``#P``...)."""
    rows = decide_rows(text[:4096])
    return bool(rows) and rows[0][1] in ROW_TYPES


@dataclass(frozen=True)
class _Entry:
    line: int
    key: str
    name: str
    comment: str


def _fields_error(code: str, cells: list[str], label: str, line: int) -> ScenarioError | None:
    fields = FIELDS[code]
    need = _REQUIRED[code]
    n = len(cells)
    if n < need:
        missing = fields[n]
        if need == len(fields):
            shape = f"{need}: {', '.join(fields)}"
        else:
            shape = f"at least {need}: {', '.join(fields[:need])}, then optionally "
            shape += ", ".join(fields[need:])
        return ScenarioError(
            f"{code} row has {n} field{'s' * (n != 1)}; it needs {shape} (missing {missing})",
            file=label,
            line=line,
            field=missing,
        )
    if n > len(fields):
        return ScenarioError(
            f"{code} row has {n} fields; a {code} row has at most {len(fields)}: "
            + ", ".join(fields),
            file=label,
            line=line,
        )
    return None


def _unknown(what: str, key: str, known: dict[str, _Entry], code: str) -> str:
    msg = f"unknown {what} '{key}': no {code} row has this key"
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f"{msg} (did you mean '{close[0]}'?)"
    keys = list(known)
    shown = ", ".join(keys[:8]) + (f", ... ({len(keys)} in all)" if len(keys) > 8 else "")
    return f"{msg}; {what}s: {shown}"


def _definitions(
    rows: list[tuple[int, str, list[str]]], label: str
) -> tuple[dict[str, _Entry], dict[str, _Entry], str | None]:
    """Pass 1: the ``#A`` actors and ``#P`` issues by key, and the ``#O`` title."""
    tables: dict[str, dict[str, _Entry]] = {"#A": {}, "#P": {}}
    title = None
    allowed = ", ".join(f"{c} ({w})" for c, w in ROW_TYPES.items())
    for line, code, cells in rows:
        if code not in ROW_TYPES:
            raise ScenarioError(
                f"unknown row type {code!r}; a row starts with one of: {allowed}",
                file=label,
                line=line,
                field="row type",
            )
        if code == "#O" and title is None:
            title = " ".join(c for c in cells if c) or None
        if code not in tables:
            continue
        what = ROW_TYPES[code]
        if (err := _fields_error(code, cells, label, line)) is not None:
            raise err
        key = cells[0]
        if not key:
            raise ScenarioError(f"{what} key is empty", file=label, line=line, field="key")
        table = tables[code]
        if key in table:
            raise ScenarioError(
                f"{what} '{key}' appears twice (first on line {table[key].line}); "
                "keys must be unique",
                file=label,
                line=line,
                field="key",
            )
        name = cells[1] if len(cells) > 1 and cells[1] else key
        comment = cells[2] if len(cells) > 2 else ""
        table[key] = _Entry(line, key, name, comment)
    return tables["#A"], tables["#P"], title


def _ref(
    cell: str, what: str, code: str, known: dict[str, _Entry], label: str, line: int, field: str
) -> str:
    """``cell`` as a key of ``known`` (``#A`` actors or ``#P`` issues), or a ScenarioError."""
    if not known:
        raise ScenarioError(
            f"the file has no {code} rows, so {what} '{cell}' is not defined; "
            f"each {what} needs a {code} row ({code}, key, name, comment)",
            file=label,
            line=line,
            field=field,
        )
    if not cell:
        raise ScenarioError(f"{what} key is empty", file=label, line=line, field=field)
    if cell not in known:
        raise ScenarioError(_unknown(what, cell, known, code), file=label, line=line, field=field)
    return cell


def _scales(
    rows: list[tuple[int, str, list[str]]], issues: dict[str, _Entry], label: str
) -> dict[str, tuple[float, float, dict[float, str], str]]:
    """Pass 2: each issue's scale (min, max, labels, where) from its ``#M`` rows."""
    points: dict[str, dict[float, tuple[int, str]]] = {k: {} for k in issues}
    for line, code, cells in rows:
        if code != "#M":
            continue
        if (err := _fields_error(code, cells, label, line)) is not None:
            raise err
        key = _ref(cells[0], "issue", "#P", issues, label, line, "issue")
        x = number(cells[1], label, line, "position")
        desc = cells[2] if len(cells) > 2 else ""
        if x in points[key]:
            first, first_desc = points[key][x]
            if desc and first_desc and desc != first_desc:
                raise ScenarioError(
                    f"issue '{key}' already has position {x:g} described as {first_desc!r} "
                    f"(line {first}); one description per position",
                    file=label,
                    line=line,
                    field="description",
                )
            if desc and not first_desc:
                points[key][x] = (first, desc)
            continue
        points[key][x] = (line, desc)
    scales = {}
    for key, pts in points.items():
        if not pts:
            lo, hi = _DEFAULT_SCALE
            scales[key] = (lo, hi, {}, "the default: it has no #M rows")
            continue
        if len(pts) == 1:
            ((x, (line, _)),) = pts.items()
            raise ScenarioError(
                f"issue '{key}' has one #M position ({x:g}); its #M rows set the scale's min "
                "and max, so give at least two different positions (or none, for 0-100)",
                file=label,
                line=line,
                field="position",
            )
        lo, hi = min(pts), max(pts)
        labels = {x: d for x, (_, d) in sorted(pts.items()) if d}
        lines = sorted(ln for ln, _ in pts.values())
        scales[key] = (lo, hi, labels, f"set by its #M rows, lines {lines[0]}-{lines[-1]}")
    return scales


@dataclass(frozen=True)
class _Stake:
    line: int
    actor: str
    issue: str
    position: float
    salience: float
    power: float


def _stakes(
    rows: list[tuple[int, str, list[str]]],
    actors: dict[str, _Entry],
    issues: dict[str, _Entry],
    scales: dict[str, tuple[float, float, dict[float, str], str]],
    label: str,
) -> list[_Stake]:
    """Pass 3: the ``#D`` rows, checked."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for line, code, cells in rows:
        if code != "#D":
            continue
        if (err := _fields_error(code, cells, label, line)) is not None:
            raise err
        actor = _ref(cells[0], "actor", "#A", actors, label, line, "actor")
        issue = _ref(cells[1], "issue", "#P", issues, label, line, "issue")
        if (actor, issue) in seen:
            raise ScenarioError(
                f"actor '{actor}' has two #D rows on issue '{issue}' (first on line "
                f"{seen[actor, issue]}); one stake per actor and issue",
                file=label,
                line=line,
                field="issue",
            )
        seen[actor, issue] = line
        x = number(cells[2], label, line, "position")
        lo, hi, _, why = scales[issue]
        if not lo <= x <= hi:
            raise ScenarioError(
                f"position must lie in {lo:g}-{hi:g}, the scale of issue '{issue}' ({why}), "
                f"got {x:g}",
                file=label,
                line=line,
                field="position",
            )
        s = number(cells[3], label, line, "salience")
        if not 0 <= s <= 1:
            hint = " (the decide format gives salience on 0-1, not 0-100)" if 1 < s <= 100 else ""
            raise ScenarioError(
                f"salience must lie in 0-1, got {s:g}{hint}",
                file=label,
                line=line,
                field="salience",
            )
        p = number(cells[4], label, line, "power")
        if p < 0:
            raise ScenarioError(
                f"power must be >= 0, got {p:g}", file=label, line=line, field="power"
            )
        out.append(_Stake(line, actor, issue, x, s, p))
    return out


def read_decide(path: Path, label: str | None = None) -> Scenario:
    r"""A scenario of linked issues from a decide (exchange model) input file.

    Parameters
    ----------
    path : Path
        The tab-separated file (see the module documentation for its rows).
    label : str, optional
        The file as the user named it, for messages (default: ``path``).

    Returns
    -------
    Scenario
        One issue per ``#P`` row, one stake per ``#D`` row.

    Raises
    ------
    ScenarioError
        naming the file, the line and the field of the first problem.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "demo.csv"
    >>> _ = path.write_text(
    ...     "#O\tA demo\n#A\tN\tNorth\n#A\tS\tSouth\n#P\ttax\tTax\n#P\taid\tAid\n"
    ...     "#D\tN\ttax\t20\t0.9\t2\n#D\tS\ttax\t70\t0.3\t1\n#D\tS\taid\t40\t0.8\t1\n"
    ... )
    >>> sc = read_decide(path)
    >>> sc.title, [i.id for i in sc.issues], [s.actor for s in sc.issue("aid").stakes]
    ('A demo', ['tax', 'aid'], ['s'])
    >>> sc.arrays("tax").capability.tolist()
    [2.0, 1.0]
    """
    label = label or str(path)
    rows = decide_rows(read_text(path, label))
    if not rows:
        raise ScenarioError("file has no rows with values", file=label)
    actors, issues, title = _definitions(rows, label)
    has_d = any(code == "#D" for _, code, _ in rows)
    if not has_d and not actors and not issues:
        raise ScenarioError(
            "no #A, #P or #D rows; a decide file lists actors (#A), issues (#P) and their "
            "stakes (#D)",
            file=label,
        )
    if not has_d and not actors:
        raise ScenarioError(
            "no #A rows; a decide file lists actors (#A, key, name, comment) and their stakes (#D)",
            file=label,
        )
    if not has_d and not issues:
        raise ScenarioError(
            "no #P rows; a decide file lists issues (#P, key, name, comment) and the actors' "
            "stakes in them (#D)",
            file=label,
        )
    scales = _scales(rows, issues, label)
    stakes = _stakes(rows, actors, issues, scales, label)
    by_issue: dict[str, list[_Stake]] = {k: [] for k in issues}
    for st in stakes:
        by_issue[st.issue].append(st)
    for key, entry in issues.items():
        if not by_issue[key]:
            raise ScenarioError(
                f"issue '{key}' has no #D rows; every issue needs at least one stake "
                "(#D, actor, issue, position, salience, power)",
                file=label,
                line=entry.line,
                field="key",
            )
    taken: set[str] = set()
    actor_id = {k: slug(k, taken) for k in actors}
    taken = set()
    issue_id = {k: slug(k, taken) for k in issues}
    order = {k: n for n, k in enumerate(actors)}
    data = {
        "crossroads": 1,
        "id": slug(path.stem, set()),
        "title": title or path.stem,
        "description": (
            f"Read from the decide-format file {path.name} (input of the exchange model); "
            f"its {len(issues)} issues are bargained together (linkage 'all')."
        ),
        "sources": [
            {
                "id": "file",
                "title": path.name,
                "note": "decide-format input file (exchange model of linked issues, "
                "decide-exchange-model)",
            }
        ],
        "actors": [
            {
                "id": actor_id[k],
                "name": a.name,
                "kind": "group",
                "description": a.comment or None,
                "source": "file",
                "where": f"line {a.line}",
            }
            for k, a in actors.items()
        ],
        "issues": [
            {
                "id": issue_id[k],
                "title": p.name,
                "question": p.comment or p.name,
                "scale": {"min": scales[k][0], "max": scales[k][1], "labels": scales[k][2]},
                "source": "file",
                "where": f"line {p.line}",
                "stakes": [
                    {
                        "actor": actor_id[st.actor],
                        "capability": st.power,
                        "position": st.position,
                        "salience": st.salience,
                        "source": "file",
                        "where": f"line {st.line}",
                    }
                    for st in sorted(by_issue[k], key=lambda st: order[st.actor])
                ],
            }
            for k, p in issues.items()
        ],
    }
    if len(issues) > 1:
        data["linkages"] = [
            {
                "id": "all",
                "name": "every issue of the file",
                "issues": [issue_id[k] for k in issues],
                "source": "file",
                "rationale": "a decide file's issues are bargained together (the exchange model)",
            }
        ]
    return validate_data(data, label)
