"""What-if comparison on common random numbers: exact zero for a no-op, paired shifts, CLI."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import crossroads
from crossroads.errors import CrossroadsError, InterventionError
from crossroads.models import model_names
from crossroads.uncertainty.sampling import draw_inputs, input_spec

from conftest import ROOT

SMALL = str(ROOT / "tests" / "data" / "ensemble-small.yaml")
MODELS = [m for m in ("mean", "median", "eum") if m in model_names()]


@pytest.fixture(scope="module")
def small():
    return crossroads.load(SMALL)


@pytest.mark.parametrize("model", MODELS)
def test_noop_intervention_gives_exactly_zero_shift(small, model):
    r = crossroads.compare(small, "trade", model, ["noop"], runs=3000, seed=8)
    base, noop = r.baseline, r.variant("noop")
    s = noop.shift
    assert s.mean == 0.0 and s.sd == 0.0 and s.mcse == 0.0
    assert all(q == 0.0 for q in s.quantiles.values())
    assert s.zero == 1.0 and s.above == 0.0 and s.below == 0.0
    assert noop.distribution == base.distribution
    assert not noop.touches_issue
    assert "changes no stake" in noop.describe()


def test_shift_of_a_position_move_is_exact_per_run(small):
    # carrot moves gamma's position by +20 (its scenario-default range moves with it, nothing is
    # clipped), so under the mean model every run's forecast moves by 20 w_gamma / sum w exactly.
    runs = 5000
    r = crossroads.compare(small, "trade", "mean", ["carrot"], runs=runs, seed=4)
    c, s, _ = draw_inputs(input_spec(small, "trade"), 4, 0, runs)
    w = c * s
    g = input_spec(small, "trade").actors.index("gamma")
    per_run = 20 * w[:, g] / w.sum(axis=1)
    shift = r.variant("carrot").shift
    assert shift.mean == pytest.approx(per_run.mean(), rel=1e-12)
    assert shift.sd == pytest.approx(per_run.std(ddof=1), rel=1e-9)
    for p, q in shift.quantiles.items():
        assert abs(q - np.quantile(per_run, p, method="inverted_cdf")) <= shift.resolution
    assert shift.above == 1.0
    base, carrot = r.baseline.distribution, r.variant("carrot").distribution
    assert carrot.mean - base.mean == pytest.approx(shift.mean, abs=1e-9)


def test_common_random_numbers_beat_independent_draws(small):
    r = crossroads.compare(small, "trade", "mean", ["stick"], runs=4000, seed=1)
    paired = r.variant("stick").shift.mcse
    base, stick = r.baseline.distribution, r.variant("stick").distribution
    independent = math.hypot(base.mcse, stick.mcse)
    assert paired < independent / 2  # the shift's own noise, not the two ensembles'


def test_variants_combination_and_added_actor(small):
    r = crossroads.compare(small, "trade", "mean", ["carrot", "stick", "newcomer"], runs=2048)
    names = [v.name for v in r.variants]
    assert names == ["baseline", "carrot", "stick", "newcomer", "carrot + stick + newcomer"]
    combo = r.variant("carrot + stick + newcomer")
    assert combo.interventions == ["carrot", "stick", "newcomer"]
    assert combo.shift.mean > r.variant("carrot").shift.mean
    df = r.to_df()
    assert list(df.index) == names and df.loc["baseline", "shift_mean"] == 0.0
    only = crossroads.compare(small, "trade", "mean", ["carrot", "stick"], combine=False, runs=1024)
    assert [v.name for v in only.variants] == ["baseline", "carrot", "stick"]
    # the newcomer leaves every other actor's draws as they were (uniforms keyed by actor)
    base = input_spec(small, "trade")
    new = input_spec(small, "trade", interventions=["newcomer"])
    b, n = draw_inputs(base, 2, 0, 300), draw_inputs(new, 2, 0, 300)
    for fb, fn in zip(b, n, strict=True):
        assert np.array_equal(fb, fn[:, : len(base.actors)])
    assert new.actors[-1] == "eps"


def test_intervention_on_another_issue_is_flagged(small):
    r = crossroads.compare(small, "rights", "mean", ["carrot"], runs=1024)
    assert not r.variant("carrot").touches_issue
    assert r.variant("carrot").shift.mean == 0.0
    assert r.notes == ["'carrot' changes no stake of issue 'rights'"]


@pytest.mark.parametrize(
    "names,error,message",
    [
        (["bribe"], InterventionError, "no intervention 'bribe' in scenario 'ensemble-small'"),
        (["carrot", "carrot"], InterventionError, "intervention 'carrot' is given twice"),
        ([], CrossroadsError, "give at least one intervention"),
    ],
)
def test_bad_interventions(small, names, error, message):
    with pytest.raises(error, match=message):
        crossroads.compare(small, "trade", "mean", names, runs=10)


def test_cli_compare(tmp_path):
    env = {
        "COLUMNS": "220",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "CROSSROADS_STORE": str(tmp_path / "runs.sqlite"),
    }

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "crossroads", "compare", SMALL, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
            env=env,
        )

    r = cli("--issue", "trade", "-i", "carrot", "-i", "noop", "--runs", "2000")
    assert r.returncode == 0, r.stderr
    assert "Forecast by variant" in r.stdout
    assert "carrot raises the forecast by" in r.stdout
    assert "noop: changes no stake of this issue (shift 0 in every run)." in r.stdout
    r = cli("--issue", "trade", "-i", "carrot", "--runs", "2000", "--json")
    d = json.loads(r.stdout)
    api = crossroads.compare(SMALL, "trade", "mean", ["carrot"], runs=2000)
    assert d["variants"][1]["shift"]["mean"] == api.variant("carrot").shift.mean
    r = cli("--issue", "trade", "-i", "bribe")
    assert r.returncode == 1 and r.stderr.startswith("error: no intervention 'bribe'")
    assert r.stderr.count("\n") == 1
    r = cli("--issue", "trade")
    assert r.returncode == 1
    # one error line, after the table of the scenario's interventions on stdout
    assert r.stderr.startswith("error: give at least one --intervention ID to compare")
    assert r.stderr.count("\n") == 1 and "carrot" in r.stdout


def test_builtin_scenario_interventions(tmp_path):
    sc = crossroads.load("kazakhstan-2010")
    assert sc.interventions
    iv = sc.interventions[0]
    issue = iv.edits[0].issue
    r = crossroads.compare(sc, issue, "mean", [iv.id], runs=2048)
    assert r.variant(iv.id).touches_issue
    assert r.variant(iv.id).shift.n == 2048


def test_intervention_overview_and_run_command(small, capsys, monkeypatch):
    from crossroads.cli import main
    from crossroads.uncertainty.what_if import intervention_overview

    df = intervention_overview(small, "mean", runs=1024).set_index("intervention")
    assert list(df.index) == ["carrot", "stick", "noop", "newcomer"]  # all edit issue 'trade'
    assert (df["issue"] == "trade").all()
    assert df.loc["noop", "shift"] == 0.0 and df.loc["carrot", "shift"] > 0
    direct = crossroads.compare(small, "trade", "mean", ["carrot"], runs=1024)
    assert df.loc["carrot", "shift"] == pytest.approx(direct.variant("carrot").shift.mean)
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["run", SMALL, "--models", "mean,median", "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "Interventions against the baseline (mean, mean forecast over 1,024 draws" in out
    assert "newcomer" in out
