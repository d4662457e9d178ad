"""Speed of the batched ``exchange`` kernel against a straightforward loop version.

Run:  .venv/bin/python benchmarks/exchange_speed.py [--runs 10000] [--quick]

On COP21 (15 actors, 13 issues, the decide-format file ``../shared/data/exchange/
cop21.csv``), 10 rounds of Equal Gain with the public implementation's rules (preset
``decide``), it prints the load average, then:

* the loop version's time (:func:`exchange_loop`, plain Python lists and dicts, below) and
  the kernel's for one run, their ratio, and the largest difference of their forecasts;
* the kernel's time for an ensemble-style batch of runs with perturbed inputs (positions
  +-5 on the 0-100 scale, saliences +-0.05, both clipped; seeded), per run and in total;
* the batch's CPU time (all threads), which load from other processes inflates less than
  the wall time;
* the kernel before the speed work (``src/crossroads/models/exchange_kernel.py`` as of
  commit :data:`BEFORE_COMMIT`, read from this clone's git history) against the current
  one on the same 200 perturbed runs, one thread, CPU time, best of 3 interleaved
  repetitions, and whether their forecasts are identical (``--no-before`` skips it);
* ``crossroads.ensemble`` of as many runs of COP21's issue ``mrv`` end to end (the
  default uncertainty of the stakes), wall and CPU time (``--no-ensemble`` skips it);
* every time as a ratio to the loop version measured in the same process, and to the
  public implementation's (decide-exchange-model 2022.1.28) measured wall time for 10
  COP21 rounds, :data:`DECIDE_SECONDS` (the ``wall_time_10_rounds_s`` its fixture
  ``tests/data/exchange/decide-equalgain-cop21.json`` records).

Figures (AMD EPYC, 2 cores; 3 December 2026, load average about 1; the same script gives
times that vary by 25% from one hour to the next on this machine, so compare the ratios
of one run): the kernel gives bit for bit the same forecasts as the one before the speed
work (commit ``a715954``) and is 1.67x faster on one thread (15.8 -> 9.4 ms CPU per COP21
run). A batch of 10,000 perturbed runs takes 46.7 s on 2 threads (4.67 ms per run, 5.34
with every realised exchange recorded), ``crossroads.ensemble`` of 10,000 runs 44.5 s.
The goal of 10,000 runs in about 10 s on 2 cores (2 ms per run per core) is not reached.
Operation counts per run: ~16,800 candidate exchanges generated and computed, ~1,450
realised, ~43,800 recomputations of affected candidates (about half of them because only
the moves recorded on what the candidate demands changed; those reuse its stored uncapped
moves and gains), ~15,300 of the recomputations ending the candidate. A sampling profile
(``perf``) of the kernel puts the recomputations (the visit of the four lists an exchange
touches and :func:`_calculate`) at about 55% of its time and candidate generation at
about 20%; no single instruction range dominates: what is left is the recomputation
itself, which the model's semantics make sequential (each recomputation appends to the
candidate's list of moves, so recomputing lazily would change which exchanges are valid).

The loop version is written from the equations of Stokman & Van Oosten (1994) as
:mod:`crossroads.models.exchange` describes them: one Python object per candidate
exchange, the whole list re-sorted (stably, by gain) before every choice and scanned for
the exchanges a realised one affects, as the public implementation does.
"""

from __future__ import annotations

import argparse
import csv
import functools
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "exchange"
FIXTURE = ROOT / "tests" / "data" / "exchange" / "decide-equalgain-cop21.json"
EPS = 1e-9  # positions and outcomes this close count as equal (0-100 scale)
TIE = 1e-12  # gains this close count as equal


def _decide_seconds() -> float:
    try:
        with open(FIXTURE, encoding="utf-8") as f:
            return float(json.load(f)["provenance"]["wall_time_10_rounds_s"])
    except (OSError, KeyError, ValueError):
        return 15.0


#: Wall time of the public implementation for 10 COP21 rounds on this machine (s).
DECIDE_SECONDS = _decide_seconds()


def read_decide(path: Path):
    """A tiny reader of the decide input format: (actors, issues, c, s, x, scale) with
    arrays of shape (actors, issues), NaN where an actor has no stake."""
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
    x, s, c = np.full((n, k), np.nan), np.zeros((n, k)), np.zeros((n, k))
    for (a, i), (pos, sal, power) in stakes.items():
        ai, ii = actors.index(a), issues.index(i)
        x[ai, ii], s[ai, ii], c[ai, ii] = pos, sal, power
    sc = np.array([[min(scale.get(i, [0.0])), max(scale.get(i, [100.0]))] for i in issues])
    return actors, issues, c, s, x, sc


# --- the loop version ----------------------------------------------------------------------


class _Side:
    """One actor's part in an exchange: it supplies (gives ground on) ``sup``."""

    def __init__(self, actor, sup, dem, pos, target):
        self.actor, self.sup, self.dem = actor, sup, dem
        self.pos = pos  # current position on the supply issue
        self.target = target  # the other actor's position there
        self.start = pos
        self.moves: list[float] = []
        self.y = pos
        self.nbs0 = self.nbs1 = 0.0


class _Exchange:
    def __init__(self, index, i, j):
        self.index, self.i, self.j = index, i, j
        self.updates: dict[int, dict[int, float]] = {i.sup: {}, j.sup: {}}
        self.gain = 0.0
        self.valid = True


def exchange_loop(c, s, x, rounds=10, salience_weight=0.4, fixed_weight=0.1):
    """Equal Gain exchange model with the public implementation's rules, in plain loops.

    ``c``, ``s``, ``x`` are lists of lists (actors x issues) on the 0-100 scale, None for
    no stake. Returns the forecast per round, a list of rounds + 1 lists of issues.
    """
    n, k = len(x), len(x[0])
    has = [[x[a][q] is not None for q in range(k)] for a in range(n)]
    w = [[c[a][q] * s[a][q] if has[a][q] else 0.0 for q in range(k)] for a in range(n)]
    part = [[has[a][q] and c[a][q] > 0 and s[a][q] > 0 for q in range(k)] for a in range(n)]
    den = [sum(w[a][q] for a in range(n)) for q in range(k)]
    pos = [[x[a][q] if has[a][q] else 0.0 for q in range(k)] for a in range(n)]

    def outcome(p, q):
        return sum(w[a][q] * p[a][q] for a in range(n)) / den[q] if den[q] > 0 else 0.0

    def adjusted(e, side, new):
        """Outcome on side's supply issue: round-start positions, the exchange's updates,
        the side's actor at ``new``."""
        q = side.sup
        p = [pos[a][q] for a in range(n)]
        for a, v in e.updates[q].items():
            p[a] = v
        p[side.actor] = new
        return sum(w[a][q] * p[a] for a in range(n)) / den[q]

    def valid_move(side, move):
        if abs(move) > 100 + EPS or abs(move) <= 1e-10:
            return False
        if not -EPS <= side.pos + move <= 100 + EPS:
            return False
        if sum(side.moves) > 100 + EPS:
            return False
        lo, hi = min(side.moves), max(side.moves)
        return (lo < 0 and hi < 0) or (lo > 0 and hi > 0)

    def calculate(e):
        i, j = e.i, e.j
        q, p = i.sup, j.sup
        rho = (s[j.actor][p] + s[i.actor][p]) / (s[j.actor][q] + s[i.actor][q])
        dj, di = abs(j.target - j.pos), abs(i.target - i.pos)
        dp = dj * w[j.actor][p] / den[p]
        dq = rho * dp
        mi, mj = dq * den[q] / w[i.actor][q], dj
        if mi > di:
            dq = di * w[i.actor][q] / den[q]
            dp = dq / rho
            mi, mj = di, dp * den[p] / w[j.actor][p]
        mi = -mi if i.pos > i.target else mi
        mj = -mj if j.pos > j.target else mj
        i.moves.append(mi)
        j.moves.append(mj)
        i.y, j.y = i.pos + mi, j.pos + mj
        gi = dp * s[i.actor][p] - dq * s[i.actor][q]
        gj = dq * s[j.actor][q] - dp * s[j.actor][p]
        e.gain = min(abs(gi), abs(gj))
        e.valid = valid_move(i, mi) and valid_move(j, mj) and e.gain >= 1e-10
        if not e.valid:
            return
        for a, b in ((i, j), (j, i)):
            a.nbs0, a.nbs1 = adjusted(e, a, a.pos), adjusted(e, a, a.y)
            d0, d1 = a.target - a.nbs0, a.target - a.nbs1
            d0 = 0.0 if abs(d0) <= EPS else d0
            d1 = 0.0 if abs(d1) <= EPS else d1
            if (d0 >= 0 and d1 >= 0) or (d0 <= 0 and d1 <= 0):
                continue
            # cut the move so the outcome stops at the other actor's position
            kq, mq = a.sup, b.sup
            pp = [pos[t][kq] for t in range(n)]
            pp[a.actor] = a.pos
            for t, v in e.updates[kq].items():
                pp[t] = v
            num = sum(w[t][kq] * pp[t] for t in range(n))
            delta = abs((a.target * den[kq] - num) / w[a.actor][kq])
            dk = delta * w[a.actor][kq] / den[kq]
            dm = dk * rho if a is j else dk / rho
            mb = abs(dm * den[mq] / w[b.actor][mq])
            mb = -mb if b.pos > b.target else mb
            ma = -delta if a.pos > a.target else delta
            b.moves[-1], a.moves[-1] = mb, ma
            b.y, a.y = b.pos + mb, a.pos + ma
            ga = dm * s[a.actor][mq] - dk * s[a.actor][kq]
            gb = dk * s[b.actor][kq] - dm * s[b.actor][mq]
            e.gain = min(abs(ga), abs(gb))
            a.nbs1 = adjusted(e, a, a.y)
        e.valid = valid_move(i, i.moves[-1]) and valid_move(j, j.moves[-1])

    def recalculate(e, r):
        redo = False
        matched = []
        for side in (e.i, e.j):
            for rs in (r.i, r.j):
                if side.actor == rs.actor and side.sup == rs.sup:
                    side.pos = rs.y
                    matched.append(side)
                    redo = True
                    break
        if redo:
            for side in (e.i, e.j):
                if side not in matched:
                    side.moves.pop()
        for rs, ro in ((r.j, r.i), (r.i, r.j)):
            if any(side.actor == rs.actor and side.dem == rs.dem for side in (e.i, e.j)):
                upd = e.updates[rs.dem]
                if ro.actor in upd:
                    old = upd[ro.actor]
                    upd[ro.actor] = min(old, ro.y) if ro.start <= old else max(old, ro.y)
                else:
                    upd[ro.actor] = ro.y
                if not redo:
                    e.i.moves.pop()
                    e.j.moves.pop()
                    redo = True
        if redo:
            calculate(e)

    def cmp(a, b):
        if abs(a.gain - b.gain) <= TIE:
            return 0
        return -1 if a.gain > b.gain else 1

    forecast = [[outcome(pos, q) for q in range(k)]]
    for _ in range(rounds):
        nbs = [outcome(pos, q) for q in range(k)]
        left = [[pos[a][q] <= nbs[q] + EPS for q in range(k)] for a in range(n)]
        ex = []
        for p in range(k):
            for q in range(p + 1, k):
                grp = [
                    (left[a][p] + 2 * left[a][q]) if part[a][p] and part[a][q] else -1
                    for a in range(n)
                ]
                for g in (0, 1):
                    for a in range(n):
                        for b in range(n):
                            if grp[a] != g or grp[b] != 3 - g:
                                continue
                            if s[a][p] / s[a][q] < s[b][p] / s[b][q]:
                                ia, ja = b, a
                            else:
                                ia, ja = a, b
                            i = _Side(ia, q, p, pos[ia][q], pos[ja][q])
                            j = _Side(ja, p, q, pos[ja][p], pos[ia][p])
                            e = _Exchange(len(ex), i, j)
                            calculate(e)
                            ex.append(e)
        ex = [e for e in ex if e.valid]
        realised = []
        while ex:
            ex.sort(key=functools.cmp_to_key(cmp))
            r = ex.pop(0)
            realised.append(r)
            for e in ex:
                recalculate(e, r)
            ex = [e for e in ex if e.valid]
        voting = [row[:] for row in pos]
        for r in realised:
            for side in (r.i, r.j):
                voting[side.actor][side.sup] = side.y
        forecast.append([outcome(voting, q) for q in range(k)])
        for r in realised:
            for side in (r.i, r.j):
                sw = (1 - s[side.actor][side.sup]) * salience_weight
                pos[side.actor][side.sup] = (sw + fixed_weight) * side.y + (
                    1 - sw - fixed_weight
                ) * side.start
    return forecast


# --- the kernel before the speed work, timed against the current one -----------------------


#: The commit whose exchange kernel the speed work started from.
BEFORE_COMMIT = "a715954"


def _load_before():
    """The kernel as it was at :data:`BEFORE_COMMIT`, from git history (None, with a reason
    printed, when this clone does not hold that commit, e.g. a shallow clone)."""
    import subprocess
    import tempfile

    try:
        src = subprocess.run(
            ["git", "show", f"{BEFORE_COMMIT}:src/crossroads/models/exchange_kernel.py"],
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=30,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError) as err:
        print(f"before/after: skipped, the kernel of {BEFORE_COMMIT} is not available ({err})")
        return None
    folder = Path(tempfile.mkdtemp(prefix="exchange-before-"))
    path = folder / "exchange_kernel_before.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("exchange_kernel_before", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.exchange_batch


def _kernel_call(batch_fn, exchange, c, s, x, sc, params):
    """Call a kernel's ``exchange_batch`` directly on one thread, with the inputs prepared as
    :func:`crossroads.models.exchange.run` prepares them; returns (CPU seconds, forecast)."""
    c, s, xn, present, _ = exchange._inputs(c, s, x, sc)
    runs, n, k = xn.shape
    rounds = params.rounds
    codes = np.array([0, 0, 0, 0, int(params.cap_outcome), int(params.move_sum_cap), 0])
    pos = np.empty((runs, rounds + 1, n, k))
    start = np.empty_like(pos)
    fc = np.empty((runs, rounds + 1, k))
    done = np.zeros(runs, dtype=np.int64)
    status = np.zeros(2, dtype=np.int64)
    none_i = np.zeros(0, dtype=np.int64)
    t0 = time.thread_time()
    batch_fn(
        c, s, xn, present, rounds, codes, float(params.p), float(params.salience_weight),
        float(params.fixed_weight), float(params.tie_tol), float(params.tol) * 100.0,
        np.zeros(runs, dtype=np.int64), pos, start, fc, done, none_i,
        np.zeros((0, 6), dtype=np.int64), np.zeros((0, 8)), False, status,
    )  # fmt: skip
    return time.thread_time() - t0, fc


def compare_kernels(exchange, c, s, x, sc, params, reps: int = 3):
    """CPU time per run of the kernel before the speed work and of the current one, on one
    thread, interleaved ``reps`` times (best of each); and whether their forecasts agree
    bit for bit. None when the old kernel is not in this clone's history."""
    from crossroads.models.exchange_kernel import exchange_batch

    before = _load_before()
    if before is None:
        return None
    _kernel_call(before, exchange, c[:2], s[:2], x[:2], sc, params)  # compile / load
    _kernel_call(exchange_batch, exchange, c[:2], s[:2], x[:2], sc, params)
    t_old, t_new, same = [], [], True
    for _ in range(reps):
        to, fo = _kernel_call(before, exchange, c, s, x, sc, params)
        tn, fn = _kernel_call(exchange_batch, exchange, c, s, x, sc, params)
        t_old.append(to)
        t_new.append(tn)
        same = same and bool(np.array_equal(fo, fn, equal_nan=True))
    runs = x.shape[0]
    return min(t_old) / runs, min(t_new) / runs, same


# --- the benchmark ---------------------------------------------------------------------------


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10_000, help="ensemble batch size")
    ap.add_argument("--quick", action="store_true", help="a batch of 500 runs")
    ap.add_argument(
        "--no-before", action="store_true", help="skip timing the kernel before the speed work"
    )
    ap.add_argument(
        "--no-ensemble", action="store_true", help="skip timing crossroads.ensemble end to end"
    )
    args = ap.parse_args(argv)
    runs = 500 if args.quick else args.runs

    sys.path.insert(0, str(ROOT / "src"))
    from crossroads.models import exchange

    print(f"load average (1, 5, 15 min): {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"CPUs: {len(os.sched_getaffinity(0))}")
    actors, issues, c, s, x, sc = read_decide(DATA / "cop21.csv")
    n, k = x.shape
    print(f"COP21: {n} actors, {k} issues, 10 rounds, preset 'decide' (Equal Gain)")
    params = exchange.PRESETS["decide"]

    def to_list(a):
        return [[None if np.isnan(v) else float(v) for v in row] for row in a]

    xl = [[None if np.isnan(v) else float(v) for v in row] for row in x]  # 0-100 already
    t0 = time.perf_counter()
    loop_fc = exchange_loop(to_list(c), to_list(s), xl, rounds=10)
    t_loop = time.perf_counter() - t0

    exchange.run(c[None], s[None], x[None], scale=sc, params=params, rng=None)  # compile
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        res = exchange.run(c[None], s[None], x[None], scale=sc, params=params, rng=None)
    t_one = (time.perf_counter() - t0) / reps
    diff = float(np.nanmax(np.abs(np.array(loop_fc) - res.forecast[0])))

    g = np.random.default_rng(20261202)
    xb = np.clip(x[None] + g.uniform(-5, 5, (runs, n, k)), 0, 100)
    sb = np.clip(s[None] + g.uniform(-0.05, 0.05, (runs, n, k)), 0.01, 1)
    cb = np.broadcast_to(c[None], (runs, n, k))
    batch = params.model_copy(update={"record_exchanges": False})
    t0, c0 = time.perf_counter(), time.process_time()
    rb = exchange.run(cb, sb, xb, scale=sc, params=batch, rng=None)
    t_batch, c_batch = time.perf_counter() - t0, time.process_time() - c0
    assert rb.forecast.shape == (runs, 11, k)
    t0 = time.perf_counter()
    rr = exchange.run(cb[:500], sb[:500], xb[:500], scale=sc, params=params, rng=None)
    t_rec = (time.perf_counter() - t0) / 500

    print()
    print(f"loop version, 1 run:               {t_loop:9.3f} s")
    ratio = t_loop / t_one
    print(f"kernel, 1 run:                     {t_one * 1e3:9.2f} ms   loop/kernel {ratio:8.0f}x")
    print(f"  largest |forecast difference| kernel vs loop: {diff:.1e}")
    print(
        f"kernel, batch of {runs} perturbed runs: {t_batch:7.2f} s total, "
        f"{t_batch / runs * 1e3:.2f} ms/run   loop/kernel {t_loop * runs / t_batch:8.0f}x"
    )
    print(
        f"  CPU time {c_batch:.2f} s ({c_batch / runs * 1e3:.2f} ms/run) on "
        f"{exchange._threads(runs, runs * 10 * max(1, k * (k - 1) // 2 * (n * n // 4)))} "
        "thread(s); under load the wall time exceeds CPU time / threads"
    )
    print(
        f"  (the same with every realised exchange recorded: {t_rec * 1e3:.2f} ms/run, "
        f"{rr.ex_run.size / 500:.0f} exchanges/run)"
    )
    if not args.no_before:
        m = min(runs, 200)
        got = compare_kernels(exchange, cb[:m], sb[:m], xb[:m], sc, batch)
        if got is not None:
            t_old, t_new, same = got
            print(
                f"kernel before the speed work vs now, {m} perturbed runs, 1 thread, CPU time: "
                f"{t_old * 1e3:.2f} -> {t_new * 1e3:.2f} ms/run   {t_old / t_new:.2f}x"
                f"   (forecasts identical: {same})"
            )
    if not args.no_ensemble:
        import crossroads

        path = DATA / "cop21.csv"
        crossroads.ensemble(path, "mrv", "exchange", runs=64)  # the scenario's first read
        t0, c0 = time.perf_counter(), time.process_time()
        ens = crossroads.ensemble(path, "mrv", "exchange", runs=runs)
        t_ens, c_ens = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"crossroads.ensemble(cop21.csv, 'mrv', 'exchange', runs={runs}): {t_ens:.2f} s "
            f"({t_ens / runs * 1e3:.2f} ms/run, CPU {c_ens / runs * 1e3:.2f} ms/run; "
            f"mean forecast {ens.mean:.2f})"
        )
    print()
    print(f"public implementation (decide-exchange-model), 10 rounds: {DECIDE_SECONDS:.1f} s")
    print(f"  vs loop version, 1 run:   {DECIDE_SECONDS / t_loop:10.1f}x")
    print(f"  vs kernel, 1 run:         {DECIDE_SECONDS / t_one:10.0f}x")
    print(f"  vs kernel, batch per run: {DECIDE_SECONDS * runs / t_batch:10.0f}x")


if __name__ == "__main__":
    main()
