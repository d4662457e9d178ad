"""Shared fixtures: the reference data in ../shared/data and small paths."""

from __future__ import annotations

import os
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
