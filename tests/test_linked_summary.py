"""Linked sets summarised for run, report and dashboard; aims in the schema and answered."""

from __future__ import annotations

import json

import numpy as np
import pytest

import crossroads
from crossroads import ScenarioError
from crossroads.aims import answer_aims
from crossroads.linked_summary import summarise_linked_sets
from crossroads.scenario.yaml_loader import parse_scenario_text
from crossroads.summary import forecast_table

from conftest import ROOT

AIMS = ROOT / "tests" / "data" / "linked-aims.yaml"
LINKED = ROOT / "tests" / "data" / "linked.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
TEXT = AIMS.read_text()
RUNS = 256


@pytest.fixture(scope="module")
def summary():
    (s,) = summarise_linked_sets(crossroads.load(AIMS), runs=RUNS, seed=2)
    return s


def test_a_proposed_set_is_found_with_the_intervention_that_links_it(summary):
    assert summary.issues == ["trade", "rights"]
    assert summary.linkages == ["package"]
    assert not summary.active and summary.switched_by == ["tie"]
    assert summary.names == {"tie": "Tie trade to rights"}
    assert summary.forecast.linkages == ["package"]


def test_the_forecast_is_the_exchange_forecast_with_the_link_on(summary):
    sc = crossroads.load(AIMS)
    direct = crossroads.forecast_issues(sc, ["trade", "rights"], "exchange")
    np.testing.assert_array_equal(summary.forecast.forecast, direct.forecast)
    assert len(summary.forecast.exchanges) == len(direct.exchanges) > 0


def test_comparison_is_the_ensembles_without_and_with_the_link(summary):
    sc = crossroads.load(AIMS)
    cmp = summary.comparison.set_index(["issue", "variant"])
    for iss in ("trade", "rights"):
        base = crossroads.ensemble(sc, iss, "exchange", runs=RUNS, seed=2).distribution
        tied = crossroads.ensemble(
            sc, iss, "exchange", runs=RUNS, seed=2, interventions=["tie"]
        ).distribution
        assert cmp.loc[(iss, "baseline"), "mean"] == pytest.approx(base.mean, abs=1e-9)
        assert cmp.loc[(iss, "tie"), "mean"] == pytest.approx(tied.mean, abs=1e-9)
        assert cmp.loc[(iss, "tie"), "shift"] == pytest.approx(tied.mean - base.mean, abs=1e-9)
        assert not cmp.loc[(iss, "baseline"), "linked"] and cmp.loc[(iss, "tie"), "linked"]
    # the link moves trade down (Beta gives ground on trade), rights up (Alpha on rights)
    assert cmp.loc[("trade", "tie"), "shift"] < 0 < cmp.loc[("rights", "tie"), "shift"]


def test_trades_are_ranked_by_joint_gain_and_moves_follow_the_trajectory(summary):
    t = summary.trades(3)
    joint = (t["gain_i"] + t["gain_j"]).to_numpy()
    assert len(t) == 3 and np.all(np.diff(joint) <= 0)
    assert len(summary.trades(None)) == len(summary.forecast.exchanges)
    moved = summary.moved()
    f = summary.forecast
    assert list(moved.index) == f.names and list(moved.columns) == f.issues
    k = f.actors.index("a")
    want = (f.trajectory[-1, k, 1] - f.trajectory[0, k, 1]) / 100 * 100
    assert moved.loc["Alpha", "rights"] == pytest.approx(want)
    assert moved.loc["Gamma", "trade"] == 0.0  # no stake in trade


def test_beside_puts_the_exchange_next_to_the_single_issue_models(summary):
    table, _ = forecast_table(crossroads.load(AIMS), ["mean", "median"])
    b = summary.beside(table)
    assert list(b["issue"]) == ["trade", "rights"]
    assert {"mean", "median", "exchange, linked", "move", "exchanges"} <= set(b.columns)
    assert b["exchange, linked"].tolist() == summary.forecast.moves_df()["after"].tolist()


def test_to_dict_is_json(summary):
    d = json.loads(json.dumps(summary.to_dict()))
    assert d["issues"] == ["trade", "rights"] and d["switched_by"] == ["tie"]
    assert len(d["comparison"]) == 4 and d["forecast"]["model"] == "exchange"


def test_active_sets_compare_with_the_intervention_that_unlinks(tmp_path):
    text = (
        LINKED.read_text()
        .replace("    active: false\n", "")
        .replace("    link: [package]", "    unlink: [package]")
    )
    sc = parse_scenario_text(text, "active.yaml")
    (s,) = summarise_linked_sets(sc, runs=RUNS)
    assert s.active and s.switched_by == ["tie"]
    cmp = s.comparison.set_index(["issue", "variant"])
    assert cmp.loc[("trade", "baseline"), "linked"] and not cmp.loc[("trade", "tie"), "linked"]
    # without an intervention that unlinks, nothing to compare: said, not hidden
    text2 = text.replace("    unlink: [package]\n", "    edits:\n      - {issue: trade, actor: a, "
                         "shift: {position: 1}}\n")  # fmt: skip
    (s2,) = summarise_linked_sets(parse_scenario_text(text2, "active2.yaml"), runs=RUNS)
    assert s2.comparison is None and "no intervention switches package off" in s2.note


def test_no_linkage_no_sets():
    assert summarise_linked_sets(crossroads.load(MINI)) == []


# --- aims -----------------------------------------------------------------------------------


def test_aims_load():
    (aim,) = crossroads.load(AIMS).aims
    assert (aim.id, aim.issue, aim.target, aim.probability) == ("strict-rights", "rights",
                                                                  ">=62", 0.7)  # fmt: skip
    assert aim.source == "own" and aim.where == "section 3"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("    issue: rights\n    target", "    issue: nope\n    target", "aims[0].issue",
         "unknown issue 'nope'"),
        ('target: ">=62"', 'target: "> 62"', "aims[0].target", "target must be '>=X' or '<=X'"),
        ('target: ">=62"', 'target: ">=120"', "aims[0].target",
         "target >=120 is off the scale of issue 'rights' (0-100)"),
        ("probability: 0.7", "probability: 0", "aims[0].probability", "must be > 0, got 0"),
        ("probability: 0.7", "probability: 1.5", "aims[0].probability", "must be <= 1, got 1.5"),
        ("    where: section 3\n", "    where: section 3\n    colour: red\n", "aims[0].colour",
         "unknown field"),
    ],
)  # fmt: skip
def test_malformed_aims_are_named(old, new, field, message):
    assert old in TEXT
    with pytest.raises(ScenarioError) as e:
        parse_scenario_text(TEXT.replace(old, new, 1), "linked-aims.yaml")
    err = e.value
    assert err.field == field, str(err)
    assert err.line is not None and err.line > 55, str(err)
    assert message in str(err), str(err)


def test_aims_are_answered_by_plan_under_each_model():
    sc = crossroads.load(AIMS)
    answers = answer_aims(sc, ["mean", "exchange"], runs=RUNS, seed=1)
    assert [(a.aim.id, a.model) for a in answers] == [("strict-rights", "mean"),
                                                       ("strict-rights", "exchange")]  # fmt: skip
    for a in answers:
        direct = crossroads.plan(sc, "rights", a.model, ">=62", 0.7, runs=RUNS, seed=1)
        assert (
            a.result.to_df()
            .drop(columns=["interventions"])
            .equals(direct.to_df().drop(columns=["interventions"]))
        )
        assert a.error is None and a.left_out == []
    json.dumps([a.to_dict() for a in answers])


def test_an_aim_that_cannot_be_planned_says_why():
    # linked.yaml's costs are in EUR million and in no unit: plan refuses to add them
    text = LINKED.read_text() + (
        "aims:\n  - {id: open, issue: trade, target: '>=40', probability: 0.5}\n"
    )
    sc = parse_scenario_text(text, "linked.yaml")
    (a,) = answer_aims(sc, ["mean"], runs=RUNS)
    assert a.result is None and "different units" in a.error
    assert "not planned" in a.headline()
