"""fit(): folds by proposal, choices made without the held-out fold, presets saved and reused."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crossroads
from crossroads.cli import main
from crossroads.errors import CrossroadsError, ModelError
from crossroads.evaluation import (
    Candidate,
    Inputs,
    assign_folds,
    cross_validate,
    dimensions,
    evaluate,
    fit,
    issue_set,
    open_source,
    run_model,
    save_fit_preset,
)
from crossroads.evaluation.clustered import cluster_se, paired
from crossroads.evaluation.fitting import _candidate
from crossroads.evaluation.nested import inner_seed, nested_cv, verdict
from crossroads.models import model_names
from crossroads.presets import presets_dir, resolve_params, save_user_preset, user_preset

from conftest import shared


@pytest.fixture(scope="module")
def deu():
    return str(shared("deu", "deu3-dev.tsv"))


@pytest.fixture(scope="module")
def src(deu):
    return open_source(deu)


@pytest.fixture
def presets(tmp_path, monkeypatch):
    root = tmp_path / "presets"
    monkeypatch.setenv("CROSSROADS_PRESETS", str(root))
    return root


SMALL = [
    Candidate(Inputs(capability="council")),
    Candidate(Inputs(capability="equal")),
    Candidate(Inputs(capability="gdp")),
    Candidate(Inputs(capability="council", salience_exponent=0.0)),
    Candidate(Inputs(capability="gdp", salience_exponent=2.0)),
]


# --- folds --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=30),
    k=st.integers(2, 6),
    seed=st.integers(0, 2**31),
)
def test_folds_never_split_a_group(sizes, k, seed):
    k = min(k, len(sizes))
    groups = [f"g{i}" for i, n in enumerate(sizes) for _ in range(n)]
    folds = assign_folds(groups, k, seed)
    assert folds.min() >= 0 and folds.max() < k
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups, strict=True) if h == g}) == 1
    # dealt largest first to the emptiest fold: sizes differ by at most the largest group
    load = np.bincount(folds, minlength=k)
    assert load.max() - load.min() <= max(sizes)
    assert np.array_equal(folds, assign_folds(groups, k, seed))


def test_folds_on_deu3_are_by_proposal(src):
    iset = issue_set(src, Inputs(capability="council"))
    folds = assign_folds(iset.groups, 5, seed=0)
    by_group: dict[str, set[int]] = {}
    for g, f in zip(iset.groups, folds, strict=True):
        by_group.setdefault(g, set()).add(int(f))
    assert len(by_group) == 68 and all(len(v) == 1 for v in by_group.values())
    assert np.bincount(folds).tolist() == [36, 36, 36, 36, 36]
    assert not np.array_equal(folds, assign_folds(iset.groups, 5, seed=1))


def test_fold_errors():
    with pytest.raises(CrossroadsError, match="at least 2 folds, got 1"):
        assign_folds(["a", "b"], 1)
    with pytest.raises(CrossroadsError, match="2 groups \\(proposals\\) cannot fill 3 folds"):
        assign_folds(["a", "a", "b"], 3)


# --- choices use the training folds only --------------------------------------------------


def test_cross_validate_scores_only_held_out_issues():
    """Candidate 0 is best on issues 0-1, candidate 1 on issues 2-3. Chosen on the other
    fold, each fold gets the candidate that is worst for it: out-of-fold MAE 6. Fitting to
    the held-out fold would have given 0.5."""
    errors = np.array([[1.0, 1.0, 10.0, 10.0], [2.0, 2.0, 0.0, 0.0]])
    folds = np.array([0, 0, 1, 1])
    chosen, oof = cross_validate(errors, folds)
    assert chosen.tolist() == [1, 0]
    assert oof.tolist() == [2.0, 2.0, 10.0, 10.0]
    assert oof.mean() == 6.0


def test_fit_chooses_on_training_issues_and_scores_held_out(src):
    r = fit(src, "mean", folds=5, seed=0, space=SMALL)
    iset = issue_set(src, Inputs(capability="council"))
    errs = np.vstack([
        np.abs(run_model("mean", {}, issue_set(src, c.inputs)) - iset.observed) for c in SMALL
    ])  # fmt: skip
    folds = r.per_issue["fold"].to_numpy()
    held_out_would_differ = False
    for f in r.folds:
        test = folds == f.fold
        train_mae = errs[:, ~test].mean(axis=1)
        j = SMALL.index(f.chosen)
        assert j == int(np.argmin(train_mae))
        assert f.test_mae == pytest.approx(errs[j, test].mean())
        assert np.allclose(r.per_issue["error"].to_numpy()[test], errs[j, test])
        held_out_would_differ |= int(np.argmin(errs[:, test].mean(axis=1))) != j
    assert held_out_would_differ  # so the test above can tell the two apart
    assert r.out_of_fold["mae"] == pytest.approx(r.per_issue["error"].mean())
    assert r.in_sample["mae"] == pytest.approx(errs.mean(axis=1).min())
    assert r.best == SMALL[int(np.argmin(errs.mean(axis=1)))]
    oof = r.per_issue
    assert np.allclose((oof["forecast"] - oof["observed"]).abs(), oof["error"])


def test_same_seed_same_numbers(src):
    a = fit(src, "median", folds=4, seed=3, space=SMALL)
    b = fit(src, "median", folds=4, seed=3, space=SMALL)
    assert a.to_dict(per_issue=True) == b.to_dict(per_issue=True)


def test_default_mean_fit_regression(src):
    """The full input grid of the compromise model (seeded regression of the README)."""
    r = fit(src, "mean", folds=5, seed=0)
    assert r.search == "grid" and r.n_candidates == 776
    assert r.default["mae"] == pytest.approx(20.8026, abs=1e-4)  # council, unfitted
    assert r.in_sample["mae"] == pytest.approx(19.7121, abs=1e-4)
    assert r.out_of_fold["mae"] == pytest.approx(20.1740, abs=1e-4)
    base = r.baselines.set_index("label")["mae"]
    assert base["mean (equal)"] == pytest.approx(21.3876, abs=1e-4)
    assert r.out_of_fold["mae"] < base["mean (council)"]
    # nested CV: no inner verdict keeps the fitted inputs, so the honest figure is the
    # default's own, and the verdict is no_better
    assert r.nested["mae"] == pytest.approx(r.default["mae"])
    assert all(nf.chose_default for nf in r.nested_folds)
    assert r.verdict == "no_better" and r.difference == {"mean": 0.0, "se": 0.0}
    assert r.default["se"] == pytest.approx(1.2789, abs=1e-4)
    assert r.out_of_fold["se"] == pytest.approx(1.3300, abs=1e-4)


def test_coordinate_descent_ends_in_a_local_optimum(src):
    r = fit(src, "mean", folds=3, seed=0, search="coordinate")
    assert r.search == "coordinate" and r.n_candidates < 776
    iset = issue_set(src, r.best.inputs)
    best = np.mean(np.abs(run_model("mean", {}, iset) - iset.observed))
    assert best == pytest.approx(r.in_sample["mae"])
    assign = {**r.best.inputs.to_dict()}
    for d in dimensions(src, "mean"):
        for v in d.values:
            cand = _candidate({**assign, d.name: v}, src)
            s = issue_set(src, cand.inputs)
            mae = np.mean(np.abs(run_model("mean", {}, s) - s.observed))
            assert mae >= best - 1e-12, (d.name, v)


def test_combination_weight(src):
    r = fit(src, "mean+median", folds=3, seed=0, what="params")
    assert [c.params for c in (r.best, *[f.chosen for f in r.folds])] != []
    w = r.best.params["weight"]
    iset = issue_set(src, Inputs(capability="council"))
    blend = w * run_model("mean", {}, iset) + (1 - w) * run_model("median", {}, iset)
    assert r.in_sample["mae"] == pytest.approx(np.mean(np.abs(blend - iset.observed)))


def test_fit_on_the_builtin_scenario():
    r = fit("kazakhstan-2010", "mean", folds=2, inner_folds=2, seed=0)
    assert r.n_groups == r.n_issues  # one issue, one group
    assert r.best.inputs.capability is None
    assert r.n_candidates == 4  # the salience exponents


def test_fit_errors(src):
    with pytest.raises(CrossroadsError, match="model 'mean' has no parameters to fit"):
        fit(src, "mean", what="params")
    with pytest.raises(CrossroadsError, match="search must be auto, grid or coordinate"):
        fit(src, "mean", search="random")
    with pytest.raises(CrossroadsError, match="give the presets of a combination's parts"):
        fit(src, "mean+median", preset="x")
    with pytest.raises(ModelError, match="model 'mean' appears twice"):
        fit(src, "mean+mean")
    with pytest.raises(CrossroadsError, match="68 groups \\(proposals\\) cannot fill 80"):
        fit(src, "mean", folds=80, space=SMALL)


# --- presets ------------------------------------------------------------------------------


def test_preset_saved_and_reused(src, deu, presets):
    r = fit(src, "mean", folds=5, seed=0, space=SMALL)
    path = save_fit_preset("deu3-mean", r, force=not r.beats_default)
    assert path == presets / "deu3-mean.json" and presets_dir() == presets
    data = json.loads(path.read_text())
    assert data["model"] == "mean" and data["params"] == {}
    assert data["inputs"] == r.best.inputs.to_dict()
    assert data["fit"]["out_of_fold_mae"] == pytest.approx(r.out_of_fold["mae"])
    ev = evaluate(deu, ["mean", "mean:deu3-mean"])
    row = ev.summary.set_index("label").loc["mean:deu3-mean"]
    assert row["mae"] == pytest.approx(r.in_sample["mae"])
    assert row["inputs"] == r.best.inputs.describe()
    assert resolve_params("mean", "deu3-mean") == {}
    with pytest.raises(ModelError, match="is for model 'mean', not 'median'"):
        resolve_params("median", "deu3-mean")
    with pytest.raises(ModelError, match="carries input choices; a combination"):
        evaluate(deu, ["mean:deu3-mean+median"])
    with pytest.raises(ModelError, match="has no preset 'other'; presets: default"):
        resolve_params("mean", "other")


@pytest.mark.skipif("eum" not in model_names(), reason="eum model not present")
def test_eum_preset_used_by_forecast(presets, capsys):
    save_user_preset("short-eum", "eum", {"rounds": 2, "q": 0.5})
    sc = crossroads.load("kazakhstan-2010")
    issue = sc.issues[0].id
    f = crossroads.forecast(sc, issue, "eum", preset="short-eum")
    assert f.params["rounds"] == 2 and f.params["q"] == 0.5 and f.rounds <= 2
    assert main(["forecast", "kazakhstan-2010", "--issue", issue, "--model", "eum",
                 "--preset", "short-eum", "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["params"]["rounds"] == 2 and len(out["forecast"]) <= 3


def test_preset_errors(presets):
    presets.mkdir()
    (presets / "broken.json").write_text('{"model": "mean",\n  "params": }')
    with pytest.raises(ModelError, match="broken.json, line 2: not valid JSON"):
        resolve_params("mean", "broken")
    (presets / "odd.json").write_text(
        json.dumps({"crossroads_preset": 1, "model": "mean", "params": {"rounds": 3}})
    )
    with pytest.raises(ModelError, match="odd.json\\) sets 'rounds', which model 'mean'"):
        resolve_params("mean", "odd")
    (presets / "old.json").write_text(json.dumps({"model": "mean", "params": {}}))
    with pytest.raises(ModelError, match="old.json: field 'crossroads_preset' must be 1"):
        resolve_params("mean", "old")
    with pytest.raises(ModelError, match="'default' is a built-in preset of model 'mean'"):
        save_user_preset("default", "mean", {})
    with pytest.raises(ModelError, match="preset name 'a b' is not allowed"):
        save_user_preset("a b", "mean", {})
    with pytest.raises(ModelError, match="model 'mean' has no parameter 'rounds'"):
        save_user_preset("x", "mean", {"rounds": 2})
    assert user_preset("missing") is None


def test_combination_cannot_be_saved(src, presets):
    r = fit(src, "mean+median", folds=3, seed=0, what="params")
    with pytest.raises(CrossroadsError, match="'mean\\+median' is a combination"):
        save_fit_preset("blend", r)


def test_cli_fit_save_and_evaluate(deu, presets, capsys):
    code = main(["fit", deu, "--format", "deu3", "--model", "mean", "--what", "inputs",
                 "--folds", "3", "--seed", "1", "--save-preset", "cli-mean", "--force",
                 "--json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["folds"] == 3 and out["seed"] == 1 and out["candidates"] == 776
    assert out["saved_preset"] == str(presets / "cli-mean.json")
    assert len(out["per_fold"]) == 3
    assert out["in_sample"]["mae"] <= out["default"]["mae"]
    assert main(["evaluate", deu, "--model", "mean:cli-mean", "--json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert ev["models"][0]["mae"] == pytest.approx(out["in_sample"]["mae"])
    assert main(["fit", deu, "--model", "ghost"]) == 1
    assert capsys.readouterr().err.startswith("error: unknown model 'ghost'")


def test_refused_candidates_are_never_chosen(src, monkeypatch):
    """A setting the kernel refuses (ModelError) is recorded and skipped, not fatal."""
    import sys
    import types

    from crossroads.models import MODELS, ModelParams, ModelSpec, mean

    class FakeParams(ModelParams):
        boom: bool = False

    def run(c, s, x, *, scale=None, params=None, rng=None):
        if spec.validate(params).boom:
            raise ModelError("boom")
        return mean.run(c, s, x)

    spec = ModelSpec(
        name="fake",
        title="a model that fails when told to",
        params=FakeParams,
        presets={"default": FakeParams()},
        inputs=frozenset({"scalar"}),
        run=run,
    )
    fake = types.ModuleType("crossroads_test_fake_model")
    fake.SPEC = spec
    monkeypatch.setitem(sys.modules, "crossroads_test_fake_model", fake)
    monkeypatch.setitem(MODELS, "fake", "crossroads_test_fake_model")
    r = fit(src, "fake", folds=3, seed=0, what="params")
    assert r.best.params == {"boom": False}
    assert len(r.failures) == 1 and r.failures[0].startswith("fake boom=True (council):")
    assert r.in_sample["mae"] == pytest.approx(20.8026, abs=1e-4)


# --- nested cross-validation, clustered standard errors, the verdict ------------------------

SMALL_HEADER = ["prnr", "isnr", "prname", "proc", "counvte", "intro", "finact", "rp", "out",
                "pcom", "pep", "pde", "pfr", "pnl", "scom", "sep", "sde", "sfr", "snl"]  # fmt: skip
ACTORS = ["com", "ep", "de", "fr", "nl"]


def small_deu3(tmp_path, seed: int, outcome: str = "noise", proposals: int = 14):
    """A DEU III file of ``proposals`` proposals with 1-3 issues each, written here.

    Its GDP row (actors' GDP for ``capability='gdp'``) is made up. Positions and
    saliences are drawn with ``seed``. ``outcome='noise'``: outcomes drawn
    independently of every input, so no candidate can really beat another;
    ``'equal'``: the outcome is the equal-capability, salience-weighted mean of the
    positions (what candidate ``capability='equal'`` forecasts), plus small noise.
    """
    rng = np.random.default_rng(seed)
    lines = ["\t".join(SMALL_HEADER), "\t".join([""] * 9 + ["1", "1", "4", "3", "1"] + [""] * 5)]
    for p in range(proposals):
        for i in range(1 + p % 3):
            pos = rng.integers(0, 101, len(ACTORS))
            sal = rng.integers(10, 101, len(ACTORS))
            if outcome == "noise":
                out = int(rng.integers(0, 101))
            else:
                out = int(np.clip(round((pos * sal).sum() / sal.sum() + rng.normal(0, 2)), 0, 100))
            lines.append("\t".join([
                f"d00{p + 1:03d}", f"d00{p + 1:03d}i{i + 1}", "test", "COD", "QMV", "26-01-00",
                "30-05-01", "0", str(out), *map(str, pos), *map(str, sal),
            ]))  # fmt: skip
    path = tmp_path / f"small-{outcome}-{seed}.tsv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_cluster_se_against_a_hand_computation():
    """values 1, 2, 3, 10 in clusters a, a, b, c: mean 4; cluster sums of deviations
    (1-4)+(2-4) = -5, 3-4 = -1, 10-4 = 6; SE = sqrt(3/2 * (25 + 1 + 36)) / 4."""
    v = np.array([1.0, 2.0, 3.0, 10.0])
    assert cluster_se(v, ["a", "a", "b", "c"]) == pytest.approx(math.sqrt(1.5 * 62) / 4)
    assert cluster_se(v, ["a", "a", "b", "c"]) == pytest.approx(2.41091269)
    # one issue per cluster: the ordinary standard error of the mean
    assert cluster_se(v, ["a", "b", "c", "d"]) == pytest.approx(v.std(ddof=1) / 2)
    # clustering matters: the same values in two clusters of like values
    assert cluster_se(v, ["a", "a", "b", "b"]) > cluster_se(v, ["a", "b", "a", "b"])
    assert math.isnan(cluster_se(v, ["a"] * 4))  # one cluster: no between-cluster spread
    assert cluster_se(np.array([1.0, np.nan, 3.0]), ["a", "b", "c"]) == pytest.approx(1.0)
    d = paired(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 5.0]), ["a", "a", "b"])
    assert d["mean"] == pytest.approx(-1.0)
    # differences -1, 0, -2: mean -1; cluster sums (0) + (1) = 1 and -1; sqrt(2 * 2) / 3
    assert d["se"] == pytest.approx(math.sqrt(2 * 2) / 3)


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=12), seed=st.integers(0, 2**31))
def test_cluster_se_is_the_sandwich_formula(sizes, seed):
    """The cluster-robust variance of an intercept-only regression, written as matrices:
    (X'X)^-1 (sum_g X_g' u_g u_g' X_g) (X'X)^-1 * G/(G-1), with X a column of ones."""
    groups = [f"g{i}" for i, n in enumerate(sizes) for _ in range(n)]
    e = np.random.default_rng(seed).uniform(0, 50, len(groups))
    x = np.ones((len(e), 1))
    u = e - e.mean()
    meat = sum(
        np.outer(x[idx].T @ u[idx], x[idx].T @ u[idx])
        for g in set(groups)
        for idx in [np.array([h == g for h in groups])]
    )
    bread = np.linalg.inv(x.T @ x)
    var = (bread @ meat @ bread)[0, 0] * len(sizes) / (len(sizes) - 1)
    assert cluster_se(e, groups) == pytest.approx(math.sqrt(var))


def test_verdict_rule():
    assert verdict({"mean": -1.0, "se": 0.9}) == "beats_default"
    assert verdict({"mean": -1.0, "se": 1.0}) == "no_better"
    assert verdict({"mean": 0.5, "se": 0.1}) == "no_better"
    assert verdict({"mean": -3.0, "se": math.nan}) == "no_better"


def test_nested_selection_never_sees_an_outer_test_proposal():
    """Instrumented select: every call is recorded; none may include an issue of the
    outer held-out fold it is made for, and the inner held-out fold is left out too."""
    rng = np.random.default_rng(0)
    groups = [f"p{i}" for i in range(12) for _ in range(1 + i % 3)]
    n = len(groups)
    errors = rng.uniform(0, 30, (6, n))
    outer = assign_folds(groups, 4, seed=5)
    calls: list[np.ndarray] = []

    def select(columns):
        calls.append(columns.copy())
        sub = errors[:, columns].mean(axis=1)
        return int(np.argmin(sub))

    outer_chosen = [int(np.argmin(errors[:, outer != f].mean(axis=1))) for f in range(4)]
    nested, folds = nested_cv(
        select, lambda c: errors[c], 0, groups, outer, outer_chosen, 3, 11, assign_folds
    )
    assert len(calls) == 4 * 3
    g = np.asarray(groups)
    for f in range(4):
        test = outer == f
        idx = np.flatnonzero(~test)
        inner = assign_folds(g[idx].tolist(), 3, inner_seed(11, f))
        seen = set()
        for j, cols in enumerate(calls[3 * f : 3 * f + 3]):
            assert not cols[test].any()  # no outer held-out issue, ever
            assert set(g[cols]).isdisjoint(g[test])  # nor any issue of those proposals
            assert not cols[idx[inner == j]].any()  # the inner held-out fold left out
            assert cols[idx[inner != j]].all()  # and every other outer training issue in
            seen |= set(g[cols])
        assert seen == set(g[idx])
        want = outer_chosen[f] if folds[f].inner_verdict == "beats_default" else 0
        assert folds[f].chosen == want
        assert np.array_equal(nested[test], errors[want, test])


def test_nested_through_fit_only_selects_on_training_issues(tmp_path, monkeypatch):
    """The same through ``fit`` (grid search): record every selection ``_best`` makes."""
    from crossroads.evaluation import fitting

    path = small_deu3(tmp_path, 1)
    calls: list[np.ndarray] = []
    real = fitting._best

    def spy(errors, columns):
        calls.append(np.asarray(columns).copy())
        return real(errors, columns)

    monkeypatch.setattr(fitting, "_best", spy)
    r = fit(path, "mean", folds=3, inner_folds=4, seed=2, what="inputs")
    outer = r.per_issue["fold"].to_numpy()
    # plain CV (3), nested inner selections (3 x 4), the fit on all issues (1)
    assert len(calls) == 3 + 3 * 4 + 1
    for f in range(3):
        assert not calls[f][outer == f].any()
        for cols in calls[3 + 4 * f : 3 + 4 * f + 4]:
            assert not cols[outer == f].any() and cols.sum() < (outer != f).sum()
    assert calls[-1].all()
    assert len(r.nested_folds) == 3 and r.inner_k == 4


@pytest.mark.parametrize("data_seed", [1, 2, 3])
def test_noise_candidates_do_not_beat_the_default(tmp_path, data_seed):
    """Outcomes unrelated to every input: 776 candidates are noise. The in-sample (and
    often the plain out-of-fold) MAE still looks better than the default's; nested CV
    and the verdict say no."""
    r = fit(small_deu3(tmp_path, data_seed), "mean", folds=4, inner_folds=4, seed=0)
    assert r.n_candidates == 776 and r.n_groups == 14
    assert r.in_sample["mae"] < r.default["mae"]  # selection flatters the fit
    assert r.verdict == "no_better"
    assert not r.difference["mean"] < -r.difference["se"]
    for key in ("nested", "out_of_fold", "in_sample", "default"):
        assert getattr(r, key)["se"] > 0
    # the reported figures, recomputed issue by issue from the recorded choices
    src = open_source(small_deu3(tmp_path, data_seed))
    iset = issue_set(src, Inputs(capability="council"))
    default_err = np.abs(run_model("mean", {}, iset) - iset.observed)
    fold = r.per_issue["fold"].to_numpy()
    nested_err = np.full(len(iset), np.nan)
    for nf in r.nested_folds:
        forecast = run_model("mean", {}, issue_set(src, nf.chosen.inputs))
        nested_err[fold == nf.fold] = np.abs(forecast - iset.observed)[fold == nf.fold]
    want = paired(nested_err, default_err, iset.groups)
    assert r.nested["mae"] == pytest.approx(nested_err.mean())
    assert r.nested["se"] == pytest.approx(cluster_se(nested_err, iset.groups))
    assert r.difference["mean"] == pytest.approx(want["mean"])
    assert r.difference["se"] == pytest.approx(want["se"])
    assert r.default["se"] == pytest.approx(cluster_se(default_err, iset.groups))


def test_a_real_signal_beats_the_default(tmp_path):
    """Outcomes made by the equal-capability mean: the fit finds it and nested CV agrees."""
    space = [Candidate(Inputs(capability="council")), Candidate(Inputs(capability="equal"))]
    r = fit(small_deu3(tmp_path, 4, "equal"), "mean", folds=4, inner_folds=3, space=space)
    assert r.best == space[1] and r.verdict == "beats_default"
    assert all(not nf.chose_default for nf in r.nested_folds)
    assert r.nested["mae"] < r.default["mae"] - r.default["se"]
    assert r.difference["mean"] < -r.difference["se"] < 0


def test_nested_fit_is_deterministic(tmp_path):
    path = small_deu3(tmp_path, 5)
    a = fit(path, "mean", folds=4, inner_folds=3, seed=7, what="inputs")
    b = fit(path, "mean", folds=4, inner_folds=3, seed=7, what="inputs")
    assert a.to_dict(per_issue=True) == b.to_dict(per_issue=True)
    c = fit(path, "mean", folds=4, inner_folds=3, seed=8, what="inputs")
    assert c.to_dict()["nested"]["per_fold"] != a.to_dict()["nested"]["per_fold"]
    assert inner_seed(7, 0) != inner_seed(7, 1) and inner_seed(7, 0) == inner_seed(7, 0)


def test_inner_folds_errors(tmp_path):
    path = small_deu3(tmp_path, 1, proposals=6)
    with pytest.raises(CrossroadsError, match="outer fold 0 trains on 3 groups \\(proposals\\), "
                       "too few for 4 inner folds; use at most 3 inner folds"):  # fmt: skip
        fit(path, "mean", folds=2, inner_folds=4, what="inputs")
    with pytest.raises(CrossroadsError, match="at least 2 inner folds, got 1"):
        fit(path, "mean", folds=2, inner_folds=1, what="inputs")


def test_cli_saves_a_no_better_fit_only_with_force(tmp_path, presets, capsys):
    path = small_deu3(tmp_path, 2)
    args = ["fit", path, "--format", "deu3", "--outer-folds", "4", "--inner-folds", "3",
            "--what", "inputs", "--save-preset", "noise", "--json"]  # fmt: skip
    assert main(args) == 0
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    assert out["verdict"] == "no_better" and out["saved_preset"] is None
    assert out["preset"] is None
    assert "preset 'noise' not saved" in cap.err and "--force saves it anyway" in cap.err
    assert out["not_saved"] in cap.err
    assert not (presets / "noise.json").exists()
    assert set(out["nested"]) >= {"mae", "se", "per_fold"} and len(out["nested"]["per_fold"]) == 4
    for key in ("out_of_fold", "in_sample", "default"):
        assert {"mae", "se"} <= set(out[key])
    assert set(out["difference"]) == {"mean", "se"}
    assert out["folds"] == 4 and out["inner_folds"] == 3
    assert main([*args, "--force"]) == 0
    forced = json.loads(capsys.readouterr().out)
    assert forced["saved_preset"] == str(presets / "noise.json")
    saved = json.loads((presets / "noise.json").read_text())
    assert saved["fit"]["verdict"] == "no_better"
    assert saved["fit"]["nested_mae"] == pytest.approx(out["nested"]["mae"])
    assert forced["preset"]["inputs"] == saved["inputs"]
    assert main(args[:-1]) == 0  # the table output says the same
    text = capsys.readouterr()
    assert "verdict no_better: no candidate beats the default" in text.out
    assert "honest" in text.out and "optimistic" in text.out
    assert "not saved" in text.err


def test_cli_saves_a_fit_that_beats_the_default(tmp_path, presets, capsys):
    path = small_deu3(tmp_path, 4, "equal")
    assert main(["fit", path, "--outer-folds", "4", "--inner-folds", "3", "--what", "inputs",
                 "--save-preset", "sig", "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "beats_default" and out["not_saved"] is None
    assert out["saved_preset"] == str(presets / "sig.json")
    assert json.loads((presets / "sig.json").read_text())["fit"]["verdict"] == "beats_default"


def test_save_fit_preset_refuses_no_better(tmp_path, presets):
    r = fit(small_deu3(tmp_path, 3), "mean", folds=4, inner_folds=3, what="inputs")
    assert r.verdict == "no_better"
    with pytest.raises(CrossroadsError, match="preset 'x' not saved: verdict no_better"):
        save_fit_preset("x", r)
    assert not presets.exists() or not list(presets.iterdir())
    assert save_fit_preset("x", r, force=True).exists()
