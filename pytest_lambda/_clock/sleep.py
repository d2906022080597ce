"""``time.sleep`` under a frozen :class:`~pytest_lambda.LambdaClock`: the clock moves instead.

``_SleepPatch`` points ``time.sleep`` and module-level copies (``from time import sleep``)
at ``_fake_sleep``, which advances the active clock by the requested seconds at once, up to
a runner thread's deadline; callers in pytest's, the runner's and thread plumbing's modules
sleep for real.
"""

from __future__ import annotations

import math
import sys
import threading
import time
import types
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock

__all__ = ["_REAL_SLEEP", "_SleepPatch", "_fake_sleep"]

_REAL_SLEEP: Final = time.sleep

# Callers from these modules sleep for real even while frozen (pytest's machinery, thread
# plumbing, freezegun's own ignore list, and our runner waiting on a handler thread).
_REAL_SLEEP_PACKAGES: Final = frozenset(
    {"_pytest", "pluggy", "pytest_lambda", "threading", "queue", "concurrent", "asyncio"}
    | {"multiprocessing", "execnet", "xdist", "freezegun", "time_machine", "time"}
)


def _active() -> LambdaClock | None:
    clock_module = sys.modules.get("pytest_lambda._clock.clock")
    return None if clock_module is None else clock_module._active


def _sleeps_for_real(module_name: str) -> bool:
    return module_name.partition(".")[0] in _REAL_SLEEP_PACKAGES


def _fake_sleep(secs: Any, /) -> None:
    """``time.sleep`` while a LambdaClock is frozen: advance the clock by ``secs``, instantly."""
    clock = _active()
    caller = str(sys._getframe(1).f_globals.get("__name__") or "")
    if clock is None or not clock._sleep_patched or _sleeps_for_real(caller):
        _REAL_SLEEP(secs)
        return
    ident = threading.get_ident()
    if ident in clock._detached:
        _wait_for_real(clock, ident, secs)
        return
    if clock._runner_threads_only and ident != clock._owner and not _runner_thread(ident):
        _REAL_SLEEP(secs)
        return
    if isinstance(secs, (str, bytes)) or not hasattr(type(secs), "__float__"):
        _REAL_SLEEP(secs)  # the real TypeError
        return
    seconds = float(secs)
    if math.isnan(seconds):
        raise ValueError("Invalid value NaN (not a number)")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    if math.isinf(seconds):
        raise OverflowError("sleep length is too large")
    limit = clock._deadlines.get(ident)
    if limit is not None and clock._cross(limit, seconds):
        # past its deadline: Lambda would have stopped it here
        _wait_for_real(clock, ident, seconds)
        return
    clock._advance(timedelta(seconds=seconds))


def _runner_worker(ident: int) -> Any:
    """The Worker or InlineWorker running a job on thread ``ident``, or None."""
    worker = sys.modules.get("pytest_lambda._runtime.inprocess.worker")
    return None if worker is None else worker._THREADS.get(ident, (None,))[0]


def _runner_thread(ident: int) -> bool:
    return _runner_worker(ident) is not None


def _wait_for_real(clock: LambdaClock, ident: int, secs: Any) -> None:
    """A real sleep, cut short when the thread's wake event is set (its runner gave up on it).

    A handler on the test's thread (an inline environment) is stopped here instead.
    """
    runner_worker = _runner_worker(ident)
    if runner_worker is not None and runner_worker.inline:
        raise runner_worker.stop_at_deadline()
    wake = clock._wakes.get(ident)
    if wake is None or isinstance(secs, (str, bytes)) or not hasattr(type(secs), "__float__"):
        _REAL_SLEEP(secs)
        return
    seconds = float(secs)
    if not seconds >= 0 or math.isinf(seconds):
        _REAL_SLEEP(secs)  # the real ValueError / OverflowError
        return
    if wake.wait(seconds):  # set when the runner gave up on the thread
        raise sys.modules["pytest_lambda._runtime.inprocess.worker"].HandlerAbandoned()


def _namespace(module: object) -> dict[str, Any] | None:
    try:
        namespace = getattr(module, "__dict__", None)
    except Exception:  # lazy or proxy modules may raise on attribute access
        return None
    return namespace if isinstance(namespace, dict) else None


class _SleepPatch:
    """Points ``time.sleep`` and module-level aliases (``from time import sleep``) at ``_fake_sleep``."""

    def __init__(self) -> None:
        self._undo: list[tuple[types.ModuleType, str, Any]] = []
        self._modules_before: set[str] = set()

    def install(self) -> None:
        original = time.sleep if time.sleep is not _fake_sleep else _REAL_SLEEP
        self._undo = [(time, "sleep", original)]
        self._modules_before = set(sys.modules)
        for name, module in list(sys.modules.items()):
            if _sleeps_for_real(name):
                continue
            namespace = _namespace(module)
            if namespace is None:
                continue
            for attr, value in list(namespace.items()):
                if value is original:
                    self._undo.append((module, attr, value))
                    namespace[attr] = _fake_sleep
        time.sleep = _fake_sleep

    def uninstall(self) -> None:
        for module, attr, value in reversed(self._undo):
            if getattr(module, attr, None) is _fake_sleep:
                setattr(module, attr, value)
        # Modules imported while frozen copied the fake; point them back at the real sleep.
        for name in set(sys.modules) - self._modules_before:
            namespace = _namespace(sys.modules.get(name))
            if namespace is not None:
                for attr, value in list(namespace.items()):
                    if value is _fake_sleep:
                        namespace[attr] = _REAL_SLEEP
        self._undo = []
