"""Sensitivity: Sobol indices against a closed form, the tornado, plain words, errors, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import crossroads
from crossroads.errors import CrossroadsError
from crossroads.models import model_names
from crossroads.scenario.yaml_loader import parse_scenario_text

from conftest import ROOT

SMALL = str(ROOT / "tests" / "data" / "ensemble-small.yaml")

# Four actors; weights w = capability x salience = 2, 2, 1, 3; positions uniform on ranges of
# widths 20, 10, 30, 5. Only positions vary (fields=("position",)).
LINEAR = """
crossroads: 1
id: linear
title: A linear forecast
actors:
  - {id: a, name: A, kind: state}
  - {id: b, name: B, kind: state}
  - {id: c, name: C, kind: state}
  - {id: d, name: D, kind: state}
issues:
  - id: x
    title: X
    question: Where?
    stakes:
      - {actor: a, capability: 4, salience: 0.5, position: 50,
         uncertainty: {position: {range: [40, 60]}}}
      - {actor: b, capability: 2, salience: 1.0, position: 15,
         uncertainty: {position: {range: [10, 20]}}}
      - {actor: c, capability: 1, salience: 1.0, position: 65,
         uncertainty: {position: {range: [50, 80]}}}
      - {actor: d, capability: 3, salience: 1.0, position: 72,
         uncertainty: {position: {range: [70, 75]}}}
"""
W = np.array([2.0, 2.0, 1.0, 3.0])
WIDTH = np.array([20.0, 10.0, 30.0, 5.0])


@pytest.fixture(scope="module")
def linear():
    return parse_scenario_text(LINEAR, "linear.yaml")


def test_sobol_matches_the_closed_form(linear):
    # The mean model's forecast is f = sum_i w_i x_i / sum_j w_j, linear in independent x_i with
    # var(x_i) = width_i^2 / 12. So var f = sum_i (w_i/W)^2 var_i and the first-order index of x_i
    # is S1_i = w_i^2 var_i / sum_j w_j^2 var_j; with no interactions the total index equals it.
    # Here w^2 width^2 = 1600, 400, 900, 225 (sum 3125): S = 0.512, 0.128, 0.288, 0.072.
    expected = W**2 * WIDTH**2 / 12
    expected /= expected.sum()
    r = crossroads.sensitivity(linear, "x", "mean", samples=4096, seed=3, fields=("position",))
    t = r.table.set_index("actor")
    np.testing.assert_allclose(t.loc[["a", "b", "c", "d"], "S1"], expected, atol=0.03)
    np.testing.assert_allclose(t.loc[["a", "b", "c", "d"], "ST"], expected, atol=0.03)
    assert list(r.table["actor"]) == ["a", "c", "b", "d"]  # ranked by total index
    assert r.model_runs == 4096 * (4 + 2)
    var_f = float(np.sum((W / W.sum()) ** 2 * WIDTH**2 / 12))
    assert r.variance == pytest.approx(var_f, rel=0.05)
    text = r.summary_text()
    assert text.startswith("The 3 inputs that matter most are A's position (total index 0.5")
    assert text.index("C's position") < text.index("B's position")
    assert "D's position" not in text


def test_tornado_matches_the_closed_form(linear):
    # One at a time, x_i from its 5% to its 95% quantile (0.9 of its width) moves the forecast by
    # w_i / W x 0.9 width_i exactly.
    r = crossroads.sensitivity(linear, "x", "mean", method="oat", fields=("position",))
    t = r.table.set_index("actor")
    np.testing.assert_allclose(
        t.loc[["a", "b", "c", "d"], "swing"], W / W.sum() * 0.9 * WIDTH, rtol=1e-12
    )
    np.testing.assert_allclose(t.loc["a", ["low", "high"]].astype(float), [41.0, 59.0])
    assert list(r.table["actor"]) == ["a", "c", "b", "d"]
    assert r.point == pytest.approx(float(W @ [50, 15, 65, 72] / W.sum()))
    assert r.model_runs == 9
    f0 = float(W @ [50, 15, 65, 72] / W.sum())
    low, high = f0 + W[0] / W.sum() * (41 - 50), f0 + W[0] / W.sum() * (59 - 50)
    assert r.summary_text().startswith(
        f"The 3 inputs that matter most are A's position (forecast {low:.3g} at 41, {f0:.3g} at "
        f"its stake value 50, {high:.3g} at 59: a swing of {high - low:.3g})"
    )


@pytest.mark.parametrize("seed", [0, 5])
def test_same_seed_same_indices_and_intervals(seed):
    # seed 0 included: SALib's bootstrap treats a seed of 0 as "no seed"
    a = crossroads.sensitivity(SMALL, "trade", "mean", samples=256, seed=seed)
    np.random.seed(12345)  # noqa: NPY002 -- numpy's global state must not matter
    b = crossroads.sensitivity(SMALL, "trade", "mean", samples=256, seed=seed)
    c = crossroads.sensitivity(SMALL, "trade", "mean", samples=256, seed=seed + 1)
    assert a.table.equals(b.table)
    assert not a.table.equals(c.table)
    assert len(a.table) == 12 and set(a.table["field"]) == {"position", "salience", "capability"}


def test_flat_forecast_says_so(linear):
    # the median voter stays the same actor whatever the saliences: the forecast never moves
    r = crossroads.sensitivity(
        SMALL, "rights", "median", samples=64, fields=("salience",), default_uncertainty=True
    )
    assert r.variance == 0.0
    assert (r.table["ST"] == 0).all()
    assert r.summary_text() == "The forecast did not vary across the design: no input moves it."


@pytest.mark.skipif("eum" not in model_names(), reason="eum model not present yet")
def test_eum_sensitivity_runs():
    r = crossroads.sensitivity(SMALL, "trade", "eum", samples=64, seed=1)
    assert r.model_runs == 64 * 14 and np.isfinite(r.table["ST"]).all()
    o = crossroads.sensitivity(SMALL, "trade", "eum", method="oat")
    assert (o.table["swing"] >= 0).all() and o.model_runs == 25


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"samples": 1000}, "samples must be a power of 2"),
        ({"samples": 1}, "samples must be a power of 2"),
        ({"method": "morris"}, "unknown method 'morris'; methods: sobol, oat"),
        ({"fields": ("mood",)}, "unknown field 'mood'"),
        ({"seed": -2}, "seed must be a whole number"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(CrossroadsError, match=message):
        crossroads.sensitivity(SMALL, "trade", "mean", **kwargs)


def test_no_uncertain_input_is_an_error(linear):
    with pytest.raises(CrossroadsError, match="issue 'x' has no uncertain input"):
        crossroads.sensitivity(linear, "x", "mean", fields=("salience",), default_uncertainty=False)


def _cli(*args: str, store: str) -> subprocess.CompletedProcess:
    env = {"COLUMNS": "200", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT)}
    env["CROSSROADS_STORE"] = store
    return subprocess.run(
        [sys.executable, "-m", "crossroads", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env=env,
    )


def test_cli_sensitivity(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    r = _cli("sensitivity", SMALL, "--issue", "trade", "--samples", "256", store=store)
    assert r.returncode == 0, r.stderr
    assert "Sobol indices" in r.stdout
    assert "The 3 inputs that matter most are Gamma's capability" in r.stdout
    r = _cli("sensitivity", SMALL, "--issue", "trade", "--method", "oat", "--json", store=store)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["method"] == "oat" and d["inputs"][0]["input"] == "Gamma's capability"
    assert d["summary"].startswith("The 3 inputs that matter most are")
    r = _cli("runs", "list", "--json", store=store)
    assert [x["kind"] for x in json.loads(r.stdout)] == ["sensitivity", "sensitivity"]
    r = _cli("sensitivity", SMALL, "--issue", "trade", "--samples", "100", store=store)
    assert r.returncode == 1
    assert r.stderr == "error: samples must be a power of 2 (e.g. 512, 1024), got 100\n"
