"""fit(): folds by proposal, choices made without the held-out fold, presets saved and reused."""

from __future__ import annotations

import json

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
from crossroads.evaluation.fitting import _candidate
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
    r = fit("kazakhstan-2010", "mean", folds=2, seed=0)
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
    path = save_fit_preset("deu3-mean", r)
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
                 "--folds", "3", "--seed", "1", "--save-preset", "cli-mean", "--json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["folds"] == 3 and out["seed"] == 1 and out["candidates"] == 776
    assert out["saved_preset"] == str(presets / "cli-mean.json")
    assert len(out["per_fold"]) == 3
    assert out["in_sample"]["mae"] <= out["unfitted"]["mae"]
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
