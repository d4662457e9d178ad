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
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
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
#: Set to ``1`` (as ``tests/test_docs.py`` does) to skip the commands marked ``slow``:
#: their blocks then keep the output they hold, so ``cog --check`` passes on them
#: without running them. ``make docs`` leaves it unset and reruns every block.
FAST_ENV = "DOCS_FAST"


#: Top-level entries of the checkout the sandbox leaves out.
SANDBOX_SKIP = frozenset({".git", "out", "site"})


def _sandbox() -> Path:
    """A fresh folder that looks like this checkout, for commands that write files.

    Every top-level entry of the checkout (except ``.git``) is a symlink, so relative
    paths such as ``tests/data/mini.yaml`` and ``examples/...`` work, and so does
    ``../shared/...`` (a symlink to the checkout's sibling ``shared``). Files a command
    writes (``-o out``, ``kz-data.yaml``, the run store ``runs.sqlite``) land in the
    sandbox, never in the repository.
    """
    base = Path(tempfile.mkdtemp(prefix="crossroads-docs-"))
    box = base / "repo"
    box.mkdir()
    for entry in ROOT.iterdir():
        # not git, and not what commands write in a checkout (the report folder, the
        # built site): a page must not depend on whether `make run` ran before
        if entry.name not in SANDBOX_SKIP:
            (box / entry.name).symlink_to(entry)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (base / "shared").symlink_to(shared)
    bindir = base / "bin"
    bindir.mkdir()
    for name, argv in (("crossroads", "-m crossroads"), ("python", "")):
        script = bindir / name
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" {argv} "$@"\n')
        script.chmod(0o755)
    return box


def _env(box: Path) -> dict[str, str]:
    env = dict(os.environ, COLUMNS=str(WIDTH), LINES="200", NO_COLOR="1", TERM="dumb")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["PATH"] = str(box.parent / "bin") + os.pathsep + env.get("PATH", "")
    # the run store: relative, so it is the sandbox's and pages can name it
    env["CROSSROADS_STORE"] = "runs.sqlite"
    env.pop("FORCE_COLOR", None)
    env.pop(FAST_ENV, None)
    return env


def _run(command: str, box: Path, env: dict[str, str], status: int) -> str:
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=box,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != status:
        raise RuntimeError(
            f"{command!r} exited {proc.returncode}, expected {status}:\n{proc.stderr}"
        )
    return (proc.stdout if status == 0 else proc.stdout + proc.stderr).rstrip()


def abridge(
    text: str,
    head: int | None = None,
    keep: Sequence[str] = (),
    tail: int = 0,
    tables: Sequence[str] = (),
) -> str:
    r"""Keep the first ``head`` lines, lines matching a ``keep`` regex, the last ``tail``.

    ``tables`` keeps whole tables: a line matching one of these regexes (a table's title)
    and every line after it up to the table's bottom border (a line starting with ``└``).
    Each run of dropped lines becomes one ``...`` line. With nothing to keep given the
    text is returned whole.

    >>> abridge("a\nb\nc\nd\ne", head=1, keep=["^d"])
    'a\n...\nd\n...'
    >>> abridge("a\nb\nc", head=1, tail=1)
    'a\n...\nc'
    >>> abridge("x\nT\n│ 1\n└─\ny", tables=["^T"])
    '...\nT\n│ 1\n└─\n...'
    """
    if head is None and not keep and not tail and not tables:
        return text
    lines = text.split("\n")
    patterns = [re.compile(k) for k in keep]
    titles = [re.compile(t) for t in tables]
    kept = [
        i < (head or 0) or i >= len(lines) - tail or any(p.search(line) for p in patterns)
        for i, line in enumerate(lines)
    ]
    in_table = False
    for i, line in enumerate(lines):
        if any(t.search(line) for t in titles):
            in_table = True
        if in_table:
            kept[i] = True
            in_table = not line.startswith("└")
    out: list[str] = []
    for line, keep_it in zip(lines, kept, strict=True):
        if keep_it:
            out.append(line)
        elif not out or out[-1] != "...":
            out.append("...")
    return "\n".join(out)


def _recorded(commands: list[str]) -> str:
    """The output a slow block holds now (``cog.previous``), checked to show ``commands``."""
    import cog  # the module cogapp provides while it runs a block

    previous = cog.previous.rstrip("\n")
    shown = [line.strip()[2:] for line in previous.split("\n") if line.strip().startswith("$ ")]
    if shown != commands:
        raise RuntimeError(
            f"slow block shows {shown!r}, not {commands!r}; regenerate it with `make docs`"
        )
    return previous


def shell(
    command: str | Sequence[str],
    *,
    cwd: str | Path | None = None,
    status: int | Sequence[int] = 0,
    before: Sequence[str] = (),
    files: dict[str, str] | None = None,
    head: int | None | Sequence[int | None] = None,
    keep: Sequence[str] = (),
    tail: int | Sequence[int] = 0,
    tables: Sequence[str] = (),
    slow: bool = False,
    indent: int = 0,
) -> str:
    """Run ``command`` (one or several shell lines) and return them with their output.

    Each command runs through ``bash -o pipefail`` in a fresh sandbox of this checkout
    (see :func:`_sandbox`), with ``crossroads`` running this checkout's code
    (``PYTHONPATH=src``) at a terminal width of :data:`WIDTH` and the run store
    ``CROSSROADS_STORE=runs.sqlite`` inside the sandbox. Commands of one call share
    the sandbox, so a later one sees the files an earlier one wrote.

    Parameters
    ----------
    command
        The command line(s) shown on the page after ``$``; pipes and redirections work.
    cwd
        Ignored in favour of the sandbox when None; otherwise the folder to run in
        (relative to the checkout), e.g. for commands that must see a real path.
    status
        The exit status expected of each command (one for all, or one per command). A
        different status raises, so a broken example fails the check. Only stdout is
        shown unless the status is not 0: then stderr (the error message) follows it.
        Progress notes on stderr, such as numba compiling a kernel, are never shown.
    before
        Commands run first and not shown (setting up files); each must exit 0.
    files
        Files (name -> text) written into the sandbox before anything runs.
    head, keep, tail, tables
        Abridge each command's output with :func:`abridge`; ``head`` and ``tail`` may
        be given per command (a list as long as ``command``).
    slow
        A command of more than a few seconds. When the environment variable
        :data:`FAST_ENV` is ``1`` nothing runs and the block keeps its recorded output
        (which must still show the same commands); ``make docs`` reruns it.
    indent
        Spaces before every line, for a block inside a list item.
    """
    commands = [command] if isinstance(command, str) else list(command)
    statuses = [status] * len(commands) if isinstance(status, int) else list(status)
    heads = list(head) if isinstance(head, (list, tuple)) else [head] * len(commands)
    tails = list(tail) if isinstance(tail, (list, tuple)) else [tail] * len(commands)
    assert len(statuses) == len(heads) == len(tails) == len(commands), commands
    if slow and os.environ.get(FAST_ENV) == "1":
        return _recorded(commands)
    box = _sandbox()
    started = time.perf_counter()
    try:
        run_in = box / cwd if cwd is not None else box
        env = _env(box)
        for name, text in (files or {}).items():
            (box / name).write_text(text, encoding="utf-8")
        for setup in before:
            _run(setup, run_in, env, 0)
        parts: list[str] = []
        for cmd, code, first, last in zip(commands, statuses, heads, tails, strict=True):
            parts.append(f"$ {cmd}")
            text = abridge(_run(cmd, run_in, env, code), first, keep, last, tables)
            if text:
                parts.append(text)
    finally:
        shutil.rmtree(box.parent, ignore_errors=True)
    if os.environ.get("DOCS_TIMING"):
        with open(os.environ["DOCS_TIMING"], "a", encoding="utf-8") as log:
            log.write(f"{time.perf_counter() - started:7.1f} s  {commands[0]}\n")
    block = "```text\n" + "\n".join(parts) + "\n```"
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in block.split("\n"))


def hostile_files() -> dict[str, str]:
    """The hostile scenario files ``docs/security.md`` validates, built from
    ``tests/data/mini.yaml`` as ``tests/test_hostile_input.py`` builds its own."""
    import yaml

    mini = (ROOT / "tests" / "data" / "mini.yaml").read_text(encoding="utf-8")
    # eight anchored lists, each naming the previous one nine times
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 8)]
    many = {
        "crossroads": 1,
        "id": "many",
        "title": "Many actors",
        "actors": [{"id": f"a{i}", "name": f"A{i}", "kind": "state"} for i in range(5000)],
        "issues": [
            {
                "id": "big",
                "title": "Big",
                "question": "Where?",
                "stakes": [
                    {"actor": f"a{i}", "capability": 1 + i % 97, "position": i % 101,
                     "salience": 0.1 + (i % 9) / 10}
                    for i in range(5000)
                ],
            }
        ],
    }  # fmt: skip
    long = "7" * 5000
    zero = mini
    for s in ("0.9", "0.8", "0.4"):
        zero = zero.replace(f"salience: {s}", "salience: 0")
    return {
        "bomb.yaml": "\n".join(bomb) + "\ncrossroads: *a7\n",
        "deep.yaml": "crossroads: 1\nid: deep\nnote: " + "[" * 1000 + "]" * 1000 + "\n",
        "dupkey.yaml": mini.replace("    name: Russia\n", "    name: Russia\n    name: Rossiya\n"),
        "baddate2.yaml": mini.replace("date: 1993-11-15", "date: 2001-02-30"),
        "bigint.yaml": mini.replace("    kind: state\n", f"    cow: {long}\n    kind: state\n", 1),
        "booly.yaml": mini.replace("position: 40\n", "position: true\n", 1),
        "huge.yaml": mini.replace("capability: 80", "capability: 1e308", 1).replace(
            "position: 90", "position: 1e308", 1
        ),
        "selfpart.yaml": mini.replace("    name: China\n", "    name: China\n    part_of: chn\n"),
        "big5000.yaml": yaml.safe_dump(many, sort_keys=False),
        "zero.yaml": zero,
    }
