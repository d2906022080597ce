"""The watchdog of inline jobs: one thread per process that signals them at their deadlines.

Used by ``inline.py`` (its :class:`~pytest_lambda._runtime.inprocess.inline.InlineWorker`
arms and disarms it around each job; the signal and what it does are there). Cost: arming is
a lock and a dict write; the thread is woken only for a deadline earlier than its next wake-up.

Debuggers (:mod:`pytest_lambda._clock.pause`): a job that runs longer than 0.25 s has its
thread's stack looked at every 0.25 s (0.1 s while held); while a debugger's frames are on it
the time is a pause, counted from the last look that saw the handler run, and when it ends
every deadline moves by its length. At a deadline, a job a debugger holds (or while pdb runs
under pytest, or with ``--lambda-no-timeout``) is not signalled. Jobs shorter than 0.25 s
(nearly all) cost nothing more than before: a dict write at arming.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Final

from pytest_lambda._clock import pause
from pytest_lambda._runtime.inprocess.worker import real_time

if TYPE_CHECKING:
    from pytest_lambda._runtime.inprocess.inline import InlineWorker

__all__ = ["Watchdog"]

_RESEND: Final = 0.05  # seconds between signals to a handler that runs on past its deadline
_IDLE_SPAN: Final = 1.0  # the shortest idle sleep (shorter budgets wake the thread when armed)
_IDLE: Final = 30.0  # seconds without jobs before the watchdog sleeps until the next one
_POLL: Final = 0.1  # seconds between looks at a handler a debugger holds
_SAMPLE: Final = 0.25  # seconds between looks at a long job's stack (is a debugger there?)


class Watchdog:
    """One thread per process that signals inline jobs at their deadlines.

    Arming costs a lock and a dict write; the thread is woken only when a new deadline is
    earlier than the one it sleeps until (after it went idle, or for a shorter timeout).
    """

    def __init__(self) -> None:
        # Reentrant: a pause that ends in the watchdog's thread moves the deadlines from there.
        # arm() and disarm() (twice per invocation) take the lock itself: Condition's own
        # __enter__/__exit__ are Python-level calls around the same lock.
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._armed: dict[InlineWorker, tuple[float, int]] = {}  # (deadline, job number)
        self._planned = float("inf")  # when the thread wakes next
        self._span = _RESEND  # the last job's budget: how long an idle thread sleeps
        self._pid = -1
        self._seen: dict[InlineWorker, float] = {}  # when each job was last seen running

    def arm(self, worker: InlineWorker, budget: float) -> float:
        """Watch ``worker`` from now for ``budget`` real seconds; the deadline."""
        with self._lock:
            deadline = real_time() + budget
            worker._seq += 1
            worker.fired = False
            self._armed[worker] = (deadline, worker._seq)
            self._seen[worker] = deadline - budget
            self._span = max(budget, _IDLE_SPAN)
            if self._pid != os.getpid():  # first use, or a forked child (threads do not survive)
                self._pid = os.getpid()
                self._planned = float("inf")
                thread = threading.Thread(target=self._run, name="pytest-lambda-watchdog")
                thread.daemon = True
                thread.start()
                pause.add_listener(self.postpone)
                pause.set_busy_probe(lambda: bool(self._armed))
            if deadline < self._planned:
                self._planned = deadline
                self._cond.notify()
            return deadline

    def postpone(self, seconds: float) -> None:
        """A debugger held the process for ``seconds``: every deadline moves by that much."""
        with self._cond:
            for worker, (deadline, seq) in list(self._armed.items()):
                self._armed[worker] = (deadline + seconds, seq)
            worker_deadlines = [deadline for deadline, _ in self._armed.values()]
            if worker_deadlines:
                self._planned = min(worker_deadlines)
            self._cond.notify()

    def _waits(self, worker: InlineWorker, now: float, deadline: float, seq: int) -> bool:
        """At ``worker``'s deadline: True if it must not be signalled now (a debugger).

        A pause found here is counted from the deadline: the time after it is the debugger's.
        """
        if pause.no_timeout():
            self._armed[worker] = (now + _IDLE_SPAN, seq)
            return True
        if pause.debugger_frame(worker.ident) is not None:
            # nothing if pdb's hooks measure this pause already
            pause.started("watchdog", min(self._seen.get(worker, now), deadline))
            self._armed[worker] = (now + _POLL, seq)
            return True
        if pause.holding():
            if pause.ended("watchdog", now) == 0.0:  # a pdb session under pytest runs on
                self._armed[worker] = (now + _POLL, seq)
            return True  # else postpone() moved the deadline
        return False

    def _sample(self, now: float) -> None:
        """Look at each long job's stack: a debugger holding it starts a pause, else ends one."""
        for worker in list(self._armed):
            if pause.debugger_frame(worker.ident) is not None:
                pause.started("watchdog", self._seen.get(worker, now))
            else:
                self._seen[worker] = now
                if pause.watchdog_pause:
                    pause.ended("watchdog", now)  # postpone() moves the deadlines

    def disarm(self, worker: InlineWorker) -> None:
        with self._lock:  # not while the thread fires: it would put the worker back
            self._armed.pop(worker, None)
            self._seen.pop(worker, None)
        if pause.watchdog_pause:  # a debugger held the job that ends now
            pause.ended("watchdog", real_time())

    def _run(self) -> None:
        cond = self._cond
        idle_since: float | None = None
        with cond:
            while True:
                now = real_time()
                if not self._armed:
                    # Sleep a job's length at a time: a job armed meanwhile ends later than
                    # that, so arming it needs no wake-up. Idle for long: sleep until armed.
                    idle_since = now if idle_since is None else idle_since
                    if now - idle_since < _IDLE:
                        self._planned = now + self._span
                        cond.wait(self._span)
                    else:
                        self._planned, idle_since = float("inf"), None
                        cond.wait()
                    continue
                idle_since = None
                due = min(deadline for deadline, _ in self._armed.values())
                if due > now:
                    wait = due - now
                    if wait > _POLL:  # a long job: is a debugger holding it?
                        self._sample(now)
                        due = min(deadline for deadline, _ in self._armed.values())
                        wait = min(due - now, _POLL if pause.watchdog_pause else _SAMPLE)
                    self._planned = now + wait
                    cond.wait(wait)
                    continue
                for worker in list(self._armed):
                    deadline, seq = self._armed.get(worker, (now + 1, 0))  # postpone() moves them
                    if deadline <= now and not self._waits(worker, now, deadline, seq):
                        self._armed[worker] = (now + _RESEND, seq)
                        worker._fire(now, seq)
