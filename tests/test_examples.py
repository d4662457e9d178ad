"""The example cases in examples/: each validates, forecasts with mean and eum, and runs."""

from __future__ import annotations

import pytest

from crossroads.cli import main
from crossroads.forecasting import forecast
from crossroads.scenario import load

from conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_there_are_at_least_two_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates(path, capsys):
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "valid crossroads scenario" in out, err


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_is_a_complete_case(path):
    sc = load(path)
    assert sc.focus and sc.memberships and sc.issues and sc.sources
    assert any(i.cost is not None for i in sc.interventions)
    for iss in sc.issues:
        for s in iss.stakes:
            # stakes are judgement: each says so and cites what it rests on
            assert s.source, f"{iss.id}/{s.actor} cites no source"
            assert s.note and "judgement" in s.note.lower(), f"{iss.id}/{s.actor}"
    for src in sc.sources:
        assert src.url or src.publisher, src.id


@pytest.mark.parametrize("model", ["mean", "eum"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_forecasts(path, model):
    sc = load(path)
    for iss in sc.issues:
        f = forecast(sc, iss.id, model)
        lo, hi = iss.scale.min, iss.scale.max
        assert lo <= float(f.outcome) <= hi
        if iss.observed is not None:
            assert f.observed == iss.observed.value


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, capsys):
    assert main(["run", str(path), "--no-report"]) == 0
    out, err = capsys.readouterr()
    sc = load(path)
    assert all(i.id in out for i in sc.issues)
    assert "Interventions against the baseline" in out, err


def test_armenia_records_the_observed_choice():
    iss = load(ROOT / "examples" / "armenia-2013.yaml").issue("eu-or-cu")
    assert iss.observed is not None and iss.observed.value == iss.scale.max
    assert iss.observed.date == "2013-09-03" and iss.observed.source
