"""Speed of the ``smp`` model on KTAB's own scenario files.

Run:  .venv/bin/python benchmarks/smp_speed.py [--quick]

For each KTAB CSV in ``../shared/data/ktab`` prints:

* ``kernel``: our time for one run of :func:`crossroads.models.smp.run` (best of
  several; the numba code is compiled or loaded from its cache before timing —
  that one-off cost is printed first);
* ``forecast``: ``crossroads.forecast(FILE, model='smp')`` end to end, CSV reading
  included (what ``smpc --csv FILE`` does, minus its logging and database);
* ``KTAB``: the wall time of KTAB's ``smpc`` recorded in ``../shared/data/README.md``
  (built from source on a 2-core machine like this one) and the ratio KTAB / ours;
* ``loop``: a baseline run in this process — the same algorithm written as plain
  Python loops over actors and pairs (:func:`smp_loop`, KTAB's default options,
  written from KTAB's C++ like the kernel) — with the ratio loop / kernel, and a
  check that both give the same states. (Skipped above 60 actors: minutes.)

Then the throughput of a batch of runs (SOE-Pol-Comp, capabilities perturbed per
run) on every CPU.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

import crossroads
from crossroads.models import smp

ROOT = Path(__file__).resolve().parents[1]
KTAB_DIR = ROOT / ".." / "shared" / "data" / "ktab"

#: KTAB smpc wall times in seconds, from ../shared/data/README.md.
KTAB_SECONDS = {
    "dummyData_3Dim.csv": 0.10,
    "SOE-Pol-Comp.csv": 1.1,
    "dummyData_6Dim.csv": 9.9,
    "dummyData-a040.csv": 17.1,
}
FILES = [
    "dummyData_3Dim.csv",
    "SOE-Pol-Comp.csv",
    "SOE-Policy.csv",
    "SOE-Competitive.csv",
    "dummyData_6Dim.csv",
    "dummyData-a040.csv",
    "dummyData-a080.csv",
    "dummyData-a160.csv",
]


# --- the baseline: plain loops, KTAB's default options --------------------------------
def _util(d: float, r: float) -> float:
    return (1 - d) * (1 + d * r) if d <= 1 else (1 - d) * (1 + r)


def _dist(a, b, s) -> float:
    num = sum(((a[k] - b[k]) * s[k]) ** 2 for k in range(len(a)))
    return math.sqrt(num / sum(v * v for v in s))


def _cond_pce(w, u, n_opt) -> list[float]:
    """Linear victory probabilities, conditional PCE, proportional votes."""
    n = len(w)
    cl = [[1e-8] * n_opt for _ in range(n_opt)]
    for i in range(n_opt):
        for j in range(i):
            for k in range(n):
                v = w[k] * (u[k][i] - u[k][j])
                if v > 0:
                    cl[i][j] += v
                if v < 0:
                    cl[j][i] -= v
    p = []
    for i in range(n_opt):
        prod = 1.0
        for j in range(n_opt):
            prod *= 0.5 if i == j else cl[i][j] / (cl[i][j] + cl[j][i])
        p.append(prod)
    tot = sum(p)
    return [v / tot for v in p]


def smp_loop(c, s, x, rounds: int = 100, tol: float = 0.02) -> list:
    """KTAB's SMP with its default options, one run, as plain Python loops; positions 0-1."""
    n = len(c)
    st = [sum(si) for si in s]
    w3 = [st[i] * c[i] for i in range(n)]
    traj = [[list(p) for p in x]]
    while True:
        x = traj[-1]
        t = len(traj) - 1
        if t >= 1:
            first = sum(_dist(a, b, [1] * len(a)) for a, b in zip(traj[0], traj[1], strict=True))
            last = sum(_dist(a, b, [1] * len(a)) for a, b in zip(traj[-1], traj[-2], strict=True))
            if t >= rounds or (t >= 2 and last / (first + 1e-4) < tol):
                return traj
        if t >= rounds:
            return traj
        d = [[_dist(x[i], x[j], s[i]) for j in range(n)] for i in range(n)]
        p = _cond_pce(c, [[1 - d[i][j] for j in range(n)] for i in range(n)], n)
        lo, hi = min(p), max(p)
        big_r = [(3 * v - (hi + 2 * lo)) / (2 * (hi - lo)) if hi > lo else 0.0 for v in p]
        bargains = []  # (initiator, target, position of initiator, of target)
        for i in range(n):
            r = [((2 * big_r[i]) + big_r[m]) / 3 for m in range(n)]
            best = (-1, 0.0, -1.0)
            for j in range(n):
                if j == i:
                    continue
                ci = w3[i] * (_util(d[i][i], r[i]) - _util(d[i][j], r[i]))
                cj = w3[j] * (_util(d[j][i], r[j]) - _util(d[j][j], r[j]))
                chij = 1e-10 + max(ci, 0) + max(cj, 0)
                chji = 1e-10 + max(-ci, 0) + max(-cj, 0)
                base_i, base_j = chij, chji
                for m in range(n):
                    if m in (i, j):
                        continue
                    uni, unj, unn = (_util(d[m][q], r[m]) for q in (i, j, m))
                    v0 = w3[m] * (uni - unj)
                    cni = base_i + max(v0, 0)
                    cnj = base_j + max(-v0, 0)
                    pin = cni / (cni + cnj)
                    pjn = 1 - pin
                    a = pin * (2 * uni + unn) + pjn * 3 * unj
                    b = pin * 3 * uni + pjn * (2 * unj + unn)
                    vk = w3[m] * (a - b)
                    chij += max(vk, 0)
                    chji += max(-vk, 0)
                phij = chij / (chij + chji)
                uii, uij = _util(d[i][i], r[i]), _util(d[i][j], r[i])
                eu = (1 - st[j]) * 2 * uii + st[j] * (phij * 2 * uii + (1 - phij) * 2 * uij)
                edu = eu - (uii + uij)
                if 1e-5 < edu and best[2] < edu:
                    best = (j, phij, edu)
            j, pr, _ = best
            if j < 0:
                continue
            bi, bj = [], []
            for k in range(len(x[i])):
                wi = (s[i][k] * pr) ** 2
                wj = (s[j][k] * (1 - pr)) ** 2
                bi.append(math.floor(0.5 + 1e4 * ((wi + 1e-6) * x[i][k] + wj * x[j][k])
                                     / (wi + 1e-6 + wj)) / 1e4)  # fmt: skip
                bj.append(math.floor(0.5 + 1e4 * (wi * x[i][k] + (1e-6 + wj) * x[j][k])
                                     / (wi + 1e-6 + wj)) / 1e4)  # fmt: skip
            bargains.append((i, j, bi, bj))
        new = [list(p) for p in x]
        own = [[_util(d[a][m], big_r[a]) for m in range(n)] for a in range(n)]
        for k in range(n):
            opts = [None] + [b for b in bargains if k in (b[0], b[1])]
            if len(opts) == 1:
                continue
            u = []
            for a in range(n):
                row = []
                for b in opts:
                    if b is None:
                        row.append(sum(own[a]) / n)
                        continue
                    ui = _util(_dist(x[a], b[2], s[a]), big_r[a])
                    uj = _util(_dist(x[a], b[3], s[a]), big_r[a])
                    rest = sum(own[a][m] for m in range(n) if m not in (b[0], b[1]))
                    row.append((ui + uj + rest) / n)
                u.append(row)
            p = _cond_pce(c, u, len(opts))
            pick = opts[max(range(len(opts)), key=lambda q: (p[q], -q))]
            if pick is not None:
                new[k] = list(pick[2] if pick[0] == k else pick[3])
        traj.append(new)


def _best(fn, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, no loop baseline")
    args = ap.parse_args()
    repeats = 2 if args.quick else 5
    first = KTAB_DIR / FILES[0]
    a = crossroads.load(first).arrays()
    t0 = time.perf_counter()
    smp.run(a.capability, a.salience, a.position)
    print(f"first call (numba compile, or load from its on-disk cache): "
          f"{time.perf_counter() - t0:.2f} s\n")  # fmt: skip
    head = (f"{'file':22s} {'actors':>6s} {'dims':>4s} {'rounds':>6s} {'kernel s':>9s} "
            f"{'forecast s':>10s} {'KTAB s':>7s} {'KTAB/ours':>9s} {'loop s':>8s} "
            f"{'loop/kernel':>11s}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for name in FILES:
        path = KTAB_DIR / name
        a = crossroads.load(path).arrays()
        res = smp.run(a.capability, a.salience, a.position)
        n = len(a.actors)
        dims = 1 if a.position.ndim == 1 else a.position.shape[1]
        kernel = _best(lambda a=a: smp.run(a.capability, a.salience, a.position), repeats)
        end = _best(lambda path=path: crossroads.forecast(path, model="smp"), repeats)
        ktab = KTAB_SECONDS.get(name)
        ratio = f"{ktab / end:9.0f}" if ktab else f"{'':9s}"
        loop_s, loop_r = f"{'':8s}", ""
        if not args.quick and n <= 60:
            x = a.position.reshape(n, dims) / 100.0
            s = a.salience.reshape(n, dims)
            t0 = time.perf_counter()
            traj = smp_loop(list(a.capability), s.tolist(), x.tolist())
            loop = time.perf_counter() - t0
            same = np.allclose(np.asarray(traj) * 100, res.positions[0].reshape(-1, n, dims),
                               atol=1e-9)  # fmt: skip
            loop_s = f"{loop:8.3f}"
            loop_r = f"{loop / kernel:11.0f}" + ("" if same else "  (STATES DIFFER)")
        print(f"{name:22s} {n:6d} {dims:4d} {int(res.rounds[0]):6d} {kernel:9.4f} {end:10.4f} "
              f"{ktab if ktab else '':>7} {ratio} {loop_s} {loop_r}")  # fmt: skip
    # batch throughput
    a = crossroads.load(KTAB_DIR / "SOE-Pol-Comp.csv").arrays()
    runs = 64 if args.quick else 256
    rng = np.random.default_rng(0)
    c = a.capability * rng.uniform(0.8, 1.2, (runs, len(a.actors)))
    s = np.broadcast_to(a.salience, (runs, *a.salience.shape))
    x = np.broadcast_to(a.position, (runs, *a.position.shape))
    t = _best(lambda: smp.run(c, s, x), 2)
    print(f"\nbatch: {runs} runs of SOE-Pol-Comp (capabilities x U(0.8, 1.2)) in {t:.3f} s "
          f"= {runs / t:.0f} runs/s on every CPU")  # fmt: skip


if __name__ == "__main__":
    main()
