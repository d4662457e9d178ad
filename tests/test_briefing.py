"""The brief (crossroads.briefing): each part matches the library call it comes from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crossroads
from crossroads.briefing import brief, lead_model
from crossroads.errors import CrossroadsError
from crossroads.evaluation.calibrated_display import builtin_interval
from crossroads.serialisation import dumps
from crossroads.uncertainty.what_if import compare, intervention_overview

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "tests" / "data" / "plan-small.yaml"
LINKED_AIMS = ROOT / "tests" / "data" / "linked-aims.yaml"
RUNS = 256


@pytest.fixture(scope="module")
def small():
    return brief(PLAN, ["mean", "median"], runs=RUNS, seed=3)


def test_lead_model_rule():
    assert lead_model(["mean", "median", "eum"]) == "eum"
    assert lead_model(["median", "mean"]) == "median"
    assert lead_model(["exchange", "mean"]) == "mean"
    with pytest.raises(CrossroadsError, match="forecasts one issue"):
        lead_model(["exchange"])


def test_small_band_is_the_ensembles_most_likely(small):
    b = small.issues[0]
    assert (small.lead, b.issue) == ("mean", "trade")
    ens = crossroads.ensemble(PLAN, "trade", "mean", runs=RUNS, seed=3).distribution
    best = max(ens.bands, key=lambda x: x.probability)
    assert b.band.name == best.name
    assert b.band.probability == pytest.approx(best.probability)
    assert b.mean == pytest.approx(ens.mean)
    assert b.band_text() == f"0–50 ({best.probability:.0%})"
    assert "“closed” (0) and “benchmark” (50)" in b.band_words()


def test_small_interval_spread_inputs_observed(small):
    sc = crossroads.load(PLAN)
    b = small.issues[0]
    points = {m: float(crossroads.forecast(sc, "trade", m).outcome) for m in ("mean", "median")}
    assert b.forecasts == pytest.approx(points)
    assert b.spread == (min(points.values()), max(points.values()))
    ci = builtin_interval("mean", points["mean"], (0.0, 100.0), level=0.9)
    assert (b.calibrated.lo, b.calibrated.hi) == (ci.lo, ci.hi)
    oat = crossroads.sensitivity(sc, "trade", "mean", method="oat", seed=3).top(3)
    assert list(b.inputs["input"]) == list(oat["input"])
    assert list(b.inputs["swing"]) == pytest.approx(list(oat["swing"]))
    assert b.observed is None
    assert b.inputs["input"].iloc[0] in b.change_text()


def test_small_lever_is_the_largest_shift(small):
    b = small.issues[0]
    res = compare(PLAN, "trade", "mean", ["aid", "pressure", "envoy"], runs=RUNS, seed=3)
    shifts = {tuple(v.interventions): v.shift.mean for v in res.variants[1:]}
    top = max(shifts, key=lambda k: abs(shifts[k]))
    assert tuple(b.lever.interventions) == top
    assert b.lever.shift == pytest.approx(shifts[top])
    assert b.lever.cost == pytest.approx(
        sum({"aid": 2, "pressure": 1, "envoy": 1.5}[i] for i in top)
    )
    assert f"Biggest lever: {b.lever.label}" in b.change_text()


def test_small_overview_is_run_s_intervention_table(small):
    expected = intervention_overview(PLAN, "mean", runs=RUNS, seed=3)
    pd.testing.assert_frame_equal(small.overview, expected)


def test_unlabelled_scale_says_so(small):
    rights = small.issues[1]
    assert rights.issue == "rights" and rights.band is None
    assert rights.band_text() == "no labelled bands"
    assert any("no labelled points" in n for n in rights.notes)
    assert rights.lever is None  # no intervention edits rights


def test_same_seed_same_brief():
    a = brief(PLAN, ["mean"], runs=128, seed=5).to_dict()
    b = brief(PLAN, ["mean"], runs=128, seed=5).to_dict()
    a.pop("elapsed"), b.pop("elapsed")
    assert dumps(a) == dumps(b)


def test_aims_given_are_not_planned_again(monkeypatch):
    from crossroads import briefing
    from crossroads.aims import answer_aims

    answers = answer_aims(crossroads.load(LINKED_AIMS), ["mean"], runs=128)

    def refuse(*a, **k):
        raise AssertionError("answer_aims called again")

    monkeypatch.setattr(briefing, "answer_aims", refuse)
    b = brief(LINKED_AIMS, ["mean"], runs=128, aims=answers)
    assert b.aims == answers
    with_aim = [i for i in b.issues if i.aim is not None]
    assert [i.issue for i in with_aim] == [a.aim.issue for a in answers]
    assert with_aim[0].aim_text().startswith(f"aim {answers[0].aim.id} (")


def test_builtin_brief():
    sc = crossroads.load()
    b = brief(sc, ["mean", "median", "eum"])
    assert b.lead == "eum"
    assert [i.issue for i in b.issues] == [i.id for i in sc.issues]
    by = {i.issue: i for i in b.issues}
    for i in b.issues:  # every issue of the built-in has labelled bands and uncertain inputs
        assert i.band is not None and 0 < i.band.probability <= 1
        assert i.calibrated.available
        assert len(i.inputs) == 3
    assert by["trade-regime"].observed == 60
    assert by["energy-export-direction"].observed is None
    # the aim on pca-conditionality is answered under the lead model
    aim = by["pca-conditionality"].aim
    assert aim is not None and aim.model == "eum" and aim.aim.id == "pca-benchmarks"
    assert "aim pca-benchmarks" in by["pca-conditionality"].change_text().lower()
    # eu-offer is moved most by the two offers together (compare's combination)
    lv = by["eu-offer"].lever
    assert set(lv.interventions) == {"association-prospect", "eastern-partnership"}
    assert lv.shift > by["eu-offer"].lever.ci > 0
    assert np.isfinite(b.issues[0].point)
    dumps(b.to_dict())  # JSON-able
    assert list(b.to_df().columns) == [
        "issue", "most likely", "eum 90%", "models", "biggest lever", "observed",
    ]  # fmt: skip
