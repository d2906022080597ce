"""The thread an execution environment runs its init and handler in, and the deadline wait.

Each environment has one daemon thread. The test's thread hands it a job, then waits until
the job is done or the deadline passes: on the real clock (the budget in real seconds), or
on the test's clock when a frozen :class:`LambdaClock` is moved past it (a patched
``time.sleep`` in the handler). A job that misses its deadline is *abandoned*: the test
carries on, the environment is discarded, and :class:`HandlerAbandoned` is raised
asynchronously in the thread so pure-Python code stops at its next bytecode (code blocked in
C, e.g. a real ``sleep`` or a socket read, stops only when that call returns).

``os._exit()`` ends a real runtime process. Called from an environment's thread, it must
end only that environment: the first :class:`Worker` replaces ``os._exit`` (once, for the
session) with a wrapper that raises :class:`ProcessExit` in an environment's thread of this
process, and calls the original everywhere else (the test's threads, forked children).
"""

from __future__ import annotations

import contextlib
import operator
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Final, NoReturn

from pytest_lambda._core.errors import LambdaStateError
from pytest_lambda._runtime.outcome import ProcessExit

__all__ = [
    "HandlerAbandoned", "Worker", "ignore_abandoned_unraisable", "real_time", "stops_the_test",
]  # fmt: skip


def _real_perf_counter() -> Callable[[], float]:
    """``time.perf_counter`` as it was before any freezegun freeze (freezegun patches it)."""
    api = sys.modules.get("freezegun.api")
    real = getattr(api, "real_perf_counter", None)
    return real if callable(real) else time.perf_counter


# Kept in a dict so freezegun's scan of module attributes does not replace it.
_REAL: Final[dict[str, Callable[[], float]]] = {"perf_counter": _real_perf_counter()}
_FROZEN_POLL: Final = 0.005
_SPINS: Final = 8  # yields before the wait blocks: a quick job ends within a few


def _current_cpu() -> Callable[[], int] | None:
    """libc's ``sched_getcpu`` (Linux), or None where threads cannot be placed on a CPU."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        import ctypes

        getcpu = ctypes.CDLL(None).sched_getcpu
    except (OSError, AttributeError):  # pragma: no cover - not glibc/musl
        return None
    getcpu.restype = ctypes.c_int
    getcpu.argtypes = []
    return getcpu


_CPU: dict[str, Callable[[], int] | None] = {}


def real_time() -> float:
    """Seconds on a real monotonic clock, whatever time mocker is active."""
    return _REAL["perf_counter"]()


def stops_the_test(exc: BaseException) -> bool:
    """An exception for the test, not the function: Ctrl-C, or a pytest outcome raised in
    the handler's frame by the test's own signal handler (pytest-timeout's ``signal``
    method calls ``pytest.fail()``; the handler runs on the main thread)."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    outcomes = sys.modules.get("_pytest.outcomes")
    return outcomes is not None and isinstance(exc, outcomes.OutcomeException)


def _traced_on_3_11() -> bool:
    """CPython 3.11 with a trace function (coverage, a debugger): there, while an exception
    set with ``PyThreadState_SetAsyncExc`` waits for a thread blocked in C, every traced
    thread spins at its next function call, so the test would hang. The job is then left to
    end on its own (its real sleeps still end at once)."""
    return sys.version_info[:2] == (3, 11) and (
        sys.gettrace() is not None or threading.gettrace() is not None
    )


def _drop_abandoned(hook: Callable[[Any], object]) -> Callable[[Any], object]:
    def unraisablehook(unraisable: Any) -> object:
        if isinstance(unraisable.exc_value, HandlerAbandoned):
            return None  # the deadline's exception, landed where Python can only ignore it
        return hook(unraisable)

    unraisablehook.__wrapped__ = hook  # type: ignore[attr-defined]
    unraisablehook._pytest_lambda = True  # type: ignore[attr-defined]
    return unraisablehook


def ignore_abandoned_unraisable() -> None:
    """Before a :class:`HandlerAbandoned` is raised into a running handler: if it lands in
    a ``__del__`` or a weakref callback (run by the garbage collector in the handler's
    time), Python ignores it and reports it to ``sys.unraisablehook``, which pytest turns
    into an error of a later test. Such a report is dropped; the deadline's signal is sent
    again and stops the handler in its own code. Other reports pass through."""
    hook = sys.unraisablehook
    if not getattr(hook, "_pytest_lambda", False):
        sys.unraisablehook = _drop_abandoned(hook)


class HandlerAbandoned(BaseException):
    """Raised inside a timed-out handler's thread: the environment is gone, stop running."""


# Environments' threads: thread id -> (its Worker, the pid it runs in). Read by _guarded_exit.
_THREADS: Final[dict[int, tuple[Any, int]]] = {}  # a Worker or an InlineWorker
_EXIT: Final[dict[str, Callable[[int], NoReturn]]] = {}
_C_INT: Final = 2**31


def _guarded_exit(status: int, /) -> NoReturn:
    """``os._exit`` while environments may run: ends the environment, not this process."""
    entry = _THREADS.get(threading.get_ident())
    if entry is None or entry[1] != os.getpid():  # another thread, or a forked child
        _EXIT["original"](status)
    code = operator.index(status)  # the real TypeError for a non-integer
    if not -_C_INT <= code < _C_INT:
        raise OverflowError("Python int too large to convert to C int")
    raise entry[0]._process_exit(code)


def _guard_exit() -> None:
    """Put :func:`_guarded_exit` in place of ``os._exit`` (again, if something replaced it)."""
    current = os._exit
    if current is not _guarded_exit:
        _EXIT["original"] = current
        os._exit = _guarded_exit  # type: ignore[assignment]  # same call, a positional int


class Worker:
    """One environment's thread: ``submit(job)``, then ``wait(...)``, then ``outcome``."""

    inline: Final = False  # jobs run on a thread of their own (see _inline.InlineWorker)

    def __init__(self, name: str, *, pin: bool = True) -> None:
        self.name = name
        self._pin = pin
        self._cpu = -1
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._job: Callable[[], Any] | None = None
        self._thread: threading.Thread | None = None
        self.abandoned = False
        self.busy = False
        self.outcome: tuple[bool, Any] = (True, None)
        self.exit: ProcessExit | None = None  # the first os._exit() of the environment
        self.wake = threading.Event()  # set when abandoned: ends the job's real waits early

    def _loop(self) -> None:
        ident = threading.get_ident()
        _THREADS[ident] = (self, os.getpid())
        try:
            self._serve()
        except HandlerAbandoned:  # delivered after the job ended: nothing left to stop
            return
        finally:
            _THREADS.pop(ident, None)

    def check_caller(self) -> None:
        """Any thread may hand this environment a job."""

    def _process_exit(self, status: int) -> ProcessExit:
        """``os._exit(status)`` in this thread: the process is over, whatever the job does next."""
        if self.exit is None:
            self.exit = ProcessExit(status)
        return ProcessExit(status)

    def _serve(self) -> None:
        while True:
            self._go.acquire()
            job = self._job
            if job is None or self.abandoned:
                return
            try:
                self.outcome = (True, job())
            except BaseException as exc:  # handed to the waiting test thread
                self.outcome = (False, exc)
            finally:
                self._job = None
                job = None
            if self.exit is not None:  # the job caught os._exit's exception and went on
                self.outcome = (False, self.exit)
            self._done.release()
            if self._gone():
                return

    def _gone(self) -> bool:
        return self.abandoned  # set by abandon() from the test's thread while the job ran

    def submit(self, job: Callable[[], Any]) -> None:
        """Start ``job`` in the thread (started on first use)."""
        if self.abandoned:
            raise LambdaStateError(f"{self.name}: this environment's thread was abandoned")
        self.outcome = (True, None)
        self._job = job
        self.busy = True
        if self._thread is None:
            _guard_exit()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()
        if self._pin:
            self._follow_cpu()
        self._go.release()

    def _follow_cpu(self) -> None:
        """Run the job on the CPU the test's thread is on.

        The test's thread sleeps while the job runs, so they never compete; and handing work
        to a thread on the same CPU avoids waking another (possibly idle, virtual) CPU, which
        costs tens of microseconds per hand-off. Lambda gives a function one vCPU up to
        1,769 MB anyway.
        """
        if "getcpu" not in _CPU:
            _CPU["getcpu"] = _current_cpu()
        getcpu = _CPU["getcpu"]
        thread = self._thread
        if getcpu is None or thread is None or thread.native_id is None:
            self._pin = False
            return
        cpu = getcpu()
        if cpu != self._cpu and cpu >= 0:
            try:
                os.sched_setaffinity(thread.native_id, {cpu})
            except OSError:  # not allowed here (a cgroup, another CPU set): stop trying
                self._pin = False
                return
            self._cpu = cpu

    def _unpin(self) -> None:
        thread = self._thread
        if self._cpu >= 0 and thread is not None and thread.native_id is not None:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(thread.native_id, os.sched_getaffinity(0))
            self._cpu = -1

    def wait(
        self, *, budget: float, deadline_ms: int | None, clock_ms: Callable[[], int] | None
    ) -> bool:
        """True when the job finished within ``budget`` real seconds and before ``deadline_ms``.

        ``clock_ms`` (epoch ms on a frozen clock) is polled every few ms, so a handler whose
        ``time.sleep`` moves the frozen clock past the deadline is caught promptly.
        """
        start = real_time()
        done = self._done
        if self._cpu >= 0:  # same CPU: yield it to the job instead of sleeping on a futex
            for _ in range(_SPINS):
                if done.acquire(False):
                    self.busy = False
                    return True
                os.sched_yield()
        poll = _FROZEN_POLL if clock_ms is not None else None
        remaining = budget
        while True:
            slice_ = remaining if poll is None else min(poll, remaining)
            if self._done.acquire(timeout=max(slice_, 0.0)):
                self.busy = False
                return True
            remaining = budget - (real_time() - start)
            if remaining <= 0:
                return False
            if clock_ms is not None and deadline_ms is not None and clock_ms() >= deadline_ms:
                return False

    def abandon(self) -> None:
        """Give up on the running job: the thread may not take another one, and is told to stop."""
        if not self.busy:
            # No job runs (it ended, with a KeyboardInterrupt say): let the idle thread end.
            # An exception set on a thread that never runs Python again would stay pending for
            # the whole process, and on CPython 3.11 a traced main thread (coverage) spins on it.
            self.stop()
            self.abandoned = True
            return
        self.abandoned = True
        thread = self._thread
        if thread is None or not thread.is_alive() or thread.ident is None:
            return
        self._unpin()  # it may run on for a while: let it use any CPU
        self.wake.set()  # a real sleep of the job wakes and raises HandlerAbandoned itself
        if sys.implementation.name == "cpython" and not _traced_on_3_11():  # CPython-only API
            import ctypes

            ignore_abandoned_unraisable()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(thread.ident), ctypes.py_object(HandlerAbandoned)
            )

    def stop(self) -> None:
        """Let an idle thread exit (an abandoned one is left to finish on its own)."""
        if self._thread is not None and not self.busy and not self.abandoned:
            self.abandoned = True
            self._job = None
            self._go.release()
            self._thread = None

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread
