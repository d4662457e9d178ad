"""Conformal calibration: the quantile, coverage on exchangeable data, the split by
proposal, CRPS and Brier scores, the shipped calibration, and the command line."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest

from crossroads.cli import main
from crossroads.errors import CrossroadsError
from crossroads.evaluation.calibrated_scoring import (
    brier,
    calibrate_on,
    evaluate_calibrated,
)
from crossroads.evaluation.calibration import (
    BUILTIN_FIXTURE,
    builtin_calibration,
    builtin_models,
    calibrate,
    conformal_quantile,
    conformal_rank,
    crps,
    scaled_residuals,
    split_by_group,
    threshold_text,
)
from crossroads.evaluation.scoring import evaluate

from conftest import ROOT, shared

RESIDUALS = np.array([0.05, -0.2, 0.1, 0.3, -0.15, 0.4, 0.25, -0.35, 0.02])


@pytest.fixture(scope="module")
def deu():
    return str(shared("deu", "deu3-dev.tsv"))


# --- the conformal quantile ------------------------------------------------------------


def test_conformal_quantile_by_hand():
    """|r| sorted: .02 .05 .10 .15 .20 .25 .30 .35 .40 (n = 9)."""
    # level 0.8: k = ceil(10 x 0.8) = 8 -> .35; 0.9: k = ceil(9.0) = 9 -> .40;
    # 0.5: k = ceil(5.0) = 5 -> .20; 0.95: k = ceil(9.5) = 10 > 9 -> infinite
    assert conformal_rank(9, 0.8) == 8 and conformal_rank(9, 0.9) == 9
    assert conformal_quantile(np.abs(RESIDUALS), 0.8) == pytest.approx(0.35)
    assert conformal_quantile(np.abs(RESIDUALS), 0.9) == pytest.approx(0.40)
    assert conformal_quantile(np.abs(RESIDUALS), 0.5) == pytest.approx(0.20)
    assert conformal_quantile(np.abs(RESIDUALS), 0.95) == math.inf


def test_interval_is_clipped_to_the_scale_and_infinite_quantile_is_the_whole_scale():
    cal = calibrate(RESIDUALS, model="m", level=0.8)
    assert cal.n == 9 and cal.quantile == pytest.approx(0.35)
    lo, hi = cal.interval(np.array([90.0, 40.0]), (0.0, 100.0))
    np.testing.assert_allclose(lo, [55.0, 5.0])
    np.testing.assert_allclose(hi, [100.0, 75.0])
    # on a 1-7 scale the half-width is 0.35 x 6 = 2.1
    lo, hi = cal.interval(2.0, (1.0, 7.0))
    assert (float(lo), float(hi)) == pytest.approx((1.0, 4.1))
    wide = cal.at_level(0.95)
    assert wide.quantile == math.inf
    lo, hi = wide.interval(np.array([30.0]), (0.0, 100.0))
    assert (lo[0], hi[0]) == (0.0, 100.0)


def test_residuals_are_scaled_to_the_width():
    r = scaled_residuals(np.array([60.0, 5.0]), np.array([40.0, 3.0]), np.array([[0, 100], [1, 7]]))
    np.testing.assert_allclose(r, [0.2, 2.0 / 6.0])
    with pytest.raises(CrossroadsError, match="zero width"):
        scaled_residuals(np.array([1.0]), np.array([1.0]), np.array([[5.0, 5.0]]))


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, float("nan"), True])
def test_bad_level(level):
    with pytest.raises(CrossroadsError, match="level"):
        calibrate(RESIDUALS, model="m", level=level)


def test_no_residual_is_an_error():
    with pytest.raises(CrossroadsError, match="no issue has both a forecast"):
        calibrate(np.array([np.nan, np.nan]), model="smp", source="x.tsv")


# --- coverage on exchangeable data -------------------------------------------------------


def _synthetic(n: int, rng: np.random.Generator):
    """Issues on mixed scales whose errors, in scale-width units, are exchangeable."""
    lo = rng.choice([0.0, 1.0, -50.0], n)
    width = rng.choice([100.0, 6.0, 10.0], n)
    forecast = lo + width * rng.uniform(0.2, 0.8, n)
    noise = 0.12 * rng.standard_t(4, n)
    observed = np.clip(forecast + width * noise, lo, lo + width)
    return observed, forecast, np.column_stack([lo, lo + width])


def test_coverage_on_exchangeable_data_is_about_nominal():
    rng = np.random.default_rng(20240611)
    obs, fc, scale = _synthetic(4000, rng)
    groups = [f"g{i}" for i in range(4000)]
    cal_side = split_by_group(groups, seed=1)
    assert cal_side.sum() == 2000
    r = scaled_residuals(obs[cal_side], fc[cal_side], scale[cal_side])
    for level, lo_ok, hi_ok in ((0.9, 0.87, 0.93), (0.5, 0.46, 0.54)):
        cal = calibrate(r, model="m", level=level)
        lo, hi = cal.interval(fc[~cal_side], scale[~cal_side])
        o = obs[~cal_side]
        coverage = float(((o >= lo) & (o <= hi)).mean())
        assert lo_ok <= coverage <= hi_ok, (level, coverage)


def test_too_narrow_interval_fails_the_coverage_window():
    """The same check rejects an interval that is not calibrated: the quantile of the
    residuals at 0.9 without the conformal (n + 1) correction on a tiny set, or a quantile
    taken on a different noise level, covers far less."""
    rng = np.random.default_rng(3)
    obs, fc, scale = _synthetic(2000, rng)
    cal = calibrate(scaled_residuals(obs, fc, scale) / 3, model="m", level=0.9)
    o2, f2, s2 = _synthetic(2000, rng)
    lo, hi = cal.interval(f2, s2)
    assert ((o2 >= lo) & (o2 <= hi)).mean() < 0.87


# --- split by proposal -------------------------------------------------------------------


def test_split_keeps_each_group_on_one_side_and_is_seeded():
    groups = [f"p{i // 3}" for i in range(60)] + [f"q{i}" for i in range(20)]
    a = split_by_group(groups, seed=5)
    for g in set(groups):
        sides = {bool(a[i]) for i, h in enumerate(groups) if h == g}
        assert len(sides) == 1
    assert 0 < a.sum() < len(groups) and abs(int(a.sum()) - len(groups) / 2) <= 3
    np.testing.assert_array_equal(a, split_by_group(groups, seed=5))
    assert not np.array_equal(a, split_by_group(groups, seed=6))


def test_evaluate_split_scores_only_proposals_not_calibrated_on(deu):
    res = evaluate_calibrated(deu, ["mean"], calibration="split", seed=2)
    scored = set(res.per_issue["group"])
    ev = evaluate(deu, ["mean"])
    cal_side = split_by_group(ev.errors["group"].tolist(), seed=2)
    cal_groups = set(ev.errors["group"][cal_side])
    assert scored and cal_groups and not scored & cal_groups
    assert res.calibrations["mean"].n == int(cal_side.sum())
    assert res.summary.loc[0, "n"] + res.calibrations["mean"].n == 180
    # the same seed gives the same numbers
    again = evaluate_calibrated(deu, ["mean"], calibration="split", seed=2)
    assert res.summary.equals(again.summary)


def test_cross_scores_every_issue_once_with_the_other_half_s_calibration(deu):
    """Two-fold cross-conformal: each half is scored with the quantile of the other half,
    so every issue is scored once and never by a calibration that saw its proposal."""
    cross = evaluate_calibrated(deu, ["mean"], calibration="cross", seed=2, threshold=50)
    one = evaluate_calibrated(deu, ["mean"], calibration="split", seed=2, threshold=50)
    per = cross.per_issue
    assert len(per) == 180 and per["issue"].is_unique
    ev = evaluate(deu, ["mean"])
    cal_side = split_by_group(ev.errors["group"].tolist(), seed=2)
    first_half = set(ev.errors["issue"][~cal_side])  # scored by the calibration side
    # the split's scored half is the first half of cross, with the same intervals
    a = per[per["issue"].isin(first_half)].reset_index(drop=True)
    b = one.per_issue.reset_index(drop=True)
    assert a[["issue", "lower", "upper", "covered"]].equals(
        b[["issue", "lower", "upper", "covered"]]
    )
    # the other half's intervals come from a quantile of the first half's residuals
    rest = per[~per["issue"].isin(first_half)]
    r = np.abs(a["observed"] - a["forecast"]) / 100.0  # DEU III issues are 0-100
    q = conformal_quantile(r.to_numpy(), 0.9)
    np.testing.assert_allclose(
        rest["upper"], np.minimum(rest["forecast"] + 100 * q, 100), rtol=0, atol=1e-9
    )
    row = cross.summary.iloc[0]
    assert row["n"] == 180 and row["coverage"] == pytest.approx(per["covered"].mean())
    assert row["brier"] == pytest.approx(
        np.mean((per["p_at_least"] - per["at_least"].astype(float)) ** 2)
    )


def test_calibrated_on_another_file_uses_each_issue_s_own_scale(deu):
    """Kazakhstan issues scored with DEU III residuals: forecast -+ q x own width, clipped."""
    res = evaluate_calibrated("kazakhstan-2010", ["mean"], calibration=deu, level=0.8)
    cal = res.calibrations["mean"]
    assert cal.n == 180 and res.seed is None
    ev = evaluate("kazakhstan-2010", ["mean"]).errors.set_index("issue")
    for _, row in res.per_issue.iterrows():
        lo, hi = ev.loc[row["issue"], ["scale_min", "scale_max"]]
        half = cal.quantile * (hi - lo)
        assert row["lower"] == pytest.approx(max(lo, row["forecast"] - half))
        assert row["upper"] == pytest.approx(min(hi, row["forecast"] + half))
    with pytest.raises(CrossroadsError, match="seed applies to a split"):
        evaluate_calibrated("kazakhstan-2010", ["mean"], calibration=deu, seed=1)


def test_calibration_file_sharing_proposals_is_refused(deu):
    with pytest.raises(CrossroadsError, match="shares 68 proposal"):
        evaluate_calibrated(deu, ["mean"], calibration=deu)


# --- CRPS and Brier ----------------------------------------------------------------------


def test_crps_equals_the_energy_form_and_the_library():
    import scoringrules as sr

    cal = calibrate(np.array([-0.3, -0.1, 0.0, 0.2, 0.6]), model="m")
    fc, obs = np.array([50.0, 90.0]), np.array([70.0, 20.0])
    got = crps(cal, obs, fc, (0.0, 100.0))
    members = np.array([[20, 40, 50, 70, 100], [60, 80, 90, 100, 100]], dtype=float)
    np.testing.assert_allclose(cal.predictive(fc, (0.0, 100.0)), members)
    # CRPS of an empirical distribution: E|X - y| - E|X - X'| / 2 (Gneiting & Raftery 2007)
    hand = [
        np.abs(m - y).mean() - 0.5 * np.abs(m[:, None] - m[None, :]).mean()
        for m, y in zip(members, obs, strict=True)
    ]
    np.testing.assert_allclose(got, hand)
    np.testing.assert_allclose(got, sr.crps_ensemble(obs, members, estimator="nrg"))
    point = calibrate(np.zeros(4), model="m")
    np.testing.assert_allclose(crps(point, obs, fc, (0.0, 100.0)), np.abs(obs - fc))


def test_threshold_probability_and_brier_by_hand():
    cal = calibrate(np.array([-0.2, 0.0, 0.1, 0.3]), model="m")
    fc = np.array([50.0, 20.0])
    # members: 30 50 60 80 -> P(>= 55) = 2/4; 0 20 30 50 -> 0/4
    p = cal.prob_at_least(55.0, fc, (0.0, 100.0))
    np.testing.assert_allclose(p, [0.5, 0.0])
    # a member exactly at the threshold counts: P(>= 60) = 2/4 on the first
    assert cal.prob_at_least(60.0, 50.0, (0.0, 100.0)) == pytest.approx(0.5)
    event = np.array([True, True])
    assert brier(p, event) == pytest.approx(((0.5 - 1) ** 2 + (0 - 1) ** 2) / 2)
    with pytest.raises(CrossroadsError, match="outside an issue's scale"):
        cal.prob_at_least(120.0, fc, (0.0, 100.0))


def test_evaluate_threshold_brier_matches_per_issue(deu):
    res = evaluate_calibrated(deu, ["mean", "median"], calibration="split", threshold=50)
    for _, row in res.summary.iterrows():
        per = res.per_issue[res.per_issue["label"] == row["label"]]
        y = per["observed"].to_numpy() >= 50
        assert (per["at_least"].to_numpy() == y).all()
        assert row["brier"] == pytest.approx(np.mean((per["p_at_least"] - y) ** 2))
        assert row["brier_base"] == pytest.approx(np.mean((row["base_rate"] - y) ** 2))
        assert row["coverage"] == pytest.approx(per["covered"].mean())
        assert row["interval_width"] == pytest.approx((per["upper"] - per["lower"]).mean())


def test_threshold_text_names_both_kinds():
    assert threshold_text(40, input_noise=0.3, calibrated=0.25, calibrated_on="DEU III") == (
        "P(outcome >= 40): input noise: P=0.30, calibrated on DEU III: P=0.25"
    )
    with pytest.raises(CrossroadsError):
        threshold_text(40)


# --- the shipped calibration -------------------------------------------------------------


def test_builtin_calibration_matches_the_shared_file(deu):
    path = ROOT / "src" / "crossroads" / "data" / BUILTIN_FIXTURE
    data = json.loads(path.read_text())
    with open(deu, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == data["provenance"]["sha256"]
    assert builtin_models() == ["mean", "median", "eum", "smp"]
    for model in ("mean", "median"):
        fresh = calibrate_on(deu, model)
        shipped = builtin_calibration(model)
        np.testing.assert_allclose(shipped.residuals, fresh.residuals, atol=1e-6)
        assert shipped.quantile == pytest.approx(fresh.quantile, abs=1e-6)
        assert shipped.n == fresh.n == 180 and shipped.groups == 68


def test_builtin_calibration_unknown_model():
    with pytest.raises(CrossroadsError, match="no built-in calibration for model 'eum:scholz'"):
        builtin_calibration("eum:scholz")


# --- command line ------------------------------------------------------------------------


def test_cli_evaluate_json_keys(deu, capsys):
    args = ["evaluate", deu, "--model", "mean,median", "--calibration", "split",
            "--interval", "0.8", "--threshold", "50", "--seed", "1", "--json"]  # fmt: skip
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["calibration"]["level"] == 0.8 and out["calibration"]["seed"] == 1
    assert "split conformal" in out["calibration"]["method"]
    assert out["threshold"] == 50
    for row in out["models"]:
        for key in ("mae", "crps", "coverage", "interval_width", "quantile", "cal_n",
                    "brier", "brier_base", "base_rate"):  # fmt: skip
            assert key in row and isinstance(row[key], float | int), key
        assert 0.0 <= row["coverage"] <= 1.0 and row["crps"] < row["mae"]


def test_cli_evaluate_table(deu, capsys):
    assert main(["evaluate", deu, "--model", "mean", "--calibration", "split"]) == 0
    out = capsys.readouterr().out
    assert "Calibrated 90% intervals" in out and "coverage" in out and "CRPS" in out


def test_cli_forecast_threshold_uses_the_calibrated_residuals(capsys):
    args = ["forecast", "kazakhstan-2010", "--issue", "trade-regime", "--model", "mean",
            "--calibration", "builtin", "--threshold", "50", "--json"]  # fmt: skip
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    cal = builtin_calibration("mean")
    members = np.clip(out["outcome"] + 100 * cal.residuals, 0, 100)
    assert out["calibration"]["p_at_least"] == pytest.approx((members >= 50).mean())
    lo, hi = out["calibration"]["interval"]
    assert lo <= out["outcome"] <= hi
    assert main(args[:-1]) == 0
    text = capsys.readouterr().out
    assert "Calibrated 90% interval" in text and "P(outcome >= 50): calibrated on" in text


def _no_outcomes(tmp_path):
    p = tmp_path / "undecided.tsv"
    p.write_text("prnr\tisnr\tproc\tcounvte\tintro\trp\tout\tpde\tsde\n"
                 "d00001\td00001i1\tCOD\tQMV\t26-01-00\t0\t\t40\t50\n")  # fmt: skip
    return str(p)


@pytest.mark.parametrize(
    "extra,message",
    [
        (("--calibration", "NOFILE"), "error: calibration set: "),
        (("--calibration", "UNDECIDED"), "error: calibration set: "),
        (("--calibration", "split", "--interval", "1.2"), "error: interval level must lie"),
        (("--calibration", "split", "--threshold", "150"), "error: threshold 150 lies outside"),
        (("--threshold", "50"), "error: --threshold needs --calibration"),
        (("--calibration", "SAME"), "error: the calibration set"),
        (("--interval", "0.8"), "error: --interval needs --calibration"),
        (("--seed", "3"), "error: --seed needs --calibration"),
        (("--calibration", "UNDECIDED", "--seed", "3"), "error: --seed applies to"),
    ],
)  # fmt: skip
def test_cli_bad_calibration_is_one_line(deu, tmp_path, capsys, extra, message):
    subst = {"NOFILE": str(tmp_path / "missing.tsv"), "UNDECIDED": _no_outcomes(tmp_path),
             "SAME": deu}  # fmt: skip
    args = ["evaluate", deu, "--model", "mean", *[subst.get(a, a) for a in extra]]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    if extra == ("--calibration", "UNDECIDED"):
        assert "no issue with an observed outcome" in err and "undecided.tsv" in err


def test_cli_forecast_errors(capsys):
    base = ["forecast", "kazakhstan-2010", "--issue", "trade-regime"]
    assert main([*base, "--threshold", "50"]) == 1
    assert capsys.readouterr().err.startswith("error: --threshold needs --calibration")
    assert main([*base, "--interval", "0.5"]) == 1
    assert capsys.readouterr().err.startswith("error: --interval needs --calibration")
    assert main([*base, "--model", "eum", "--preset", "scholz", "--calibration", "builtin"]) == 1
    assert "no built-in calibration for model 'eum:scholz'" in capsys.readouterr().err
