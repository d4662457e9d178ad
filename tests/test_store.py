"""The SQLite run store: contents, atomicity under SIGKILL, two concurrent writers, CLI."""

from __future__ import annotations

import inspect
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import crossroads
from crossroads.errors import StoreError
from crossroads.store import RunRecord, RunStore, default_store_path, save_result, scenario_hash

from conftest import ROOT

SMALL = str(ROOT / "tests" / "data" / "ensemble-small.yaml")
SRC = str(ROOT / "src")


def _record(tag: str = "x", **kw) -> RunRecord:
    base = dict(
        kind="ensemble",
        scenario="s",
        scenario_hash="h",
        issue="i",
        model="mean",
        params={},
        seed=1,
        runs=10,
        summary={"tag": tag},
        options={"tag": tag},
    )
    return RunRecord(**(base | kw))


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.delenv("CROSSROADS_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "crossroads" / "runs.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_store_path() == Path.home() / ".local/share/crossroads/runs.sqlite"
    monkeypatch.setenv("CROSSROADS_STORE", str(tmp_path / "mine.sqlite"))
    assert default_store_path() == tmp_path / "mine.sqlite"


def test_round_trip_and_listing(tmp_path):
    st = RunStore(tmp_path / "sub" / "runs.sqlite")
    assert st.list() == []
    a = st.save(_record("a", summary={"mean": float("nan"), "q": [1.5, 2.5]}))
    b = st.save(_record("b", kind="compare"))
    got = st.get(a)
    assert got.summary == {"mean": None, "q": [1.5, 2.5]}  # NaN stored as null
    assert got.version == crossroads.__version__ and got.created.endswith("+00:00")
    assert [r.id for r in st.list()] == [b, a]
    assert [r.id for r in st.list(kind="compare")] == [b]
    assert st.integrity() == "ok"
    with sqlite3.connect(st.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(StoreError, match=f"no run 99 in {st.path}"):
        st.get(99)


def test_unusable_files(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database " * 100)
    with pytest.raises(StoreError, match="is not usable: file is not a database"):
        RunStore(junk).save(_record())
    with pytest.raises(StoreError, match="is a directory"):
        RunStore(tmp_path).list()
    with pytest.raises(StoreError, match="no run store at"):
        RunStore(tmp_path / "none.sqlite").get(1)


def test_ensemble_records_everything(tmp_path):
    path = tmp_path / "runs.sqlite"
    r = save_result(crossroads.ensemble(SMALL, "trade", "mean", runs=1500, seed=42), path)
    assert r.run_id == 1 and r.store == str(path)
    rec = RunStore(path).get(r.run_id)
    assert rec.kind == "ensemble" and rec.scenario == "ensemble-small" and rec.issue == "trade"
    assert rec.scenario_hash == scenario_hash(crossroads.load(SMALL))
    assert rec.model == "mean" and rec.params == {} and rec.seed == 42 and rec.runs == 1500
    assert rec.summary["distribution"]["mean"] == r.distribution.mean
    assert rec.options["executor"] == "in-process"
    s = save_result(crossroads.sensitivity(SMALL, "trade", "mean", method="oat"), path)
    c = save_result(crossroads.compare(SMALL, "trade", "mean", ["carrot"], runs=1024), path)
    kinds = [x.kind for x in RunStore(path).list()]
    assert kinds == ["compare", "sensitivity", "ensemble"] and (s.run_id, c.run_id) == (2, 3)
    assert crossroads.ensemble(SMALL, "trade", "mean", runs=10).run_id is None  # API: opt-in
    # the compute functions never write: saving is the caller's (CLI, web) decision
    assert "store" not in inspect.signature(crossroads.ensemble).parameters


def test_hash_follows_content(tmp_path):
    sc = crossroads.load(SMALL)
    other = sc.model_copy(update={"title": "changed"})
    assert scenario_hash(sc) == scenario_hash(crossroads.load(SMALL))
    assert scenario_hash(sc) != scenario_hash(other)


_WRITER = """
import sys, time
sys.path.insert(0, {src!r})
from crossroads.store import RunRecord, RunStore

def hang():
    print("inside", flush=True)
    time.sleep(600)

rec = RunRecord("ensemble", "killed", "h", "i", "mean", {{}}, 1, 10, {{"x": 1}})
RunStore({path!r}).save(rec, _before_commit=hang)
"""


def test_writer_killed_mid_transaction_leaves_no_row(tmp_path):
    path = tmp_path / "runs.sqlite"
    st = RunStore(path)
    st.save(_record("before"))
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER.format(src=SRC, path=str(path))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "inside"  # INSERT done, COMMIT not yet
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    rows = st.list()
    assert [r.options["tag"] for r in rows] == ["before"]
    assert all(r.scenario != "killed" for r in rows)
    assert st.integrity() == "ok"
    st.save(_record("after"))  # the dead writer's lock is gone
    assert [r.options["tag"] for r in st.list()] == ["after", "before"]


def test_ensemble_killed_mid_run_leaves_no_row(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path).save(_record("before"))
    env = dict(os.environ, CROSSROADS_STORE=str(path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "crossroads", "ensemble", SMALL, "--issue", "trade",
         "--runs", "100000000", "--chunk-size", "1024", "--json"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        time.sleep(6)
        assert proc.poll() is None, proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    st = RunStore(path)
    assert [r.options.get("tag") for r in st.list()] == ["before"]
    assert st.integrity() == "ok"


_BURST = """
import sys, time
from pathlib import Path
sys.path.insert(0, {src!r})
from crossroads.store import RunRecord, RunStore

st = RunStore({path!r})
Path({path!r} + ".ready{w}").touch()
while not all(Path({path!r} + f".ready{{v}}").exists() for v in (1, 2)):  # start together
    time.sleep(0.001)
for k in range({n}):
    st.save(RunRecord("ensemble", "s", "h", "i", "mean", {{}}, k, 10, {{"k": k}},
                      options={{"writer": {w}, "k": k}}))
"""


def test_two_processes_write_at_once(tmp_path):
    path = tmp_path / "runs.sqlite"
    n = 100
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BURST.format(src=SRC, path=str(path), n=n, w=w)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in (1, 2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    st = RunStore(path)
    rows = st.list()
    assert len(rows) == 2 * n and len({r.id for r in rows}) == 2 * n
    for w in (1, 2):
        assert sorted(r.options["k"] for r in rows if r.options["writer"] == w) == list(range(n))
    assert st.integrity() == "ok"


def test_cli_runs_list_and_show(tmp_path, capsys, monkeypatch):
    from crossroads.cli import main

    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["runs", "list", "--store", str(path)]) == 0
    assert f"no runs stored in {path}" in capsys.readouterr().out
    args = ["ensemble", SMALL, "--issue", "trade", "--runs", "1024", "--store", str(path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"saved as run 1 in {path}" in out
    assert main(["runs", "list", "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ensemble-small" in out and "mean" in out
    assert main(["runs", "show", "1", "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert "run 1: ensemble" in out and "Forecast distribution" in out
    assert main(["runs", "show", "1", "--store", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["id"] == 1 and d["runs"] == 1024 and d["summary"]["distribution"]["n"] == 1024
    assert main(["runs", "show", "7", "--store", str(path)]) == 1
    assert capsys.readouterr().err == f"error: no run 7 in {path}\n"
    junk = tmp_path / "junk.sqlite"
    junk.write_text("x" * 5000)
    assert main(["runs", "list", "--store", str(junk)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: run store {junk} is not usable") and err.count("\n") == 1
