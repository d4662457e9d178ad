"""``crossroads run --json``: the analysis of the tables as one JSON object."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import crossroads
from crossroads.evaluation.calibrated_display import builtin_interval

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "tests" / "data" / "plan-small.yaml"


def _run(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crossroads", "run", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120", "PATH": "/usr/bin:/bin",
             "HOME": str(home), "CROSSROADS_STORE": str(home / "runs.sqlite")},
    )  # fmt: skip


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    out = _run(str(PLAN), "--models", "mean,median", "--json", "-o", str(home / "out"), home=home)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), home


def test_forecasts_and_intervals_are_the_models(record):
    d, _ = record
    sc = crossroads.load(PLAN)
    assert d["scenario"] == sc.id and d["models"] == ["mean", "median"]
    assert [i["issue"] for i in d["issues"]] == [i.id for i in sc.issues]
    for iss in d["issues"]:
        for f in iss["forecasts"]:
            want = crossroads.forecast(sc, iss["issue"], f["model"])
            assert f["forecast"] == pytest.approx(float(want.outcome), abs=1e-12)
            ci = builtin_interval(f["model"], want.outcome, tuple(iss["scale"]))
            assert (f["calibrated"]["lo"], f["calibrated"]["hi"]) == (ci.lo, ci.hi)
            assert "not input noise" in f["calibrated"]["label"]


def test_brief_interventions_aims_report(record):
    d, home = record
    assert d["brief"]["lead"] == "mean" and d["brief_reason"] is None
    assert len(d["brief"]["issues"]) == len(d["issues"])
    rows = d["interventions"]["rows"]
    assert d["interventions"]["model"] == "mean" and rows
    assert {"intervention", "issue", "shift", "shift_ci95", "p_up"} <= set(rows[0])
    for r in rows:
        assert r["with"] - r["baseline"] == pytest.approx(r["shift"], abs=1e-9)
    assert d["aims"] == [] and len(d["linked_sets"]) == 1  # plan-small: one link, no aims
    assert d["system"]["headline"] and isinstance(d["system"]["memberships"], list)
    assert d["report"] and Path(d["report"]).is_file()
    assert str(home / "out") in d["report"]


def test_no_report_writes_none(tmp_path):
    out = _run(str(PLAN), "--models", "mean", "--json", "--no-report", "-o",
               str(tmp_path / "o"), home=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["report"] is None and not (tmp_path / "o").exists()


def test_aims_are_planned(tmp_path):
    path = ROOT / "tests" / "data" / "linked-aims.yaml"
    out = _run(str(path), "--models", "mean", "--json", "--no-report", home=tmp_path)
    assert out.returncode == 0, out.stderr
    aims = json.loads(out.stdout)["aims"]
    want = {a.id for a in crossroads.load(path).aims}
    assert want and {a["aim"]["id"] for a in aims} == want
    assert all((a["plan"] or {}).get("kind") == "plan" or a["error"] for a in aims)
