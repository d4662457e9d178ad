"""Bounded load on the dashboard's API, on loopback only.

Starts the dashboard (uvicorn) in a child process on 127.0.0.1 and a free port, then:

1. sends N concurrent ``POST /api/forecast`` requests (default 200, the ``eum`` model on
   the built-in issues in turn) from one ``httpx.AsyncClient``, and prints latency
   percentiles, throughput and the error count (target: zero errors);
2. sends sequential ``POST /api/explore`` requests -- the dashboard's update: a forecast and
   a 1,000-run ensemble, with an intervention, so two ensembles -- and prints their latency;
3. as the baseline, the same forecasts computed directly in this process, one after
   another; and prints the ratio of the server's throughput under load to it.

The server is stopped at the end (and on any error). Nothing leaves this machine.

Usage: python benchmarks/web_load.py [--concurrent 200] [--explore 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import numpy as np

import crossroads

HOST = "127.0.0.1"  # loopback only, by construction

# The child takes over the listening socket this process bound (no race for the port). The
# socket object says IPPROTO_TCP, or asyncio would not set TCP_NODELAY on its connections (and
# every response would wait ~40 ms for a delayed ACK).
_CHILD = """
import socket, sys, uvicorn
from crossroads.web import Settings, create_app
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP,
                     fileno=int(sys.argv[1]))
app = create_app(Settings(host="127.0.0.1", store=None, warm=True))
uvicorn.Server(uvicorn.Config(app, log_level="warning", limit_concurrency=1024,
                              backlog=2048)).run(sockets=[sock])
"""


def start_server() -> tuple[subprocess.Popen, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(2048)
    port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(sock.fileno())],
        pass_fds=[sock.fileno()],
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    sock.close()  # the child holds its own copy
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("the server did not start within 180 s")
        time.sleep(0.2)


def percentiles(ms: list[float]) -> str:
    a = np.asarray(ms)
    return (
        f"p50 {np.percentile(a, 50):7.1f} ms  p90 {np.percentile(a, 90):7.1f} ms  "
        f"p99 {np.percentile(a, 99):7.1f} ms  max {a.max():7.1f} ms"
    )


async def forecast_load(url: str, bodies: list[dict]) -> tuple[list[float], int, float]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    lat: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:

        async def one(body: dict) -> None:
            nonlocal errors
            t0 = time.perf_counter()
            try:
                r = await client.post("/api/forecast", json=body)
                ok = r.status_code == 200 and "outcome" in r.json()
            except httpx.HTTPError:
                ok = False
            lat.append(1000 * (time.perf_counter() - t0))
            errors += not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        wall = time.perf_counter() - t0
    return lat, errors, wall


async def sustained(url: str, bodies: list[dict], rounds: int) -> tuple[list[float], int, float]:
    """``rounds`` bursts of ``len(bodies)`` concurrent requests over one pool of connections."""
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    lat: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:

        async def one(body: dict) -> None:
            nonlocal errors
            t0 = time.perf_counter()
            try:
                r = await client.post("/api/forecast", json=body)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            lat.append(1000 * (time.perf_counter() - t0))
            errors += not ok

        await asyncio.gather(*(one(b) for b in bodies))  # open the connections
        lat.clear()
        t0 = time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(one(b) for b in bodies))
        wall = time.perf_counter() - t0
    return lat, errors, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concurrent", type=int, default=200)
    ap.add_argument("--explore", type=int, default=20)
    args = ap.parse_args()

    sc = crossroads.load()
    issues = [i.id for i in sc.issues]
    bodies = [
        {"scenario": sc.id, "issue": issues[k % len(issues)], "model": "eum"}
        for k in range(args.concurrent)
    ]
    print(f"crossroads {crossroads.__version__}; {os.cpu_count()} CPUs; server on {HOST}")

    # baseline: the same forecasts, directly in this process, one after another
    for b in bodies[: len(issues)]:
        crossroads.forecast(sc, b["issue"], "eum")  # compile / warm
    t0 = time.perf_counter()
    for b in bodies:
        crossroads.forecast(sc, b["issue"], "eum")
    direct = time.perf_counter() - t0
    print(
        f"baseline, in process: {len(bodies)} eum forecasts in {direct:.2f} s "
        f"({len(bodies) / direct:.0f}/s, {1000 * direct / len(bodies):.1f} ms each)"
    )

    proc, url = start_server()
    try:
        asyncio.run(forecast_load(url, bodies[:8]))  # warm connections and the server
        lat, errors, wall = asyncio.run(forecast_load(url, bodies))
        print(
            f"server: {len(bodies)} concurrent POST /api/forecast: {percentiles(lat)}; "
            f"{len(bodies) / wall:.0f} requests/s; errors {errors}"
        )
        print(
            f"ratio: server throughput under load / in-process baseline = "
            f"{(len(bodies) / wall) / (len(bodies) / direct):.2f}"
        )
        lat2, errors2, wall2 = asyncio.run(sustained(url, bodies, rounds=5))
        errors += errors2
        print(
            f"server: {5 * len(bodies)} POST /api/forecast, {len(bodies)} in flight on kept-alive "
            f"connections: {percentiles(lat2)}; {5 * len(bodies) / wall2:.0f} requests/s; "
            f"errors {errors2}"
        )
        ex = []
        explore_errors = 0
        ivs = [iv.id for iv in sc.interventions if any(e.issue == issues[0] for e in iv.edits)]
        with httpx.Client(base_url=url, timeout=120) as client:
            for k in range(args.explore):
                body = {
                    "scenario": sc.id, "issue": issues[0], "model": "eum", "runs": 1000,
                    "seed": k, "interventions": ivs[:1],
                    "stakes": [{"actor": sc.issues[0].stakes[0].actor,
                                "position": float(10 + 4 * k)}],
                }  # fmt: skip
                t0 = time.perf_counter()
                r = client.post("/api/explore", json=body)
                ex.append(1000 * (time.perf_counter() - t0))
                explore_errors += r.status_code != 200
        print(
            f"server: {args.explore} sequential POST /api/explore (eum forecast + two "
            f"1,000-run ensembles, edited stake, one intervention): {percentiles(ex)}; "
            f"errors {explore_errors}"
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if errors or explore_errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
