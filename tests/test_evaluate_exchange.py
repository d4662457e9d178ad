"""The exchange model scored on real decisions: one run per package (DEU III proposal, or a
scenario's linked set), checked against the kernel called directly on the same arrays."""

from __future__ import annotations

import json

import numpy as np
import pytest

import crossroads
from crossroads.cli import main
from crossroads.evaluation import (
    Candidate,
    Inputs,
    dimensions,
    evaluate,
    fit,
    issue_set,
    open_source,
    run_model,
)
from crossroads.evaluation.issues import IssueSet
from crossroads.evaluation.linked_runs import package_arrays, packages
from crossroads.models import exchange

from conftest import shared

# Three actors (aligned columns a, b, c). Proposal p1: two issues on which a and b sit at
# opposite ends and value them crosswise (a cares for issue 1, b for issue 2), so a trade
# is forced; c has a stake on the first issue only. p2: one issue. p3: two issues of the
# same shape as p1 with other numbers (batched with p1, never bargained with it).
ISSUES = ["p1i1", "p1i2", "p2i1", "p3i1", "p3i2"]
GROUPS = ["p1", "p1", "p2", "p3", "p3"]
MASK = np.array(
    [
        [True, True, True],
        [True, True, False],
        [True, True, True],
        [True, True, True],
        [True, True, False],
    ]
)
CAP = np.array([[1.0, 2.0, 1.0], [1.0, 2.0, 0], [3.0, 1.0, 2.0], [2.0, 1.0, 1.0], [2.0, 1.0, 0]])
SAL = np.array([[0.8, 0.2, 0.5], [0.2, 0.8, 0], [0.5, 0.9, 0.3], [0.3, 0.9, 0.6], [0.7, 0.1, 0]])
POS = np.array(
    [[0.0, 100.0, 40.0], [0.0, 100.0, 0], [10.0, 70.0, 30.0], [90.0, 20.0, 60.0], [80.0, 0.0, 0]]
)


def hand_set() -> IssueSet:
    top = np.where(MASK, POS, -np.inf).max(axis=1)
    return IssueSet(
        issues=list(ISSUES), groups=list(GROUPS),
        capability=np.where(MASK, CAP, 0.0), salience=np.where(MASK, SAL, 0.0),
        position=np.where(MASK, POS, top[:, None]), mask=MASK.copy(),
        observed=np.array([50.0, 50.0, 50.0, 50.0, 50.0]), status_quo=np.full(5, np.nan),
        scale=np.tile([0.0, 100.0], (5, 1)),
    )  # fmt: skip


def direct(rows: list[int], **params) -> np.ndarray:
    """The kernel on the issues ``rows`` as one package (actors a, b, c; NaN without a stake),
    its expected outcome after the last round."""
    x = np.where(MASK[rows], POS[rows], np.nan).T[None]  # (1, actors, issues)
    c = np.where(MASK[rows], CAP[rows], 0.0).T[None]
    s = np.where(MASK[rows], SAL[rows], 0.0).T[None]
    res = exchange.run(c, s, x, scale=np.tile([0.0, 100.0], (len(rows), 1)), params=params)
    return res.forecast[0, -1]


def weighted_mean(row: int) -> float:
    w = CAP[row] * SAL[row] * MASK[row]
    return float((w * POS[row]).sum() / w.sum())


def test_a_forced_trade_matches_the_kernel_called_directly():
    f = run_model("exchange", {}, hand_set())
    want = direct([0, 1])
    assert np.allclose(f[:2], want, atol=1e-12, rtol=0)
    # the trade happened: both issues left their weighted means, towards the actor that
    # values each more (b gives ground on issue 1 towards a at 0, a on issue 2 towards b)
    assert f[0] < weighted_mean(0) - 1.0 and f[1] > weighted_mean(1) + 1.0
    res = exchange.run(
        np.where(MASK[:2], CAP[:2], 0).T[None], np.where(MASK[:2], SAL[:2], 0).T[None],
        np.where(MASK[:2], POS[:2], np.nan).T[None], scale=[[0, 100], [0, 100]],
    )  # fmt: skip
    pairs = {(int(i), int(j)) for i, j in zip(res.ex_actor_i, res.ex_actor_j, strict=True)}
    assert pairs and pairs <= {(0, 1), (1, 0)}  # c, on issue 1 only, trades nothing


def test_an_issue_alone_in_its_proposal_gets_the_weighted_mean():
    iset = hand_set()
    f = run_model("exchange", {}, iset)
    assert f[2] == pytest.approx(weighted_mean(2), abs=1e-12)
    assert f[2] == pytest.approx(run_model("mean", {}, iset)[2], abs=1e-12)


def test_grouping_never_mixes_proposals():
    iset = hand_set()
    f = run_model("exchange", {}, iset)
    # p1 and p3 have one shape and run in one batch; each equals its proposal run alone
    assert [r.tolist() for r in packages(iset)] == [[0, 1], [2], [3, 4]]
    for rows in ([0, 1], [2], [3, 4]):
        alone = run_model("exchange", {}, iset.subset(np.array(rows)))
        assert np.allclose(f[rows], alone, atol=1e-12, rtol=0)
        assert np.allclose(f[rows], direct(rows), atol=1e-12, rtol=0)
    # bargaining p1 and p3 as one package would give other numbers
    assert not np.allclose(f[[0, 1, 3, 4]], direct([0, 1, 3, 4]), atol=1e-6)


def test_package_arrays_line_up_actors_across_issues():
    """A scenario's columns are each issue's own stakes: actor numbers line them up."""
    iset = IssueSet(
        issues=["x", "y"], groups=["x", "y"], linked=["x+y", "x+y"],
        capability=np.array([[1.0, 2.0], [3.0, 0.0]]), salience=np.array([[0.5, 0.6], [0.7, 0]]),
        position=np.array([[10.0, 20.0], [30.0, 30.0]]),
        mask=np.array([[True, True], [True, False]]), actors=np.array([[4, 1], [1, -1]]),
        observed=np.array([1.0, 2.0]), status_quo=np.full(2, np.nan),
        scale=np.array([[0.0, 100.0], [0.0, 50.0]]),
    )  # fmt: skip
    actors, c, s, x = package_arrays(iset, np.array([0, 1]))
    assert actors.tolist() == [1, 4]
    assert c.tolist() == [[2.0, 3.0], [1.0, 0.0]]
    assert s.tolist() == [[0.6, 0.7], [0.5, 0.0]]
    assert x[0].tolist() == [20.0, 30.0] and x[1, 0] == 10.0 and np.isnan(x[1, 1])


def test_scenario_source_bargains_over_the_linked_set(tmp_path):
    p = tmp_path / "scored.yaml"
    p.write_text(LINKED_YAML)
    sc = crossroads.load(str(p))
    ev = evaluate(str(p), ["mean", "exchange"]).errors.set_index(["label", "issue"])
    linked = crossroads.forecast_issues(sc, ["trade", "rights"])
    assert abs(linked.forecast[-1, 0] - linked.forecast[0, 0]) > 1.0  # a trade moved it
    for k, iss in enumerate(["trade", "rights"]):
        assert ev.loc[("exchange", iss), "forecast"] == pytest.approx(
            linked.forecast[-1, k], abs=1e-9
        )
        f = crossroads.forecast(sc, iss, "exchange")
        assert ev.loc[("exchange", iss), "forecast"] == pytest.approx(f.outcome, abs=1e-9)
    # 'other' is in no linkage: the weighted mean
    assert ev.loc[("exchange", "other"), "forecast"] == pytest.approx(
        ev.loc[("mean", "other"), "forecast"], abs=1e-12
    )


LINKED_YAML = """\
crossroads: 1
id: scored
title: Two linked issues and a third, with outcomes
sources:
  - id: own
    title: Written for the tests
actors:
  - {id: a, name: Alpha, kind: state}
  - {id: b, name: Beta, kind: state}
  - {id: c, name: Gamma, kind: state}
issues:
  - id: other
    title: Other
    question: Anything?
    stakes:
      - {actor: c, capability: 1, position: 50, salience: 0.5}
      - {actor: a, capability: 2, position: 10, salience: 0.4}
    observed: {value: 30}
  - id: trade
    title: Trade
    question: How open?
    stakes:
      - {actor: b, capability: 1, position: 80, salience: 0.3}
      - {actor: a, capability: 1, position: 20, salience: 0.9}
    observed: {value: 40}
  - id: rights
    title: Rights
    question: How strict?
    scale: {min: 0, max: 10}
    stakes:
      - {actor: a, capability: 1, position: 2, salience: 0.2}
      - {actor: b, capability: 1, position: 9, salience: 0.8}
      - {actor: c, capability: 2, position: 5, salience: 0.5}
    observed: {value: 6}
linkages:
  - id: package
    name: Trade for rights
    issues: [trade, rights]
    source: own
    where: section 1
"""


# --- DEU III ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deu():
    return str(shared("deu", "deu3-dev.tsv"))


def test_deu3_no_rounds_is_the_mean_and_proposals_are_the_packages(deu):
    iset = issue_set(open_source(deu, "deu3"), Inputs(capability="council"))
    assert len(packages(iset)) == len(set(iset.groups)) == 68
    for rows in packages(iset):
        assert len({iset.groups[i] for i in rows}) == 1
    mean = run_model("mean", {}, iset)
    assert np.allclose(run_model("exchange", {"rounds": 0}, iset), mean, atol=1e-9, rtol=0)
    f = run_model("exchange", {}, iset)
    single = np.array([sum(g == iset.groups[i] for g in iset.groups) == 1 for i in range(180)])
    assert np.allclose(f[single], mean[single], atol=1e-9, rtol=0)
    assert np.abs(f[~single] - mean[~single]).max() > 1.0  # trades on multi-issue proposals
    # one proposal checked against the kernel called directly
    rows = next(r for r in packages(iset) if len(r) >= 3)
    _, c, s, x = package_arrays(iset, rows)
    res = exchange.run(c[None], s[None], x[None], scale=iset.scale[rows])
    assert np.allclose(f[rows], res.forecast[0, -1], atol=1e-12, rtol=0)


def test_deu3_random_rate_is_seeded(deu):
    iset = issue_set(open_source(deu, "deu3"), Inputs(capability="council"))
    a = run_model("exchange", {"rate": "random_rate"}, iset, seed=1)
    b = run_model("exchange", {"rate": "random_rate"}, iset, seed=1)
    c = run_model("exchange", {"rate": "random_rate"}, iset, seed=2)
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_cli_evaluate_has_the_exchange_row(deu, capsys):
    assert main(["evaluate", deu, "--format", "deu3", "--model", "mean,exchange", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {m["label"]: m for m in out["models"]}
    assert list(rows) == ["mean", "exchange"]
    ev = evaluate(deu, ["exchange"], format="deu3")
    assert rows["exchange"]["mae"] == pytest.approx(ev.summary.loc[0, "mae"])
    assert rows["exchange"]["n"] == 180 and rows["exchange"]["missing"] == 0
    assert rows["exchange"]["mae"] != pytest.approx(rows["mean"]["mae"])
    assert main(["evaluate", deu, "--format", "deu3", "--model", "mean,exchange"]) == 0
    table = capsys.readouterr().out
    assert any(line.split("│")[1:2] == [" exchange "] for line in table.splitlines()), table


def test_fit_exchange(deu):
    src = open_source(deu, "deu3")
    names = [d.name for d in dimensions(src, "exchange")]
    assert "rounds" in names and "rate" in names and "start" in names
    assert "record_exchanges" not in names and "p" not in names
    space = [
        Candidate(Inputs(capability="council"), {}),
        Candidate(Inputs(capability="council"), {"rounds": 1}),
        Candidate(Inputs(capability="equal"), {"start": "voting"}),
    ]
    res = fit(src, "exchange", space=space, folds=3)
    errs = [
        np.abs(
            run_model("exchange", c.params, issue_set(src, c.inputs)) - res.per_issue["observed"]
        )
        for c in space
    ]
    assert res.default["mae"] == pytest.approx(float(np.mean(errs[0])))
    best = min(range(3), key=lambda k: float(np.mean(errs[k])))
    assert res.best.key == space[best].key
    assert res.in_sample["mae"] == pytest.approx(float(np.mean(errs[best])))
    for f in res.folds:
        test = res.per_issue["fold"].to_numpy() == f.fold
        k = next(i for i, c in enumerate(space) if c.key == f.chosen.key)
        assert f.test_mae == pytest.approx(float(np.mean(errs[k][test])))
