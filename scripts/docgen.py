"""Generated parts of the documentation site, pasted into ``docs/`` by cog.

The Markdown pages hold ``[[[cog ... ]]]`` blocks that call these functions;
``cog -r -I scripts docs/...`` rewrites them and ``tests/test_docs.py`` runs
``cog --check`` so a page never drifts from the code:

* :func:`scenario_fields` -- every field of every model of the scenario schema
  (``crossroads.scenario.schema``) with its type, allowed values, default and meaning,
  read from pydantic's JSON schema and the field docstrings;
* :func:`cli_commands` -- every command of the Typer app with its arguments and
  options, read from the app's click command tree;
* :func:`shell` -- a command's real output, run as a subprocess at a fixed width.

Run ``make docs`` (or ``python -m cogapp -r -I scripts $(git ls-files 'docs/*.md')``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Terminal width for command output pasted into the docs.
WIDTH = 100

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


# --- the scenario schema -------------------------------------------------------------
def _anchor(name: str) -> str:
    return name.lower()


def _node_type(node: dict[str, Any]) -> tuple[str, list[str]]:
    """A JSON-schema node as (type, constraints) in words."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})", []
    for key in ("anyOf", "oneOf"):
        if key in node:
            parts = [p for p in node[key] if p.get("type") != "null"]
            types, cons = zip(*(_node_type(p) for p in parts), strict=True)
            return " or ".join(types), [c for cs in cons for c in cs]
    cons: list[str] = []
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"]), cons
    if "const" in node:
        return f"`{node['const']}`", cons
    kind = node.get("type")
    for key, word in (
        ("minimum", ">="),
        ("ge", ">="),
        ("exclusiveMinimum", ">"),
        ("gt", ">"),
        ("maximum", "<="),
        ("le", "<="),
    ):
        if key in node:
            cons.append(f"{word} {node[key]:g}")
    if kind == "array":
        inner, inner_cons = _node_type(node.get("items", {}))
        lo, hi = node.get("minItems"), node.get("maxItems")
        if lo is not None and lo == hi:
            cons.append(f"exactly {lo} items")
        else:
            if lo:
                cons.append(f"at least {lo} item{'s' if lo > 1 else ''}")
            if hi is not None:
                cons.append(f"at most {hi} items")
        return f"list of {inner}", cons + [f"each {c}" for c in inner_cons]
    if kind == "object":
        keys = node.get("propertyNames", {}).get("enum")
        value, value_cons = _node_type(node.get("additionalProperties", {}))
        key_words = "keys " + ", ".join(f"`{k}`" for k in keys) if keys else "any keys"
        return f"mapping ({key_words}) to {value}", value_cons
    if kind == "string":
        if node.get("pattern") == _ID_PATTERN:
            return "id", cons
        if "pattern" in node:
            cons.append(f"pattern `{node['pattern']}`")
        return "text", cons
    if kind == "boolean":
        return "`true` or `false`", cons
    if kind in ("number", "integer"):
        return kind, cons
    return "any", cons


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        if hasattr(value, "model_dump"):
            value = value.model_dump()
    else:
        value = field.default
    if value is None:
        return "none"
    return f"`{json.dumps(value, default=str)}`"


def _is_date(field: Any) -> bool:
    return "_date" in repr(field.annotation) or any("_date" in repr(m) for m in field.metadata)


def _cell(text: str) -> str:
    """A Markdown table cell: pipes escaped."""
    return text.replace("|", "\\|")


def _first_paragraph(doc: str | None) -> str:
    text = (doc or "").strip().split("\n\n")[0]
    text = re.sub(r":(class|func|mod):`~?([^`]+)`", r"`\2`", text)
    return " ".join(text.replace("``", "`").split())


def schema_models() -> list[tuple[str, type]]:
    """Every model of the scenario format, in the order a scenario file meets them."""
    from pydantic import BaseModel

    from crossroads.scenario import schema

    order: list[str] = ["Scenario"]
    defs = schema.Scenario.model_json_schema(by_alias=True)["$defs"]
    # breadth first from Scenario, following $refs in field order
    i = 0
    while i < len(order):
        node = (
            schema.Scenario.model_json_schema(by_alias=True)
            if order[i] == "Scenario"
            else defs[order[i]]
        )
        for ref in re.findall(r'"\$ref": "#/\$defs/(\w+)"', json.dumps(node["properties"])):
            if ref not in order:
                order.append(ref)
        i += 1
    models = [(name, getattr(schema, name)) for name in order]
    assert all(issubclass(m, BaseModel) for _, m in models)
    return models


def schema_field_names() -> dict[str, list[str]]:
    """Model name -> the names a scenario file uses for its fields (aliases included)."""
    return {
        name: [f.alias or key for key, f in model.model_fields.items()]
        for name, model in schema_models()
    }


def scenario_fields() -> str:
    """Markdown: one table per schema model listing every field."""
    from crossroads.scenario import schema

    out: list[str] = []
    top = schema.Scenario.model_json_schema(by_alias=True)
    defs = top["$defs"]
    for name, model in schema_models():
        props = (top if name == "Scenario" else defs[name])["properties"]
        out.append(f"## {name}\n")
        out.append(_first_paragraph(model.__doc__) + "\n")
        out.append("| field | type | allowed | default | meaning |")
        out.append("|---|---|---|---|---|")
        for key, field in model.model_fields.items():
            alias = field.alias or key
            kind, cons = _node_type(props[alias])
            if _is_date(field):
                kind = "date"
                cons.append("`YYYY`, `YYYY-MM` or `YYYY-MM-DD`")
            meaning = " ".join((field.description or "").split())
            cells = [f"`{alias}`", kind, "; ".join(cons), _default(field), meaning]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)


# --- the command line ---------------------------------------------------------------
def _click_tree() -> Any:
    import typer

    from crossroads.cli import app

    return typer.main.get_command(app)


def cli_command_names() -> list[str]:
    """Every command path of the CLI, e.g. ``forecast`` and ``runs list``."""
    names: list[str] = []

    def walk(group: Any, prefix: str) -> None:
        for name, cmd in group.commands.items():
            if getattr(cmd, "hidden", False):
                continue
            path = f"{prefix}{name}"
            if hasattr(cmd, "commands"):
                walk(cmd, path + " ")
            else:
                names.append(path)

    walk(_click_tree(), "")
    return names


def _command(path: str) -> Any:
    cmd = _click_tree()
    for part in path.split():
        cmd = cmd.commands[part]
    return cmd


def cli_commands() -> str:
    """Markdown: every command with its help, usage, arguments and options."""
    from typer._click.core import Context

    out: list[str] = []
    for path in cli_command_names():
        cmd = _command(path)
        ctx = Context(cmd, info_name=f"crossroads {path}")
        out.append(f"## `crossroads {path}`\n")
        help_text = (cmd.help or "").strip()
        out.append("```text\n" + help_text + "\n```\n")
        out.append("```text\n" + cmd.get_usage(ctx).strip() + "\n```\n")
        rows = []
        for p in cmd.params:
            if getattr(p, "hidden", False):
                continue
            record = p.get_help_record(ctx)
            if record is None:
                continue
            decl, text = record
            kind = "argument" if p.param_type_name == "argument" else "option"
            rows.append((f"`{decl}`", kind, " ".join(text.split())))
        if rows:
            out.append("| name | kind | help |")
            out.append("|---|---|---|")
            for decl, kind, text in rows:
                out.append("| " + " | ".join(_cell(c) for c in (decl, kind, text)) + " |")
            out.append("")
    return "\n".join(out)


# --- real command output -------------------------------------------------------------
def shell(command: str, *, cwd: str | Path | None = None, status: int = 0) -> str:
    """Run ``command`` (starting with ``crossroads``) and return it with its output.

    The CLI runs from this checkout (``PYTHONPATH=src``) at a terminal width of
    :data:`WIDTH`. Only stdout is shown, unless ``status`` is not 0: then stderr is the
    error message the page shows (progress notes on stderr, such as numba compiling a
    kernel, would make the page depend on the cache). A different exit status than
    ``status`` raises, so a broken example fails the check.
    """
    argv = shlex.split(command)
    assert argv[0] == "crossroads", command
    env = dict(os.environ, COLUMNS=str(WIDTH), LINES="200", NO_COLOR="1", TERM="dumb")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "crossroads", *argv[1:]],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != status:
        raise RuntimeError(
            f"{command!r} exited {proc.returncode}, expected {status}:\n{proc.stderr}"
        )
    text = (proc.stdout if status == 0 else proc.stdout + proc.stderr).rstrip()
    return f"```text\n$ {command}\n{text}\n```"
