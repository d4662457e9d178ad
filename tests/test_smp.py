"""KTAB's Spatial Model of Politics: reproduction of KTAB's reference runs state by state,
the model's closed-form pieces, its parameters and inputs, and the forecast API on KTAB files.

The first test to run compiles the numba kernel (once per machine: the code is cached).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import crossroads
from crossroads import ModelError
from crossroads.models import smp
from crossroads.models import smp_kernel as K
from ktab_log import read_ktab_log

from conftest import shared

# (CSV file, reference log, actors, dims, steps KTAB ran)
REFERENCE_RUNS = [
    ("dummyData_3Dim.csv", "20170530_ref-dummyData_3Dim.txt", 7, 3, 10),
    ("SOE-Pol-Comp.csv", "20170530_ref-SOE-Pol-Comp.txt", 13, 2, 27),
]


@pytest.mark.parametrize(("csv", "log", "actors", "dims", "steps"), REFERENCE_RUNS)
def test_reproduces_ktab_reference_run_state_by_state(csv, log, actors, dims, steps):
    ref = read_ktab_log(shared("ktab", log), actors, dims)
    f = crossroads.forecast(shared("ktab", csv), model="smp")  # the defaults are KTAB's smpc
    # same number of states: KTAB's stopping rule fired at the same step
    assert f.rounds == steps == ref.states.shape[0] - 1
    assert f.trajectory.shape == ref.states.shape == (steps + 1, actors, dims)
    # every state, every actor, every dimension: within 0.1 of the one-decimal history
    # table, and of the four-decimal positions KTAB logs for each new state
    np.testing.assert_allclose(f.trajectory, ref.history, atol=0.05 + 1e-9)
    np.testing.assert_allclose(f.trajectory, ref.states, atol=1e-3)
    # KTAB's winning probability of each actor's position, per state (printed to 4 decimals)
    res = smp.run(
        f.capability, f.salience, f.trajectory[0], scale=(np.zeros(dims), np.full(dims, 100.0))
    )
    np.testing.assert_allclose(res.win_prob[0], ref.win_prob, atol=5e-5 + 1e-9)
    np.testing.assert_allclose(res.positions[0], f.trajectory)


@pytest.mark.parametrize(
    "csv",
    ["dummyData_6Dim.csv", "dummyData-a040.csv", "dummyData-a080.csv", "dummyData-a160.csv"],
)
def test_other_ktab_files_run_and_converge(csv):
    f = crossroads.forecast(shared("ktab", csv), model="smp")
    traj = f.trajectory if f.trajectory.ndim == 3 else f.trajectory[..., None]
    assert 2 <= f.rounds < smp.SPEC.defaults.rounds
    # KTAB's rule: the last step moved the actors less than 2% as far as the first one
    step = np.linalg.norm(np.diff(traj, axis=0) / 100.0, axis=-1).sum(axis=-1)
    assert step[-1] < 0.02 * (step[0] + 1e-4)
    assert np.all(step[:-1][1:] >= 0.02 * (step[0] + 1e-4)) or f.rounds == 2
    assert np.all((traj >= 0) & (traj <= 100))
    assert np.all(np.isfinite(f.forecast))


def test_pieces_in_closed_form():
    # Linear victory probability: a 2:1 coalition wins 2/3 of the time
    assert K.victory_pair(K.VP_LINEAR, 2.0, 1.0) == pytest.approx((2 / 3, 1 / 3))
    assert K.victory_pair(K.VP_SQUARE, 2.0, 1.0) == pytest.approx((4 / 5, 1 / 5))
    # Conditional PCE of two options with P[0 > 1] = 2/3: p0 = (2/3 * 1/2) / (1/2) = 2/3
    cltn = np.array([[1e-8, 1.0], [2.0, 1e-8]])
    pv, p = np.empty((2, 2)), np.empty(2)
    K.pce(K.VP_LINEAR, K.PCE_CONDITIONAL, cltn, 2, pv, p)
    np.testing.assert_allclose(p, [1 / 3, 2 / 3])
    # utility (1 - d)(1 + d R): d = 0.5, R = 1 gives 0.75; R = -0.5 gives 0.375
    assert K.bs_util(0.5, 1.0) == 0.75 and K.bs_util(0.5, -0.5) == 0.375
    # salience-weighted distance: only the salient dimension counts
    assert K.bv_diff(np.array([0.2, 0.9]), np.array([0.6, 0.1]), np.array([0.5, 0.0])) == (
        pytest.approx(0.4)
    )
    # S2P2 bargain: weights (s P)^2 = 0.09 and 0.01, rounded to 1e-4 on 0-1
    bi, bj = np.empty(1), np.empty(1)
    K._interpolate(K.IVB_S2P2, np.array([0.2]), np.array([0.5]), np.array([0.8]),
                   np.array([0.5]), 0.6, 0.2, bi, bj)  # fmt: skip
    w_i, w_j = 0.09, 0.01
    assert bi[0] == round(((w_i + 1e-6) * 0.2 + w_j * 0.8) / (w_i + 1e-6 + w_j), 4) == 0.26
    assert bj[0] == 0.26


def test_actors_at_one_position_stay_put():
    x = np.full((4, 2), 40.0)
    s = np.full((4, 2), 0.3)
    res = smp.run([1.0, 2.0, 3.0, 4.0], s, x)
    assert res.rounds[0] == 2  # no move; the rule needs two rounds before it may stop
    np.testing.assert_array_equal(res.positions[0], np.broadcast_to(x, (3, 4, 2)))
    np.testing.assert_allclose(res.forecast[0], 40.0)
    np.testing.assert_allclose(res.win_prob[0], 1.0)


def _soe():
    sc = crossroads.load(shared("ktab", "SOE-Pol-Comp.csv"))
    a = sc.arrays()
    return a.capability, a.salience, a.position


def test_batch_threads_scale_and_actor_order_do_not_change_results(monkeypatch):
    c, s, x = _soe()
    one = smp.run(c, s, x)
    rev = smp.run(c[::-1], s[::-1], x[::-1])
    # no result depends on the order of the actors
    np.testing.assert_allclose(rev.positions[0][:, ::-1], one.positions[0], atol=1e-9)
    # the same positions on a 0-1 scale
    unit = smp.run(c, s, x / 100.0, scale=(0.0, 1.0))
    np.testing.assert_allclose(unit.positions * 100.0, one.positions, atol=1e-9)
    # a batch, computed on two threads, equals its runs computed one by one
    monkeypatch.setattr(smp, "THREADS", 2)
    cb = np.stack([c, c * 2.0, c[::-1]])
    sb = np.stack([s, s, s])
    xb = np.stack([x, x, x])
    batch = smp.run(cb, sb, xb)
    for r in range(3):
        alone = smp.run(cb[r], sb[r], xb[r])
        t = int(alone.rounds[0])
        assert batch.rounds[r] == t
        np.testing.assert_array_equal(batch.positions[r, : t + 1], alone.positions[0])


def test_one_dimensional_input_gives_one_dimensional_output():
    c, s, x = _soe()
    res = smp.run(np.stack([c, c]), np.stack([s[:, 0], s[:, 0]]), np.stack([x[:, 0], x[:, 0]]))
    assert res.positions.ndim == 3 and res.forecast.ndim == 2
    assert res.positions.shape[0] == 2 and res.positions.shape[2] == len(c)


def test_stochastic_transitions_follow_the_seed():
    c, s, x = _soe()
    st = {"state_transitions": "Stochastic", "rounds": 15}
    a = smp.run(c, s, x, params=st, rng=np.random.default_rng(7))
    b = smp.run(
        c, s, x, params={"state_transitions": "stochastic", "rounds": 15},
        rng=np.random.default_rng(7),
    )  # fmt: skip
    other = smp.run(c, s, x, params=st, rng=np.random.default_rng(8))
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.positions.shape != other.positions.shape or not np.array_equal(
        a.positions, other.positions
    )
    # the first run of a batch draws what a batch of one draws, whatever follows it
    batch = smp.run(np.stack([c, c]), np.stack([s, s]), np.stack([x, x]), params=st,
                    rng=np.random.default_rng(7))  # fmt: skip
    t = int(a.rounds[0])
    np.testing.assert_array_equal(batch.positions[0, : t + 1], a.positions[0])


@pytest.mark.parametrize("name", sorted(set(smp.CHOICES) - {"state_transitions"}))
def test_every_named_option_runs(name):
    c, s, x = _soe()
    for value in smp.CHOICES[name]:
        res = smp.run(c, s, x, params=dict({name: value}, rounds=6))
        assert np.all(np.isfinite(res.positions)) and np.all(np.isfinite(res.forecast))
        assert np.all((res.positions >= 0) & (res.positions <= 100))
        np.testing.assert_allclose(res.win_prob.sum(axis=-1) >= 1 - 1e-9, True)


def test_options_change_the_outcome():
    c, s, x = _soe()
    base = smp.run(c, s, x).positions[0, -1]
    for kw in ({"bargain_model": "PWCompInterp"}, {"pce_model": "MarkovIncentive"},
               {"voting_rule": "Binary"}, {"big_r_adjust": "Full"}):  # fmt: skip
        assert not np.allclose(smp.run(c, s, x, params=kw).positions[0, -1], base), kw


def test_round_cap_and_tolerance():
    c, s, x = _soe()
    assert smp.run(c, s, x, params={"rounds": 3}).rounds[0] == 3
    assert smp.run(c, s, x, params={"rounds": 0}).positions.shape == (1, 1, 13, 2)
    assert (
        smp.run(c, s, x, params={"tol": 1000000000.0}).rounds[0] == 2
    )  # stops as soon as min_rounds allows
    assert smp.run(c, s, x, params={"tol": 1000000000.0, "min_rounds": 5}).rounds[0] == 5
    assert smp.run(c, s, x, params={"tol": 0.0, "rounds": 40}).rounds[0] == 40


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"colour": 1}, "model 'smp' has no parameter 'colour'"),
        ({"vp_model": "Cubic"}, "'vp_model' must be one of Linear, Square"),
        ({"rounds": -1}, "'rounds' must be an integer in 0-10000"),
        ({"tol": "small"}, "'tol' must be a number >= 0"),
        ({"seed": 1}, "model 'smp' has no parameter 'seed'"),  # seeds come through rng
        ({"state_transitions": "Stochastic"}, "give rng, a numpy Generator"),
    ],
)
def test_bad_parameters(kwargs, message):
    c, s, x = _soe()
    with pytest.raises(ModelError, match=message):
        smp.run(c, s, x, params=kwargs)


def test_bad_inputs():
    c, s, x = _soe()
    with pytest.raises(ModelError, match="capability > 0.*actor 2 has 0"):
        smp.run(np.where(np.arange(13) == 2, 0.0, c), s, x)
    s2 = s.copy()
    s2[4] = [0.7, 0.5]
    with pytest.raises(ModelError, match="actor 4 sums to 1.2"):
        smp.run(c, s2, x)
    with pytest.raises(ModelError, match="actor 0 sums to 0"):
        smp.run(c, np.where(np.arange(13)[:, None] == 0, 0.0, s), x)
    with pytest.raises(ModelError, match="lie on the scale"):
        smp.run(c, s, x + 50)
    with pytest.raises(ModelError, match="salience .* must match"):
        smp.run(c, s[:, :1], x)
    with pytest.raises(ModelError, match="NaN"):
        smp.run(c, s, np.where(x == x.max(), np.nan, x))


def test_forecast_api_on_a_multidimensional_ktab_file():
    path = shared("ktab", "dummyData_3Dim.csv")
    f = crossroads.forecast(path, model="smp")
    d = f.to_dict()
    json.dumps(d)
    assert d["dimensions"] == ["pstn1", "pstn2", "pstn3"]
    assert np.shape(d["trajectory"]) == (f.rounds + 1, 7, 3)
    assert np.shape(d["outcome"]) == (3,) and np.shape(d["salience"]) == (7, 3)
    assert f.to_df().shape[0] == (f.rounds + 1) * 3
    assert len(f.stakes_df()) == 7
    # the forecast is the expected position under KTAB's winning probabilities
    res = smp.run(f.capability, f.salience, f.trajectory[0])
    last = f.trajectory[-1]
    np.testing.assert_allclose(f.forecast[-1], res.forecast[0, -1])
    assert np.all((f.forecast[-1] >= last.min(axis=0)) & (f.forecast[-1] <= last.max(axis=0)))
    wm = crossroads.forecast(path, model="smp", forecast="mean")
    w = f.capability[:, None] * f.salience
    np.testing.assert_allclose(wm.forecast[-1], (w * last).sum(0) / w.sum(0))
    for model in ("median", "eum"):
        with pytest.raises(
            ModelError, match=f"model '{model}' is one-dimensional.*use model 'smp'"
        ):
            crossroads.forecast(path, model=model)
    # the compromise model takes every dimension: its weighted mean, dimension by dimension
    m = crossroads.forecast(path, model="mean")
    w0 = f.capability[:, None] * f.salience
    np.testing.assert_allclose(m.outcome, (w0 * f.trajectory[0]).sum(0) / w0.sum(0))


def test_one_dimensional_ktab_file_works_with_every_model():
    path = shared("ktab", "SOE-Policy.csv")
    sc = crossroads.load(path)
    assert sc.issues[0].dimensions is None
    for model in ("mean", "median", "eum", "smp"):
        f = crossroads.forecast(sc, model=model)
        assert np.ndim(f.outcome) == 0 and 0 <= f.outcome <= 100
