"""Whole-process start-up of the ``crossroads`` command against bare imports of its stack.

Run:  .venv/bin/python benchmarks/startup.py [--repeat N]

Prints the load average first (two shared cores make wall times noisy), then the best of
``N`` wall times (default 5) of these whole processes, each started fresh with
:func:`subprocess.run`:

* ``python -c "import typer, rich"`` -- the baseline of ``crossroads --help``;
* ``crossroads --help``;
* ``python -c "import numpy, yaml, pydantic, typer, rich"`` -- the baseline of a mean forecast;
* ``crossroads forecast kazakhstan-2010 --issue eu-offer --model mean --json``;
* ``crossroads forecast ../shared/data/ktab/dummyData_3Dim.csv --model smp`` (KTAB's own binary
  takes about 0.10 s on this input; no ratio target).

and the ratio of each ``crossroads`` command to its baseline next to its target (4x for
``--help``, 2.5x for the mean forecast); the exit status is 1 if a target is missed. Each
command runs once untimed first, so numba's on-disk cache is warm and the figures measure
start-up, not compilation (it also writes the ``.pyc`` files: the children run with
bytecode caching on even if ``PYTHONDONTWRITEBYTECODE`` is set here). The best CPU time
(user + system) of each is printed beside the wall time: on a shared machine it is the
steadier of the two.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Bytecode caching on, as in an ordinary install: with PYTHONDONTWRITEBYTECODE set, every
# start would compile crossroads' own sources again (site-packages has its .pyc from pip).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
KTAB_3DIM = ROOT / ".." / "shared" / "data" / "ktab" / "dummyData_3Dim.csv"


def _crossroads() -> str:
    """The console script beside this interpreter (the venv's ``bin/crossroads``)."""
    script = Path(sys.executable).with_name("crossroads")
    if not script.exists():
        raise SystemExit(f"no crossroads console script beside {sys.executable}; pip install -e .")
    return str(script)


def best_times(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` wall and CPU (user + system) times (s) of ``cmd`` as a fresh process.

    One untimed run first warms the disk and numba caches. CPU time is less disturbed by
    other load on the machine than wall time, so it is printed beside it.
    """
    walls, cpus = [], []
    for k in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_ENV
        )
        elapsed = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
        if k:
            walls.append(elapsed)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per command (best kept)")
    args = ap.parse_args(argv)
    py, cr = sys.executable, _crossroads()
    load1, load5, load15 = os.getloadavg()
    print(f"load average {load1:.2f} {load5:.2f} {load15:.2f} on {os.cpu_count()} CPUs")
    print(f"best of {args.repeat} wall times per whole process")
    rows = [
        ("python -c 'import typer, rich'", [py, "-c", "import typer, rich"], None, None),
        ("crossroads --help", [cr, "--help"], 0, 4.0),
        (
            "python -c 'import numpy, yaml, pydantic, typer, rich'",
            [py, "-c", "import numpy, yaml, pydantic, typer, rich"],
            None,
            None,
        ),
        (
            "crossroads forecast kazakhstan-2010 --issue eu-offer --model mean --json",
            [cr, "forecast", "kazakhstan-2010", "--issue", "eu-offer", "--model", "mean", "--json"],
            2,
            2.5,
        ),
    ]
    if KTAB_3DIM.exists():
        rows.append(
            (
                "crossroads forecast .../ktab/dummyData_3Dim.csv --model smp",
                [cr, "forecast", str(KTAB_3DIM), "--model", "smp"],
                None,
                None,
            )
        )
    else:
        print(f"(skipping the KTAB smp forecast: {KTAB_3DIM} not found)")
    times: list[float] = []
    cpus: list[float] = []
    width = max(len(r[0]) for r in rows)
    failed = False
    print(f"{'':<{width}}  {'wall':>7}  {'(cpu)':>7}")
    for label, cmd, base, target in rows:
        t, c = best_times(cmd, args.repeat)
        times.append(t)
        cpus.append(c)
        line = f"{label:<{width}}  {t:6.3f}s  ({c:5.3f}s)"
        if base is not None:
            ratio = t / times[base]
            ok = ratio <= target
            failed |= not ok
            line += (
                f"  {ratio:5.2f}x its baseline (cpu {c / cpus[base]:4.2f}x); "
                f"target <= {target:g}x: {'met' if ok else 'MISSED'}"
            )
        print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
