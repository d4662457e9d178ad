"""Read a YAML scenario file into a validated :class:`Scenario`.

Every problem becomes one :class:`~crossroads.errors.ScenarioError` naming the
file, the line and the field, and what is allowed. Line numbers come from
PyYAML's node tree (``yaml.compose``), walked along pydantic's error ``loc``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crossroads.errors import ScenarioError
from crossroads.scenario.bounded_yaml import YAMLLimitError, compose_and_construct, node_path
from crossroads.scenario.checks import semantic_problems
from crossroads.scenario.schema import Scenario
from crossroads.wording import count

__all__ = [
    "MAX_BYTES",
    "MAX_SHOWN",
    "read_text",
    "short_repr",
    "parse_scenario_text",
    "line_of",
    "validation_error",
]

#: Largest scenario or peer file read, in bytes (20 MB). Larger files are refused with a message.
MAX_BYTES = 20_000_000

#: Longest text of a value quoted in a message; longer values are cut.
MAX_SHOWN = 60

Loc = tuple[str | int, ...]


def read_text(path: Path, label: str | None = None) -> str:
    """The text of ``path``, refusing missing, empty, huge and non-UTF-8 files."""
    label = label or str(path)
    if not path.exists():
        raise ScenarioError("no such file or built-in scenario", file=label)
    if path.is_dir():
        raise ScenarioError("is a directory, not a scenario file", file=label)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ScenarioError(
            f"file is {size / 1e6:.1f} MB ({size:,} bytes); the limit is "
            f"{MAX_BYTES / 1e6:g} MB ({MAX_BYTES:,} bytes)",
            file=label,
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ScenarioError("not UTF-8 text", file=label, line=line) from None
    if not text.strip():
        raise ScenarioError("file is empty", file=label)
    return text


def _node_at(root: yaml.Node, loc: Loc) -> yaml.Node:
    """The deepest node along ``loc`` that exists (for a missing key: its parent mapping)."""
    node = root
    for part in loc:
        nxt = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    nxt = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                nxt = node.value[part]
        if nxt is None:
            break
        node = nxt
    return node


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """1-based line of the field at ``loc`` in the composed document ``root``."""
    if root is None:
        return None
    return _node_at(root, loc).start_mark.line + 1


def field_name(loc: Loc) -> str:
    """``('issues', 0, 'stakes', 2, 'salience')`` -> ``issues[0].stakes[2].salience``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _clean_loc(loc: Loc) -> Loc:
    # pydantic inserts tags for union members and function validators ('function-after[...]',
    # 'list[...]', 'float', 'int'...); they are not part of the document path.
    return tuple(p for p in loc if isinstance(p, int) or ("[" not in p and p not in _TYPE_TAGS))


_TYPE_TAGS = {"float", "int", "str", "bool", "none", "literal", "is-instance"}
# tags of the stake union (schema.AnyStake)
_TYPE_TAGS |= {"Stake", "SpatialStake"}


_SHORTER = {
    "greater than or equal to": ">=",
    "less than or equal to": "<=",
    "greater than": ">",
    "less than": "<",
    "a valid number, unable to parse string as a number": "a number",
    "a valid integer, unable to parse string as an integer": "a whole number",
    "a valid list": "a list",
    "a valid dictionary": "a mapping",
    "a valid string": "text",
}


def short_repr(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` cut to ``limit`` characters, never building the whole text of a big value."""
    if isinstance(value, dict | list | tuple | set):
        kind = type(value).__name__
        return f"a {kind} of {len(value):,} item{'s' * (len(value) != 1)}"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "an integer too long to show"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    msg = err.get("msg", "invalid value")
    got = err.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return (
            "unknown field (check its spelling against the scenario format in "
            "docs/reference/scenario-fields.md)"
        )
    if kind == "finite_number":
        return f"must be a finite number, got {short_repr(got)}"
    if kind == "literal_error":
        return f"{msg.replace('Input should be', 'must be')}, got {short_repr(got)}"
    msg = msg.replace("Input should be", "must be").replace("Value error, ", "")
    for long, short in _SHORTER.items():
        msg = msg.replace(long, short)
    if got is not None and not isinstance(got, dict | list):
        msg += f", got {short_repr(got)}"
    return msg


def validation_error(e: ValidationError, root: yaml.Node | None, label: str) -> ScenarioError:
    """The first pydantic error as a :class:`ScenarioError` with file, line and field."""
    errs = e.errors(include_url=False)
    # prefer the error deepest in the document, then the first
    err = errs[0]
    loc = _clean_loc(tuple(err["loc"]))
    more = [(_clean_loc(tuple(x["loc"])), _message(x)) for x in errs[1:]]
    return ScenarioError(
        _message(err) + _more_problems(more, root),
        file=label,
        line=line_of(root, loc),
        field=field_name(loc) or None,
    )


#: how many further problems a validation message spells out before counting the rest
MORE_SHOWN = 4


def _more_problems(more: list[tuple[tuple, str]], root: yaml.Node | None) -> str:
    """`` (and 2 more problems: line 9, field 'id': ...; ...)``: the problems after the
    first, each with its line and field, the first :data:`MORE_SHOWN` of them in full."""
    if not more:
        return ""
    shown = []
    for loc, message in more[:MORE_SHOWN]:
        line, field = line_of(root, loc), field_name(loc)
        where = ", ".join(
            x for x in (f"line {line}" if line else "", f"field '{field}'" if field else "") if x
        )
        shown.append(f"{where}: {message}" if where else message)
    rest = len(more) - len(shown)
    tail = f"; and {count(rest, 'other')}" if rest else ""
    return f" (and {count(len(more), 'more problem')}: {'; '.join(shown)}{tail})"


def parse_scenario_text(text: str, label: str) -> Scenario:
    """Parse and validate YAML text; ``label`` names the file in messages."""
    try:
        root, data = compose_and_construct(text)
    except YAMLLimitError as e:
        root = getattr(e, "root", None)
        loc = node_path(root, e.node) if e.node is not None else None
        raise ScenarioError(
            e.message,
            file=label,
            line=e.mark.line + 1 if e.mark is not None else None,
            field=field_name(loc) if loc else None,
        ) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(f"not valid YAML: {e.problem or e}", file=label, line=line) from None
    except yaml.YAMLError as e:
        raise ScenarioError(f"not valid YAML: {e}", file=label) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            "a scenario is a YAML mapping starting with 'crossroads: 1'", file=label, line=1
        )
    if "crossroads" not in data:
        raise ScenarioError(
            "missing 'crossroads: 1' (the format version) at the top",
            file=label,
            line=1,
            field="crossroads",
        )
    version = data["crossroads"]
    if type(version) is not int or version != 1:
        raise ScenarioError(
            f"format version {short_repr(version)} is not supported; this crossroads reads 1",
            file=label,
            line=line_of(root, ("crossroads",)),
            field="crossroads",
        )
    return validate_data(data, label, root)


def validate_data(data: dict[str, Any], label: str, root: yaml.Node | None = None) -> Scenario:
    """Validate a plain mapping (from YAML or a peer reader) into a :class:`Scenario`."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        raise validation_error(e, root, label) from None
    problems = semantic_problems(scenario)
    if problems:
        loc, message = problems[0]
        message += _more_problems(list(problems[1:]), root)
        raise ScenarioError(message, file=label, line=line_of(root, loc), field=field_name(loc))
    return scenario
