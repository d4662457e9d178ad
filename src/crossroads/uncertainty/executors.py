"""Where chunks run: in this process, on a Dask LocalCluster, or on an existing Dask cluster.

Every executor maps a function over task arguments and yields ``(index, result)``
as results arrive (in any order); callers merge results with order-independent
summaries, so the numbers never depend on the executor.

>>> from crossroads.uncertainty.executors import make_executor
>>> with make_executor() as ex:
...     sorted(ex.map(pow, [(2, 3), (3, 2)]))
[(0, 8), (1, 9)]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from crossroads.errors import CrossroadsError

__all__ = ["DaskExecutor", "Executor", "InProcessExecutor", "make_executor"]

#: Seconds to wait for an existing Dask scheduler to answer.
CONNECT_TIMEOUT = 10


class Executor:
    """Base class: a context manager with :meth:`map`."""

    name = "executor"

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """Yield ``(i, fn(*tasks[i]))`` for every task, in completion order."""
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (idempotent)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcessExecutor(Executor):
    """Run tasks one after another in this process."""

    name = "in-process"

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        for i, args in enumerate(tasks):
            yield i, fn(*args)


class DaskExecutor(Executor):
    """Run tasks on Dask: a new ``LocalCluster`` of ``workers`` processes, or ``scheduler``.

    Parameters
    ----------
    workers : int, optional
        Start a ``LocalCluster(n_workers=workers, threads_per_worker=1,
        processes=True, dashboard_address=None)``; it is shut down on :meth:`close`.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``), started with
        ``dask scheduler`` and ``dask worker ADDRESS``. Its workers need
        crossroads installed.
    in_flight : int, optional
        Tasks submitted at a time (default: twice the cluster's threads), which
        bounds the memory that results in transit take.
    """

    def __init__(
        self, workers: int | None = None, scheduler: str | None = None, in_flight: int | None = None
    ) -> None:
        from crossroads.extras import require_extra

        require_extra("dask", "running on Dask (--workers, --scheduler)")
        from distributed import Client, LocalCluster

        self.cluster = None
        self.client = None
        self._in_flight = in_flight
        if (workers is None) == (scheduler is None):
            raise CrossroadsError("give either workers or a scheduler address")
        if workers is not None:
            if workers < 1:
                raise CrossroadsError(f"--workers must be at least 1, got {workers}")
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            self.name = f"dask LocalCluster ({workers} workers)"
        else:
            assert scheduler is not None
            try:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError, TypeError) as e:
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise CrossroadsError(
                    f"cannot reach the Dask scheduler at {scheduler}: {reason}"
                ) from None
            self.name = f"dask scheduler {scheduler}"

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        assert self.client is not None
        client = self.client
        n = len(tasks)
        if n == 0:
            return
        threads = sum(client.nthreads().values()) or 1
        limit = self._in_flight or max(2, 2 * threads)
        pending: dict[str, tuple[int, Any]] = {}
        ac = as_completed()
        submitted = 0

        def submit() -> None:
            nonlocal submitted
            fut = client.submit(fn, *tasks[submitted], pure=False)
            pending[fut.key] = (submitted, fut)
            ac.add(fut)
            submitted += 1

        while submitted < min(limit, n):
            submit()
        try:
            for fut in ac:
                i, _ = pending.pop(fut.key)
                result = fut.result()
                fut.release()
                if submitted < n:
                    submit()
                yield i, result
        finally:
            if pending:  # stopped early (error or interrupt): drop what is still queued
                client.cancel([f for _, f in pending.values()])
            ac.clear()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """In-process when neither is given; otherwise a :class:`DaskExecutor`."""
    if workers is not None and scheduler is not None:
        raise CrossroadsError("give --workers or --scheduler, not both")
    if workers is None and scheduler is None:
        return InProcessExecutor()
    return DaskExecutor(workers=workers, scheduler=scheduler)
