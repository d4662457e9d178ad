"""A model of linked issues (exchange) through the public API, ensembles and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

import crossroads
from crossroads.errors import CrossroadsError
from crossroads.models import get_model
from crossroads.scenario.linked_sets import linked_set_of, linked_sets
from crossroads.uncertainty.linked_sampling import linked_input_spec
from crossroads.uncertainty.sampling import draw_uniforms

from conftest import ROOT, shared
from conftest import run_cli as cli

LINKED = str(ROOT / "tests" / "data" / "linked.yaml")


@pytest.fixture(scope="module")
def sc():
    return crossroads.load(LINKED)


def test_linked_sets_follow_active_linkages(sc):
    assert linked_sets(sc) == []
    assert linked_sets(sc, include_single=True) == [["trade"], ["rights"], ["other"]]
    tied = crossroads.apply_interventions(sc, ["tie"])
    assert linked_sets(tied) == [["trade", "rights"]]
    assert linked_set_of(tied, "rights") == ["trade", "rights"]
    assert linked_set_of(tied, "other") == ["other"]


def test_two_actor_two_issue_trade_by_hand():
    """Alpha cares for trade (0.9 vs 0.2), Beta for rights (0.8 vs 0.3): Alpha gives ground on
    rights, Beta on trade. Equal Gain ratio and the round-1 outcome computed by hand."""
    sc = crossroads.load(LINKED)
    f = crossroads.forecast_issues(sc, ["trade", "rights"], rounds=1)
    # outcomes before: trade (0.9*20 + 0.3*80)/1.2 = 35; rights on 0-10:
    # (0.2*2 + 0.8*9 + 1.0*5)/2.0 = 6.3
    np.testing.assert_allclose(f.forecast[0], [35.0, 6.3])
    ex = f.exchanges
    assert len(ex) == 1
    row = ex.iloc[0]
    assert (row.actor_i, row.i_gives, row.actor_j, row.j_gives) == ("a", "rights", "b", "trade")
    # Beta moves all the way to Alpha's trade position (20): the trade outcome moves by
    # 60 * 0.3 / 1.2 = 15 to 20. Equal Gain: rho = (s_a,trade + s_b,trade)/(s_a,rights +
    # s_b,rights) = 1.2 / 1.0; Alpha's outcome shift on rights (0-100 scale) = 15 * 1.2 = 18
    # needs a move of 18 * W / w_a = 18 * 2.0 / 0.2 = 180 > its distance to Beta (70), so
    # Alpha moves all the way (to 90 on 0-100, 9 on 0-10) and Beta's move follows: the
    # rights shift 70 * 0.2 / 2.0 = 7 (0-100) buys a trade shift of 7 / 1.2 = 5.833, i.e.
    # Beta moves 5.833 * 1.2 / 0.3 = 23.33 from 80 to 56.67.
    assert row.i_position == pytest.approx(9.0)
    assert row.j_position == pytest.approx(80 - 70 * 0.2 / 2.0 / 1.2 * 1.2 / 0.3)
    assert row.gain_i == pytest.approx(row.gain_j)
    # the gain of each: Alpha gets 5.833 of trade at 0.9 and gives 7 of rights at 0.2
    assert row.gain_i == pytest.approx(0.9 * 7 / 1.2 - 0.2 * 7)
    # Gamma, on rights only, loses from the rights outcome moving away from it (5)
    g = f.gains_df().set_index("actor")
    assert g.loc["c", "exchanges"] == 0 and g.loc["c", "externalities"] < 0


def test_forecast_of_one_issue_by_exchange_uses_its_linked_set(sc):
    alone = crossroads.forecast(sc, "rights", model="exchange")
    mean = crossroads.forecast(sc, "rights", model="mean")
    assert alone.linked_issues == ["rights"]
    assert alone.outcome == pytest.approx(mean.outcome)  # no one to trade with
    tied = crossroads.forecast(sc, "rights", model="exchange", interventions=["tie"])
    assert tied.linked_issues == ["trade", "rights"]
    both = crossroads.forecast_issues(sc, issue="rights", interventions=["tie"])
    assert tied.outcome == pytest.approx(both.outcome["rights"])
    assert tied.actors == [s.actor for s in sc.issue("rights").stakes]


def test_linked_draws_are_common_random_numbers(sc):
    """Switching the link on leaves every draw of the rights stakes where it was."""
    alone = linked_input_spec(sc, "rights")
    tied = linked_input_spec(sc, "rights", interventions=["tie"])
    assert alone.issues == ["rights"] and tied.issues == ["trade", "rights"]
    assert alone.n_cols == tied.n_cols == len(sc.actors) * len(sc.issues)
    u = draw_uniforms(3, 0, 50, tied.n_cols)
    c1, s1, x1 = alone.transform(u)
    c2, s2, x2 = tied.transform(u)
    rows = [tied.actors.index(a) for a in alone.actors]
    np.testing.assert_array_equal(x1[:, :, 0], x2[:, rows, 1])
    np.testing.assert_array_equal(s1[:, :, 0], s2[:, rows, 1])
    # an actor's draws on two issues are independent columns
    a = tied.actors.index("a")
    assert not np.array_equal(x2[:, a, 0] / 100, x2[:, a, 1] / 10)
    # no stake: NaN position, zero capability and salience
    cc = tied.actors.index("c")
    assert np.isnan(x2[:, cc, 0]).all() and (c2[:, cc, 0] == 0).all()


def test_exchange_alone_is_the_weighted_mean_run_by_run(sc):
    r = crossroads.ensemble(sc, "rights", "exchange", runs=1500, seed=4, keep_runs=True)
    spec = linked_input_spec(sc, "rights")
    c, s, x = spec.transform(draw_uniforms(4, 0, 1500, spec.n_cols))
    m = get_model("mean").run(c[..., 0], s[..., 0], x[..., 0])
    np.testing.assert_allclose(r.per_run["forecast"], m.forecast[:, -1], rtol=0, atol=1e-9)


@pytest.mark.parametrize("params", [{}, {"rate": "random_rate"}, {"tie_break": "random"}])
def test_linked_ensembles_do_not_depend_on_chunking(sc, params):
    kw = dict(runs=2100, seed=9, interventions=["tie"], params=params, keep_runs=True)
    a = crossroads.ensemble(sc, "rights", "exchange", **kw)
    b = crossroads.ensemble(sc, "rights", "exchange", chunk_size=1024, **kw)
    np.testing.assert_array_equal(a.per_run["forecast"], b.per_run["forecast"])
    # the first runs of a larger ensemble are a smaller ensemble
    c = crossroads.ensemble(sc, "rights", "exchange", **{**kw, "runs": 1100})
    np.testing.assert_array_equal(c.per_run["forecast"], a.per_run["forecast"][:1100])


def test_randomised_rates_vary_with_the_seed_only(sc):
    kw = dict(runs=1024, interventions=["tie"], params={"rate": "random_rate"}, keep_runs=True)
    a = crossroads.ensemble(sc, "rights", "exchange", seed=1, **kw)
    b = crossroads.ensemble(sc, "rights", "exchange", seed=1, **kw)
    c = crossroads.ensemble(sc, "rights", "exchange", seed=2, **kw)
    np.testing.assert_array_equal(a.per_run["forecast"], b.per_run["forecast"])
    assert not np.array_equal(a.per_run["forecast"], c.per_run["forecast"])


def test_compare_with_and_without_the_link(sc):
    r = crossroads.compare(sc, "rights", "exchange", ["tie", "nudge"], runs=1024, seed=2)
    tie, nudge = r.variant("tie"), r.variant("nudge")
    assert tie.touches_issue and tie.shift.mean > 0.2  # Alpha gives ground on rights
    # nudge edits trade, which is not linked to rights without the link
    assert not nudge.touches_issue and nudge.shift.mean == 0.0
    both = r.variant("tie + nudge")
    assert both.touches_issue


def test_sensitivity_of_linked_models_is_refused(sc):
    with pytest.raises(CrossroadsError, match="not supported yet"):
        crossroads.sensitivity(sc, "rights", "exchange", method="oat")


def test_forecast_cli_json_schema():
    r = cli("forecast", LINKED, "--model", "exchange", "-i", "tie", "--rounds", "3", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert [i["id"] for i in d["issues"]] == ["trade", "rights"]
    for i in d["issues"]:
        assert len(i["forecast"]) == 4  # before any exchange, then after each round
    assert d["linkages"] == ["package"] and d["rounds"] == 3
    a = next(x for x in d["actors"] if x["id"] == "a")
    assert set(a["trajectory"]) == {"trade", "rights"} and len(a["trajectory"]["trade"]) == 4
    c = next(x for x in d["actors"] if x["id"] == "c")
    assert set(c["trajectory"]) == {"rights"}
    ex = d["exchanges"][0]
    assert set(ex) == {"round", "actor_i", "actor_j", "i_gives", "j_gives", "i_position",
                       "j_position", "gain_i", "gain_j", "externalities"}  # fmt: skip
    assert set(ex["externalities"]) == {"c"}
    assert d["issues"][1]["forecast"][-1] == pytest.approx(
        crossroads.forecast_issues(LINKED, interventions=["tie"], rounds=3).outcome["rights"]
    )


def test_forecast_cli_tables_and_messages():
    r = cli("forecast", LINKED, "--model", "exchange", "-i", "tie")
    assert r.returncode == 0, r.stderr
    assert "2 issues bargained together (linked by package): trade, rights" in r.stdout
    assert "Realised exchanges" in r.stdout and "Who gains" in r.stdout
    r = cli("forecast", LINKED, "--model", "exchange")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "no active linkage" in r.stderr and "'tie' links package" in r.stderr
    r = cli("forecast", LINKED, "--model", "mean", "--issues", "trade,rights")
    assert r.returncode == 1 and "--issues names linked issues" in r.stderr
    r = cli("forecast", LINKED, "--model", "exchange", "--issues", "trade,nope")
    assert r.returncode == 1 and "no issue 'nope'" in r.stderr


def test_decide_file_forecast_and_errors():
    cop = shared("exchange", "cop21.csv")
    bad = shared("exchange", "copenhagen-with-errors.csv")
    if not cop.exists():
        pytest.skip("shared exchange data not present")
    r = cli("forecast", str(cop), "--model", "exchange", "--issues", "mrv,legal", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert len(d["issues"]) == 2 and len(d["issues"][0]["forecast"]) == 11
    r = cli("forecast", str(bad), "--model", "exchange")
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert "copenhagen-with-errors.csv, line" in r.stderr and "field" in r.stderr
