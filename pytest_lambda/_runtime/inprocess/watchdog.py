"""The watchdog of inline jobs: one thread per process that signals them at their deadlines.

Used by ``inline.py`` (its :class:`~pytest_lambda._runtime.inprocess.inline.InlineWorker`
arms and disarms it around each job; the signal and what it does are there). Cost: arming is
a lock and a dict write; the thread is woken only for a deadline earlier than its next wake-up.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Final

from pytest_lambda._runtime.inprocess.worker import real_time

if TYPE_CHECKING:
    from pytest_lambda._runtime.inprocess.inline import InlineWorker

__all__ = ["Watchdog"]

_RESEND: Final = 0.05  # seconds between signals to a handler that runs on past its deadline
_IDLE_SPAN: Final = 1.0  # the shortest idle sleep (shorter budgets wake the thread when armed)
_IDLE: Final = 30.0  # seconds without jobs before the watchdog sleeps until the next one


class Watchdog:
    """One thread per process that signals inline jobs at their deadlines.

    Arming costs a lock and a dict write; the thread is woken only when a new deadline is
    earlier than the one it sleeps until (after it went idle, or for a shorter timeout).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._armed: dict[InlineWorker, tuple[float, int]] = {}  # (deadline, job number)
        self._planned = float("inf")  # when the thread wakes next
        self._span = _RESEND  # the last job's budget: how long an idle thread sleeps
        self._pid = -1

    def arm(self, worker: InlineWorker, budget: float) -> float:
        """Watch ``worker`` from now for ``budget`` real seconds; the deadline."""
        with self._cond:
            deadline = real_time() + budget
            worker._seq += 1
            worker.fired = False
            self._armed[worker] = (deadline, worker._seq)
            self._span = max(budget, _IDLE_SPAN)
            if self._pid != os.getpid():  # first use, or a forked child (threads do not survive)
                self._pid = os.getpid()
                self._planned = float("inf")
                thread = threading.Thread(target=self._run, name="pytest-lambda-watchdog")
                thread.daemon = True
                thread.start()
            if deadline < self._planned:
                self._planned = deadline
                self._cond.notify()
            return deadline

    def disarm(self, worker: InlineWorker) -> None:
        with self._cond:  # not while the thread fires: it would put the worker back
            self._armed.pop(worker, None)

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
                    self._planned = due
                    cond.wait(due - now)
                    continue
                for worker, (deadline, seq) in list(self._armed.items()):
                    if deadline <= now:
                        self._armed[worker] = (now + _RESEND, seq)
                        worker._fire(now, seq)
