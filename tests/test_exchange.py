"""The exchange model (crossroads.models.exchange) against decide-exchange-model's own runs,
hand-computed cases, invariances, random streams and parameter checks."""

from __future__ import annotations

import csv
import json
import os
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from pydantic import ValidationError

from crossroads.errors import ModelError
from crossroads.models import exchange
from crossroads.models.exchange import ExchangeParams

DATA = Path(__file__).parents[1].parent / "shared" / "data" / "exchange"
FIXTURES = Path(__file__).parent / "data" / "exchange"
needs_data = pytest.mark.skipif(
    not DATA.exists() and os.environ.get("CI") != "true",
    reason=f"{DATA} is missing (shared reference data beside the checkout)",
)
DECIDE = exchange.PRESETS["decide"]
#: Agreement reached with decide-exchange-model's Decimal arithmetic (measured: < 1e-13).
TOL = 1e-9


def _parse(path: Path):
    """A tiny reader of the decide input format (#A actors, #P issues, #M scale points,
    #D actor issue position salience power), enough for these two files."""
    actors, issues, scale, stakes = [], [], {}, {}
    with open(path, encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quotechar="'"):
            if not row:
                continue
            if row[0] == "#A":
                actors.append(row[1])
            elif row[0] == "#P":
                issues.append(row[1])
            elif row[0] == "#M":
                scale.setdefault(row[1], []).append(float(row[2]))
            elif row[0] == "#D":
                stakes[row[1], row[2]] = [float(v) for v in row[3:6]]
    n, k = len(actors), len(issues)
    x = np.full((1, n, k), np.nan)
    s = np.zeros((1, n, k))
    c = np.zeros((1, n, k))
    for (a, i), (pos, sal, power) in stakes.items():
        ai, ii = actors.index(a), issues.index(i)
        x[0, ai, ii], s[0, ai, ii], c[0, ai, ii] = pos, sal, power
    sc = np.array([[min(scale.get(i, [0.0])), max(scale.get(i, [100.0]))] for i in issues])
    return actors, issues, c, s, x, sc


@cache
def _case(name: str):
    actors, issues, c, s, x, sc = _parse(DATA / f"{name}.csv")
    res = exchange.run(c, s, x, scale=sc, params=DECIDE, rng=None)
    return actors, issues, c, s, x, sc, res


def _fixture(name: str, variant: str = ""):
    with open(FIXTURES / f"decide-equalgain-{name}{variant}.json", encoding="utf-8") as f:
        return json.load(f)


def _same_exchange(res, q, e, actors, issues):
    return (
        actors[res.ex_actor_i[q]] == e["i"]["actor"]
        and actors[res.ex_actor_j[q]] == e["j"]["actor"]
        and issues[res.ex_issue_i[q]] == e["i"]["supply_issue"]
        and issues[res.ex_issue_j[q]] == e["j"]["supply_issue"]
    )


# (a) reproduction ------------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize("name", ["cop21", "copenhagen"])
def test_reproduces_decide_all_rounds(name):
    """Every round's outcome, position and realised exchange of decide's Equal Gain model
    (ALLOW_RANDOM=False, 10 rounds), in the run whose Decimal-noise tie-breaks were made
    exact (fixture variant '-exact-ties'; see its provenance). Agreement: < 1e-13."""
    actors, issues, _, _, _, _, res = _case(name)
    fx = _fixture(name, "-exact-ties")
    assert fx["actors"] == actors and fx["issues"] == issues
    ref = np.array([fx["outcome"][i] for i in issues]).T  # (rounds + 1, issues)
    assert res.forecast.shape == (1, 11, len(issues))
    assert_allclose(res.forecast[0], ref, rtol=0, atol=TOL)
    for k, rnd in enumerate(fx["rounds"], start=1):
        for ii, issue in enumerate(issues):
            for a, v in rnd["voting_positions"][issue].items():
                assert res.positions[0, k, actors.index(a), ii] == pytest.approx(v, abs=TOL)
            for a, v in rnd["start_positions"][issue].items():
                assert res.start_positions[0, k - 1, actors.index(a), ii] == pytest.approx(
                    v, abs=TOL
                )
        mine = np.flatnonzero(res.ex_round == k)
        assert len(mine) == len(rnd["exchanges"])
        for q, e in zip(mine, rnd["exchanges"], strict=True):
            assert _same_exchange(res, q, e, actors, issues)
            assert res.ex_position_i[q] == pytest.approx(e["i"]["y"], abs=TOL)
            assert res.ex_position_j[q] == pytest.approx(e["j"]["y"], abs=TOL)
            assert res.ex_gain_i[q] == pytest.approx(e["gain"], abs=TOL)
            assert res.ex_gain_j[q] == pytest.approx(e["gain"], abs=TOL)
    for issue in issues:
        for a, v in fx["final_start_positions"][issue].items():
            assert res.start_positions[0, 10, actors.index(a), issues.index(issue)] == (
                pytest.approx(v, abs=TOL)
            )


#: Where the package as published first chooses by Decimal rounding noise: (round, index
#: of the exchange in that round). Up to there the two agree exchange by exchange.
FIRST_NOISE_CHOICE = {"copenhagen": (2, 16), "cop21": (1, 46)}


@needs_data
@pytest.mark.parametrize("name", ["cop21", "copenhagen"])
def test_reproduces_decide_as_published_until_its_first_rounding_tie(name):
    """Against the package exactly as published: identical until its first choice between
    two exchanges of mathematically equal gain, which its 28-digit Decimal arithmetic
    breaks by the last digit; there our gains are equal too (within 1e-12)."""
    actors, issues, _, _, _, _, res = _case(name)
    fx = _fixture(name)
    ref = np.array([fx["outcome"][i] for i in issues]).T
    rnd, first = FIRST_NOISE_CHOICE[name]
    assert_allclose(res.forecast[0, :rnd], ref[:rnd], rtol=0, atol=TOL)
    for k in range(1, rnd + 1):
        mine = np.flatnonzero(res.ex_round == k)
        theirs = fx["rounds"][k - 1]["exchanges"]
        upto = first if k == rnd else len(theirs)
        for q, e in zip(mine[:upto], theirs[:upto], strict=True):
            assert _same_exchange(res, q, e, actors, issues)
            assert res.ex_gain_i[q] == pytest.approx(e["gain"], abs=TOL)
    q = np.flatnonzero(res.ex_round == rnd)[first]
    e = fx["rounds"][rnd - 1]["exchanges"][first]
    assert not _same_exchange(res, q, e, actors, issues)
    assert res.ex_gain_i[q] == pytest.approx(e["gain"], abs=1e-12)


@needs_data
def test_externalities_match_decide():
    """calculations.actor_externalities for every actor and every round-1 exchange of
    copenhagen (the round before the package's first rounding tie)."""
    actors, issues, _, s, _, _, res = _case("copenhagen")
    fx = _fixture("copenhagen")
    ext = exchange.externalities(res, s)
    assert ext.shape == (res.ex_run.shape[0], len(actors))
    mine = np.flatnonzero(res.ex_round == 1)
    for q, e in zip(mine, fx["rounds"][0]["exchanges"], strict=True):
        for a, v in e["externalities"].items():
            assert ext[q, actors.index(a)] == pytest.approx(v, abs=TOL)


@needs_data
def test_exchanges_df():
    actors, issues, _, _, _, _, res = _case("copenhagen")
    df = exchange.exchanges_df(res, actors, issues)
    assert list(df.columns) == [
        "round",
        "actor_i",
        "actor_j",
        "i_gives",
        "j_gives",
        "i_position",
        "j_position",
        "gain_i",
        "gain_j",
    ]
    first = df.iloc[0]
    # decide's first exchange on copenhagen: USA gives ground on Extra (to 90), China
    # India on Commitments (to 21.89...), equal gain 3.2788...
    assert (first.actor_i, first.i_gives, first.actor_j, first.j_gives) == (
        "USA",
        "Extra",
        "China India",
        "Commitments",
    )
    assert first.i_position == pytest.approx(90.0)
    assert first.gain_i == pytest.approx(first.gain_j)
    assert len(df) == int((res.ex_run == 0).sum())


# (b) hand-computed cases -----------------------------------------------------------------


def _two(sal, pos, c=(1.0, 1.0), rounds=1, **kw):
    s = np.array([sal], dtype=float)
    x = np.array([pos], dtype=float)
    return exchange.run(
        np.array([c], dtype=float),
        s,
        x,
        scale=[[0, 100], [0, 100]],
        params=ExchangeParams(rounds=rounds, **kw),
        rng=None,
    )


def test_hand_equal_gain_full_moves():
    # Actors A (row 0) and B, issues p (column 0) and q, power 1 each.
    # A: x = (0, 0), s = (0.8, 0.2); B: x = (100, 100), s = (0.2, 0.8).
    # Outcomes (power x salience weighted means): O_p = 0.2*100 / 1.0 = 20,
    # O_q = 0.8*100 / 1.0 = 80; A is left of both, B right of both: a candidate pair.
    # A's salience ratio s_p/s_q = 4 exceeds B's 0.25, so A demands p and gives on q.
    # Equal Gain ratio rho = dq/dp = (s_Ap + s_Bp)/(s_Aq + s_Bq) = 1.0/1.0 = 1.
    # B first moves all the way to A on p: 100 -> 0, shifting O_p by
    # dp = 100 * (1*0.2) / 1.0 = 20; then dq = 20, so A must move
    # dq * W_q / w_Aq = 20 * 1.0 / 0.2 = 100 on q: exactly its distance to B (not more,
    # so no swap): A 0 -> 100. Gains: G_A = dp s_Ap - dq s_Aq = 16 - 4 = 12,
    # G_B = dq s_Bq - dp s_Bp = 16 - 4 = 12.
    # New outcomes: O_p = 0, O_q = 100 (neither passes the other actor's position).
    # Next start (blend, sw = 0.4, fw = 0.1): A on q: (1 - 0.2)*0.4 + 0.1 = 0.42 of the way,
    # 0.42 * 100 + 0.58 * 0 = 42; B on p: 0.42 * 0 + 0.58 * 100 = 58.
    # Round 2: O_p = 0.2*58 = 11.6, O_q = 0.2*42 + 0.8*100 = 88.4; B moves 58 -> 0 on p,
    # dp = 58*0.2 = 11.6 = dq, A moves 11.6/0.2 = 58 = its distance: 42 -> 100;
    # gains 11.6*0.8 - 11.6*0.2 = 6.96.
    res = _two([[0.8, 0.2], [0.2, 0.8]], [[0.0, 0.0], [100.0, 100.0]], rounds=2)
    assert_allclose(res.forecast[0, 0], [20.0, 80.0])
    assert_allclose(res.positions[0, 1], [[0.0, 100.0], [0.0, 100.0]], atol=1e-12)
    assert_allclose(res.forecast[0, 1], [0.0, 100.0], atol=1e-12)
    assert_allclose(res.start_positions[0, 1], [[0.0, 42.0], [58.0, 100.0]], atol=1e-12)
    assert_allclose(res.forecast[0, 2], [0.0, 100.0], atol=1e-12)
    assert res.ex_round.tolist() == [1, 2]
    assert res.ex_actor_i.tolist() == [0, 0] and res.ex_issue_i.tolist() == [1, 1]
    assert res.ex_actor_j.tolist() == [1, 1] and res.ex_issue_j.tolist() == [0, 0]
    assert_allclose(res.ex_gain_i, [12.0, 6.96])
    assert_allclose(res.ex_gain_j, [12.0, 6.96])


def test_hand_equal_gain_partial_move():
    # A: x = (0, 0), s = (0.9, 0.1); B: x = (100, 50), s = (0.1, 0.4); power 1.
    # W_p = 1.0, W_q = 0.5; O_p = 0.1*100 = 10, O_q = 0.4*50/0.5 = 40.
    # A demands p (ratio 9 > 0.25). rho = (0.9 + 0.1)/(0.1 + 0.4) = 2.
    # B all the way on p: dp = 100*0.1/1.0 = 10, dq = 20, A's move 20*0.5/0.1 = 100 > 50
    # (its distance to B on q), so A moves all the way instead: 0 -> 50,
    # dq = 50*0.1/0.5 = 10, dp = dq/rho = 5, B's move 5*1.0/0.1 = 50: 100 -> 50.
    # Gains: G_A = 5*0.9 - 10*0.1 = 3.5, G_B = 10*0.4 - 5*0.1 = 3.5.
    # Outcomes after: O_p = 0.1*50 = 5, O_q = (0.1*50 + 0.4*50)/0.5 = 50.
    res = _two([[0.9, 0.1], [0.1, 0.4]], [[0.0, 0.0], [100.0, 50.0]])
    assert_allclose(res.forecast[0, 0], [10.0, 40.0])
    assert_allclose(res.positions[0, 1], [[0.0, 50.0], [50.0, 50.0]], atol=1e-12)
    assert_allclose(res.forecast[0, 1], [5.0, 50.0], atol=1e-12)
    assert_allclose([res.ex_gain_i[0], res.ex_gain_j[0]], [3.5, 3.5])
    assert_allclose([res.ex_position_i[0], res.ex_position_j[0]], [50.0, 50.0])
    # the same on another scale: positions and outcomes scale, gains are on 0-100
    s = np.array([[[0.9, 0.1], [0.1, 0.4]]])
    x = np.array([[[-1.0, 10.0], [1.0, 15.0]]])  # p on -1..1, q on 10..20
    res2 = exchange.run(np.ones((1, 2)), s, x, scale=[[-1, 1], [10, 20]], params=DECIDE, rng=None)
    assert_allclose(res2.forecast[0, 1], [-0.9, 15.0], atol=1e-12)
    assert_allclose(res2.ex_gain_i[0], 3.5)


def test_no_exchange_on_the_same_side():
    # both left of both outcomes? impossible; here both actors agree on q (same position):
    # no actor pair is on opposite sides of both outcomes, nothing moves.
    res = _two([[0.8, 0.2], [0.2, 0.8]], [[0.0, 50.0], [100.0, 50.0]], rounds=3)
    assert res.ex_run.size == 0
    assert_allclose(res.positions[0, 3], res.positions[0, 0])


# (c) invariances ---------------------------------------------------------------------------


def _random_case(seed, runs=1, n=6, k=4):
    g = np.random.default_rng(seed)
    x = np.round(g.uniform(0, 100, (runs, n, k)), 3)
    s = np.round(g.uniform(0.1, 1.0, (runs, n, k)), 3)
    c = np.round(g.uniform(0.1, 1.0, (runs, n, k)), 3)
    return c, s, x, np.tile([0.0, 100.0], (k, 1))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_invariances(seed):
    c, s, x, sc = _random_case(seed)
    base = exchange.run(c, s, x, scale=sc, params=DECIDE, rng=None)
    assert base.ex_run.size > 0
    pa = np.random.default_rng(seed + 100).permutation(x.shape[1])
    pi = np.random.default_rng(seed + 200).permutation(x.shape[2])
    r = exchange.run(c[:, pa], s[:, pa], x[:, pa], scale=sc, params=DECIDE, rng=None)
    assert_allclose(r.forecast, base.forecast, atol=1e-9)
    assert_allclose(r.positions, base.positions[:, :, pa], atol=1e-9)
    r = exchange.run(c[:, :, pi], s[:, :, pi], x[:, :, pi], scale=sc[pi], params=DECIDE, rng=None)
    assert_allclose(r.forecast, base.forecast[:, :, pi], atol=1e-9)
    assert_allclose(r.positions, base.positions[:, :, :, pi], atol=1e-9)
    r = exchange.run(c * 37.5, s, x, scale=sc, params=DECIDE, rng=None)
    assert_allclose(r.forecast, base.forecast, atol=1e-9)
    assert_allclose(r.ex_gain_i, base.ex_gain_i, atol=1e-12)


def test_power_per_actor_broadcasts():
    c, s, x, sc = _random_case(4)
    c1 = c[:, :, 0]
    a = exchange.run(c1, s, x, scale=sc, params=DECIDE, rng=None)
    b = exchange.run(
        np.repeat(c1[:, :, None], x.shape[2], 2), s, x, scale=sc, params=DECIDE, rng=None
    )
    assert_allclose(a.forecast, b.forecast, atol=0)


def test_batch_equals_single_runs():
    c, s, x, sc = _random_case(5, runs=5)
    both = exchange.run(c, s, x, scale=sc, params=DECIDE, rng=None)
    for r in (0, 3):
        one = exchange.run(
            c[r : r + 1], s[r : r + 1], x[r : r + 1], scale=sc, params=DECIDE, rng=None
        )
        assert_allclose(both.forecast[r], one.forecast[0], atol=0)
        assert (both.ex_run == r).sum() == one.ex_run.size


# (d) randomised variants -------------------------------------------------------------------

RANDOM = [
    ExchangeParams(rate="random_rate"),
    ExchangeParams(rate="randomised_equal_gain", p=0.5),
    ExchangeParams(tie_break="random"),
]


@pytest.mark.parametrize("params", RANDOM, ids=["random_rate", "randomised_eg", "tie_random"])
def test_random_streams(params):
    c, s, x, sc = _random_case(7, runs=6)
    a = exchange.run(c, s, x, scale=sc, params=params, rng=np.random.default_rng(11))
    b = exchange.run(c, s, x, scale=sc, params=params, rng=np.random.default_rng(11))
    assert_allclose(a.forecast, b.forecast, atol=0)
    assert np.array_equal(a.ex_actor_i, b.ex_actor_i)
    if params.tie_break == "random":
        return  # continuous data have no ties: the same numbers whatever the seed
    d = exchange.run(c, s, x, scale=sc, params=params, rng=np.random.default_rng(12))
    assert not np.allclose(a.forecast, d.forecast)
    # a run's numbers do not depend on its batch neighbours: the first three runs alone,
    # with the generator in the same state, and the batch with the other three runs'
    # data replaced, give the first three runs' numbers exactly
    head = exchange.run(c[:3], s[:3], x[:3], scale=sc, params=params, rng=np.random.default_rng(11))
    assert_allclose(head.forecast, a.forecast[:3], atol=0)
    c2, s2, x2, _ = _random_case(99, runs=6)
    mixed = exchange.run(
        np.concatenate([c[:3], c2[3:]]),
        np.concatenate([s[:3], s2[3:]]),
        np.concatenate([x[:3], x2[3:]]),
        scale=sc,
        params=params,
        rng=np.random.default_rng(11),
    )
    assert_allclose(mixed.forecast[:3], a.forecast[:3], atol=0)
    # identical inputs in two runs of one batch get different streams
    same = exchange.run(
        np.repeat(c[:1], 2, 0), np.repeat(s[:1], 2, 0), np.repeat(x[:1], 2, 0),
        scale=sc, params=params, rng=np.random.default_rng(11),
    )  # fmt: skip
    assert not np.allclose(same.forecast[0], same.forecast[1])


def test_randomised_equal_gain_with_p_zero_is_equal_gain():
    c, s, x, sc = _random_case(8)
    a = exchange.run(c, s, x, scale=sc, params=DECIDE, rng=None)
    b = exchange.run(
        c, s, x, scale=sc, params=ExchangeParams(rate="randomised_equal_gain", p=0.0),
        rng=np.random.default_rng(1),
    )  # fmt: skip
    assert_allclose(a.forecast, b.forecast, atol=1e-12)


def test_random_rate_gains_are_positive():
    c, s, x, sc = _random_case(9, runs=4)
    r = exchange.run(c, s, x, scale=sc, params=RANDOM[0], rng=np.random.default_rng(3))
    assert r.ex_run.size > 0
    assert np.all(r.ex_gain_i > 0) and np.all(r.ex_gain_j > 0)


def test_stopping_rule():
    res = _two([[0.8, 0.2], [0.2, 0.8]], [[0.0, 0.0], [100.0, 100.0]], rounds=20)
    assert res.rounds.tolist() == [20]
    res = _two([[0.8, 0.2], [0.2, 0.8]], [[0.0, 0.0], [100.0, 100.0]], rounds=20, stop="forecast")
    assert res.rounds[0] < 20
    assert_allclose(res.forecast[0, -1], res.forecast[0, res.rounds[0]])


# (e) bad parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"rate": "nash"}, "rate"),
        ({"p": 1.5, "rate": "randomised_equal_gain"}, "p"),
        ({"p": 0.5}, "p"),
        ({"rounds": -1}, "rounds"),
        ({"start": "median"}, "start"),
        ({"tie_break": "last"}, "tie_break"),
        ({"stop": "never"}, "stop"),
        ({"tol": -1.0}, "tol"),
        ({"salience_weight": 0.95}, "salience_weight"),
        ({"speed": 2}, "speed"),
    ],
)
def test_bad_parameters_are_refused(kw, name):
    with pytest.raises(ValidationError) as err:
        ExchangeParams(**kw)
    assert name in str(err.value)


def test_params_are_frozen():
    with pytest.raises(ValidationError):
        DECIDE.rounds = 3


def test_bad_calls_are_refused():
    c, s, x, sc = _random_case(1)
    # params: an ExchangeParams, a mapping of overrides (validated), or None
    with pytest.raises(ModelError, match="parameter 'rounds' must be"):
        exchange.run(c, s, x, scale=sc, params={"rounds": -3}, rng=None)
    with pytest.raises(ModelError, match="no parameter 'speed'"):
        exchange.run(c, s, x, scale=sc, params={"speed": 3}, rng=None)
    assert exchange.run(c, s, x, scale=sc, params={"rounds": 3}).forecast.shape[1] == 4
    with pytest.raises(ModelError, match="rng"):
        exchange.run(c, s, x, scale=sc, params=RANDOM[0], rng=None)
    with pytest.raises(ModelError, match="scale"):
        exchange.run(c, s, x, scale=[0, 100], params=DECIDE, rng=None)
    with pytest.raises(ModelError, match="salience"):
        exchange.run(c, s * 2, x, scale=sc, params=DECIDE, rng=None)
    with pytest.raises(ModelError, match="x"):
        exchange.run(c, s, x[0], scale=sc, params=DECIDE, rng=None)
    with pytest.raises(ModelError, match="scale"):
        exchange.run(c, s, x + 200, scale=sc, params=DECIDE, rng=None)


def test_presets():
    assert set(exchange.PRESETS) == {"default", "decide"}
    assert exchange.PRESETS["decide"] == ExchangeParams()


def test_records_survive_growing_buffers():
    """Enough exchanges to outgrow the first record buffers: every run's records are
    those it has alone."""
    c, s, x, sc = _random_case(21, runs=12, n=10, k=6)
    both = exchange.run(c, s, x, scale=sc, params=DECIDE, rng=None)
    # first buffer: max(rounds x candidates, runs x 256) = max(10 x 15 x 25, 12 x 256) = 3750
    assert both.ex_run.size > 3750
    assert np.all(np.diff(both.ex_run) >= 0)
    for r in (0, 5, 11):
        one = exchange.run(
            c[r : r + 1], s[r : r + 1], x[r : r + 1], scale=sc, params=DECIDE, rng=None
        )
        m = both.ex_run == r
        assert np.array_equal(both.ex_actor_i[m], one.ex_actor_i)
        assert_allclose(both.ex_gain_i[m], one.ex_gain_i, atol=0)


@pytest.mark.parametrize("params", [DECIDE, RANDOM[0], RANDOM[2]], ids=["decide", "rate", "tie"])
def test_forecast_only_same_numbers_no_records(params):
    """What ensembles and scoring run: the same forecasts and positions, no exchange kept."""
    c, s, x, sc = _random_case(5, runs=6, n=8, k=5)
    full = exchange.run(c, s, x, scale=sc, params=params, rng=np.random.default_rng(3))
    lean_params = params.forecast_only()
    assert lean_params.record_exchanges is False and params.record_exchanges is True
    lean = exchange.run(c, s, x, scale=sc, params=lean_params, rng=np.random.default_rng(3))
    assert full.ex_run.size > 0 and lean.ex_run.size == 0
    assert np.array_equal(full.forecast, lean.forecast)
    assert np.array_equal(full.positions, lean.positions)
    assert np.array_equal(full.rounds, lean.rounds)
