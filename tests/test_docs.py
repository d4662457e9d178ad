"""The documentation site: generated pages are current, nothing is undocumented, it builds.

``scripts/docgen.py`` generates the scenario field reference, the CLI reference and the
command output shown in ``docs/``; cog pastes it between ``[[[cog ...]]]`` markers. These
tests fail when a page is stale, a command or a schema field is missing from the docs,
or the strict mkdocs build breaks.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))

import docgen  # noqa: E402


def _cogged_pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "[[[cog" in p.read_text(encoding="utf-8"))


def test_some_pages_are_generated():
    names = {p.relative_to(DOCS).as_posix() for p in _cogged_pages()}
    assert {"reference/cli.md", "reference/scenario-fields.md", "tutorial.md"} <= names


@pytest.mark.skipif(importlib.util.find_spec("cogapp") is None, reason="needs the docs extra")
def test_generated_output_is_current():
    """``cog --check``: every generated block equals what the code produces now."""
    pages = [str(p.relative_to(ROOT)) for p in _cogged_pages()]
    proc = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "-I", "scripts", *pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (
        "docs are stale; regenerate with `make docs`:\n" + proc.stdout + proc.stderr
    )


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
