"""The run store: every ensemble, sensitivity study and what-if comparison, in one SQLite file.

Compute functions return results; front-ends save them with :func:`save_result`
(``crossroads ensemble`` does unless ``--no-store``; the dashboard when asked).

Location: ``--store PATH`` (or ``save_result(result, PATH)`` in the Python API); otherwise the
environment variable ``CROSSROADS_STORE``; otherwise
``$XDG_DATA_HOME/crossroads/runs.sqlite`` (``~/.local/share/crossroads/runs.sqlite``
when ``XDG_DATA_HOME`` is unset).

Each row records the kind of run, the time (UTC), the scenario id and a SHA-256
hash of its validated content, the issue, model, preset and full parameters, the
seed, the number of runs, further options (interventions, executor, ...), the
crossroads version, the elapsed time and the summary as JSON.

Writes are atomic and safe under concurrency: the file is in WAL mode with a
30 s busy timeout, and every write is one ``BEGIN IMMEDIATE ... COMMIT``
transaction, so a process killed mid-way leaves no partial row and two processes
writing at once queue rather than corrupt the file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossroads.errors import StoreError
from crossroads.serialisation import dumps, jsonable

__all__ = [
    "ENV_VAR",
    "PROVENANCE",
    "RunRecord",
    "RunStore",
    "default_store_path",
    "open_store",
    "save_result",
    "scenario_hash",
]

#: Environment variable naming the store file.
ENV_VAR = "CROSSROADS_STORE"

#: Version of the table layout, kept in ``PRAGMA user_version``.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    created       TEXT    NOT NULL,
    scenario      TEXT    NOT NULL,
    scenario_hash TEXT    NOT NULL,
    issue         TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    preset        TEXT,
    params        TEXT    NOT NULL,
    seed          INTEGER NOT NULL,
    runs          INTEGER NOT NULL,
    options       TEXT    NOT NULL,
    version       TEXT    NOT NULL,
    elapsed       REAL,
    headline      TEXT,
    summary       TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_scenario ON runs (scenario, issue);
"""

_COLUMNS = (
    "kind", "created", "scenario", "scenario_hash", "issue", "model", "preset", "params",
    "seed", "runs", "options", "version", "elapsed", "headline", "summary",
)  # fmt: skip


def default_store_path() -> Path:
    """``$CROSSROADS_STORE``, else ``$XDG_DATA_HOME/crossroads/runs.sqlite``, else ``~/.local/share/...``."""  # noqa: E501
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "crossroads" / "runs.sqlite"


def scenario_hash(scenario: Any) -> str:
    """SHA-256 of a validated scenario's content (canonical JSON), as hex."""
    data = scenario.model_dump(mode="json", by_alias=True)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RunRecord:
    """One stored run."""

    kind: str
    scenario: str
    scenario_hash: str
    issue: str
    model: str
    params: dict[str, Any]
    seed: int
    runs: int
    summary: dict[str, Any]
    preset: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    elapsed: float | None = None
    headline: str | None = None
    created: str = ""
    id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "id": self.id,
                "kind": self.kind,
                "created": self.created,
                "scenario": self.scenario,
                "scenario_hash": self.scenario_hash,
                "issue": self.issue,
                "model": self.model,
                "preset": self.preset,
                "params": self.params,
                "seed": self.seed,
                "runs": self.runs,
                "options": self.options,
                "version": self.version,
                "elapsed": self.elapsed,
                "headline": self.headline,
                "summary": self.summary,
            }
        )


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("crossroads")
    except Exception:  # not installed as a distribution (e.g. run from a source tree)
        from crossroads.version import __version__

        return __version__


class RunStore:
    """An SQLite run store at ``path`` (created on first write).

    Parameters
    ----------
    path : str or Path, optional
        The file; default :func:`default_store_path`.
    timeout : float
        Seconds to wait for another writer before giving up.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> st = RunStore(pathlib.Path(tempfile.mkdtemp()) / "runs.sqlite")
    >>> rid = st.save(RunRecord("ensemble", "s", "h", "i", "mean", {}, 0, 10, {"mean": 1.0}))
    >>> st.get(rid).summary
    {'mean': 1.0}
    """

    def __init__(self, path: str | Path | None = None, timeout: float = 30.0) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.timeout = timeout

    # --- connection -------------------------------------------------------------------
    def _enter_wal(self, con: sqlite3.Connection) -> None:
        """Switch ``con`` to WAL, waiting while another process creates or converts the file.

        Changing the journal mode needs the database to itself, and SQLite reports
        a conflict at once (an error, or the unchanged mode) rather than through the
        busy handler; so retry until the busy timeout has passed.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                mode = "locked"
            if mode.lower() == "wal":
                return
            if time.monotonic() > deadline:
                raise StoreError(f"run store {self.path}: cannot use WAL journal mode ({mode})")
            time.sleep(0.02)

    def _connect(self, create: bool) -> sqlite3.Connection:
        if self.path.is_dir():
            raise StoreError(f"run store {self.path} is a directory, not a file")
        if not self.path.exists():
            if not create:
                raise StoreError(f"no run store at {self.path} (nothing has been saved yet)")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create run store {self.path}: {e.strerror}") from None
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            self._enter_wal(con)
            con.execute("PRAGMA synchronous = FULL")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                con.execute("BEGIN IMMEDIATE")
                try:
                    if con.execute("PRAGMA user_version").fetchone()[0] == 0:
                        for stmt in _SCHEMA.split(";"):
                            if stmt.strip():
                                con.execute(stmt)
                        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    f"run store {self.path} was written by a newer crossroads (layout {version})"
                )
            return con
        except sqlite3.DatabaseError as e:
            raise StoreError(f"run store {self.path} is not usable: {e}") from None
        except OSError as e:
            raise StoreError(f"cannot open run store {self.path}: {e.strerror}") from None

    # --- writing ----------------------------------------------------------------------
    def save(self, record: RunRecord, _before_commit: Callable[[], None] | None = None) -> int:
        """Insert ``record`` in one transaction; return its id.

        ``_before_commit`` is a test hook called inside the open transaction.
        """
        created = record.created or _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        values = (
            record.kind,
            created,
            record.scenario,
            record.scenario_hash,
            record.issue,
            record.model,
            record.preset,
            dumps(record.params, sort_keys=True),
            int(record.seed),
            int(record.runs),
            dumps(record.options, sort_keys=True),
            record.version or _version(),
            record.elapsed,
            record.headline,
            dumps(record.summary, sort_keys=True),
        )
        con = self._connect(create=True)
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    f"INSERT INTO runs ({', '.join(_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_COLUMNS))})",
                    values,
                )
                rid = int(cur.lastrowid)
                if _before_commit is not None:
                    _before_commit()
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return rid
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot write run store {self.path}: {e}") from None
        finally:
            con.close()

    # --- reading ----------------------------------------------------------------------
    def _record(self, row: sqlite3.Row, with_summary: bool = True) -> RunRecord:
        return RunRecord(
            id=row["id"],
            kind=row["kind"],
            created=row["created"],
            scenario=row["scenario"],
            scenario_hash=row["scenario_hash"],
            issue=row["issue"],
            model=row["model"],
            preset=row["preset"],
            params=json.loads(row["params"]),
            seed=row["seed"],
            runs=row["runs"],
            options=json.loads(row["options"]),
            version=row["version"],
            elapsed=row["elapsed"],
            headline=row["headline"],
            summary=json.loads(row["summary"]) if with_summary else {},
        )

    def list(self, limit: int | None = None, kind: str | None = None) -> list[RunRecord]:
        """Stored runs, newest first (summaries left out)."""
        if not self.path.exists():
            return []
        con = self._connect(create=False)
        con.row_factory = sqlite3.Row
        try:
            sql = "SELECT * FROM runs"
            args: list[Any] = []
            if kind:
                sql += " WHERE kind = ?"
                args.append(kind)
            sql += " ORDER BY id DESC"
            if limit is not None:
                sql += " LIMIT ?"
                args.append(int(limit))
            return [self._record(r, with_summary=False) for r in con.execute(sql, args)]
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot read run store {self.path}: {e}") from None
        finally:
            con.close()

    def get(self, run_id: int) -> RunRecord:
        """The run with id ``run_id``."""
        con = self._connect(create=False)
        con.row_factory = sqlite3.Row
        try:
            row = con.execute("SELECT * FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot read run store {self.path}: {e}") from None
        finally:
            con.close()
        if row is None:
            raise StoreError(f"no run {run_id} in {self.path}")
        return self._record(row)

    def integrity(self) -> str:
        """``PRAGMA integrity_check`` ('ok' when the file is sound)."""
        con = self._connect(create=False)
        try:
            return str(con.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            con.close()


def open_store(store: str | Path | bool | RunStore | None) -> RunStore | None:
    """``None``/``False`` -> no store; ``True`` -> the default store; a path -> that store."""
    if store is None or store is False:
        return None
    if isinstance(store, RunStore):
        return store
    if store is True:
        return RunStore()
    return RunStore(store)


#: What every saved result records first (provenance), read off the result's attributes.
PROVENANCE = ("scenario", "scenario_hash", "issue", "model", "preset", "params", "seed")


def save_result(result: Any, store: str | Path | bool | RunStore | None = True) -> Any:
    """Save an ensemble, sensitivity or comparison result; the result with ``run_id``, ``store``.

    ``result`` carries the provenance fields (scenario, its hash, issue, model, preset,
    params, seed) and a ``record()`` method giving ``kind``, ``runs``, ``options``,
    ``elapsed``, ``headline`` and ``summary``. ``store`` as for :func:`open_store`
    (``True``: the default store; None or False: nothing is saved and ``result`` comes
    back as it is).

    >>> import crossroads, tempfile, pathlib
    >>> r = crossroads.ensemble("tests/data/ensemble-small.yaml", "trade", runs=1024)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "runs.sqlite"
    >>> save_result(r, path).run_id
    1
    """
    import dataclasses

    st = open_store(store)
    if st is None:
        return result
    rec = result.record()
    rid = st.save(
        RunRecord(
            **{name: getattr(result, name) for name in PROVENANCE},
            kind=rec["kind"],
            runs=rec["runs"],
            options=rec["options"],
            elapsed=rec["elapsed"],
            headline=rec["headline"],
            summary=rec["summary"],
        )
    )
    return dataclasses.replace(result, run_id=rid, store=str(st.path))
