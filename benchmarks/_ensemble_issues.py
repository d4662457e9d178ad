"""Issues the ensemble benchmarks run on (a helper module, not a benchmark).

* ``ec-emissions``: the 10-actor EC car-emissions example (``../shared/data/eum``).
* ``dummy-a040``: KTAB's 40-actor ``dummyData-a040.csv`` read as one EUM issue:
  influence as capability, the first dimension's position, salience / 100.
"""

from __future__ import annotations

import csv
from pathlib import Path

import crossroads
from crossroads.models import model_names
from crossroads.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"


def ktab_as_eum(path: Path) -> Scenario:
    """A KTAB SMP CSV as a one-issue scenario (first dimension only)."""
    with path.open(newline="") as fh:
        rows = [[c.strip() for c in r] for r in csv.reader(fh) if any(c.strip() for c in r)]
    body = rows[2:]  # row 1: name, description, actors, dims; row 2: headers
    stakes = [
        {
            "actor": r[0],
            "capability": float(r[2]),
            "position": float(r[3]),
            "salience": float(r[4]) / 100,
        }
        for r in body
    ]
    return Scenario.model_validate(
        {
            "crossroads": 1,
            "id": path.stem.lower(),
            "title": f"{path.name} (first dimension)",
            "actors": [{"id": r[0], "name": r[0], "kind": "group"} for r in body],
            "issues": [{"id": "x", "title": "X", "question": "X?", "stakes": stakes}],
        }
    )


def issues() -> list[tuple[str, Scenario, str]]:
    """(label, scenario, issue id) of the benchmark issues."""
    ec = crossroads.load(str(SHARED / "eum" / "ec-emissions-1994.csv"))
    a40 = ktab_as_eum(SHARED / "ktab" / "dummyData-a040.csv")
    return [
        ("ec-emissions (10 actors)", ec, ec.issues[0].id),
        ("dummyData-a040 (40 actors)", a40, "x"),
    ]


def model() -> tuple[str, str]:
    """The model to benchmark (eum when present) and a note about the choice."""
    if "eum" in model_names():
        return "eum", "model: eum (default parameters, 10-round cap)"
    return "mean", "model: mean -- the eum module is not present in this checkout"
