"""Shared fixtures: the reference data in ../shared/data and small paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()
IN_CI = os.environ.get("CI") == "true"


def shared(*parts: str) -> Path:
    """Path of a reference file under ../shared/data.

    Skips the calling test when ../shared is missing, except under CI=true, where a missing
    file is a failure.
    """
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"reference data missing under CI: {path}")
        pytest.skip(f"reference data not present: {path}")
    return path


@pytest.fixture
def shared_data():
    """The ``shared`` path helper as a fixture: ``shared_data('eum', 'sultan.csv')``."""
    return shared


def run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """``python -m crossroads ARGS`` in a subprocess, from the checkout, on this tree's code
    (``PYTHONPATH=src``), at a fixed terminal width; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "crossroads", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(ROOT),
             "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
