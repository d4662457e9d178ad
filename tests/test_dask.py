"""Dask executors: the same seed gives bit-identical numbers on a real 2-worker LocalCluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import crossroads
from crossroads.errors import CrossroadsError
from crossroads.models import model_names
from crossroads.uncertainty import executors

from conftest import IN_CI, ROOT

try:
    import distributed  # noqa: F401
except ImportError:  # pragma: no cover
    if IN_CI:
        raise
    pytest.skip("dask.distributed is not installed", allow_module_level=True)

pytestmark = pytest.mark.dask

SMALL = str(ROOT / "tests" / "data" / "ensemble-small.yaml")
MODELS = [m for m in ("mean", "median", "eum") if m in model_names()]


@pytest.fixture(scope="module")
def cluster():
    ex = executors.DaskExecutor(workers=2)
    try:
        yield ex
    finally:
        ex.close()


@pytest.mark.parametrize("model", MODELS)
def test_ensemble_identical_in_process_and_on_the_cluster(cluster, model):
    runs = 5 * 1024 + 77
    local = crossroads.ensemble(
        SMALL, "trade", model, runs=runs, seed=123, keep_runs=True, chunk_size=1024
    )
    remote = crossroads.ensemble(
        SMALL, "trade", model, runs=runs, seed=123, keep_runs=True, chunk_size=2048,
        executor=cluster,
    )  # fmt: skip
    assert remote.executor == "dask LocalCluster (2 workers)"
    assert remote.distribution == local.distribution
    assert np.array_equal(remote.per_run["forecast"], local.per_run["forecast"])
    assert np.array_equal(remote.per_run["rounds"], local.per_run["rounds"])


def test_compare_and_sensitivity_identical_on_the_cluster(cluster):
    kw = {"runs": 3000, "seed": 9}
    a = crossroads.compare(SMALL, "trade", "mean", ["carrot", "stick"], **kw)
    b = crossroads.compare(SMALL, "trade", "mean", ["carrot", "stick"], executor=cluster, **kw)
    assert [v.distribution for v in a.variants] == [v.distribution for v in b.variants]
    assert [v.shift for v in a.variants] == [v.shift for v in b.variants]
    s1 = crossroads.sensitivity(SMALL, "trade", "median", samples=128, seed=4)
    s2 = crossroads.sensitivity(
        SMALL, "trade", "median", samples=128, seed=4, executor=cluster, chunk_size=1024
    )
    assert s1.table.equals(s2.table) and s1.variance == s2.variance


def test_existing_scheduler_by_address(cluster):
    address = cluster.cluster.scheduler_address
    local = crossroads.ensemble(SMALL, "trade", "mean", runs=2500, seed=1)
    remote = crossroads.ensemble(SMALL, "trade", "mean", runs=2500, seed=1, scheduler=address)
    assert remote.executor == f"dask scheduler {address}"
    assert remote.distribution == local.distribution


def test_unreachable_scheduler_is_one_clean_error(monkeypatch, capsys):
    from crossroads.cli import main

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1)
    with pytest.raises(
        CrossroadsError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"
    ):
        crossroads.ensemble(SMALL, "trade", "mean", runs=10, scheduler="tcp://127.0.0.1:9")
    code = main(["ensemble", SMALL, "--issue", "trade", "--scheduler", "tcp://127.0.0.1:9",
                 "--no-store"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(
        "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9"
    )
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_worker_count():
    with pytest.raises(CrossroadsError, match="--workers must be at least 1, got 0"):
        crossroads.ensemble(SMALL, "trade", "mean", runs=10, workers=0)


def test_cli_workers_flag_matches_in_process(tmp_path):
    env = dict(os.environ, CROSSROADS_STORE=str(tmp_path / "runs.sqlite"), COLUMNS="200")
    r = subprocess.run(
        [sys.executable, "-m", "crossroads", "ensemble", SMALL, "--issue", "trade", "--runs",
         "4096", "--seed", "3", "--workers", "2", "--chunk-size", "1024", "--json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["executor"] == "dask LocalCluster (2 workers)"
    local = crossroads.ensemble(SMALL, "trade", "mean", runs=4096, seed=3)
    assert d["distribution"] == json.loads(json.dumps(local.distribution.to_dict()))
    assert "Traceback" not in r.stderr


def test_plan_identical_on_the_cluster(cluster):
    from crossroads.planning import plan

    path = str(ROOT / "tests" / "data" / "plan-small.yaml")
    local = plan(path, "trade", "mean", ">=50", 0.8, runs=3000, seed=2)
    remote = plan(path, "trade", "mean", ">=50", 0.8, runs=3000, seed=2, executor=cluster)
    assert remote.executor == "dask LocalCluster (2 workers)"
    assert remote.to_df().equals(local.to_df())
    assert remote.best == local.best and remote.frontier == local.frontier


@pytest.mark.parametrize(
    "params", [{"rate": "random_rate"}, {"rate": "randomised_equal_gain", "p": 0.5}]
)
def test_randomised_exchange_identical_on_the_cluster(cluster, params):
    """The exchange model's random rates draw from each block's stream: the same numbers in
    process and on two Dask workers, with any chunk size."""
    linked = str(ROOT / "tests" / "data" / "linked.yaml")
    kw = dict(runs=2 * 1024 + 33, seed=77, interventions=["tie"], params=params, keep_runs=True)
    local = crossroads.ensemble(linked, "rights", "exchange", chunk_size=1024, **kw)
    remote = crossroads.ensemble(
        linked, "rights", "exchange", chunk_size=2048, executor=cluster, **kw
    )
    assert remote.distribution == local.distribution
    assert np.array_equal(remote.per_run["forecast"], local.per_run["forecast"])
