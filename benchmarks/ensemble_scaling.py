"""Ensemble scaling: time and peak memory against the number of runs, 1e3 to 1e6.

Run:  .venv/bin/python benchmarks/ensemble_scaling.py [--quick] [--model NAME]

Each size runs in a fresh subprocess on the 10-actor EC car-emissions issue, which
reports its wall time and its peak resident set size (``ru_maxrss``) before and
after the ensemble; the parent prints time per run against the 1e5 row (flat =
linear time) and the peak RSS (flat = bounded memory; target < 1 GiB at 1e6 runs).
By default it runs the ``mean`` model (the machinery's own cost) and ``eum`` when
present.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(runs: int, model: str) -> None:
    import crossroads
    from _ensemble_issues import issues

    _, sc, issue = issues()[0]
    crossroads.ensemble(sc, issue, model, runs=1024, seed=1)  # imports, JIT, caches
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t = time.perf_counter()
    res = crossroads.ensemble(sc, issue, model, runs=runs, seed=0)
    elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "runs": runs,
                "elapsed": elapsed,
                "base_rss": base,
                "peak_rss": peak,
                "mean": res.distribution.mean,
                "rounds": res.distribution.mean_rounds,
                "chunk": res.chunk_size,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes 1e3 to 1e5 only")
    ap.add_argument("--model", action="append", help="model(s) to run (default: mean, eum)")
    ap.add_argument("--child", nargs=2, metavar=("RUNS", "MODEL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.child:
        import os

        print(f"load average before start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    from crossroads.models import model_names

    models = args.model or [m for m in ("mean", "eum") if m in model_names()]
    if "eum" not in model_names():
        print("note: the eum module is not present in this checkout; mean only")
    sizes = [10**3, 10**4, 10**5] + ([] if args.quick else [10**6])
    for model in models:
        print(f"\nmodel {model}, 10-actor issue (ec-emissions-1994), one subprocess per size")
        print(f"{'runs':>10} {'time s':>9} {'us/run':>8} {'vs 1e5':>7} {'peak RSS MiB':>13} "
              f"{'growth MiB':>11}")  # fmt: skip
        rows = []
        for n in sizes:
            out = subprocess.run(
                [sys.executable, str(Path(__file__)), "--child", str(n), model],
                capture_output=True, text=True, cwd=HERE, check=False,
            )  # fmt: skip
            if out.returncode != 0:
                print(f"{n:>10} failed: {out.stderr.strip().splitlines()[-1]}")
                continue
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        ref = next((r for r in rows if r["runs"] == 10**5), rows[-1])
        per_ref = ref["elapsed"] / ref["runs"]
        for r in rows:
            per = r["elapsed"] / r["runs"]
            print(
                f"{r['runs']:>10,} {r['elapsed']:>9.2f} {per * 1e6:>8.2f} {per / per_ref:>7.2f} "
                f"{r['peak_rss'] / 2**20:>13.0f} {(r['peak_rss'] - r['base_rss']) / 2**20:>11.0f}"
            )


if __name__ == "__main__":
    main()
