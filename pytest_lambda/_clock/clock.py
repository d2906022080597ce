"""``LambdaClock``: the one controllable clock of a Lambda test, on top of freezegun.

Two verbs: ``move_to(when)`` freezes time at an instant, ``shift(seconds)`` advances it.
Time is real until the first ``move_to()``. While frozen (and ``patch_sleep`` is on),
``time.sleep(n)`` advances the clock by ``n`` instead of waiting, so timeout paths run
instantly. freezegun is imported on the first ``move_to()`` and never shown to users.
"""

from __future__ import annotations

import calendar
import contextlib
import math
import sys
import threading
import time
import types
import weakref
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final, Protocol

from pytest_lambda._clock import pause
from pytest_lambda._clock.sleep import _SleepPatch
from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption, LambdaStateError

__all__ = ["LambdaClock", "When"]

When = datetime | date | str | float | int
"""What ``move_to()`` accepts: a datetime (naive means UTC), a date, an ISO 8601 string, epoch seconds."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)

_lock = threading.RLock()
_active: LambdaClock | None = None


def _after_pause(seconds: float) -> None:
    """A debugger held the test: a ticking frozen clock goes back by the time it ticked on."""
    clock = _active
    if clock is not None and clock.tick:
        with contextlib.suppress(RuntimeError):  # another time mocker is on top: leave it
            clock._advance(timedelta(seconds=-seconds))


pause.add_listener(_after_pause)


class _Rebasable(Protocol):
    def _rebase(self, delta_ms: int) -> None: ...


def _to_utc_naive(when: When) -> datetime:
    """``when`` as a naive UTC datetime (what freezegun stores)."""
    __tracebackhide__ = True
    if isinstance(when, bool):
        raise ArgumentTypeError(
            f"LambdaClock.move_to(): {when!r} is a bool, not an instant; {_ACCEPTS}"
        )
    if isinstance(when, datetime):
        if when.tzinfo is not None and when.utcoffset() is not None:
            when = when.astimezone(timezone.utc).replace(tzinfo=None)
        return when.replace(tzinfo=None)
    if isinstance(when, date):
        return datetime(when.year, when.month, when.day)
    if isinstance(when, str):
        text = when.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidOption(
                f"LambdaClock.move_to(): {when!r} is not an ISO 8601 instant; "
                f"write it like '2026-11-22T10:00:00Z'. {_ACCEPTS}"
            ) from None
        return _to_utc_naive(parsed)
    if isinstance(when, (int, float)):
        if not math.isfinite(when):
            raise InvalidOption(f"LambdaClock.move_to(): {when!r} is not a finite epoch time")
        return (_EPOCH + timedelta(seconds=when)).replace(tzinfo=None)
    raise ArgumentTypeError(
        f"LambdaClock.move_to(): {type(when).__name__} is not an instant; {_ACCEPTS}"
    )


_ACCEPTS: Final = (
    "move_to() accepts a datetime (naive means UTC), a date, an ISO 8601 string or epoch seconds."
)


def _epoch_ms(naive_utc: datetime) -> int:
    return calendar.timegm(naive_utc.timetuple()) * 1000 + naive_utc.microsecond // 1000


def _foreign_time_mocker() -> str | None:
    """A description of another active time mocker, or None."""
    tm = sys.modules.get("time_machine")
    if tm is not None:
        hatch = getattr(tm, "escape_hatch", None)
        stack = getattr(tm, "traveller_stack", None) or getattr(tm, "coordinates_stack", None)
        if (hatch is not None and hatch.is_travelling()) or stack:
            return "time-machine is travelling (a time_machine.travel() or time_machine fixture is active)"
    fg = sys.modules.get("freezegun.api")
    if fg is not None and getattr(fg, "freeze_factories", None):
        return "a freezegun freeze_time() started outside LambdaClock is active"
    if not isinstance(time.time, types.BuiltinFunctionType):
        return f"time.time is replaced by {time.time!r}"
    import datetime as datetime_module

    if datetime_module.datetime.__module__ != "datetime":
        return f"datetime.datetime is replaced by {datetime_module.datetime!r}"
    return None


def _refuse(verb: str, what: str) -> RuntimeError:
    return RuntimeError(
        f"LambdaClock.{verb}() refused: {what}, and two time mockers would fight over "
        "time.time() and datetime.now().\n"
        "Stop the other one first, or use only LambdaClock in this test: "
        "move_to(when) replaces freeze_time()/travel(), shift(seconds) replaces tick()/shift()."
    )


class LambdaClock:
    """The clock a Lambda test runs on: real until ``move_to()``, then frozen and controlled.

    ``tick=True`` lets the frozen clock run on with real time from each instant set.
    ``patch_sleep=False`` keeps ``time.sleep`` real while frozen (it then waits, and the
    frozen clock does not move). Use it as a context manager or call ``stop()``.
    """

    __module__ = "pytest_lambda"

    def __init__(self, *, tick: bool = False, patch_sleep: bool = True) -> None:
        __tracebackhide__ = True
        for name, flag in (("tick", tick), ("patch_sleep", patch_sleep)):
            if not isinstance(flag, bool):
                raise ArgumentTypeError(f"LambdaClock: {name}={flag!r} must be True or False")
        self._tick = tick
        self._patch_sleep = patch_sleep
        self._freezer: Any = None
        self._factory: Any = None
        self._sleep: _SleepPatch | None = None
        self._listeners: weakref.WeakSet[_Rebasable] = weakref.WeakSet()
        self._detached: set[int] = set()
        # For the checks' own clock: time.sleep advances it only in runner environment threads
        # (and the thread that made it); threads a handler starts sleep for real, as they
        # would run on in Lambda.
        self._runner_threads_only = False
        self._owner = threading.get_ident()
        self._deadlines: dict[int, int] = {}
        self._wakes: dict[int, threading.Event] = {}
        self._freeze_stack: list[Any] = []

    # -- state ---------------------------------------------------------------------------
    @property
    def frozen(self) -> bool:
        """True after ``move_to()`` until ``stop()``."""
        return self._factory is not None

    @property
    def tick(self) -> bool:
        """Whether the frozen clock runs on with real time; can be changed while frozen."""
        return self._tick

    @tick.setter
    def tick(self, value: bool) -> None:
        with _lock:
            if bool(value) != self._tick and self.frozen:
                self._check_ours("move_to")
                instant = self._factory()
                self._stop_freezer()
                self._tick = bool(value)
                self._start_freezer(instant)
            self._tick = bool(value)

    @property
    def patch_sleep(self) -> bool:
        """Whether ``time.sleep(n)`` advances the frozen clock instead of waiting."""
        return self._patch_sleep

    @patch_sleep.setter
    def patch_sleep(self, value: bool) -> None:
        with _lock:
            self._patch_sleep = bool(value)
            if self.frozen:
                self._sync_sleep_patch()

    @property
    def _sleep_patched(self) -> bool:
        return self._sleep is not None

    # -- the two verbs ---------------------------------------------------------------------
    def move_to(self, when: When) -> None:
        """Freeze the clock at ``when`` (the first call freezes; later calls move it)."""
        __tracebackhide__ = True
        global _active
        target = _to_utc_naive(when)
        with _lock:
            before = self._now_ms()
            if self.frozen:
                self._check_ours("move_to")
                self._factory.move_to(target)
            else:
                if _active is not None and _active is not self:
                    raise _refuse("move_to", f"another LambdaClock is frozen ({_active!r})")
                foreign = _foreign_time_mocker()
                if foreign is not None:
                    raise _refuse("move_to", foreign)
                self._start_freezer(target)
                _active = self
                self._sync_sleep_patch()
            self._notify(self._now_ms() - before)

    def shift(self, seconds: float | timedelta) -> None:
        """Advance the frozen clock by ``seconds`` (negative goes back)."""
        __tracebackhide__ = True
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float, timedelta)):
            raise ArgumentTypeError(
                f"LambdaClock.shift(): expected seconds (int, float or timedelta), got {seconds!r}"
            )
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        with _lock:
            if not self.frozen:
                raise LambdaStateError(
                    "LambdaClock.shift(): the clock is not frozen, so there is no instant to "
                    "advance; call move_to() first (e.g. lambda_clock.move_to('2026-11-22T10:00:00Z') "
                    "or @pytest.mark.lambda_clock(...)). Time is real until move_to()."
                )
            self._advance(delta)

    def _advance(self, delta: timedelta) -> None:
        with _lock:
            self._check_ours("shift")
            self._factory.move_to(self._factory() + delta)

    # -- reading -------------------------------------------------------------------------
    def now(self) -> datetime:
        """The current instant on this clock, as an aware UTC datetime."""
        with _lock:
            if self.frozen:
                self._check_ours("now")
                current: datetime = self._factory()
                return current.replace(tzinfo=timezone.utc)
        return datetime.fromtimestamp(self.time(), timezone.utc)

    def time(self) -> float:
        """Epoch seconds on this clock (what ``time.time()`` returns to code under it)."""
        with _lock:
            if self.frozen:
                self._check_ours("time")
                current: datetime = self._factory()
                return calendar.timegm(current.timetuple()) + current.microsecond / 1_000_000
        return time.time() - pause.total()  # real time, less the time debuggers held the test

    def _now_ms(self) -> int:
        """Epoch milliseconds, exact while frozen (integer arithmetic, no float rounding)."""
        with _lock:
            if self.frozen:
                self._check_ours("time")
                return _epoch_ms(self._factory())
        return int((time.time() - pause.total()) * 1000)

    # -- lifecycle -----------------------------------------------------------------------
    def stop(self) -> None:
        """Back to real time and the real ``time.sleep`` (does nothing if not frozen)."""
        __tracebackhide__ = True
        global _active
        with _lock:
            if not self.frozen:
                return
            self._check_ours("stop")
            before = self._now_ms()
            if self._sleep is not None:
                self._sleep.uninstall()
                self._sleep = None
            self._stop_freezer()
            self._detached.clear()
            self._deadlines.clear()
            self._wakes.clear()
            if _active is self:
                _active = None
            self._notify(self._now_ms() - before)

    def __enter__(self) -> LambdaClock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        factory = self._factory
        state = "real time" if factory is None else f"frozen at {factory().isoformat()}Z"
        return f"LambdaClock({state}, tick={self._tick}, patch_sleep={self._patch_sleep})"

    # -- internals -----------------------------------------------------------------------
    def _start_freezer(self, target: datetime) -> None:
        from freezegun import api, freeze_time

        from pytest_lambda._clock.freezegun_compat import install_compat, start_freezer

        install_compat(api)
        self._freeze_stack = api.freeze_factories

        # pytest keeps its own references to the time functions for its durations; leave
        # them real. asyncio loops keep real time, so asyncio.sleep() still returns.
        freezer = freeze_time(target, tick=self._tick, ignore=["_pytest.timing"], real_asyncio=True)
        self._factory = start_freezer(freezer)
        self._freezer = freezer
        # freezegun gives code called from a `threading` frame the real time (the module is on
        # its default ignore list), which would hide the clock from a handler that runs in a
        # worker thread. The module itself stays unpatched; only that caller check is dropped.
        callers = getattr(api, "ignore_lists", None)
        if callers and callers[-1] is self._freezer.ignore:
            callers[-1] = tuple(m for m in callers[-1] if m != "threading")

    def _stop_freezer(self) -> None:
        from pytest_lambda._clock.freezegun_compat import stop_freezer

        stop_freezer(self._freezer)
        self._freezer = None
        self._factory = None

    def _sync_sleep_patch(self) -> None:
        if self._patch_sleep and self._sleep is None:
            self._sleep = _SleepPatch()
            self._sleep.install()
        elif not self._patch_sleep and self._sleep is not None:
            self._sleep.uninstall()
            self._sleep = None

    def _check_ours(self, verb: str) -> None:
        """Refuse when someone stacked a freezegun freeze on top of ours."""
        __tracebackhide__ = True
        stack = self._freeze_stack
        if not stack or stack[-1] is not self._factory:
            raise _refuse(
                verb, "a freezegun freeze_time() was started on top of the frozen LambdaClock"
            )

    def _detach_thread(self, ident: int) -> None:
        """From now on ``time.sleep`` in thread ``ident`` waits for real and leaves the clock alone.

        For the runner: a handler thread that outlived its deadline must not keep moving the
        clock of the next invocation. Cleared by ``stop()``.
        """
        self._detached.add(ident)

    def _thread_deadline(
        self, ident: int, deadline_ms: int | None, wake: threading.Event | None = None
    ) -> None:
        """Bound the clock moves of ``time.sleep`` in thread ``ident`` (``None`` removes it).

        For the runner, around each invocation: a sleep that would reach ``deadline_ms``
        moves the clock exactly to the deadline, and the thread is detached (that sleep and
        later ones wait for real), so a handler looping on ``sleep`` cannot race the clock on.
        Those real waits end early once ``wake`` is set (the runner abandoned the thread, so
        it must not sit in a sleep holding locks, e.g. the import lock of a module at init).
        """
        if deadline_ms is None:
            self._deadlines.pop(ident, None)
            if ident not in self._detached:
                self._wakes.pop(ident, None)
        else:  # a new job: a thread id freed by an abandoned thread may be reused
            self._detached.discard(ident)
            self._deadlines[ident] = deadline_ms
            if wake is not None:
                self._wakes[ident] = wake
            else:
                self._wakes.pop(ident, None)

    def _thread_state(self, ident: int) -> tuple[int | None, threading.Event | None, bool]:
        """What bounds thread ``ident`` now, to put back with :meth:`_restore_thread`."""
        return self._deadlines.get(ident), self._wakes.get(ident), ident in self._detached

    def _restore_thread(
        self, ident: int, state: tuple[int | None, threading.Event | None, bool]
    ) -> None:
        """For a thread that goes on after a job (the test's, or an enclosing handler's)."""
        deadline, wake, detached = state
        if deadline is None:
            self._deadlines.pop(ident, None)
        else:
            self._deadlines[ident] = deadline
        if wake is None:
            self._wakes.pop(ident, None)
        else:
            self._wakes[ident] = wake
        if detached:
            self._detached.add(ident)
        else:
            self._detached.discard(ident)

    def _cross(self, limit_ms: int, seconds: float) -> bool:
        """If sleeping ``seconds`` reaches ``limit_ms``: move to the limit, detach the thread."""
        with _lock:
            now_ms = self._now_ms()
            if now_ms + seconds * 1000 < limit_ms:
                return False
            if now_ms < limit_ms:
                self._factory.move_to(_EPOCH_NAIVE + timedelta(milliseconds=limit_ms))
            ident = threading.get_ident()
            self._detached.add(ident)
            self._deadlines.pop(ident, None)
            return True

    def _subscribe(self, listener: _Rebasable) -> None:
        """``listener._rebase(delta_ms)`` is called when move_to()/stop() jump the clock."""
        self._listeners.add(listener)

    def _notify(self, delta_ms: int) -> None:
        if delta_ms:
            for listener in list(self._listeners):
                listener._rebase(delta_ms)
