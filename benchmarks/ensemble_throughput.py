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
from crossroads.models import get_model, resolve_params
from crossroads.uncertainty.chunks import default_chunk_size
from crossroads.uncertainty.sampling import draw_inputs, input_spec


def best(fn, repeat: int) -> float:
    """Fastest of ``repeat`` timings of ``fn()`` in seconds (less noise on a shared machine)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(label, sc, issue, name, runs, loop_runs, repeat) -> None:
    kernel = get_model(name)
    params = resolve_params(name)
    spec = input_spec(sc, issue)
    chunk = default_chunk_size(spec.n_actors)
    crossroads.ensemble(sc, issue, name, runs=1024, seed=1)  # warm-up (JIT, imports)
    res = crossroads.ensemble(sc, issue, name, runs=runs, seed=0)
    rounds = max(res.distribution.mean_rounds, 1.0)  # models without rounds: one evaluation
    t_ens = best(lambda: crossroads.ensemble(sc, issue, name, runs=runs, seed=0), repeat)
    inputs = [draw_inputs(spec, 0, a, min(a + chunk, runs)) for a in range(0, runs, chunk)]

    def kernel_alone() -> None:
        for c, s, x in inputs:
            kernel.run(c, s, x, scale=spec.scale, **params)

    t_kernel = best(kernel_alone, repeat)

    def loop() -> None:
        out = np.empty(loop_runs)
        for i in range(loop_runs):
            c, s, x = draw_inputs(spec, 0, i, i + 1)
            out[i] = kernel.run(c, s, x, scale=spec.scale, **params).forecast[0, -1]

    t_loop = best(loop, repeat)
    rr_ens, rr_kernel = runs * rounds / t_ens, runs * rounds / t_kernel
    rr_loop = loop_runs * rounds / t_loop
    unit = "run-rounds/s" if res.distribution.max_rounds else "runs/s"
    print(f"\n{label}, model {name}: {runs:,} runs, {rounds:.1f} rounds per run, "
          f"chunks of {chunk:,}, best of {repeat}")  # fmt: skip
    print(f"  ensemble (batched)      {rr_ens:14,.0f} {unit}  ({t_ens:.2f} s)")
    print(f"  kernel alone            {rr_kernel:14,.0f} {unit}  ({t_kernel:.2f} s)")
    print(f"  loop of single runs     {rr_loop:14,.0f} {unit}  ({loop_runs} runs)")
    print(f"  ratio batched / loop    {rr_ens / rr_loop:14.1f}x  (target >= 20x)")
    print(f"  ensemble overhead       {t_ens / t_kernel - 1:14.1%}  over the kernel alone")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    args = ap.parse_args()
    import os

    print(f"load average before start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    name, note = model()
    print(note)
    repeat = 1 if args.quick else 3
    sizes = {10: (50_000, 300), 40: (5_000, 60)}
    if args.quick:
        sizes = {10: (4_096, 50), 40: (1_024, 10)}
    for label, sc, issue in issues():
        n = len(sc.issue(issue).stakes)
        runs, loop_runs = sizes[10 if n <= 10 else 40]
        measure(label, sc, issue, name, runs, loop_runs, repeat)
    # the machinery on its own: the mean model costs almost nothing per run
    label, sc, issue = issues()[0]
    measure(label, sc, issue, "mean", 200_000 if not args.quick else 20_000, 2_000, repeat)


if __name__ == "__main__":
    main()
