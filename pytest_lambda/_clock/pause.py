"""Time a debugger held the test: function deadlines and the remaining time wait for it.

While a debugger holds a handler (pdb at a ``breakpoint()``, ``pytest --pdb``/``--trace``, an
IDE's debugger stopped at a breakpoint), Lambda's function timeout must not end the
invocation, and the remaining time must resume where it was: what a developer stepping
through a handler expects, as pytest-timeout suspends itself under a debugger.

Two sources say when a pause starts and ends: the plugin's ``pytest_enter_pdb`` /
``pytest_leave_pdb`` hooks (pdb under pytest while an invocation runs: exact; a
post-mortem after the test is not a pause), and the in-process watchdog, which
looks at the handler's stack when a deadline passes and finds a debugger's frames there
(any debugger: from that moment). :func:`ended` tells the listeners how long the pause was:
the watchdog moves its deadlines by that much, and a :class:`~pytest_lambda.LambdaClock`
on real time runs that much behind from then on (:func:`total`): the remaining time a
context computes on it resumes where it was (a frozen clock does not move meanwhile; a
ticking one is set back by the pause). ``no_timeout`` (``--lambda-no-timeout``) turns the
deadlines off altogether. Cost: nothing on the invocation path; a lock per pause.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Final

__all__ = [
    "DEBUGGER_MODULES",
    "add_listener",
    "busy",
    "debugger_frame",
    "ended",
    "holding",
    "no_timeout",
    "paused_since",
    "real_time",
    "set_busy_probe",
    "set_no_timeout",
    "started",
    "total",
]

#: Top-level modules whose frames on a thread's stack mean a debugger holds it: pdb/bdb,
#: pydevd (PyCharm's debugger, also inside debugpy, which VS Code uses) and debugpy.
#: Coverage tools trace too, but never hold a thread in their own frames: not listed.
DEBUGGER_MODULES: Final = frozenset(
    {"bdb", "pdb", "pydevd", "_pydevd_bundle", "_pydevd_frame_eval", "_pydev_bundle", "debugpy"}
)

_lock = threading.Lock()
_since: float | None = None  # when the pause being measured started (the callers' real clock)
_owner = ""  # who started it: "pytest" (the pdb hooks) or "watchdog"
#: True while the watchdog measures a pause (the job's end ends it: a flag read per job).
watchdog_pause = False
_ended: deque[tuple[float, float]] = deque(maxlen=64)  # (when it ended, seconds)
_total = 0.0  # seconds of all pauses that ended
_listeners: list[Callable[[float], None]] = []
_no_timeout = False
_busy_probe: list[Callable[[], bool]] = [lambda: False]
_SLACK_MS: Final = 50


def _real_perf_counter() -> Callable[[], float]:
    """``time.perf_counter`` as it was before any freezegun freeze (freezegun patches it)."""
    api = sys.modules.get("freezegun.api")
    real = getattr(api, "real_perf_counter", None)
    return real if callable(real) else time.perf_counter


# In a dict so freezegun's scan of module attributes does not replace it.
_REAL: Final[dict[str, Callable[[], float]]] = {"perf_counter": _real_perf_counter()}


def real_time() -> float:
    """Seconds on the real monotonic clock the watchdog uses too, whatever mocks time."""
    return _REAL["perf_counter"]()


def started(owner: str, now: float) -> None:
    """A debugger took hold at ``now`` (a real monotonic clock, never a mocked one: the
    callers pass their own). A pause already measured goes on from its start; pdb's hooks
    ("pytest") take over one the watchdog saw first (it may look while pdb sets up)."""
    global _since, _owner, watchdog_pause
    with _lock:
        if _since is None:
            _since, _owner = now, owner
        elif owner == "pytest":
            _owner = owner
        watchdog_pause = _owner == "watchdog"


def ended(owner: str, now: float) -> float:
    """The pause ``owner`` started is over: its length in seconds, given to the listeners.
    The watchdog ends only its own pauses; pdb's hooks end any (pdb let go)."""
    global _since, watchdog_pause, _total
    with _lock:
        if _since is None or (_owner != owner and owner != "pytest"):
            return 0.0
        seconds, _since, watchdog_pause = max(0.0, now - _since), None, False
        _ended.append((now, seconds))
        _total += seconds
        listeners = list(_listeners)
    for listener in listeners:
        listener(seconds)
    return seconds


def paused_since(start: float) -> float:
    """Seconds of the pauses that ended after ``start`` (same clock as ``started``/``ended``)."""
    with _lock:
        return sum(seconds for end, seconds in _ended if end >= start)


def excused(over_ms: int, start: float) -> bool:
    """A job that began at ``start`` ended ``over_ms`` past its deadline: not a timeout
    if deadlines are off or debuggers held it that long since (50 ms of slack: the
    watchdog counts a pause from its own deadline, a few ms after the job's)."""
    if _no_timeout:
        return True
    return bool(_ended) and over_ms < paused_since(start) * 1000 + _SLACK_MS


def total() -> float:
    """Seconds of all the pauses that ended: a real-time LambdaClock runs that much behind."""
    return _total


def busy() -> bool:
    """Whether an invocation runs in this process now (asked of the watchdog)."""
    return _busy_probe[0]()


def set_busy_probe(probe: Callable[[], bool]) -> None:
    """How :func:`busy` knows (the watchdog registers itself)."""
    _busy_probe[0] = probe


def holding() -> bool:
    """Whether a pause is being measured now."""
    return _since is not None


def add_listener(listener: Callable[[float], None]) -> None:
    """``listener(seconds)`` is called at the end of each pause."""
    with _lock:
        if listener not in _listeners:
            _listeners.append(listener)


def no_timeout() -> bool:
    """Whether deadlines are off (``--lambda-no-timeout``)."""
    return _no_timeout


def set_no_timeout(value: bool) -> None:
    global _no_timeout
    _no_timeout = value


def debugger_frame(ident: int) -> str | None:
    """The module of a debugger's frame on thread ``ident``'s stack (it holds it), else None.

    Walks that thread's stack: call it when a deadline passes, not on every invocation.
    """
    frame: FrameType | None = sys._current_frames().get(ident)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.partition(".")[0] in DEBUGGER_MODULES:
            return module
        frame = frame.f_back
    return None


def _reset() -> None:
    """Forget all pauses (tests of this module)."""
    global _since, _total, watchdog_pause
    with _lock:
        _since, _total, watchdog_pause = None, 0.0, False
        _ended.clear()
