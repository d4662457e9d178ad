"""Time budgets that interrupt: each computation of the API runs in a child process.

A compiled kernel (``eum``, ``smp``) runs all its rounds inside one numba call, which
no deadline checked in Python can interrupt, so every computation the API offers
(forecast, ensemble, compare, sensitivity, explore, evaluate, fit, report, system)
runs in a child forked from the server (:func:`run_limited`), and the server kills
that child when its time limit passes, answering 503 with what was stopped. Work
that shows early that it would exceed the limit is refused with 422 and the
estimate instead (:class:`Pace`, and :func:`predict_runs` before an ensemble of a
compiled model), so the user learns how much less to ask for.

The child inherits the server's memory (the parsed scenarios, the loaded kernels)
copy-on-write, answers one pickled message on a pipe and exits; a fork costs about
25 ms. At most :attr:`Settings.compute_slots <crossroads.web.settings.Settings>`
children run at once; further requests wait for a slot (their time limit starts
when their child does). Forking needs the ``fork`` start method (Linux, macOS).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from crossroads.errors import CrossroadsError
from crossroads.web.http_errors import NotFound, OverTime, TooMuchWork

__all__ = [
    "ChildError",
    "ComputeSlots",
    "OverTime",
    "Pace",
    "TooMuchWork",
    "computed",
    "predict_runs",
    "run_limited",
]

log = logging.getLogger("crossroads.web")


class ComputeSlots:
    """How many computations run at once, and the one-time loading of the kernels.

    Parameters
    ----------
    slots : int
        Children running at once.
    warm : callable
        Loads every model's compiled kernel into this process, so that each child
        inherits them instead of loading them again (about 2 s each time).
    """

    def __init__(self, slots: int, warm: Callable[[], None]) -> None:
        self.slots = slots
        self._warm = warm
        self._warmed = False
        self._fork_lock = threading.Lock()
        self._limiter: Any = None

    def warmed(self) -> None:
        """Note that the kernels are already loaded (the server warmed up at start)."""
        self._warmed = True

    def limiter(self) -> Any:
        """The :class:`anyio.CapacityLimiter` of the worker threads that wait for children."""
        if self._limiter is None:
            import anyio

            self._limiter = anyio.CapacityLimiter(self.slots)
        return self._limiter

    def fork(self, target: Callable[..., None], args: tuple[Any, ...]) -> Any:
        """Start ``target(*args)`` in a forked child, never while a kernel loads here."""
        with self._fork_lock:
            if not self._warmed:
                self._warm()
                self._warmed = True
            proc = multiprocessing.get_context("fork").Process(target=target, args=args)
            proc.daemon = True
            proc.start()
        return proc


def _child(conn: Any, fn: Callable[[], Any]) -> None:
    """In the child: run ``fn`` and send ``("ok", result)`` or the error, once."""
    try:
        answer: tuple[Any, ...] = ("ok", fn())
    except NotFound as e:
        answer = ("error", 404, str(e))
    except TooMuchWork as e:
        answer = ("error", 422, str(e))
    except CrossroadsError as e:
        answer = ("error", 400, str(e))
    except Exception as e:  # a bug: the server logs the child's traceback
        answer = ("internal", f"{type(e).__name__}: {e}", traceback.format_exc())
    try:
        conn.send(answer)
    except Exception as e:  # an answer that cannot be pickled is a bug too
        conn.send(("internal", f"unsendable answer ({type(e).__name__})", traceback.format_exc()))
    finally:
        conn.close()


class ChildError(RuntimeError):
    """A computation failed in its child with an unexpected exception (a bug: 500)."""


def run_limited(slots: ComputeSlots, fn: Callable[[], Any], seconds: float, what: str) -> Any:
    """``fn()`` computed in a forked child, killed after ``seconds``.

    Blocking: call it from a worker thread (``anyio.to_thread.run_sync``).

    Parameters
    ----------
    slots : ComputeSlots
    fn : callable
        The computation, without arguments; its result must pickle (plain data).
    seconds : float
        The time limit, from the child's start.
    what : str
        The computation as a message names it (``"this ensemble"``).

    Raises
    ------
    OverTime
        The child ran past ``seconds`` (it is killed).
    CrossroadsError, NotFound, TooMuchWork
        Raised in the child, with its message.
    ChildError
        Anything else raised in the child, or a child that died without answering.
    """
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = slots.fork(_child, (sender, fn))
    sender.close()
    try:
        if not receiver.poll(seconds):
            proc.kill()
            raise OverTime(
                f"{what} stopped at this server's time limit of {seconds:g} s; ask for less "
                "(fewer runs or samples, fewer actors, a faster model) or use the command line"
            )
        try:
            answer = receiver.recv()
        except EOFError:
            proc.join(5)
            raise ChildError(
                f"{what} ended without an answer (exit code {proc.exitcode})"
            ) from None
    finally:
        receiver.close()
        proc.join(5)
        if proc.is_alive():  # pragma: no cover (a child that answered and hangs on exit)
            proc.kill()
            proc.join()
    if answer[0] == "ok":
        return answer[1]
    if answer[0] == "error":
        status, message = answer[1], answer[2]
        cls = {404: NotFound, 422: TooMuchWork}.get(status, CrossroadsError)
        raise cls(message)
    log.error("%s failed in its child process:\n%s", what, answer[2])
    raise ChildError(answer[1])


class Pace:
    """A ``progress(done, total)`` callback refusing work that will not end in time.

    After each chunk (ensemble runs, Sobol rows, fit candidates) it extrapolates the
    pace since the first chunk (which also pays the set-up) to the rest; once at
    least three chunks and a tenth of the limit have passed and the estimate exceeds
    the limit, it raises :class:`TooMuchWork` naming it.

    Parameters
    ----------
    seconds : float
        The time limit.
    unit : str
        What ``done`` and ``total`` count (``"runs"``).
    advice : str
        What to ask for instead.
    """

    def __init__(self, seconds: float, unit: str, advice: str) -> None:
        self.seconds, self.unit, self.advice = seconds, unit, advice
        self.start = time.perf_counter()
        self.first: tuple[int, float] | None = None
        self.calls = 0

    def __call__(self, done: int, total: int) -> None:
        if done <= 0 or done >= total:
            return
        now = time.perf_counter() - self.start
        self.calls += 1
        if self.first is None:
            self.first = (done, now)
            return
        d0, t0 = self.first
        if self.calls < 3 or now < 0.1 * self.seconds or done <= d0:
            return
        estimate = t0 + (now - t0) * (total - d0) / (done - d0)
        if estimate > self.seconds:
            raise TooMuchWork(
                f"{total:,} {self.unit} would take about {estimate:,.1f} s (measured on the "
                f"first {done:,}), over this server's time limit of {self.seconds:g} s; "
                f"{self.advice}"
            )


def predict_runs(one_forecast: float, runs: int, seconds: float, what: str) -> None:
    """Refuse ``runs`` runs of a compiled model whose single forecast took ``one_forecast`` s.

    A compiled kernel's run costs about one forecast whatever the batching (see the
    Performance section of the manual), so ``runs x one_forecast`` estimates the
    ensemble before it starts.

    Raises
    ------
    TooMuchWork
        The estimate exceeds ``seconds``.
    """
    estimate = one_forecast * runs
    if estimate > seconds:
        raise TooMuchWork(
            f"{what} of {runs:,} runs would take about {estimate:,.1f} s ({runs:,} x "
            f"{one_forecast:.3g} s, the time of one forecast), over this server's time limit "
            f"of {seconds:g} s; ask for at most {max(int(seconds / one_forecast), 1):,} runs"
        )


async def computed(slots: ComputeSlots, fn: Callable[[], Any], seconds: float, what: str) -> Any:
    """:func:`run_limited` from the event loop: waits for a slot in a worker thread."""
    import anyio

    return await anyio.to_thread.run_sync(
        run_limited, slots, fn, seconds, what, limiter=slots.limiter()
    )
