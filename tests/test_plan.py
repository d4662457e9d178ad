"""crossroads plan: the cheapest package of interventions reaching a target, on common draws."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
import yaml

import crossroads
from crossroads.errors import CrossroadsError, InterventionError
from crossroads.planning import EXHAUSTIVE_MAX, parse_target, plan
from crossroads.scenario.yaml_loader import parse_scenario_text
from crossroads.uncertainty import executors

from conftest import ROOT

PLAN = ROOT / "tests" / "data" / "plan-small.yaml"
PATH = str(PLAN)
RUNS = 1024


@pytest.fixture(scope="module")
def sc():
    return crossroads.load(PATH)


def _raw_costs() -> dict[str, float]:
    """Costs read from the YAML file itself, not through crossroads."""
    data = yaml.safe_load(PLAN.read_text())
    return {iv["id"]: float(iv["cost"]["value"]) for iv in data["interventions"]}


# --- targets ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,op,value",
    [(">=75", ">=", 75.0), ("<=40", "<=", 40.0), (" >= 7.5 ", ">=", 7.5), ("<=-1e1", "<=", -10.0)],
)
def test_parse_target(text, op, value):
    t = parse_target(text)
    assert (t.op, t.value) == (op, value)


@pytest.mark.parametrize("bad", ["75", ">75", "=>75", ">=", ">=abc", "<= 4 0", ">=inf", "", None])
def test_parse_target_refuses(bad):
    with pytest.raises(CrossroadsError, match="target must be '>=X' or '<=X'"):
        parse_target(bad)


# --- the search against brute force ------------------------------------------------------------
@pytest.mark.parametrize("model,target", [("mean", ">=50"), ("eum", ">=50"), ("mean", "<=49")])
def test_exhaustive_equals_brute_force(sc, model, target):
    required = 0.8
    r = plan(sc, "trade", model, target, required, runs=RUNS, seed=3)
    costs = _raw_costs()
    names = list(costs)
    op, x = target[:2], float(target[2:])
    brute = {}
    for k in range(len(names) + 1):
        for pkg in itertools.combinations(names, k):
            e = crossroads.ensemble(PATH, "trade", model, runs=RUNS, seed=3,
                                    interventions=pkg, keep_runs=True)  # fmt: skip
            f = e.per_run["forecast"].to_numpy()
            p = float(np.mean(f >= x) if op == ">=" else np.mean(f <= x))
            brute[pkg] = (sum(costs[n] for n in pkg), p)
    assert r.search == "exhaustive" and r.evaluated == 2 ** len(names) == len(brute)
    got = {p.interventions: (p.cost, p.probability) for p in r.packages}
    assert got == brute
    for p in r.packages:
        assert p.mc_error == math.sqrt(p.probability * (1 - p.probability) / RUNS)
    ok = [(c, -p, len(k), k) for k, (c, p) in brute.items() if p >= required]
    if ok:
        assert r.best is not None and r.best.interventions == min(ok)[3]
    else:
        assert r.best is None and "below the 0.8 required" in r.reason
    # the frontier, independently: packages no other beats in cost and probability
    front = {
        k for k, (c, p) in brute.items()
        if not any(c2 <= c and p2 >= p and (c2, p2) != (c, p) for c2, p2 in brute.values())
    }  # fmt: skip
    assert {p.interventions for p in r.frontier} == front or (
        # equal (cost, probability) pairs: one representative each
        {(brute[k]) for k in front} == {(p.cost, p.probability) for p in r.frontier}
    )
    assert len({(p.cost, p.probability) for p in r.frontier}) == len(r.frontier)


def test_probability_equals_an_independent_ensemble(sc):
    r = plan(sc, "trade", "mean", ">=50", 0.8, runs=3000, seed=17)
    assert r.best is not None and r.best.interventions
    e = crossroads.ensemble(PATH, "trade", "mean", runs=3000, seed=17,
                            interventions=r.best.interventions, threshold=50)  # fmt: skip
    assert r.best.probability == e.threshold.p_at_least
    assert r.best.mc_error == e.threshold.p_at_least_mcse
    assert r.best.mean == e.distribution.mean


def test_smp_with_few_runs(sc):
    r = plan(sc, "trade", "smp", ">=50", 0.5, runs=BLOCK_RUNS, seed=1, candidates=["aid", "tie"])
    e = crossroads.ensemble(PATH, "trade", "smp", runs=BLOCK_RUNS, seed=1, interventions=["aid"],
                            threshold=50)  # fmt: skip
    assert r.evaluated == 4
    assert next(p for p in r.packages if p.interventions == ("aid",)).probability == (
        e.threshold.p_at_least
    )


BLOCK_RUNS = 256


def test_budget_is_respected(sc):
    r = plan(sc, "trade", "mean", ">=48", 0.8, runs=RUNS, budget=1.5)
    assert r.budget == 1.5 and all(p.cost <= 1.5 for p in r.packages)
    # every package costing at most 1.5 (aid alone costs 2), and no other
    assert {p.interventions for p in r.packages} == {
        (),
        ("pressure",),
        ("envoy",),
        ("tie",),
        ("pressure", "tie"),
    }
    free = plan(sc, "trade", "mean", ">=48", 0.8, runs=RUNS)
    assert r.best is None or r.best.cost <= 1.5
    assert free.best is not None and free.best.cost > 1.5  # the budget binds here
    assert r.best is None and "within the budget 1.5" in r.reason


def test_frontier_is_sorted_and_non_dominated(sc):
    r = plan(sc, "trade", "mean", ">=50", 0.9, runs=RUNS)
    f = r.frontier
    assert f[0].interventions == ()  # the baseline costs nothing
    assert [p.cost for p in f] == sorted(p.cost for p in f)
    assert all(
        a.probability < b.probability and a.cost < b.cost for a, b in zip(f, f[1:], strict=False)
    )
    for p in f:
        assert not any(
            q.cost <= p.cost and q.probability >= p.probability
            and (q.cost, q.probability) != (p.cost, p.probability)
            for q in r.packages
        )  # fmt: skip
    df = r.to_df()
    assert df["on_frontier"].sum() == len(f) and df["best"].sum() == 1
    assert len(df) == r.evaluated


def test_no_package_meets_the_target(sc):
    r = plan(sc, "trade", "mean", "<=45", 0.8, runs=RUNS)
    assert r.best is None
    assert "no package reaches P(forecast <= 45) >= 0.8" in r.headline()
    assert r.to_dict()["best"] is None and r.to_dict()["reason"] == r.reason


def test_baseline_can_be_the_answer(sc):
    r = plan(sc, "trade", "mean", ">=40", 0.9, runs=RUNS)
    assert r.best is not None and r.best.interventions == () and r.best.cost == 0


def test_a_link_comes_with_its_intervention_and_is_noted(sc):
    r = plan(sc, "trade", "mean", ">=50", 0.8, runs=RUNS, candidates=["tie", "aid"])
    assert r.candidates == ["aid", "tie"]  # the scenario's order
    tie = next(p for p in r.packages if p.interventions == ("tie",))
    base = next(p for p in r.packages if p.interventions == ())
    assert (tie.probability, tie.mean, tie.cost) == (base.probability, base.mean, 0.5)
    assert any(n.startswith("tie alone leaves") for n in r.notes)


# --- refusals ------------------------------------------------------------------------------------
def _text(**replace: str) -> str:
    text = PLAN.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_interventions_without_a_cost_are_listed():
    text = _text(
        **{"    cost: {value: 1, unit: EUR million, source: invented, where: table 1}\n": ""}
    )
    s = parse_scenario_text(text, "nocost.yaml")
    with pytest.raises(CrossroadsError, match=r"interventions without a cost: pressure; give"):
        plan(s, "trade", "mean", ">=50", 0.8, runs=RUNS)
    r = plan(s, "trade", "mean", ">=50", 0.8, runs=RUNS, candidates=["aid", "envoy"])
    assert r.evaluated == 4


def test_mixed_units_are_refused():
    text = _text(**{"value: 0.5, unit: EUR million": "value: 0.5, unit: staff-years"})
    s = parse_scenario_text(text, "units.yaml")
    with pytest.raises(CrossroadsError, match=r"different units \(EUR million, staff-years\)"):
        plan(s, "trade", "mean", ">=50", 0.8, runs=RUNS)


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"candidates": ["aid", "bribe"]}, InterventionError, "unknown intervention 'bribe'"),
        ({"candidates": ["aid", "aid"]}, InterventionError, "'aid' is given twice"),
        ({"probability": 0}, CrossroadsError, r"probability must be a number in \(0, 1\]"),
        ({"probability": 1.2}, CrossroadsError, r"probability must be a number in \(0, 1\]"),
        ({"budget": -1}, CrossroadsError, "budget must be a number >= 0"),
        ({"target": ">=150"}, CrossroadsError, "threshold 150 lies outside the scale"),
        ({"interventions": ["aid"]}, CrossroadsError, "plan chooses the interventions itself"),
        ({"threshold": 3}, CrossroadsError, "plan sets the threshold from its target"),
        ({"issue": "nothing"}, CrossroadsError, "no issue 'nothing'"),
    ],
)
def test_bad_input_is_refused(sc, kwargs, error, message):
    args = {"issue": "trade", "target": ">=50", "probability": 0.8, "runs": 100} | kwargs
    with pytest.raises(error, match=message):
        plan(sc, args.pop("issue"), "mean", args.pop("target"), args.pop("probability"), **args)


# --- more than 12 candidates: the heuristic ------------------------------------------------
def test_heuristic_beyond_twelve_candidates():
    data = yaml.safe_load(PLAN.read_text())
    extra = [
        {"id": f"minor{k}", "name": f"Minor {k}", "cost": {"value": 1, "unit": "EUR million"},
         "edits": [{"issue": "trade", "actor": "d", "shift": {"position": 0.5 + 0.01 * k}}]}
        for k in range(EXHAUSTIVE_MAX - 2)
    ]  # fmt: skip
    data["interventions"] += extra
    s = parse_scenario_text(yaml.safe_dump(data, sort_keys=False), "many.yaml")
    assert len(s.interventions) == EXHAUSTIVE_MAX + 2
    calls = []
    real = executors.make_executor

    def counting(*a, **k):
        calls.append(a)
        return real(*a, **k)

    import crossroads.planning as planning

    planning_make = planning.make_executor
    planning.make_executor = counting
    try:
        r = plan(s, "trade", "mean", ">=50", 0.8, runs=RUNS, seed=3)
    finally:
        planning.make_executor = planning_make
    assert len(calls) == 1  # one executor for every package
    assert r.search == "heuristic" and any("greedy" in n for n in r.notes)
    assert r.evaluated < 2 ** len(s.interventions) // 100
    # on these candidates the exhaustive answer is known: 'aid' alone (see the brute force test)
    small = plan(PATH, "trade", "mean", ">=50", 0.8, runs=RUNS, seed=3)
    assert small.best is not None and r.best is not None
    assert r.best.interventions == small.best.interventions and r.best.cost == small.best.cost
    assert r.to_dict()["search"] == "heuristic"
    budgeted = plan(s, "trade", "mean", ">=50", 0.8, runs=RUNS, seed=3, budget=1)
    assert all(p.cost <= 1 for p in budgeted.packages)


# --- command line ---------------------------------------------------------------------------
def _main(capsys, *args):
    from crossroads.cli import main

    code = main(["plan", PATH, "--issue", "trade", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_schema_and_equality_with_ensemble(capsys):
    code, out, err = _main(capsys, "--target", ">=50", "--probability", "0.8", "--runs", "2000",
                           "--seed", "4", "--json")  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    for key in ("best", "frontier", "target", "probability_required", "model", "runs", "seed",
                "search", "evaluated"):  # fmt: skip
        assert key in d
    assert (d["target"], d["probability_required"], d["model"], d["runs"], d["seed"]) == (
        ">=50",
        0.8,
        "mean",
        2000,
        4,
    )
    assert d["search"] == "exhaustive" and d["evaluated"] == 16
    for obj in [d["best"], *d["frontier"]]:
        assert {"interventions", "cost", "probability", "mc_error"} <= set(obj)
    from crossroads.cli import main

    iv = [a for n in d["best"]["interventions"] for a in ("-i", n)]
    assert main(["ensemble", PATH, "--issue", "trade", *iv, "--runs", "2000", "--seed", "4",
                 "--threshold", "50", "--json", "--no-store"]) == 0  # fmt: skip
    e = json.loads(capsys.readouterr().out)
    assert e["threshold"]["p_at_least"] == d["best"]["probability"]
    assert e["threshold"]["p_at_least_mcse"] == d["best"]["mc_error"]


def test_cli_tables_answer_first(capsys):
    code, out, err = _main(capsys, "--target", ">=50", "--probability", "0.8", "--runs", "1024")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Cheapest package reaching P(forecast >= 50) >= 0.8")
    assert lines[1].startswith("  aid: cost 2 EUR million, P = ")
    assert "Cost-probability frontier" in out and "exhaustive search: 16 packages" in out


def test_cli_nothing_meets_exit_zero(capsys):
    code, out, err = _main(capsys, "--target", ">=50", "--probability", "0.8", "--runs", "1024",
                           "--budget", "1.5")  # fmt: skip
    assert code == 0, err
    assert out.startswith("No package reaches P(forecast >= 50) >= 0.8")
    assert "Why: the highest" in out and "within the budget 1.5" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (("--target", ">=50", "--candidates", "aid,bribe"), "error: unknown intervention 'bribe'"),
        (("--target", "50"), "error: target must be '>=X' or '<=X'"),
        ((), "error: give --target '>=X' or '<=X'"),
        (("--target", ">=50", "--candidates", ","), "error: --candidates is empty"),
    ],
)
def test_cli_bad_input_one_line(capsys, args, message):
    code, out, err = _main(capsys, "--runs", "100", *args)
    assert code == 1 and err.startswith(message) and err.count("\n") == 1, err
