"""Run an environment's init and handler on the test's main thread, as the runtime does.

The Python runtime calls the handler on its process's main thread, so module code may
install signal handlers (``signal.signal(signal.SIGTERM, ...)`` for a graceful shutdown)
and ``threading.current_thread()`` is the main thread. An :class:`InlineWorker` gives an
environment that thread: its jobs run on the thread that created it (pytest's main
thread), in the environment's own :mod:`contextvars` context, with any running asyncio
loop of the test hidden, so a handler calling ``asyncio.run()`` works inside an async test.
Running in place also costs no thread hand-off (see ``benchmarks/runner.py``).

Deadlines are kept by one watchdog thread per process. At a job's deadline it sends the main
thread a real-time signal whose handler raises :class:`HandlerAbandoned` in the handler:
pure-Python code stops at its next bytecode, and a blocking call (a real ``sleep``, a
socket read, a lock wait) is interrupted. If the handler catches the exception and runs
on, the signal is sent again every 50 ms; after two seconds a note says which
handler ignores its deadline, on the terminal pytest started on, past its output capture
(:mod:`pytest_lambda._core.terminal`): the test may never end. On a frozen
:class:`~pytest_lambda.LambdaClock`, a ``time.sleep`` that reaches the deadline raises it
at once.

Environments made on another thread, or where real-time signals do not exist (Windows,
macOS), run on their own thread instead (:class:`pytest_lambda._runtime.inprocess.worker.Worker`).
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, Final

from pytest_lambda._core.errors import LambdaStateError
from pytest_lambda._core.terminal import note, stuck_note
from pytest_lambda._runtime.inprocess.watchdog import Watchdog
from pytest_lambda._runtime.inprocess.worker import (
    _EXIT,
    _THREADS,
    HandlerAbandoned,
    Worker,
    _guard_exit,
    ignore_abandoned_unraisable,
    stops_the_test,
)
from pytest_lambda._runtime.outcome import ProcessExit

__all__ = [
    "KEEP_UNBLOCKED",
    "InlineWorker",
    "environments_on_own_thread",
    "make_worker",
    "stop_if_past_deadline",
]

_SIGNAL: Final[int | None] = (
    int(signal.SIGRTMAX) - 3  # type: ignore[attr-defined,unused-ignore]
    if hasattr(signal, "SIGRTMAX") and hasattr(signal, "pthread_kill")
    else None
)
KEEP_UNBLOCKED: Final = frozenset() if _SIGNAL is None else frozenset({_SIGNAL})
_C_SIGNAL: Final[Any] = importlib.import_module("_signal")  # getsignal() without an enum lookup
_NOTE_AFTER: Final = 2.0  # seconds past the deadline before saying so on stderr

_OWN_THREAD: Final = [0]  # open environments_on_own_thread() blocks (the test seam below)

_RUNNING: Final[list[InlineWorker]] = []  # inline jobs running now, innermost last


def make_worker(name: str, *, pin: bool, handler: str = "") -> Worker | InlineWorker:
    """The worker for a new environment: inline on the main thread where signals allow it.

    ``handler`` names the handler in the note about one that runs on past its deadline.
    """
    if (
        not _OWN_THREAD[0]
        and _SIGNAL is not None
        and threading.current_thread() is threading.main_thread()
    ):
        return InlineWorker(name, handler=handler)
    return Worker(name, pin=pin)


@contextlib.contextmanager
def environments_on_own_thread() -> Iterator[None]:
    """The test seam of the thread mode: inside the block, every new environment runs its
    jobs on a :class:`Worker` thread of its own, as it does when the runner is made off the
    main thread (or where the watchdog's signal is missing). Nestable; not thread-safe (a
    test's set-up). The suite's ``thread_environments`` fixture (root ``conftest.py``) uses it.
    """
    _OWN_THREAD[0] += 1
    try:
        yield
    finally:
        _OWN_THREAD[0] -= 1


def _past_deadline() -> bool:
    """A handler's own code runs now, and its or an enclosing invocation's deadline passed."""
    return bool(_RUNNING) and _RUNNING[-1].in_job and any(w.fired for w in _RUNNING)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """The watchdog's signal: stop the running handler whose deadline passed.

    Only in the handler's own code: not in the runner's bookkeeping around the job, nor in
    a nested runner's (a handler invoking another runner); the signal is sent again 50 ms
    later, by when the handler's code runs again.
    """
    if not _past_deadline():
        return
    walk = frame
    while walk is not None and walk.f_code is not _WAIT_CODE:
        if walk.f_globals.get("__name__") == "pytest_lambda._runtime.runner":
            return  # a nested runner between its invocations' jobs
        walk = walk.f_back
    if walk is not None and walk.f_locals.get("self") is not _RUNNING[-1]:
        return  # a nested worker's own bookkeeping around its job (its wait), not handler code
    if _CTRL_C_CAME:
        raise KeyboardInterrupt  # again, until it ends the job (see _note_ctrl_c)
    handling = sys.exc_info()[1]
    if handling is not None and handling is not _RUNNING[-1].outer_exc and stops_the_test(handling):
        # Ctrl-C (or the test's own failure) on its way out of the handler, which this signal
        # landed in: raised again, not replaced by HandlerAbandoned (which the handler may
        # catch, losing the Ctrl-C). Python 3.10 runs signal handlers between any two
        # bytecodes, so there this happened whenever the two signals came together.
        raise handling
    _note_ctrl_c(next(w for w in _RUNNING if w.fired))  # the outermost late job's
    ignore_abandoned_unraisable()
    raise HandlerAbandoned()


# Ctrl-C after a job's deadline. From the first firing at a job's deadline until that job ends,
# a Ctrl-C is only noted, by a C-level call (no Python code runs, so no other signal's handler
# can come in between and lose it), and every later firing raises KeyboardInterrupt: a handler
# that catches BaseException cannot swallow it, and the test stops when the job ends whatever
# the job did with it. Only with Python's default SIGINT handler (another is left alone),
# and only for jobs past their deadline: an invocation that ends in time costs nothing more.
# A forked child gets the default handler back (it has no watchdog to raise what is noted).
_SIGINT: Final = int(signal.SIGINT)
_CTRL_C_CAME: Final[dict[int, Any]] = {}  # SIGINT -> frame, once Ctrl-C came
_NOTE_CTRL_C: Final = _CTRL_C_CAME.__setitem__  # the SIGINT handler while a late job runs
# (the job that noted, the test's SIGINT handler), while _NOTE_CTRL_C may be installed: set
# before the handler is, cleared only once the test's is back
_CTRL_C: Final[list[tuple[Any, Any]]] = []


def _note_ctrl_c(owner: InlineWorker) -> None:
    """Note Ctrl-C instead of raising it at once, until ``owner``'s job ends."""
    if not _CTRL_C and _C_SIGNAL.getsignal(_SIGINT) is signal.default_int_handler:
        _CTRL_C.append((owner, signal.default_int_handler))
        try:
            _C_SIGNAL.signal(_SIGINT, _NOTE_CTRL_C)
        except KeyboardInterrupt:  # a Ctrl-C was pending: raised now, and noted for later
            _CTRL_C_CAME[_SIGINT] = None
            raise


def _forget_ctrl_c() -> bool:
    """The test's SIGINT handler back; whether Ctrl-C came since :func:`_note_ctrl_c`."""
    pending: BaseException | None = None
    while _CTRL_C:
        try:  # signal() runs pending handlers first: one may raise before the handler is set
            if _C_SIGNAL.getsignal(_SIGINT) is _NOTE_CTRL_C:
                _C_SIGNAL.signal(_SIGINT, _CTRL_C[0][1])
            _CTRL_C.clear()
        except BaseException as exc:
            pending = pending if pending is not None else exc
    seen = bool(_CTRL_C_CAME) or isinstance(pending, KeyboardInterrupt)
    _CTRL_C_CAME.clear()  # no frame kept
    if pending is not None and not isinstance(pending, KeyboardInterrupt):
        raise pending
    return seen


def _ctrl_c_in_child() -> None:
    """In a forked child: the test's SIGINT handler, and nothing noted."""
    if _CTRL_C:
        with contextlib.suppress(Exception):  # forked off the main thread: signal() refuses
            _C_SIGNAL.signal(_SIGINT, _CTRL_C[0][1])
        _CTRL_C.clear()
    _CTRL_C_CAME.clear()


def stop_if_past_deadline() -> None:
    """In a handler (nested runners): stop it here if its deadline passed while the nested
    runner's own code ran, where :func:`_on_signal` does not raise."""
    if _past_deadline():
        raise HandlerAbandoned()


def _install_signal_handler() -> None:
    assert _SIGNAL is not None
    if _C_SIGNAL.getsignal(_SIGNAL) is not _on_signal:
        _C_SIGNAL.signal(_SIGNAL, _on_signal)  # not signal.signal: an environment may wrap it


def _end_child(outcome: tuple[bool, Any]) -> None:
    """End a process the handler forked, whose copy of the job returned or raised."""
    ok, value = outcome
    status = 0
    if isinstance(value, (SystemExit, ProcessExit)) and not ok:
        from pytest_lambda._runtime.outcome import exit_status

        status, text = exit_status(value)
        _note(text)
    elif not ok:
        import traceback

        _note("".join(traceback.format_exception(type(value), value, value.__traceback__)))
        status = 1
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    _EXIT.get("original", os._exit)(status)


_WATCHDOG: Final = Watchdog()


def _after_fork_in_child() -> None:
    """The child has no watchdog thread, and the lock may have been held by it."""
    _WATCHDOG.__init__()  # type: ignore[misc]
    _ctrl_c_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _note(text: str) -> None:
    """Write to fd 2 (a forked child's last words, where the test's output goes)."""
    with contextlib.suppress(OSError):  # no stderr
        os.write(2, text.encode("utf-8", "replace"))


# An inline worker's wake event: never set (one for all of them, not one per environment).
_NEVER_SET: Final = threading.Event()


class InlineWorker:
    """An environment's jobs, run on the thread that made it: ``submit(job)``, then ``wait(...)``."""

    inline: Final = True
    thread: Final = None  # no thread of its own (the Worker's attribute)

    def __init__(self, name: str, *, handler: str = "") -> None:
        self.name = name
        self.handler = handler or name
        self.ident = threading.get_ident()
        self.context = contextvars.Context()  # a new thread's context would be empty too
        self.abandoned = False
        self.busy = False
        self.outcome: tuple[bool, Any] = (True, None)
        self.exit: ProcessExit | None = None
        self.wake = _NEVER_SET  # a frozen-clock sleep at the deadline raises instead
        self.fired = False  # the watchdog reached the deadline
        self.in_job = False  # the job's own code runs (not the bookkeeping around it)
        self.stopped = False  # a frozen-clock sleep reached the deadline
        self.outer_exc: BaseException | None = None  # being handled where the job was started
        self._job: Callable[[], Any] | None = None
        self._deadline = float("inf")  # set by wait(): no note before a job ran
        self._seq = 0  # the job number the watchdog watches
        self._noted = False
        self._loop: Any = None  # the environment's asyncio event loop (get_event_loop())
        self._loop_set = False

    def submit(self, job: Callable[[], Any]) -> None:
        """Take ``job``; :meth:`wait` runs it."""
        if self.abandoned:
            raise LambdaStateError(f"{self.name}: this environment was discarded")
        self.outcome = (True, None)
        self._job = job

    def check_caller(self) -> None:
        """Refuse a job from another thread than the environment's (before it is activated)."""
        __tracebackhide__ = True
        if threading.get_ident() != self.ident:
            raise LambdaStateError(
                f"{self.name} was started on the main thread, where Lambda runs a handler, and "
                "cannot be invoked from another thread: invoke it from the main thread, or "
                "call runner.new_environment() first to start one on this thread"
            )

    def _process_exit(self, status: int) -> ProcessExit:
        """``os._exit(status)`` in the job: the process is over, whatever the job does next."""
        if self.exit is None:
            self.exit = ProcessExit(status)
        return ProcessExit(status)

    def stop_at_deadline(self) -> HandlerAbandoned:
        """A frozen-clock ``time.sleep`` reached the deadline: the exception that ends the job."""
        self.stopped = True
        return HandlerAbandoned()

    def _fire(self, now: float, seq: int) -> None:
        """From the watchdog thread: job number ``seq`` passed its deadline, stop it."""
        if seq != self._seq:  # a later job runs now
            return
        self.fired = True
        if not self._noted and now - self._deadline >= _NOTE_AFTER:
            self._noted = True
            note(stuck_note(self.handler, self.name, now - self._deadline))
        assert _SIGNAL is not None
        with contextlib.suppress(OSError, ValueError):  # the thread is gone
            signal.pthread_kill(self.ident, _SIGNAL)

    def wait(
        self, *, budget: float, deadline_ms: int | None, clock_ms: Callable[[], int] | None
    ) -> bool:
        """Run the job; True when it finished within ``budget`` real seconds.

        ``deadline_ms`` and ``clock_ms`` (a frozen clock) are the Worker's: here a
        frozen-clock sleep that reaches the deadline stops the job itself.
        """
        job, self._job = self._job, None
        if job is None:
            return True
        ident = threading.get_ident()
        self.check_caller()
        if _CTRL_C and _CTRL_C[0][0] not in _RUNNING and _forget_ctrl_c():
            # left by a job an exception cut short, and Ctrl-C came since: it is the test's
            raise KeyboardInterrupt
        _install_signal_handler()
        _guard_exit()
        self.stopped = self._noted = False  # fired is reset by the watchdog's arm()
        self.busy = True
        outer = _THREADS.get(ident)
        pid = os.getpid()
        _THREADS[ident] = (self, pid)  # os._exit() raises ProcessExit here
        loops = self._enter_loops()
        self.outer_exc = sys.exc_info()[1]  # the caller's, not the handler's (see _on_signal)
        ctrl_c = False
        try:
            try:
                try:
                    _RUNNING.append(self)
                    self._deadline = _WATCHDOG.arm(self, max(budget, 0.0))
                    self.in_job = True
                    self.outcome = (True, self.context.run(job))
                except BaseException as exc:  # the runtime's view of the job
                    self.outcome = (False, exc)
                finally:
                    self.in_job = False
                    if self in _RUNNING:  # not there if the append was cut short
                        _RUNNING.remove(self)
            except HandlerAbandoned:  # the signal landed as the job ended
                pass
        finally:
            try:
                _WATCHDOG.disarm(self)
                self._leave_loops(loops)
                if outer is None:
                    _THREADS.pop(ident, None)
                else:
                    _THREADS[ident] = outer
                self.busy = False
                job = self.outer_exc = None
            finally:  # the job that noted Ctrl-C ended: the test's SIGINT handler back
                if (_CTRL_C and _CTRL_C[0][0] is self) or (_CTRL_C_CAME and not _CTRL_C):
                    ctrl_c = _forget_ctrl_c()
                elif _CTRL_C_CAME:
                    ctrl_c = True  # an enclosing late job's note: kept until that job ends
        if os.getpid() != pid:  # a child the handler forked returned here: it ends, as in Lambda
            _end_child(self.outcome)
        if self.exit is not None:  # the job caught os._exit's exception and went on
            self.outcome = (False, self.exit)
        if ctrl_c and (self.outcome[0] or not stops_the_test(self.outcome[1])):
            self.outcome = (False, KeyboardInterrupt())  # Ctrl-C came: the test stops
        ok, value = self.outcome
        if self.fired and (ok or not stops_the_test(value)):  # Ctrl-C still stops the test
            return False
        if not ok and isinstance(value, HandlerAbandoned) and not self.stopped:
            raise value  # an enclosing inline invocation's deadline: it unwinds that one
        return True

    def _enter_loops(self) -> tuple[Any, ...] | None:
        """Hide the test's asyncio loops (running, and the thread's current one)."""
        events = sys.modules.get("asyncio.events")
        if events is None:
            return None
        running = events._get_running_loop()
        if running is not None:
            events._set_running_loop(None)
        local = getattr(events._event_loop_policy, "_local", None)
        saved = (
            events,
            running,
            getattr(local, "_loop", None),
            getattr(local, "_set_called", False),
        )
        if local is not None:
            local._loop, local._set_called = self._loop, self._loop_set
        return saved

    def _leave_loops(self, saved: tuple[Any, ...] | None) -> None:
        """Keep the environment's current loop, give the test its loops back."""
        events = sys.modules.get("asyncio.events")
        if events is None:
            return
        # the policy may have been made by the handler (asyncio.get_event_loop())
        local = getattr(events._event_loop_policy, "_local", None)
        loop, set_called = (None, False) if saved is None else saved[2:]
        if local is not None:
            self._loop = getattr(local, "_loop", None)
            self._loop_set = bool(getattr(local, "_set_called", False))
            local._loop, local._set_called = loop, set_called
        if saved is not None and saved[1] is not None:
            events._set_running_loop(saved[1])

    def abandon(self) -> None:
        """The environment is discarded: take no more jobs, close its event loop."""
        self.abandoned = True
        self._close_loop()

    def stop(self) -> None:
        """The environment is closed (nothing runs on: the same as :meth:`abandon`)."""
        self.abandon()

    def _close_loop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None and not loop.is_running() and not loop.is_closed():
            loop.close()


_WAIT_CODE: Final = InlineWorker.wait.__code__
