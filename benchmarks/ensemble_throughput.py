"""Ensemble throughput: the batched, chunked ensemble against a loop of single runs.

Run:  .venv/bin/python benchmarks/ensemble_throughput.py [--quick]

For the 10-actor EC car-emissions issue and KTAB's 40-actor dummyData-a040 (read
as one EUM issue), prints run-rounds per second of

* ``crossroads.ensemble`` (draws, chunks, batched kernel, streamed summary);
* the kernel alone on the same inputs, drawn beforehand (the floor the ensemble
  machinery adds to);
* a Python loop of single runs (draw one input set, call the kernel with a batch of
  one, keep the forecast) -- the baseline the batched ensemble is compared with.

No timing is asserted; the ratios are the result (target: batched >= 20x the loop).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import crossroads
from _ensemble_issues import issues, model
from crossroads.ensemble.chunks import default_chunk_size
from crossroads.ensemble.sampling import draw_inputs, input_spec
from crossroads.models import get_model, resolve_params


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    args = ap.parse_args()
    import os

    print(f"load average before start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    name, note = model()
    print(note)
    kernel = get_model(name)
    params = resolve_params(name)
    sizes = {10: (50_000, 300), 40: (5_000, 60)}
    if args.quick:
        sizes = {10: (4_096, 50), 40: (1_024, 10)}
    for label, sc, issue in issues():
        spec = input_spec(sc, issue)
        n_actors = spec.n_actors
        runs, loop_runs = sizes[10 if n_actors <= 10 else 40]
        crossroads.ensemble(sc, issue, name, runs=1024, seed=1)  # warm-up (JIT, imports)

        t = time.perf_counter()
        res = crossroads.ensemble(sc, issue, name, runs=runs, seed=0)
        t_ens = time.perf_counter() - t
        rounds = max(res.distribution.mean_rounds, 1.0)
        rr_ens = runs * rounds / t_ens

        chunk = default_chunk_size(n_actors)
        inputs = [draw_inputs(spec, 0, a, min(a + chunk, runs)) for a in range(0, runs, chunk)]
        t = time.perf_counter()
        for c, s, x in inputs:
            kernel.run(c, s, x, scale=spec.scale, **params)
        t_kernel = time.perf_counter() - t
        rr_kernel = runs * rounds / t_kernel

        t = time.perf_counter()
        out = np.empty(loop_runs)
        for i in range(loop_runs):
            c, s, x = draw_inputs(spec, 0, i, i + 1)
            out[i] = kernel.run(c, s, x, scale=spec.scale, **params).forecast[0, -1]
        t_loop = time.perf_counter() - t
        rr_loop = loop_runs * rounds / t_loop

        print(f"\n{label}: {runs:,} runs, {rounds:.1f} rounds per run, chunks of {chunk:,}")
        print(f"  ensemble (batched)      {rr_ens:14,.0f} run-rounds/s  ({t_ens:.2f} s)")
        print(f"  kernel alone            {rr_kernel:14,.0f} run-rounds/s  ({t_kernel:.2f} s)")
        print(f"  loop of single runs     {rr_loop:14,.0f} run-rounds/s  ({loop_runs} runs)")
        print(f"  ratio batched / loop    {rr_ens / rr_loop:14.1f}x  (target >= 20x)")
        print(f"  ensemble overhead       {t_ens / t_kernel - 1:14.1%}  over the kernel alone")


if __name__ == "__main__":
    main()
