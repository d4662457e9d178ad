"""Ensembles: sampling of uncertain inputs, determinism, streamed summaries vs brute force, CLI."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys

import numpy as np
import pytest

import crossroads
from crossroads.errors import CrossroadsError, InterventionError, ModelError, ScenarioError
from crossroads.models import KernelResult, model_names
from crossroads.scenario.yaml_loader import parse_scenario_text
from crossroads.uncertainty.chunks import final_forecast
from crossroads.uncertainty.sampling import (
    BLOCK,
    FIELDS,
    block_seed,
    check_seed,
    draw_inputs,
    draw_uniforms,
    input_spec,
)
from crossroads.uncertainty.summary import StreamSummary, bands_of

from conftest import ROOT

SMALL = str(ROOT / "tests" / "data" / "ensemble-small.yaml")
C, S, X = (FIELDS.index(f) for f in ("capability", "salience", "position"))


@pytest.fixture(scope="module")
def small():
    return crossroads.load(SMALL)


def _variant(small, **update):
    """The small scenario's text with each ``old`` replaced by ``new``, parsed."""
    text = (ROOT / "tests" / "data" / "ensemble-small.yaml").read_text()
    for old, new in update.items():
        assert old in text
        text = text.replace(old, new)
    return parse_scenario_text(text, "variant.yaml")


# --- randomness ------------------------------------------------------------------------------
def test_block_seed_is_the_spawned_child():
    kids = np.random.SeedSequence(42).spawn(4)
    for b in range(4):
        assert np.array_equal(block_seed(42, b).generate_state(8), kids[b].generate_state(8))


def test_uniforms_do_not_depend_on_how_runs_are_split():
    whole = draw_uniforms(5, 0, 3 * BLOCK + 17, 6)
    cuts = [0, 1, 700, BLOCK, BLOCK + 3, 2 * BLOCK + 1000, 3 * BLOCK + 17]
    pairs = zip(cuts[:-1], cuts[1:], strict=True)
    pieces = np.concatenate([draw_uniforms(5, a, b, 6) for a, b in pairs])
    assert np.array_equal(whole, pieces)
    assert np.array_equal(draw_uniforms(5, 0, 100, 6), whole[:100])
    assert not np.array_equal(draw_uniforms(6, 0, 100, 6), whole[:100])


@pytest.mark.parametrize("bad", [-1, 2**63, 1.5, "7", True, None])
def test_bad_seeds_are_refused(bad):
    with pytest.raises(CrossroadsError, match="seed must be a whole number 0 .. 2\\*\\*63-1"):
        check_seed(bad)


# --- distributions ---------------------------------------------------------------------------
def test_every_kind_of_uncertainty(small):
    spec = input_spec(small, "trade")
    c, s, x = draw_inputs(spec, 1, 0, 40_000)
    a = spec.actors
    alpha, beta, gamma, delta = (a.index(k) for k in ("alpha", "beta", "gamma", "delta"))
    # stake range: uniform 25-45
    assert x[:, alpha].min() >= 25 and x[:, alpha].max() <= 45
    assert abs(x[:, alpha].mean() - 35) < 0.2
    # stake sd: normal around 0.6, sd 0.1, inside 0-1
    assert 0 <= s[:, beta].min() and s[:, beta].max() <= 1
    assert abs(s[:, beta].mean() - 0.6) < 0.005 and abs(s[:, beta].std() - 0.1) < 0.005
    # options with weights 1:2:1
    vals, counts = np.unique(c[:, gamma], return_counts=True)
    assert vals.tolist() == [2.0, 3.0, 5.0]
    np.testing.assert_allclose(counts / counts.sum(), [0.25, 0.5, 0.25], atol=0.01)
    # relative 0.5 on capability 1: uniform 0.5-1.5
    assert c[:, delta].min() >= 0.5 and c[:, delta].max() <= 1.5
    # scenario default plus_minus 5 on positions that have no stake uncertainty
    assert x[:, beta].min() >= 75 and x[:, beta].max() <= 85
    # built-in default: salience +-0.1, capability +-20%
    assert s[:, alpha].min() >= 0.8 and s[:, alpha].max() <= 1.0
    assert c[:, beta].min() >= 6 * 0.8 and c[:, beta].max() <= 6 * 1.2
    origin = spec.inputs_df().set_index(["actor", "field"])["origin"]
    assert origin["alpha", "position"] == "stake"
    assert origin["beta", "position"] == "scenario default"
    assert origin["alpha", "salience"] == "built-in default"


def test_builtin_position_default_is_ten_percent_of_the_scale(small):
    sc = small.model_copy(update={"uncertainty_default": None})
    spec = input_spec(sc, "rights")  # scale 0-10: positions +-1, truncated to the scale
    _, s, x = draw_inputs(spec, 3, 0, 20_000)
    eps, alpha = spec.actors.index("eps"), spec.actors.index("alpha")
    assert x[:, eps].min() >= 9.0 and x[:, eps].max() <= 10.0
    assert x[:, alpha].min() >= 1.0 and x[:, alpha].max() <= 3.0
    assert x[:, alpha].min() < 1.01 and x[:, alpha].max() > 2.99
    assert s[:, eps].min() >= 0.9 and s[:, eps].max() <= 1.0  # salience 1.0 - 0.1, truncated


def test_default_uncertainty_off_keeps_only_what_the_scenario_states(small):
    spec = input_spec(small, "trade", default_uncertainty=False)
    c, s, x = draw_inputs(spec, 3, 0, 500)
    alpha = spec.actors.index("alpha")
    assert np.all(s[:, alpha] == 0.9) and np.all(c[:, alpha] == 4)  # built-in default is off
    assert x[:, alpha].std() > 0  # stake range still applies
    assert x[:, spec.actors.index("beta")].std() > 0  # scenario default still applies
    off = input_spec(small, "trade", fields=("position",))
    c2, s2, _ = draw_inputs(off, 3, 0, 100)
    assert np.all(c2 == c2[0]) and np.all(s2 == s2[0])


def test_zero_width_fixes_a_field(small):
    sc = _variant(small, **{"position: {plus_minus: 5}": "position: {sd: 0}"})
    spec = input_spec(sc, "trade")
    _, _, x = draw_inputs(spec, 3, 0, 100)
    assert np.all(x[:, spec.actors.index("beta")] == 80)
    assert spec.inputs_df().set_index(["actor", "field"])["origin"]["beta", "position"] == "fixed"


def test_intervention_moves_an_absolute_range_with_the_value(small):
    from crossroads.scenario.schema import Edit, Intervention

    iv = Intervention(
        id="push",
        name="push",
        edits=[Edit(issue="trade", actor="alpha", shift={"position": 10})],
    )
    sc = small.model_copy(update={"interventions": [*small.interventions, iv]})
    spec = input_spec(sc, "trade", interventions=["push"])
    _, _, x = draw_inputs(spec, 3, 0, 2000)
    alpha = spec.actors.index("alpha")
    assert x[:, alpha].min() >= 35 and x[:, alpha].max() <= 55
    base = draw_inputs(input_spec(sc, "trade"), 3, 0, 2000)[2][:, alpha]
    np.testing.assert_allclose(x[:, alpha], base + 10)  # same draws, moved


@pytest.mark.parametrize(
    "old,new,message",
    [
        (
            "position: {range: [25, 45]}",
            "position: {range: [25, 145]}",
            "field 'issues[0].stakes[0].uncertainty.position.range': range [25, 145] must lie "
            "within the issue's scale (0-100)",
        ),
        (
            "capability: {options: [2, 3, 5], weights: [1, 2, 1]}",
            "capability: {options: [-2, 3, 5], weights: [1, 2, 1]}",
            "field 'issues[0].stakes[2].uncertainty.capability.options': options [-2, 3, 5] must "
            "lie within capability's range (>= 0)",
        ),
        (
            "salience: {sd: 0.1}",
            "salience: {sd: 0.1, weights: [1]}",
            "field 'issues[0].stakes[1].uncertainty.salience.weights': weights go only with "
            "options",
        ),
        (
            "capability: {relative: 0.5}",
            "capability: {relative: 0.5, plus_minus: 1}",
            "field 'issues[0].stakes[3].uncertainty.capability': give exactly one of: range "
            "[low, high], sd, options, plus_minus, relative",
        ),
        (
            "capability: {relative: 0.5}",
            "capability: {relative: -0.5}",
            "field 'issues[0].stakes[3].uncertainty.capability.relative': must be >= 0",
        ),
    ],
)
def test_uncertainty_validation_messages(small, old, new, message):
    with pytest.raises(ScenarioError) as e:
        _variant(small, **{old: new})
    assert message in str(e.value)


# --- summaries against brute force ---------------------------------------------------------------
@pytest.mark.parametrize("runs", [1, 2, 3, 1000, 2 * BLOCK + 5])
@pytest.mark.parametrize("model", ["mean", "median"])
def test_summary_matches_brute_force(small, runs, model):
    r = crossroads.ensemble(small, "trade", model, runs=runs, seed=11, keep_runs=True)
    v = r.per_run["forecast"].to_numpy()
    d = r.distribution
    assert d.n == runs and d.n_invalid == 0
    for p, q in d.quantiles.items():
        exact = np.quantile(v, p, method="inverted_cdf")
        assert abs(q - exact) <= d.resolution + 1e-12, (p, q, exact)
    assert d.resolution == 100 / 2**17
    assert math.isclose(d.mean, math.fsum(v) / runs, rel_tol=1e-15, abs_tol=1e-12)
    if runs > 1:
        assert math.isclose(d.sd, np.std(v, ddof=1), rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(d.mcse, np.std(v, ddof=1) / math.sqrt(runs), rel_tol=1e-9)
    assert d.min == v.min() and d.max == v.max()
    edges = [0, 40, 70, 100]
    for b, lo, hi in zip(d.bands, edges, edges[1:], strict=False):
        inside = (v >= lo) & ((v < hi) if hi < 100 else (v <= hi))
        assert b.probability == inside.mean()
    assert d.observed_percentile == pytest.approx((v <= 45).mean(), abs=1 / runs)


def test_median_model_quantiles_are_exact_point_masses(small):
    # only saliences and capabilities vary: the weighted median is always an actor's position
    r = crossroads.ensemble(
        small, "trade", "median", runs=3000, seed=2, keep_runs=True,
        fields=("salience", "capability"),
    )  # fmt: skip
    v = r.per_run["forecast"].to_numpy()
    assert set(np.unique(v)) == {35.0, 55.0, 80.0}
    for p, q in r.distribution.quantiles.items():
        assert q == np.quantile(v, p, method="inverted_cdf")  # exact, not within a bin
    assert r.distribution.quantiles[0.95] == 35.0 and r.distribution.max == 80.0


def test_parts_merge_in_any_order():
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 100, 10 * BLOCK + 300)
    values[::97] = np.nan
    rounds = np.zeros(len(values), dtype=int)
    edges = np.array([0.0, 50.0, 100.0])

    def summary(order, size):
        acc = StreamSummary(0, 100, len(values), edges)
        starts = list(range(0, len(values), size))
        parts = [
            StreamSummary.part(values[a : a + size], rounds[a : a + size], a, 0, 100, edges)
            for a in starts
        ]
        for i in order(len(parts)):
            acc.add(parts[i])
        return acc.distribution(["low", "high"])

    a = summary(lambda n: range(n), BLOCK)
    b = summary(lambda n: random.Random(1).sample(range(n), n), 3 * BLOCK)
    c = summary(lambda n: reversed(range(n)), 16 * BLOCK)
    assert a == b == c
    assert a.n_invalid == np.isnan(values).sum()
    assert a.mean == pytest.approx(np.nanmean(values), rel=1e-15)


def test_memory_does_not_grow_with_runs():
    small_acc = StreamSummary(0, 100, 10_000)
    big_acc = StreamSummary(0, 100, 10**9)
    assert small_acc.counts.nbytes == big_acc.counts.nbytes
    # per-block accumulators: 24 bytes per 1024 runs
    assert big_acc.block_sum.nbytes + big_acc.block_m2.nbytes + big_acc.block_n.nbytes <= (
        24 * (10**9 // BLOCK + 1)
    )


def test_bands_between_labels():
    assert bands_of(0, 100, {}) == []
    assert bands_of(0, 100, {20: "a", 60: "b"}) == [
        (0.0, 20.0, "0 .. a"),
        (20.0, 60.0, "a .. b"),
        (60.0, 100.0, "b .. 100"),
    ]


def test_forecasts_outside_the_scale_are_a_model_error():
    with pytest.raises(ModelError, match="a forecast of 101 lies outside 0..100"):
        StreamSummary.part(np.array([50.0, 101.0]), np.zeros(2, int), 0, 0, 100, np.empty(0))


def test_multi_dimensional_forecasts_are_refused():
    res = KernelResult(np.zeros((4, 2, 3, 2)), np.zeros((4, 2, 2)), np.zeros(4, int))
    with pytest.raises(ModelError, match="multi-dimensional issues are not supported"):
        final_forecast("smp", res.forecast, res.rounds, 4)


def test_runs_without_a_forecast_are_counted_not_hidden(small):
    sc = _variant(
        small,
        **{
            "      - {actor: alpha, capability: 5, position: 2, salience: 0.7}": (
                "      - {actor: alpha, capability: 5, position: 2, salience: 0.7,\n"
                "         uncertainty: {salience: {options: [0, 1]}}}"
            ),
            "      - {actor: gamma, capability: 2, position: 9, salience: 0.4}": (
                "      - {actor: gamma, capability: 2, position: 9, salience: 0.4,\n"
                "         uncertainty: {salience: {options: [0, 1]}}}"
            ),
            "      - {actor: eps, capability: 1, position: 10, salience: 1.0}": (
                "      - {actor: eps, capability: 1, position: 10, salience: 0,\n"
                "         uncertainty: {salience: {sd: 0}}}"
            ),
        },
    )
    r = crossroads.ensemble(sc, "rights", "mean", runs=8000, seed=4)
    d = r.distribution
    assert d.n + d.n_invalid == 8000
    assert abs(d.n_invalid / 8000 - 0.25) < 0.02  # both saliences drawn as 0
    none = _variant(
        small,
        **{
            f"      - {{actor: {a}, capability: {c}, position: {x}, salience: {s}}}": (
                f"      - {{actor: {a}, capability: {c}, position: {x}, salience: 0}}"
            )
            for a, c, x, s in (("alpha", 5, 2, 0.7), ("gamma", 2, 9, 0.4), ("eps", 1, 10, "1.0"))
        },
    )
    # refused before drawing, as forecast refuses it
    with pytest.raises(ModelError, match="every actor has zero capability x salience"):
        crossroads.ensemble(none, "rights", "mean", runs=100, default_uncertainty=False)


# --- determinism -------------------------------------------------------------------------------
DET_MODELS = [m for m in ("mean", "median", "eum") if m in model_names()]


@pytest.mark.parametrize("model", DET_MODELS)
def test_same_numbers_whatever_the_chunk_size(small, model):
    runs = 3 * BLOCK + 100
    results = [
        crossroads.ensemble(small, "trade", model, runs=runs, seed=99, chunk_size=k, keep_runs=True)
        for k in (1, BLOCK, 2 * BLOCK, None)
    ]
    first = results[0]
    assert first.chunk_size == BLOCK  # 1 is rounded up to a whole block
    for r in results[1:]:
        assert r.distribution == first.distribution
        assert np.array_equal(r.per_run["forecast"], first.per_run["forecast"])
    # a smaller ensemble is the prefix of a larger one
    short = crossroads.ensemble(small, "trade", model, runs=BLOCK + 1, seed=99, keep_runs=True)
    assert np.array_equal(short.per_run["forecast"], first.per_run["forecast"][: BLOCK + 1])
    other = crossroads.ensemble(small, "trade", model, runs=runs, seed=100)
    assert other.distribution.mean != first.distribution.mean


def test_results_api(small):
    r = crossroads.ensemble(small, "trade", "mean", runs=500, seed=1)
    df = r.to_df()
    assert list(df.index[:6]) == ["mean", "q05", "q25", "median", "q75", "q95"]
    assert r.bands_df()["name"].tolist()[0] == "open markets .. balanced"
    with pytest.raises(CrossroadsError, match="per-run forecasts were not kept"):
        r.runs_df()
    d = r.to_dict()
    json.dumps(d)  # plain data
    assert d["uncertain_inputs"] == 12 and d["runs"] == 500 and d["seed"] == 1


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"runs": 0}, CrossroadsError, "runs must be between 1 and"),
        ({"runs": -5}, CrossroadsError, "runs must be between 1 and"),
        ({"runs": 2.5}, CrossroadsError, "runs must be a whole number"),
        ({"seed": -1}, CrossroadsError, "seed must be a whole number"),
        ({"issue": "nothing"}, CrossroadsError, "no issue 'nothing' in scenario 'ensemble-small'"),
        ({"model": "oracle"}, ModelError, "unknown model 'oracle'"),
        ({"interventions": ["bribe"]}, InterventionError, "no intervention 'bribe'"),
        ({"chunk_size": 0}, CrossroadsError, "chunk size must be at least 1"),
        ({"workers": 2, "scheduler": "tcp://x:1"}, CrossroadsError, "not both"),
    ],
)
def test_bad_input_is_refused(small, kwargs, error, message):
    args = {"issue": "trade", "model": "mean", "runs": 10} | kwargs
    issue, model = args.pop("issue"), args.pop("model")
    with pytest.raises(error, match=message):
        crossroads.ensemble(small, issue, model, **args)


def test_eum_peer_file(shared_data):
    assert "eum" in model_names()
    path = shared_data("eum", "ec-emissions-1994.csv")
    r = crossroads.ensemble(str(path), None, "eum", preset="scholz", runs=2000, seed=1)
    d = r.distribution
    assert d.n == 2000 and 4 <= d.quantiles[0.05] <= d.median <= d.quantiles[0.95] <= 10
    assert d.max_rounds >= 1


# --- command line ------------------------------------------------------------------------------
def cli(*args: str, store: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crossroads", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={
            "COLUMNS": "200",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(ROOT),
            "CROSSROADS_STORE": store,
            "PYTHONPATH": str(ROOT / "src"),  # this tree's crossroads, not an installed one
        },
    )


def test_cli_ensemble_json_and_store(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    r = cli("ensemble", SMALL, "--issue", "trade", "--runs", "3000", "--seed", "5", "--json",
            store=store)  # fmt: skip
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    api = crossroads.ensemble(SMALL, "trade", "mean", runs=3000, seed=5)
    assert d["distribution"]["mean"] == api.distribution.mean
    assert d["distribution"]["quantiles"]["0.5"] == api.distribution.median
    assert [b["probability"] for b in d["distribution"]["bands"]] == [
        b.probability for b in api.distribution.bands
    ]
    r = cli("runs", "list", "--json", store=store)
    rows = json.loads(r.stdout)
    assert len(rows) == 1 and rows[0]["kind"] == "ensemble" and rows[0]["seed"] == 5


def test_cli_ensemble_table_and_per_run(tmp_path):
    out = tmp_path / "runs.csv"
    r = cli("ensemble", SMALL, "--issue", "trade", "--runs", "2000", "--per-run", str(out),
            "--no-store", store=str(tmp_path / "s.sqlite"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "Forecast distribution" in r.stdout and "open markets .. balanced" in r.stdout
    assert "12 of 12 inputs uncertain" in r.stdout
    assert "saved as run" not in r.stdout and not (tmp_path / "s.sqlite").exists()
    lines = out.read_text().splitlines()
    assert lines[0] == "run,forecast,rounds" and len(lines) == 2001


@pytest.mark.parametrize(
    "args,message",
    [
        (("--issue", "nothing"), "error: no issue 'nothing' in scenario 'ensemble-small'"),
        (("--issue", "trade", "-i", "bribe"), "error: no intervention 'bribe' in scenario"),
        (("--issue", "trade", "--runs", "0"), "error: runs must be between 1 and 1e+10, got 0"),
        (("--issue", "trade", "--seed", "-3"), "error: seed must be a whole number"),
        (("--issue", "trade", "--model", "oracle"), "error: unknown model 'oracle'"),
        (("--issue", "trade", "--param", "rounds"), "error: --param expects KEY=VALUE"),
    ],
)
def test_cli_bad_input_one_line(args, message, capsys, tmp_path, monkeypatch):
    from crossroads.cli import main

    monkeypatch.setenv("CROSSROADS_STORE", str(tmp_path / "runs.sqlite"))
    code = main(["ensemble", SMALL, *args])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_cli_non_integer_seed_is_a_usage_error(capsys):
    from crossroads.cli import main

    code = main(["ensemble", SMALL, "--issue", "trade", "--seed", "abc", "--no-store"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "--seed" in err


def test_builtin_scenario_cli(tmp_path):
    try:
        sc = crossroads.load("kazakhstan-2010")
    except ScenarioError:
        pytest.skip("built-in scenario not present yet")
    issue = sc.issues[0].id
    r = cli("ensemble", "kazakhstan-2010", "--issue", issue, "--model", "median", "--runs",
            "2000", "--json", store=str(tmp_path / "runs.sqlite"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["issue"] == issue and d["distribution"]["n"] == 2000
    assert len(d["distribution"]["bands"]) == len(sc.issues[0].scale.labels) - 1


def test_progress_bar_on_a_terminal(monkeypatch, tmp_path):
    import io

    from rich.console import Console

    from crossroads.cli import ensemble_cmds, main

    buf = io.StringIO()
    term = Console(file=buf, force_terminal=True, width=120)
    assert term.is_terminal
    monkeypatch.setattr(ensemble_cmds, "console", term)
    seen = []
    real = ensemble_cmds._progress

    def spy(show, what):
        seen.append(show)
        return real(show, what)

    monkeypatch.setattr(ensemble_cmds, "_progress", spy)
    args = ["ensemble", SMALL, "--issue", "trade", "--runs", "5000", "--chunk-size", "1024"]
    assert main([*args, "--store", str(tmp_path / "r.sqlite")]) == 0
    assert seen == [True] and "Forecast distribution" in buf.getvalue()
    assert main([*args, "--json", "--no-store"]) == 0
    assert seen == [True, False]  # never a bar around JSON


def test_stochastic_model_follows_the_ensemble_seed_on_any_chunking():
    """The seed reaches a stochastic model's draws: chunking never changes the numbers, a
    different seed does, and no run repeats another (each block has its own stream)."""
    path = str(ROOT / "tests" / "data" / "mini.yaml")
    kw = dict(model="smp", default_uncertainty=False, runs=2 * 1024 + 100, keep_runs=True,
              state_transitions="Stochastic")  # fmt: skip
    a = crossroads.ensemble(path, seed=1, chunk_size=1024, **kw)
    b = crossroads.ensemble(path, seed=1, chunk_size=2048, **kw)
    c = crossroads.ensemble(path, seed=2, chunk_size=1024, **kw)
    np.testing.assert_array_equal(a.per_run["forecast"], b.per_run["forecast"])
    assert a.distribution == b.distribution
    assert not np.array_equal(a.per_run["forecast"], c.per_run["forecast"])
    f = a.per_run["forecast"].to_numpy()
    assert not np.array_equal(f[:1024], f[1024:2048])
    assert np.unique(f).size > 1  # the inputs are fixed: only the transitions vary


# --- exact threshold probabilities -------------------------------------------------------------
@pytest.mark.parametrize("model", ["mean", "median", "eum"])
def test_threshold_counts_are_exact(small, model):
    runs = 2 * BLOCK + 300
    r = crossroads.ensemble(small, "trade", model, runs=runs, seed=7, keep_runs=True, threshold=45)
    f = r.per_run["forecast"].to_numpy()
    f = f[~np.isnan(f)]
    t = r.threshold
    assert t is not None and t.value == 45.0 and t.n == f.size
    assert t.at_least == int((f >= 45).sum()) and t.at_most == int((f <= 45).sum())
    assert 0 < t.at_least < t.n  # the test must be able to tell >= from <=
    p = (f >= 45).mean()
    assert t.p_at_least == p and t.p_at_least_mcse == math.sqrt(p * (1 - p) / f.size)
    q = (f <= 45).mean()
    assert t.p_at_most == q and t.p_at_most_mcse == math.sqrt(q * (1 - q) / f.size)
    d = r.to_dict()["threshold"]
    assert d["p_at_least"] == p and d["runs_at_most"] == int((f <= 45).sum())
    assert "P(>= 45)" in r.to_df().index
    assert f"P(>= 45) {p:.3f}" in r.headline()


def test_threshold_on_a_point_mass_counts_ties_in_both(small):
    # the median model forecasts an actor's position: many runs equal the threshold exactly
    kw = {"runs": BLOCK, "seed": 3, "fields": ("capability", "salience")}
    f = crossroads.ensemble(small, "trade", "median", keep_runs=True, **kw).per_run["forecast"]
    values, counts = np.unique(f.to_numpy(), return_counts=True)
    x = float(values[np.argmax(counts)])
    ties = int(counts.max())
    assert 0 < ties < BLOCK  # positions are fixed: the forecast is one of them
    t = crossroads.ensemble(small, "trade", "median", threshold=x, **kw).threshold
    assert t.at_least + t.at_most == t.n + ties


@pytest.mark.parametrize("model", ["mean", "eum"])
def test_threshold_same_on_every_chunking(small, model):
    runs = 3 * BLOCK + 100
    shares = {
        crossroads.ensemble(
            small, "trade", model, runs=runs, seed=11, chunk_size=k, threshold=44.5
        ).threshold  # fmt: skip
        for k in (1, BLOCK, 2 * BLOCK, None)
    }
    assert len(shares) == 1
    # and the first n runs of a larger ensemble are the runs of a smaller one
    small_t = crossroads.ensemble(small, "trade", model, runs=BLOCK, seed=11, threshold=44.5)
    whole = crossroads.ensemble(small, "trade", model, runs=BLOCK, seed=11, keep_runs=True)
    assert small_t.threshold.at_least == int((whole.per_run["forecast"] >= 44.5).sum())


def test_no_threshold_no_shares(small):
    r = crossroads.ensemble(small, "trade", "mean", runs=100)
    assert r.threshold is None and r.to_dict()["threshold"] is None
    assert not any(str(s).startswith("P(>=") for s in r.to_df().index)


@pytest.mark.parametrize(
    "value,message",
    [
        (101, r"threshold 101 lies outside the scale of issue 'trade' \(0..100\)"),
        (float("nan"), "threshold must be a finite number"),
        ("high", "threshold must be a finite number"),
        (True, "threshold must be a finite number"),
    ],
)
def test_bad_threshold_is_refused(small, value, message):
    with pytest.raises(CrossroadsError, match=message):
        crossroads.ensemble(small, "trade", "mean", runs=10, threshold=value)


def test_compare_passes_the_threshold_to_every_arm(small):
    from crossroads.uncertainty.what_if import compare

    c = compare(small, "trade", "mean", ["carrot", "stick"], runs=BLOCK, seed=4, threshold=50)
    for v in c.variants:
        alone = crossroads.ensemble(small, "trade", "mean", runs=BLOCK, seed=4, threshold=50,
                                    interventions=v.interventions)  # fmt: skip
        assert v.distribution.threshold == alone.threshold
    d = c.to_dict()
    assert all(v["threshold"]["value"] == 50 for v in d["variants"])
    assert "P(>= 50)" in c.to_df().columns


def test_sensitivity_refuses_a_threshold(small):
    with pytest.raises(CrossroadsError, match="sensitivity does not take a threshold"):
        crossroads.sensitivity(small, "trade", "mean", method="oat", threshold=50)


def test_cli_ensemble_threshold(tmp_path):
    store = str(tmp_path / "runs.sqlite")
    r = cli("ensemble", SMALL, "--issue", "trade", "--runs", "2000", "--seed", "5",
            "--threshold", "45", "--json", "--no-store", store=store)  # fmt: skip
    assert r.returncode == 0, r.stderr
    api = crossroads.ensemble(SMALL, "trade", "mean", runs=2000, seed=5, threshold=45)
    assert json.loads(r.stdout)["threshold"] == api.threshold.to_dict()
    r = cli("ensemble", SMALL, "--issue", "trade", "--runs", "2000", "--seed", "5",
            "--threshold", "45", "--no-store", store=store)  # fmt: skip
    assert "Threshold (exact counts)" in r.stdout and "forecast >= 45" in r.stdout
    assert f"{api.threshold.at_least:,} of 2,000" in r.stdout
