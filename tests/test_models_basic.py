"""The compromise (mean) and weighted-median models: closed-form cases and invariances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crossroads
from crossroads.errors import ModelError
from crossroads.models import get_model, model_names
from crossroads.models.base import as_batch, weighted_median
from crossroads.presets import resolve_params

from conftest import ROOT


def test_mean_by_hand():
    # weights c*s = 45, 64, 28; (45*40 + 64*90 + 28*20) / 137 = 8120 / 137
    res = get_model("mean").run([50, 80, 70], [0.9, 0.8, 0.4], [40, 90, 20])
    assert res.forecast.shape == (1, 1)
    assert res.forecast[0, 0] == pytest.approx(8120 / 137)


def test_median_by_hand():
    # sorted: 20 (w 28), 40 (w 45), 90 (w 64); half of 137 is 68.5; cumulative 28, 73 -> 40
    res = get_model("median").run([50, 80, 70], [0.9, 0.8, 0.4], [40, 90, 20])
    assert res.forecast[0, 0] == 40


def test_median_exact_half_takes_midpoint():
    # two actors of equal weight: every point in [10, 30] is a median; the midpoint is reported
    assert weighted_median(np.array([[1.0, 1.0]]), np.array([[10.0, 30.0]]))[0] == 20


def test_median_batched_matches_single():
    rng = np.random.default_rng(3)
    c, s, x = rng.random((50, 7)), rng.random((50, 7)), rng.random((50, 7)) * 100
    batch = get_model("median").run(c, s, x).forecast[:, 0]
    single = [get_model("median").run(c[i], s[i], x[i]).forecast[0, 0] for i in range(50)]
    np.testing.assert_array_equal(batch, single)
    # brute force: the position minimising the weighted sum of distances (a median minimises it)
    for i in range(50):
        w = c[i] * s[i]
        cost = [np.sum(w * np.abs(x[i] - p)) for p in x[i]]
        assert np.sum(w * np.abs(x[i] - batch[i])) == pytest.approx(min(cost))


def test_ec_emissions_published_values(shared_data):
    sc = crossroads.load(str(shared_data("eum", "ec-emissions-1994.csv")))
    assert crossroads.forecast(sc, model="mean").outcome == pytest.approx(7.38996, abs=1e-5)
    assert crossroads.forecast(sc, model="median").outcome == 7.0


arrays = st.integers(1, 12).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.01, 100), min_size=n, max_size=n),
        st.lists(st.floats(0.01, 1), min_size=n, max_size=n),
        st.lists(st.floats(0, 100), min_size=n, max_size=n),
    )
)


@pytest.mark.parametrize("name", ["mean", "median"])
@settings(max_examples=80, deadline=None)
@given(data=arrays, k=st.floats(0.001, 1000), seed=st.integers(0, 2**32 - 1))
def test_bounds_and_invariances(name, data, k, seed):
    c, s, x = (np.array(a) for a in data)
    run = get_model(name).run
    f = run(c, s, x).forecast[0, 0]
    assert x.min() - 1e-9 <= f <= x.max() + 1e-9
    perm = np.random.default_rng(seed).permutation(len(c))
    assert run(c[perm], s[perm], x[perm]).forecast[0, 0] == pytest.approx(f, abs=1e-9)
    assert run(c * k, s, x).forecast[0, 0] == pytest.approx(f, abs=1e-9)


@pytest.mark.parametrize("name", ["mean", "median"])
def test_degenerate_inputs(name):
    run = get_model(name).run
    assert run([3.0], [0.5], [42.0]).forecast[0, 0] == 42  # one actor
    assert run([1, 2, 3], [0.2, 0.5, 1], [7, 7, 7]).forecast[0, 0] == pytest.approx(7)  # zero range
    # zero salience actors carry no weight
    assert run([1, 5], [0.0, 1.0], [0, 80]).forecast[0, 0] == 80
    # every weight zero: no forecast (NaN) from the kernel, a clear error from the API
    assert np.isnan(run([1, 1], [0, 0], [0, 80]).forecast[0, 0])


def test_api_refuses_all_zero_weights(tmp_path):
    text = (ROOT / "tests" / "data" / "mini.yaml").read_text()
    text = text.replace("salience: 0.9", "salience: 0").replace("salience: 0.8", "salience: 0")
    text = text.replace("salience: 0.4", "salience: 0")
    p = tmp_path / "zero.yaml"
    p.write_text(text)
    with pytest.raises(ModelError, match="every actor has zero capability x salience"):
        crossroads.forecast(str(p), "trade", "mean")


def test_kernel_input_checks():
    with pytest.raises(ModelError, match="must share"):
        as_batch([1, 2], [0.5], [1, 2])
    with pytest.raises(ModelError, match="NaN"):
        as_batch([1, np.nan], [0.5, 0.5], [1, 2])
    with pytest.raises(ModelError, match="salience must lie in 0-1"):
        as_batch([1, 1], [0.5, 2], [1, 2])
    with pytest.raises(ModelError, match="exceed the limit of 10 actors of model 'm'"):
        as_batch(np.ones(11), np.ones(11), np.ones(11), model="m", max_actors=10)
    assert as_batch(np.ones(5000), np.ones(5000), np.ones(5000))[0].shape == (1, 5000)


def test_registry_errors():
    assert {"mean", "median"} <= set(model_names())
    with pytest.raises(ModelError, match="unknown model 'oracle'"):
        get_model("oracle")
    with pytest.raises(ModelError, match="model 'mean' has no parameter 'rounds'"):
        resolve_params("mean", rounds=3)
    with pytest.raises(ModelError, match="model 'mean' has no preset 'scholz'"):
        resolve_params("mean", "scholz")


def test_forecast_result_views():
    f = crossroads.forecast(str(ROOT / "tests" / "data" / "mini.yaml"), "trade", "mean")
    df = f.to_df()
    assert list(df.columns) == ["Kazakhstan", "Russia", "China", "forecast", "weighted_mean"]
    d = f.to_dict()
    for key in (
        "scenario",
        "issue",
        "model",
        "actors",
        "capability",
        "salience",
        "trajectory",
        "forecast",
        "weighted_mean",
    ):
        assert key in d
    assert d["observed"] == 60 and d["error"] == pytest.approx(abs(8120 / 137 - 60))
    assert "<table" in f._repr_html_()


def test_interventions_shift_and_clip():
    path = str(ROOT / "tests" / "data" / "mini.yaml")
    base = crossroads.forecast(path, "trade", "mean").outcome
    moved = crossroads.forecast(path, "trade", "mean", interventions=["carrot"]).outcome
    # kazakhstan moves 40 -> 30 with weight 45 of 137
    assert moved == pytest.approx(base - 10 * 45 / 137)
    with pytest.raises(crossroads.InterventionError, match="no intervention 'stick'"):
        crossroads.forecast(path, "trade", "mean", interventions=["stick"])
