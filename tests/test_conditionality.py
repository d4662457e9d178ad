"""The conditionality monitor: benchmark status, incentive rules, triggered interventions."""

from __future__ import annotations

import json

import pytest

import crossroads
from crossroads.cli import main
from crossroads.cli.relations_cmds import parse_years
from crossroads.conditionality import indicator_name, judge
from crossroads.errors import CrossroadsError
from crossroads.importers import import_file

from conftest import ROOT, shared

FIXTURE = ROOT / "tests" / "data" / "relations-kz.yaml"


@pytest.fixture(scope="module")
def sc():
    return crossroads.load(FIXTURE)


@pytest.fixture(scope="module")
def with_data(sc):
    out = import_file(
        sc, "freedom-house", shared("kazakhstan", "freedomhouse_pkg_rating_status_kazakhstan.csv")
    )
    return import_file(
        out.scenario, "vdem", shared("kazakhstan", "democracyData_vdem_simple_kazakhstan.csv")
    ).scenario


def test_judge_and_names():
    assert judge(5, "<=", 5) and not judge(6, "<=", 5)
    assert judge(0.4, ">=", 0.4) and not judge(0.39, ">=", 0.4)
    assert judge(3, "==", 3.0)
    with pytest.raises(CrossroadsError):
        judge(1, "<", 2)
    b = (
        crossroads.load(FIXTURE)
        .benchmarks[0]
        .model_copy(update={"indicator": "Freedom House political rights"})
    )
    assert indicator_name(b) == "freedomhouse.political_rights"


def test_qualitative_evidence_carries_forward(sc):
    m = crossroads.benchmark_status(sc, years=range(2008, 2014))
    # media: unmet from the 2009 evidence, met from the 2012-06 evidence on
    assert [m.status("media", y) for y in range(2008, 2014)] == [
        None,
        False,
        False,
        False,
        True,
        True,
    ]
    # multiparty: judged unmet in 2010-10, unknown before
    assert m.status("multiparty", 2009) is None and m.status("multiparty", 2013) is False
    row = m.benchmarks[(m.benchmarks.benchmark == "media") & (m.benchmarks.year == 2013)]
    assert row.as_of.iloc[0] == "2012-06" and row.basis.iloc[0] == "observation"
    # without data, the quantitative benchmarks are unknown
    assert m.status("fh-pr", 2010) is None and m.status("vdem-poly", 2010) is None


def test_rules_all_and_at_least(sc):
    m = crossroads.benchmark_status(sc, years=[2011, 2012])
    # aa-offer needs all of fh-pr (unknown), multiparty (unmet), media -> locked
    # trade-incentives needs at least 1 of fh-pr, vdem-poly, media: media met in 2012
    assert m.unlocked(2011) == [] and m.unlocked(2012) == ["trade-incentives"]
    why = m.incentives[(m.incentives.incentive == "aa-offer") & (m.incentives.year == 2012)]
    assert why.why.iloc[0] == (
        "locked: needs all of 3; 1 met; met: media; unmet: multiparty; "
        "unknown (counted as not met): fh-pr"
    )
    ti = m.incentives[
        (m.incentives.incentive == "trade-incentives") & (m.incentives.year == 2012)
    ].iloc[0]
    assert ti.why.startswith("unlocked: needs at least 1 of 3; 1 met")


def test_status_from_imported_indicators(with_data):
    m = crossroads.benchmark_status(with_data, 2010)
    pr = m.benchmarks[m.benchmarks.benchmark == "fh-pr"].iloc[0]
    # Freedom House political rights 6 in 2010 against <= 5
    assert (pr.value, pr.met, pr.basis, pr.as_of, pr.source) == (
        6,
        False,
        "indicator",
        "2010",
        "freedomhouse",
    )
    assert pr.evidence == "freedomhouse.political_rights = 6 (Not Free)"
    vd = m.benchmarks[m.benchmarks.benchmark == "vdem-poly"].iloc[0]
    assert (vd.value, vd.met) == (0.238, False)  # V-Dem electoral democracy 0.238 < 0.4
    # 1991-1992: political rights 5, so the benchmark was met then
    early = crossroads.benchmark_status(with_data, years=[1991, 1993])
    assert early.status("fh-pr", 1991) is True and early.status("fh-pr", 1993) is False


def test_observation_beats_indicator_in_the_same_year_and_disagreement_is_shown(with_data):
    obs = with_data.observations + [
        with_data.observations[0].model_copy(
            update={
                "benchmark": "fh-pr",
                "date": "2010-12",
                "value": 5.0,
                "met": False,
                "evidence": "entered by hand",
            }
        )
    ]
    sc2 = with_data.model_copy(update={"observations": obs})
    r = crossroads.benchmark_status(sc2, 2010).benchmarks
    pr = r[r.benchmark == "fh-pr"].iloc[0]
    assert (pr.basis, pr.value, pr.met, pr.data) == ("observation", 5.0, True, 6.0)
    assert "states met: false, but 5 <= 5 is true" in pr.remark
    assert "the imported freedomhouse.political_rights is 6" in pr.remark


def test_assume_met_unlocks(sc):
    m = crossroads.benchmark_status(sc, 2010, assume_met=["fh-pr", "multiparty", "media"])
    assert m.unlocked(2010) == ["aa-offer", "trade-incentives"]
    assert m.assumed == ["fh-pr", "media", "multiparty"]
    with pytest.raises(CrossroadsError, match="unknown benchmark"):
        crossroads.benchmark_status(sc, 2010, assume_met=["nope"])


def test_status_tables_word_each_status(sc):
    m = crossroads.benchmark_status(sc, 2010, assume_met=["fh-pr", "multiparty", "media"])
    b, i = m.status_tables()
    words = {"met": True, "unmet": False, "?": None}
    for status, met in zip(b.status, b.met, strict=True):
        assert words[status] == (None if met is None or met != met else bool(met))
    assert (i.status == i.unlocked.map({True: "unlocked", False: "locked"})).all()
    bt, it = m.history()
    assert dict(zip(b.benchmark, b.status, strict=True)) == bt[2010].to_dict()


def test_incentive_effects_hand_computed(sc):
    # eu-offer with the mean model: weights c x s = eu 60*.6=36, kazakhstan 40*.7=28,
    # germany 30*.5=15, russia 50*.4=20 (sum 99); positions 30, 70, 25, 10:
    # before = (36*30 + 28*70 + 15*25 + 20*10) / 99 = 3615/99 = 36.5152
    # aa-prospect sets the EU to 80: (36*80 + 1960 + 375 + 200) / 99 = 5415/99 = 54.6970
    # hr-dialogue shifts Germany 25 -> 35: (3615 + 15*10) / 99 = 3765/99 = 38.0303
    fx = crossroads.incentive_effects(sc, model="mean")
    aa = fx[fx.incentive == "aa-offer"].iloc[0]
    assert aa.before == pytest.approx(3615 / 99) and aa.after == pytest.approx(5415 / 99)
    assert aa["shift"] == pytest.approx(1800 / 99)
    assert aa.moves == ["eu position 30 -> 80"]
    ti = fx[fx.incentive == "trade-incentives"].iloc[0]
    assert ti.after == pytest.approx(3765 / 99) and ti.moves == ["germany position 25 -> 35"]


def test_conditional_forecast_applies_unlocked(sc):
    base = crossroads.conditional_forecast(sc, 2010)
    assert base.interventions.iloc[0] == [] and base["shift"].iloc[0] == 0
    cf = crossroads.conditional_forecast(sc, 2012)  # trade-incentives unlocked by media
    assert cf.interventions.iloc[0] == ["hr-dialogue"]
    assert cf.conditional.iloc[0] == pytest.approx(3765 / 99)
    both = crossroads.conditional_forecast(sc, 2010, assume_met=["fh-pr", "multiparty", "media"])
    # aa-prospect and hr-dialogue: (36*80 + 1960 + 15*35 + 200) / 99 = 5565/99
    assert both.conditional.iloc[0] == pytest.approx(5565 / 99)


def test_builtin_2010():
    sc = crossroads.load("kazakhstan-2010")
    m = crossroads.benchmark_status(sc)  # the scenario's year
    assert m.years == [2010]
    assert m.status("fh-political-rights", 2010) is False
    assert m.unlocked(2010) == []
    what_if = crossroads.benchmark_status(sc, 2010, assume_met=["madrid-commitments"])
    assert {"enhanced-pca", "trade-preferences"} <= set(what_if.unlocked(2010))
    fx = crossroads.incentive_effects(sc, ["association-agreement"], model="mean")
    offer = fx[fx.issue == "eu-offer"].iloc[0]
    assert offer.after > offer.before  # the EU's offer moves up if the package is unlocked


def test_parse_years():
    assert parse_years("2008-2010") == range(2008, 2011)
    assert parse_years("2010") == range(2010, 2011)
    for bad in ("2010-2008", "20-30", "soon"):
        with pytest.raises(CrossroadsError):
            parse_years(bad)


def test_cli_benchmarks_json(capsys):
    assert main(["benchmarks", str(FIXTURE), "--year", "2012", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    inc = {i["incentive"]: i["unlocked"] for i in out["incentives"]}
    assert inc == {"aa-offer": False, "trade-incentives": True}
    assert out["conditional_forecast"][0]["interventions"] == ["hr-dialogue"]
    assert {e["incentive"] for e in out["effects"]} == {"aa-offer", "trade-incentives"}


def test_cli_benchmarks_history_and_errors(capsys):
    assert main(["benchmarks", str(FIXTURE), "--years", "2009-2013"]) == 0
    out = capsys.readouterr().out
    assert "Benchmarks 2009-2013" in out and "unlocked" in out
    assert main(["benchmarks", str(FIXTURE), "--year", "2010", "--years", "2009-2011"]) == 1
    assert "give --year or --years, not both" in capsys.readouterr().err
    assert main(["benchmarks", str(FIXTURE), "--years", "later"]) == 1
    assert "--years must look like 2008-2012" in capsys.readouterr().err
