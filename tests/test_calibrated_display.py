"""The calibrated interval shown beside the input-noise one: run, the report, the dashboard API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import crossroads
from crossroads.evaluation.calibrated_display import builtin_interval
from crossroads.evaluation.calibration import builtin_calibration
from crossroads.report import build_report
from crossroads.scenario import load
from crossroads.summary import forecast_table

ROOT = Path(__file__).resolve().parents[1]
MINI = str(ROOT / "tests" / "data" / "mini.yaml")


# --- the interval itself ------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["mean", "median", "eum", "smp"])
def test_builtin_interval_is_the_shipped_calibration(model):
    cal = builtin_calibration(model, 0.9)
    lo, hi = cal.interval(42.0, (0.0, 100.0))
    ci = builtin_interval(model, 42.0, (0.0, 100.0))
    assert ci.available and (ci.lo, ci.hi) == (float(lo), float(hi))
    assert ci.lo < 42.0 < ci.hi and ci.source.startswith("DEU III")
    assert ci.to_dict() == {"level": 0.9, "lo": ci.lo, "hi": ci.hi, "source": ci.source}
    # on a 0-1 scale the interval shrinks with the scale (residuals are in scale widths)
    small = builtin_interval(model, 0.42, (0.0, 1.0))
    assert small.lo == pytest.approx(ci.lo / 100) and small.hi == pytest.approx(ci.hi / 100)


def test_no_calibration_is_said_not_invented():
    for ci, why in (
        (builtin_interval("exchange", 50.0, (0, 100)), "model 'exchange'"),
        (builtin_interval("eum", 50.0, (0, 100), preset="scholz"), "eum:scholz"),
        (builtin_interval("smp", np.array([0.2, 0.4]), (0, 1)), "multi-dimensional"),
    ):
        assert not ci.available and ci.to_dict() is None
        assert ci.text() == "no calibration" and why in ci.reason


def test_parameters_other_than_the_defaults_have_no_calibration():
    from crossroads.models import get_model

    defaults = get_model("eum").validate(None).model_dump()
    assert builtin_interval("eum", 50.0, (0, 100), params=defaults).available
    other = builtin_interval("eum", 50.0, (0, 100), params=defaults | {"rounds": 3})
    assert not other.available and "other than its defaults" in other.reason


# --- ensemble -----------------------------------------------------------------------------------


def test_ensemble_carries_the_point_forecasts_calibrated_interval(tmp_path):
    r = crossroads.ensemble(MINI, None, "mean", runs=1024)
    want = builtin_interval("mean", r.point, r.scale)
    assert want.available and r.calibrated == want
    d = r.to_dict()
    assert (d["calibrated"]["lo"], d["calibrated"]["hi"]) == (want.lo, want.hi)
    assert d["calibrated"]["of"] == "point_forecast" and d["calibrated_reason"] is None
    # rounds other than the default: no borrowed interval
    e = crossroads.ensemble(MINI, None, "eum", runs=1024, rounds=3).to_dict()
    assert e["calibrated"] is None and "other than its defaults" in e["calibrated_reason"]
    out = subprocess.run(
        [sys.executable, "-m", "crossroads", "ensemble", MINI, "--model", "mean", "--runs",
         "1024", "--no-store"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120", "PATH": "/usr/bin:/bin",
             "HOME": str(tmp_path)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "90% interval around the point forecast, calibrated on DEU III" in text
    assert f"{want.lo:.4g}-{want.hi:.4g}" in text and "quantiles above are input noise only" in text


# --- run ----------------------------------------------------------------------------------------


def test_forecast_table_puts_each_interval_after_its_model():
    sc = load(MINI)
    table, _ = forecast_table(sc, ["mean", "median"], interval=0.9)
    cols = list(table.columns)
    assert cols[:6] == ["issue", "status quo", "mean", "mean 90%", "median", "median 90%"]
    exact = {m: crossroads.forecast(sc, sc.issues[0].id, m).outcome for m in ("mean", "median")}
    for m, value in exact.items():
        assert table[f"{m} 90%"].iloc[0] == builtin_interval(m, value, (0, 100)).text()
    plain, _ = forecast_table(sc, ["mean"])
    assert "mean 90%" not in plain.columns


def test_forecast_table_says_no_calibration_for_a_preset():
    table, _ = forecast_table(load("kazakhstan-2010"), ["eum"], interval=0.9, eum="scholz")
    assert set(table["eum 90%"]) == {"no calibration"}


def test_run_prints_calibrated_column_and_labels_input_noise():
    r = subprocess.run(
        [sys.executable, "-m", "crossroads", "run", MINI, "--models", "mean,median",
         "--no-report"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120", "PATH": "/usr/bin:/bin",
             "HOME": str(ROOT)},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "mean 90%" in out and "median 90%" in out
    assert "calibrated on DEU III residuals" in out and "not input noise" in out
    sc = load(MINI)
    table, _ = forecast_table(sc, ["mean"], interval=0.9)
    assert table["mean 90%"].iloc[0] in out
    assert max(len(line) for line in out.splitlines() if "│" in line) <= 120


# --- the report ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_html():
    return build_report(MINI, models=["mean", "eum"], runs=64, seed=2, sensitivity=None).html


def test_report_shows_both_intervals_labelled(report_html):
    html = report_html
    sc = load(MINI)
    iss = sc.issues[0]

    for m in ("mean", "eum"):
        f = crossroads.forecast(sc, iss.id, m)
        text = builtin_interval(m, f.outcome, (iss.scale.min, iss.scale.max)).text()
        assert f"{m} 90%" in html
        assert html.count(text) >= 2  # the glance table, the issue's forecasts and ensemble
    assert "Calibrated 90% (DEU III)" in html
    assert "5%-95% are input noise only" in html
    assert "input noise only (the guessed uncertainty of the stakes" in html
    # the ensemble figure draws the calibrated interval as its own named trace
    assert re.search(r'"name":\s*"mean: calibrated 90% \(DEU III residuals\)"', html)


# --- the dashboard API --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from crossroads.web import Settings, create_app

    app = create_app(Settings(warm=False, store=tmp_path_factory.mktemp("store")))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


def test_explore_and_forecast_carry_the_calibrated_interval(client):
    body = {"scenario": "kazakhstan-2010", "issue": "trade-regime", "model": "mean", "runs": 50}
    r = client.post("/api/explore", json=body).json()
    c = r["calibrated"]
    want = builtin_interval("mean", r["baseline"]["outcome"], (0, 100))
    assert (c["level"], c["lo"], c["hi"]) == (0.9, want.lo, want.hi)
    assert c["source"].startswith("DEU III") and "not input noise" in c["label"]
    assert c["of"] == "baseline" and r["calibrated_reason"] is None
    f = client.post("/api/forecast", json={k: body[k] for k in ("scenario", "issue", "model")})
    assert f.status_code == 200 and f.json()["calibrated"]["lo"] == want.lo
    p = client.post("/api/explore", json=body | {"model": "eum", "preset": "scholz"}).json()
    assert p["calibrated"] is None and "eum:scholz" in p["calibrated_reason"]
    one = {k: body[k] for k in ("scenario", "issue")} | {"model": "eum", "rounds": 3}
    g = client.post("/api/forecast", json=one).json()
    en = client.post("/api/ensemble", json=body).json()
    assert en["calibrated"]["of"] == "point_forecast" and en["calibrated"]["lo"] == want.lo
    assert g["calibrated"] is None and "other than its defaults" in g["calibrated_reason"]
