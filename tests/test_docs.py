"""The documentation site: generated pages are current, nothing is undocumented, it builds.

``scripts/docgen.py`` generates the scenario field reference, the CLI reference and the
command output shown in ``docs/``; cog pastes it between ``[[[cog ...]]]`` markers. These
tests fail when a page is stale, a command or a schema field is missing from the docs,
or the strict mkdocs build breaks.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))

import docgen  # noqa: E402

from conftest import IN_CI  # noqa: E402


def _pages() -> list[Path]:
    """Every Markdown page of the site, and the README."""
    return sorted(DOCS.rglob("*.md")) + [ROOT / "README.md"]


def _cogged_pages() -> list[Path]:
    return [p for p in _pages() if "[[[cog" in p.read_text(encoding="utf-8")]


#: ``$ crossroads`` blocks that stay hand-pasted, with the reason: (page, command start).
HAND_PASTED = {
    # a server that runs until Ctrl-C; its one line is printed by cli/serve_cmds.py
    ("docs/dashboard.md", "crossroads serve"),
    # needs a running dask scheduler and workers on tcp://127.0.0.1:8786
    ("docs/howto/dask-cluster.md", "crossroads sensitivity kazakhstan-2010 --issue eu-offer"),
}


def test_some_pages_are_generated():
    names = {p.relative_to(DOCS).as_posix() for p in _cogged_pages() if DOCS in p.parents}
    assert {"reference/cli.md", "reference/scenario-fields.md", "tutorial.md"} <= names
    assert "[[[cog" in (ROOT / "README.md").read_text(encoding="utf-8")


def _shown_commands(page: Path) -> list[tuple[int, str, bool]]:
    """(line, command, generated?) of every ``$ crossroads`` line of ``page``."""
    found: list[tuple[int, str, bool]] = []
    generated = False
    for number, line in enumerate(page.read_text(encoding="utf-8").split("\n"), 1):
        if "[[[end]]]" in line:
            generated = False
        elif "]]]" in line and "[[[cog" in line:
            generated = True
        elif line.strip().startswith("$ crossroads"):
            found.append((number, line.strip()[2:], generated))
    return found


def test_every_shown_command_is_generated():
    """Every ``$ crossroads`` line in the docs is output of a cog block (fast or slow)."""
    pasted, allowed = [], set()
    for page in _pages():
        name = page.relative_to(ROOT).as_posix()
        for number, command, generated in _shown_commands(page):
            hand = [(n, c) for n, c in HAND_PASTED if n == name and command.startswith(c)]
            if hand:
                allowed.update(hand)
            elif not generated:
                pasted.append(f"{name}:{number}: $ {command}")
    assert not pasted, "hand-pasted command output; make it a docgen.shell block:\n" + "\n".join(
        pasted
    )
    assert allowed == HAND_PASTED, "a HAND_PASTED entry no longer matches its page"


#: What changes from one regeneration to the next without the docs going stale: clock
#: times, durations (and the box widths they change), dates of runs in the store.
VOLATILE = (
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"\b\d\d:\d\d:\d\d\b"), "<time>"),
    (re.compile(r'"(seconds|elapsed)": [0-9.e+-]+'), r'"\1": <duration>'),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|s)\b"), "<duration>"),
    (re.compile(r"[─━═]+"), "─"),
    (re.compile(r"[ \t]+"), " "),
)


def _masked(text: str) -> str:
    for rx, sub in VOLATILE:
        text = rx.sub(sub, text)
    return text


def _stale_pages(tmp_path: Path, fast: bool) -> list[str]:
    """Pages whose generated blocks differ, up to :data:`VOLATILE`, from a regeneration of
    copies of them (``fast``: slow blocks keep their recorded output, ``DOCS_FAST=1``)."""
    pages = _cogged_pages()
    copies = []
    for page in pages:
        copy = tmp_path / page.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
        copies.append(str(copy))
    env = {k: v for k, v in os.environ.items() if k != docgen.FAST_ENV}
    if fast:
        env[docgen.FAST_ENV] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "cogapp", "-r", "-I", str(ROOT / "scripts"), *copies],
        cwd=ROOT, capture_output=True, text=True, timeout=1800, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [
        str(page.relative_to(ROOT))
        for page, copy in zip(pages, copies, strict=True)
        if _masked(page.read_text(encoding="utf-8")) != _masked(Path(copy).read_text("utf-8"))
    ]


@pytest.mark.skipif(importlib.util.find_spec("cogapp") is None, reason="needs the docs extra")
def test_generated_output_is_current(tmp_path):
    """Every generated block equals what the code produces now, up to clock times and
    durations (:data:`VOLATILE`). Blocks marked ``slow=True`` keep their recorded output
    (``DOCS_FAST=1``) but must still show the commands the block names; ``make docs``
    reruns them, and so does the next test under ``CI=true``."""
    stale = _stale_pages(tmp_path, fast=True)
    assert stale == [], f"docs are stale; regenerate with `make docs`: {stale}"


@pytest.mark.skipif(
    not IN_CI, reason="reruns every slow block (about 5 minutes): under CI=true, and `make docs`"
)
def test_every_block_is_current_up_to_timings(tmp_path):
    """Every generated block, the slow ones too, equals what the code produces now, up to
    clock times and durations (:data:`VOLATILE`): under ``CI=true`` a slow block that went
    stale fails here."""
    stale = _stale_pages(tmp_path, fast=False)
    assert stale == [], f"stale generated output (regenerate with `make docs`): {stale}"


def test_shell_checks_status_and_writes_only_to_a_sandbox():
    block = docgen.shell(["crossroads export kazakhstan-2010 -o kz.yaml", "head -3 kz.yaml"])
    assert block.startswith("```text\n$ crossroads export kazakhstan-2010 -o kz.yaml\n")
    assert "\n$ head -3 kz.yaml\n# scenario 'kazakhstan-2010'" in block
    assert not (ROOT / "kz.yaml").exists()
    with pytest.raises(RuntimeError, match="exited 1, expected 0"):
        docgen.shell("crossroads validate missing.yaml")
    assert (
        docgen.shell("crossroads --version", indent=2).split("\n")[1] == "  $ crossroads --version"
    )


def test_abridge_keeps_head_named_lines_and_tail():
    text = "\n".join(f"line {i}" for i in range(10)) + "\nTable A\nrow"
    assert docgen.abridge(text, head=2, keep=["^Table"], tail=1) == (
        "line 0\nline 1\n...\nTable A\nrow"
    )
    assert docgen.abridge(text, head=1) == "line 0\n..."
    assert docgen.abridge(text) == text


def test_slow_block_keeps_its_output_only_for_the_same_commands(monkeypatch):
    previous = "```text\n$ crossroads run\nrecorded\n```\n"
    monkeypatch.setitem(sys.modules, "cog", types.SimpleNamespace(previous=previous))
    monkeypatch.setenv(docgen.FAST_ENV, "1")
    assert docgen.shell("crossroads run", slow=True) == previous.rstrip("\n")
    with pytest.raises(RuntimeError, match="slow block shows"):
        docgen.shell("crossroads run --models eum", slow=True)


def test_every_command_is_documented():
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    names = docgen.cli_command_names()
    assert "forecast" in names and "runs list" in names
    missing = [n for n in names if f"## `crossroads {n}`" not in page]
    assert not missing, f"commands missing from docs/reference/cli.md: {missing}"


def test_every_option_is_documented():
    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"## `crossroads ([^`]+)`\n(.*?)(?=\n## `|\Z)", page, re.S))
    for name in docgen.cli_command_names():
        for param in docgen._command(name).params:
            if getattr(param, "hidden", False) or param.param_type_name == "argument":
                continue
            for opt in param.opts:
                assert opt in sections[name], f"{opt} of `crossroads {name}` is undocumented"


def test_every_schema_field_is_documented_with_a_meaning():
    page = (DOCS / "reference" / "scenario-fields.md").read_text(encoding="utf-8")
    tables = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", page, re.S | re.M))
    fields = docgen.schema_field_names()
    assert "Stake" in fields and "salience" in fields["Stake"]
    for model, names in fields.items():
        assert model in tables, f"schema model {model} is missing from the field reference"
        for name in names:
            row = re.search(rf"^\| `{re.escape(name)}` \|.*\| ([^|]*) \|$", tables[model], re.M)
            assert row, f"{model}.{name} is missing from docs/reference/scenario-fields.md"
            assert row.group(1).strip(), f"{model}.{name} has no meaning (add a docstring)"


def test_every_schema_field_has_a_description():
    """The meaning comes from the field's docstring in crossroads.scenario.schema."""
    undescribed = [
        f"{name}.{key}"
        for name, model in docgen.schema_models()
        for key, field in model.model_fields.items()
        if not field.description
    ]
    assert not undescribed


def test_reference_page_mentions_every_schema_model():
    models = [name for name, _ in docgen.schema_models()]
    assert models[0] == "Scenario" and "Uncertainty" in models and "Aim" in models


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="needs the docs extra")
@pytest.mark.slow
def test_site_builds_strictly(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").exists()
