"""Speed of the batched ``eum`` kernel against a straightforward per-actor loop version.

Run:  .venv/bin/python benchmarks/eum_speed.py [--quick]

Prints, for the 10-actor EC car-emissions example and a 40-actor issue (KTAB's
dummyData-a040 read as one EUM dimension: influence as capability, first
dimension's position, salience / 100):

* the loop version's and the kernel's time for one run (CPU ms), and their ratio;
* the kernel's ensemble throughput in run-rounds per second for a batch of runs
  (inputs perturbed per run, so no two runs are alike), on every CPU and on one;
* the ratio of one batched call to a Python loop of single-run calls.

The loop version below (:func:`eum_loop`) is written from the equations of Scholz,
Calbert & Smith (2011) with plain Python loops over actors and pairs; it implements
every parameter of :mod:`crossroads.models.eum` and is also the independent
reference the tests compare the kernel with.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"
EPS = 1e-12


def _wmedian(w: list[float], x: list[float]) -> float:
    """Weighted median; midpoint at an exact half; equal weights if all are zero."""
    n = len(x)
    order = sorted(range(n), key=lambda a: x[a])
    total = sum(w)
    if total <= 0:
        w, total = [1.0] * n, float(n)
    half, cum, tol = total / 2, 0.0, 1e-12 * max(total, 1.0)
    for p, a in enumerate(order):
        cum += w[a]
        if cum >= half - tol:
            if abs(cum - half) <= tol and p < n - 1:
                return (x[a] + x[order[p + 1]]) / 2
            return x[a]
    return x[order[-1]]


def _forecast(w: list[float], x: list[float], rule: str) -> float:
    if rule == "median":
        return _wmedian(w, x)
    total = sum(w)
    if total <= 0:
        mean = sum(x) / len(x)
    else:
        mean = sum(wi * xi for wi, xi in zip(w, x, strict=True)) / total
    return min(max(x), max(min(x), mean))  # exact bounds, against rounding


def _pw(base: float, r: float) -> float:
    return max(base, 0.0) ** r


def eum_loop(c, s, x, scale=None, **p):
    """One run of the EUM with plain loops; returns (positions, forecasts, rounds made).

    ``p`` must hold every parameter of ``crossroads.models.eum.PARAMS``.
    """
    n = len(x)
    x = [float(v) for v in x]
    w = [c[k] * s[k] for k in range(n)]
    d0 = max(x) - min(x)
    traj, fc = [list(x)], [_forecast(w, x, p["forecast"])]
    done = 0
    for t in range(1, p["rounds"] + 1):
        if p["range"] == "initial":
            D = d0
        elif p["range"] == "current":
            D = max(x) - min(x)
        else:
            D = scale[1] - scale[0]
        new = list(x)
        if D > 0:
            new = _loop_round(x, w, s, D, p)
        f = _forecast(w, new, p["forecast"])
        if p["stop"] == "positions":
            change = max(abs(a - b) for a, b in zip(new, x, strict=True))
        else:
            change = abs(f - fc[-1])
        x = new
        traj.append(list(x))
        fc.append(f)
        done = t
        if change <= p["tol"] * d0:
            break
    while len(traj) < p["rounds"] + 1:
        traj.append(list(x))
        fc.append(fc[-1])
    return traj, fc, done


def _loop_round(x, w, s, D, p):
    n = len(x)
    q, t_rule = p["q"], p["t"]
    mu = _wmedian(w, x) if q < 1 else 0.0

    def probs(rv):
        """P[i][j] for every pair, votes with exponents rv (one per voter)."""

        def vote(k, a, b):  # voter k's votes for x_a over x_b
            return w[k] * ((abs(x[k] - x[b]) / D) ** rv[k] - (abs(x[k] - x[a]) / D) ** rv[k])

        den_all = 0.0
        if p["p_denominator"] == "all":
            for k in range(n):
                for a in range(n):
                    for b in range(n):
                        den_all += abs(vote(k, a, b))
        P = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                votes = [vote(k, i, j) for k in range(n)]
                if p["p_numerator"] == "positive":
                    num = sum(v for v in votes if v > 0)
                else:
                    num = max(0.0, sum(votes))
                den = den_all if p["p_denominator"] == "all" else sum(abs(v) for v in votes)
                P[i][j] = num / den if den > 0 else 0.0
        return P

    def expected(a, b, sal, r, P):
        """What a expects from challenging b: salience sal resists, risk exponent r."""
        dl = abs(x[a] - x[b]) / D
        us = 2 - 4 * _pw(0.5 - 0.5 * dl, r)
        uf = 2 - 4 * _pw(0.5 + 0.5 * dl, r)
        usq = 2 - 4 * 0.5**r
        e = sal * (P[a][b] * us + (1 - P[a][b]) * uf) + (1 - sal) * us - q * usq
        if q < 1:
            m = abs(x[a] - mu) / D + dl
            ub = 2 - 4 * _pw(0.5 - 0.25 * m, r)
            uw = 2 - 4 * _pw(0.5 + 0.25 * m, r)
            if t_rule == "closer":
                tt = 1.0 if abs(x[a] - mu) / D < dl - EPS else 0.0
            else:
                tt = t_rule
            e -= (1 - q) * (tt * ub + (1 - tt) * uw)
        return e

    def e_ij(i, j, r, P):
        return expected(i, j, s[j], r[i], P)

    def e_ji(i, j, r, P):  # j challenges i, as i reckons it
        sal = s[i] if p["opponent_salience"] == "challenged" else s[j]
        rr = r[i] if p["opponent_risk"] == "own" else r[j]
        return expected(j, i, sal, rr, P)

    ones = [1.0] * n
    if p["risk"] == "scholz":
        P1 = probs(ones)
        danger = [sum(e_ji(i, j, ones, P1) for j in range(n) if j != i) for i in range(n)]
        hi, lo = max(danger), min(danger)
        r = []
        for i in range(n):
            if hi - lo > 1e-12 * max(1.0, abs(hi), abs(lo)):
                R = min(1.0, max(-1.0, (2 * danger[i] - hi - lo) / (hi - lo)))
            else:
                R = 0.0
            r.append((1 - R / 3) / (1 + R / 3))
    else:
        r = ones
    P = probs(r if p["vote_utility"] == "risk" else ones)
    new = list(x)
    for i in range(n):
        best = None  # (type, key, position)
        for j in range(n):
            if j == i or x[j] == x[i]:
                continue
            ei, ej = e_ij(i, j, r, P), e_ji(i, j, r, P)
            if ej > ei + EPS and ei > EPS:
                offer = (0, abs(x[j] - x[i]), x[j])
            elif ej > EPS and ei < -EPS and ej > -ei + EPS:
                if p["compromise"] == "fraction":
                    pos = x[i] + (x[j] - x[i]) * abs(ei / ej)
                else:
                    pos = (abs(ei) * x[i] + abs(ej) * x[j]) / (abs(ei) + abs(ej))
                if p["compromise_choice"] == "lowest" and p["offer_choice"] == "by_type":
                    key = (abs(ei) * x[i] + abs(ej) * x[j]) / (abs(ei) + abs(ej))
                else:
                    key = abs(pos - x[i])
                offer = (1, key, pos)
            elif p["capitulation"] and ej > EPS and ei < -EPS and ej < -ei - EPS:
                offer = (2, abs(x[j] - x[i]), x[j])
            else:
                continue
            if p["offer_choice"] == "least_move":
                offer = (0, offer[1], offer[2])
            if best is None or offer[0] < best[0]:
                best = offer
            elif offer[0] == best[0]:
                tie = EPS * D
                if offer[1] < best[1] - tie or (offer[1] <= best[1] + tie and offer[2] < best[2]):
                    best = offer
        if best is not None:
            new[i] = best[2]
    return new


# --------------------------------------------------------------------------- inputs


def ec_example() -> tuple[list[float], list[float], list[float]]:
    """The EC car-emissions example (Bueno de Mesquita 1994; Scholz et al. 2011)."""
    path = SHARED / "eum" / "ec-emissions-1994.csv"
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    c = [float(r["Capability"]) for r in rows]
    x = [float(r["Position"]) for r in rows]
    s = [float(r["Salience"]) / 100 for r in rows]
    return c, s, x


def ktab_a040() -> tuple[list[float], list[float], list[float]]:
    """dummyData-a040 as one EUM issue: influence, first position, first salience / 100."""
    path = SHARED / "ktab" / "dummyData-a040.csv"
    with open(path, newline="") as fh:
        rows = [[cell.strip() for cell in row] for row in csv.reader(fh)]
    c, s, x = [], [], []
    for row in rows[2:]:
        if len(row) < 5 or not row[0]:
            continue
        c.append(float(row[2]))
        x.append(float(row[3]))
        s.append(float(row[4]) / 100)
    return c, s, x


# --------------------------------------------------------------------------- timing


def _cpu(fn, repeat: int) -> float:
    """Smallest CPU time of ``repeat`` calls, in seconds."""
    best = math.inf
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def _wall(fn, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _both(fn, repeat: int) -> tuple[float, float]:
    """(wall, CPU) seconds of the call with the smallest wall time; CPU sums all threads."""
    best = (math.inf, math.inf)
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller batches, fewer repeats")
    ap.add_argument("--runs10", type=int, default=10_000, help="batch size at 10 actors")
    ap.add_argument("--runs40", type=int, default=1_000, help="batch size at 40 actors")
    args = ap.parse_args(argv)
    if not SHARED.exists():
        print(f"reference data not found: {SHARED}", file=sys.stderr)
        return 1

    import numpy as np

    from crossroads.models import eum, resolve_params

    params = resolve_params("eum", "scholz")
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        print(f"CPUs: {os.cpu_count()}, load average (1, 5, 15 min): {load}")
    t0 = time.perf_counter()
    eum.run([1.0, 1.0], [1.0, 1.0], [0.0, 1.0], params=params)
    print(f"numba load/compile (first call): {time.perf_counter() - t0:.2f} s wall")
    repeat = 3 if args.quick else 7
    rng = np.random.default_rng(20110401)
    cases = [
        ("EC emissions, 10 actors", ec_example(), args.runs10),
        ("KTAB a040, 40 actors", ktab_a040(), args.runs40),
    ]
    for label, (c, s, x), runs in cases:
        if args.quick:
            runs = max(runs // 10, 10)
        n = len(x)
        rounds = params["rounds"]
        print(f"\n== {label}: {n} actors, {rounds} rounds, preset 'scholz'")
        ref = eum_loop(c, s, x, **params)
        res = eum.run(c, s, x, params=params)
        diff = float(np.max(np.abs(np.asarray(ref[0]) - res.positions[0])))
        print(f"kernel vs loop version: largest position difference {diff:.2e}")
        loop_t = _cpu(lambda c=c, s=s, x=x: eum_loop(c, s, x, **params), 1 if n > 20 else 3)
        one_t = _cpu(lambda c=c, s=s, x=x: eum.run(c, s, x, params=params), repeat * 5)
        print(f"loop version, one run:        {loop_t * 1e3:10.2f} ms CPU")
        print(
            f"batched kernel, one run:      {one_t * 1e3:10.3f} ms CPU"
            f"   ({one_t / rounds * 1e3:.3f} ms per round)   ratio {loop_t / one_t:,.0f}x"
        )
        one_round = dict(params, rounds=1)
        r1 = _cpu(lambda c=c, s=s, x=x, p=one_round: eum.run(c, s, x, params=p), repeat * 5)
        print(f"batched kernel, one round:    {r1 * 1e3:10.3f} ms CPU")
        # An ensemble: every run's inputs perturbed, as an uncertainty analysis draws them.
        C = np.asarray(c) * rng.uniform(0.8, 1.2, (runs, n))
        S = np.clip(np.asarray(s) + rng.uniform(-0.1, 0.1, (runs, n)), 0, 1)
        span = max(x) - min(x)
        X = np.asarray(x) + rng.uniform(-0.05, 0.05, (runs, n)) * span
        batch_w, batch_c = _both(lambda C=C, S=S, X=X: eum.run(C, S, X, params=params), repeat)
        res = eum.run(C, S, X, params=params)
        rr = float(res.rounds.sum())
        print(
            f"batch of {runs:,} perturbed runs, all CPUs: {batch_w:7.3f} s wall "
            f"{rr / batch_w:11,.0f} run-rounds/s; {batch_c:7.3f} s CPU "
            f"{rr / batch_c:11,.0f} run-rounds per CPU-second"
        )
        eum.THREADS = 1
        try:
            one_w, one_c = _both(lambda C=C, S=S, X=X: eum.run(C, S, X, params=params), repeat)
        finally:
            eum.THREADS = None
        print(
            f"same batch on one thread:   {one_w:7.3f} s wall "
            f"{rr / one_w:11,.0f} run-rounds/s; {one_c:7.3f} s CPU "
            f"{rr / one_c:11,.0f} run-rounds per CPU-second"
        )
        batch_t = batch_w
        k = min(runs, 200)
        loop_single = _wall(
            lambda C=C, S=S, X=X, k=k: [eum.run(C[i], S[i], X[i], params=params) for i in range(k)],
            max(1, repeat // 2),
        )
        per_call = loop_single / k
        print(
            f"Python loop of single-run calls: {per_call * 1e3:.3f} ms per run; "
            f"batched is {per_call * runs / batch_t:,.1f}x faster"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
