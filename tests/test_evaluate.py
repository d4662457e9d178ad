"""evaluate(): scores on DEU III and on the built-in scenario, batching, CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import crossroads
from crossroads.cli import main
from crossroads.errors import CrossroadsError, ModelError
from crossroads.evaluation import (
    PAD_SAFE,
    Inputs,
    evaluate,
    issue_set,
    open_source,
    run_model,
    scores,
)
from crossroads.evaluation.issues import IssueSet
from crossroads.models import model_names

from conftest import ROOT, shared


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crossroads", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )


@pytest.fixture(scope="module")
def deu():
    return str(shared("deu", "deu3-dev.tsv"))


def test_salience_weighted_mean_equal_capabilities_mae_21_4(deu):
    """The benchmark of the data README: MAE 21.4 over the 180 issues with an outcome."""
    ev = evaluate(deu, ["mean"], capability="equal")
    row = ev.summary.iloc[0]
    assert row["n"] == 180 and row["missing"] == 0
    assert row["mae"] == pytest.approx(21.4, abs=0.1)


def test_scores_match_the_per_issue_errors(deu):
    ev = evaluate(deu, ["mean", "median"], capability=["council", "equal", "gdp"])
    assert list(ev.summary["label"]) == [
        "mean (council)", "mean (equal)", "mean (gdp)",
        "median (council)", "median (equal)", "median (gdp)",
    ]  # fmt: skip
    for _, row in ev.summary.iterrows():
        e = ev.errors[ev.errors["label"] == row["label"]]
        assert len(e) == 180
        assert np.allclose(e["error"], (e["forecast"] - e["observed"]).abs())
        assert row["mae"] == pytest.approx(e["error"].mean())
        assert row["median_ae"] == pytest.approx(e["error"].median())
        assert row["within_10"] == pytest.approx((e["error"] <= 10).mean())
    wide = ev.per_issue()
    assert wide.shape == (180, 2 + 2 * 6)
    assert wide.loc["d00032i1", "observed"] == 100
    assert set(wide["group"]) == set(ev.errors["group"]) and "d00032" in set(wide["group"])


def test_scores_helper():
    s = scores(np.array([1.0, -3.0, 12.0, np.nan]))
    assert s == {"n": 3, "mae": pytest.approx(16 / 3), "median_ae": 3.0, "within_10": 2 / 3}


@pytest.mark.parametrize("model", sorted(PAD_SAFE))
@pytest.mark.parametrize("capability", ["council", "equal", "gdp"])
def test_padding_is_invariant_for_pad_safe_models(deu, model, capability):
    """Padded batches (one kernel call) equal per-actor-count batches of real actors only."""
    iset = issue_set(open_source(deu), Inputs(capability=capability, salience_exponent=0.5))
    padded = run_model(model, {}, iset, pad=True)
    grouped = run_model(model, {}, iset, pad=False)
    assert np.allclose(padded, grouped, atol=1e-9, rtol=0)


def test_median_pad_never_splits_an_exact_half():
    """Weights 1 and 1 at 40 and 60: the median is 50, with pads or without."""
    iset = IssueSet(
        issues=["a"], groups=["a"], capability=np.array([[1.0, 1.0, 0.0]]),
        salience=np.array([[1.0, 1.0, 0.0]]), position=np.array([[40.0, 60.0, 60.0]]),
        mask=np.array([[True, True, False]]), observed=np.array([50.0]),
        status_quo=np.array([np.nan]), scale=np.array([[0.0, 100.0]]),
    )  # fmt: skip
    assert run_model("median", {}, iset, pad=True)[0] == 50.0
    assert run_model("median", {}, iset, pad=False)[0] == 50.0


@pytest.mark.skipif("eum" not in model_names(), reason="eum model not present")
def test_eum_is_not_pad_safe(deu):
    """Why eum runs grouped by actor count: zero-weight pads change its forecasts."""
    assert "eum" not in PAD_SAFE
    iset = issue_set(open_source(deu), Inputs(capability="council")).subset(np.arange(12))
    params = crossroads.presets.resolve_params("eum", "scholz")
    padded = run_model("eum", params, iset, pad=True)
    grouped = run_model("eum", params, iset, pad=False)
    assert np.nanmax(np.abs(padded - grouped)) > 1.0


def test_builtin_scenario_every_model_matches_the_forecast_api():
    sc = crossroads.load("kazakhstan-2010")
    observed = {i.id: i.observed.value for i in sc.issues if i.observed is not None}
    assert observed, "the built-in scenario records observed outcomes"
    models = model_names()
    ev = evaluate("kazakhstan-2010", models)
    assert list(ev.summary["model"]) == models
    assert set(ev.summary["n"]) == {len(observed)}
    for m in models:
        e = ev.errors[ev.errors["label"] == m].set_index("issue")
        for issue in observed:
            f = crossroads.forecast(sc, issue, m)
            assert e.loc[issue, "forecast"] == pytest.approx(f.outcome, abs=1e-9)
            assert e.loc[issue, "error"] == pytest.approx(f.error, abs=1e-9)


def test_salience_exponent_zero_ignores_salience(deu):
    a = evaluate(deu, ["mean"], capability="equal", salience_exponent=0.0).errors
    iset = issue_set(open_source(deu), Inputs(capability="equal"))
    plain = np.array([iset.position[i, iset.mask[i]].mean() for i in range(len(iset))])
    assert np.allclose(a["forecast"], plain)


def test_errors(deu):
    with pytest.raises(CrossroadsError, match="capability schemes apply to DEU III files; "
                       "'kazakhstan-2010' is a scenario"):  # fmt: skip
        evaluate("kazakhstan-2010", ["mean"], capability="equal")
    with pytest.raises(ModelError, match="unknown model 'oracle'"):
        evaluate(deu, ["oracle"])
    with pytest.raises(ModelError, match="model 'mean' is given twice"):
        evaluate(deu, ["mean", "mean"])
    with pytest.raises(ModelError, match="model 'eum' has no preset 'nope'"):
        evaluate(deu, ["eum:nope"]) if "eum" in model_names() else evaluate(deu, ["mean:nope"])
    with pytest.raises(CrossroadsError, match="unknown format 'ktab'"):
        evaluate(deu, ["mean"], format="ktab")


def test_no_observed_outcomes(tmp_path):
    p = tmp_path / "one.csv"
    p.write_text("Actor,Capability,Position,Salience\nA,1,10,50\nB,1,90,50\n")
    with pytest.raises(CrossroadsError, match="scenario 'one' has no issue with an observed"):
        evaluate(str(p), ["mean"])


# --- CLI ----------------------------------------------------------------------------------


def test_cli_json(deu):
    r = cli("evaluate", deu, "--format", "deu3", "--model", "mean,median", "--capability",
            "equal,gdp", "--json", "--per-issue")  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["source"] == deu and out["within"] == 10
    labels = [m["label"] for m in out["models"]]
    assert labels == ["mean (equal)", "mean (gdp)", "median (equal)", "median (gdp)"]
    assert round(out["models"][0]["mae"], 1) == 21.4
    assert len(out["per_issue"]) == 4 * 180
    assert set(out["per_issue"][0]) == {"label", "issue", "group", "observed", "forecast",
                                        "error", "scale_min", "scale_max"}  # fmt: skip


def test_cli_table_and_per_issue(capsys):
    assert main(["evaluate", "kazakhstan-2010", "--model", "mean", "--per-issue"]) == 0
    out = capsys.readouterr().out
    assert "Forecast error on kazakhstan-2010" in out and "Per issue" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (("--model", "mean,oracle"), "error: unknown model 'oracle'"),
        (("--capability", "votes"), "error: inputs: unknown capability scheme 'votes'; "
         "schemes: council, equal, gdp"),
        (("--format", "ktab"), "error: unknown format 'ktab'; formats: deu3"),
    ],
)  # fmt: skip
def test_cli_errors(deu, args, message, capsys):
    assert main(["evaluate", deu, *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_malformed_file(tmp_path, capsys):
    p = tmp_path / "bad.tsv"
    p.write_text("prnr\tisnr\tproc\tcounvte\tintro\trp\tout\tpde\tsde\n"
                 "d00001\td00001i1\tCOD\tQMV\t26-01-00\t0\t50\tten\t50\n")  # fmt: skip
    assert main(["evaluate", str(p), "--format", "deu3"]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {p}, line 2, field 'pde': must be a number, got 'ten'\n"


@pytest.mark.skipif("smp" not in model_names(), reason="smp model not present")
def test_smp_leaves_out_zero_weight_actors():
    """KTAB's model refuses zero salience or capability: such actors are left out, which
    gives the same forecast as an issue without them; an issue with none left is NaN."""
    from crossroads.evaluation.runner import POSITIVE_WEIGHTS

    assert "smp" in POSITIVE_WEIGHTS
    full = IssueSet(
        issues=["a", "b"], groups=["a", "b"],
        capability=np.array([[1.0, 2.0, 1.0, 3.0], [1.0, 1.0, 0.0, 0.0]]),
        salience=np.array([[0.8, 0.5, 0.0, 0.6], [0.0, 0.0, 0.5, 0.5]]),
        position=np.array([[10.0, 60.0, 90.0, 80.0], [20.0, 30.0, 40.0, 50.0]]),
        mask=np.ones((2, 4), dtype=bool), observed=np.array([50.0, 50.0]),
        status_quo=np.full(2, np.nan), scale=np.tile([0.0, 100.0], (2, 1)),
    )  # fmt: skip
    kept = full.subset([0])
    kept = IssueSet(
        issues=["a"], groups=["a"], capability=kept.capability[:, [0, 1, 3]],
        salience=kept.salience[:, [0, 1, 3]], position=kept.position[:, [0, 1, 3]],
        mask=np.ones((1, 3), dtype=bool), observed=kept.observed, status_quo=kept.status_quo,
        scale=kept.scale,
    )  # fmt: skip
    params = crossroads.presets.resolve_params("smp")
    f = run_model("smp", params, full)
    assert f[0] == pytest.approx(run_model("smp", params, kept)[0], abs=1e-12)
    assert np.isnan(f[1])
