"""Dask with 2 workers against the in-process executor, same ensemble, same numbers.

Run:  .venv/bin/python benchmarks/ensemble_dask.py [--quick]

Starts a ``LocalCluster(n_workers=2, threads_per_worker=1)``, warms it up (imports,
JIT), then times the same ensembles in-process and on the cluster, checks that
both give identical summaries, and prints the speed-up. Cluster start-up time is
printed separately. On a 2-core machine the ceiling is 2x; models that already use
every core in-process (eum runs its batch on one thread per CPU) gain nothing.
"""

from __future__ import annotations

import argparse
import time

import crossroads
from _ensemble_issues import issues
from crossroads.models import model_names
from crossroads.uncertainty.executors import DaskExecutor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs")
    args = ap.parse_args()
    import os

    print(f"load average before start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    _, sc, issue = issues()[0]
    jobs = [("mean", 2_000_000 if not args.quick else 200_000)]
    jobs.append(("median", 1_000_000 if not args.quick else 100_000))
    if "eum" in model_names():
        jobs.append(("eum", 200_000 if not args.quick else 20_000))
    else:
        print("note: the eum module is not present in this checkout")
    t = time.perf_counter()
    ex = DaskExecutor(workers=2)
    print(f"LocalCluster(2 workers) start-up: {time.perf_counter() - t:.1f} s")
    try:
        for model, runs in jobs:
            crossroads.ensemble(sc, issue, model, runs=4096, seed=1, executor=ex)  # warm-up
            crossroads.ensemble(sc, issue, model, runs=1024, seed=1)
            t = time.perf_counter()
            local = crossroads.ensemble(sc, issue, model, runs=runs, seed=0)
            t_local = time.perf_counter() - t
            print(f"{model:>6}, {runs:>9,} runs: in-process {t_local:7.2f} s")
            for chunk in (None, 64 * 1024):
                t = time.perf_counter()
                remote = crossroads.ensemble(
                    sc, issue, model, runs=runs, seed=0, executor=ex, chunk_size=chunk
                )
                t_dask = time.perf_counter() - t
                same = remote.distribution == local.distribution
                print(
                    f"        dask 2 workers, chunks of {remote.chunk_size:>6,}: {t_dask:7.2f} s, "
                    f"speed-up {t_local / t_dask:4.2f}x, identical summary: {same}"
                )
    finally:
        ex.close()


if __name__ == "__main__":
    main()
