"""Signal handlers, alarms and the signal mask of an environment are its own, not the test's.

The handler runs on the main thread (see :mod:`pytest_lambda._runtime.inprocess.inline`), so module code may
call ``signal.signal(signal.SIGTERM, on_shutdown)`` or block signals as it does in Lambda.
While the environment is active, ``signal.signal``, ``signal.alarm`` and
``signal.setitimer`` (wrappers put in the ``signal`` module when the first environment
starts, which call the real functions when none is active) note what the environment
changes; :meth:`SignalSwap.deactivate`
gives the test its handlers, its ``ITIMER_REAL`` timer (minus the time spent) and its
signal mask back and keeps the environment's for the next invoke, where
:meth:`SignalSwap.activate` puts them in place again.

``SIGINT`` and ``SIGTERM`` stay the test's: Lambda never sends them to a running
invocation (``SIGTERM`` comes at shutdown), and Ctrl-C, a CI job's cancel or ``timeout``
must stop the test run. A handler the environment sets for them is kept aside
(``signal.getsignal`` returns it) and never installed.
"""

from __future__ import annotations

import importlib
import signal
import threading
from typing import Any, Final

from pytest_lambda._runtime.inprocess.inline import KEEP_UNBLOCKED
from pytest_lambda._runtime.inprocess.worker import real_time

__all__ = ["SignalSwap"]

_C: Final[Any] = importlib.import_module("_signal")  # no enum conversions: cheap calls
_REAL: Final[dict[str, Any]] = {
    name: getattr(signal, name) for name in ("signal", "getsignal", "alarm", "setitimer")
    if hasattr(signal, name)
}  # fmt: skip
_ACTIVE: Final[list[SignalSwap]] = []
_ALARM: Final[int | None] = getattr(signal, "SIGALRM", None)
# Lambda never sends these to a running invocation (SIGTERM comes at shutdown, after the
# last one), and the test process must obey them: Ctrl-C, a CI job's cancel, `timeout`.
_KEPT: Final = frozenset(
    int(getattr(signal, name)) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)
_UNSET: Final = object()
_HAS_MASK: Final = hasattr(_C, "pthread_sigmask")


def _swap() -> SignalSwap | None:
    """The active environment's swap, when called on the main thread."""
    if _ACTIVE and threading.get_ident() == threading.main_thread().ident:
        return _ACTIVE[-1]
    return None


def _install_wrappers() -> None:
    """Put the wrappers in the ``signal`` module, for the session: with no environment
    active they call the real functions. Only over the real functions: a test's mock of
    ``signal.signal`` stays in place and sees the handler's calls, as before."""
    for name, wrapper in _WRAPPERS.items():
        if getattr(signal, name) is _REAL[name]:
            setattr(signal, name, wrapper)


def _environment_signal(signalnum: Any, handler: Any) -> Any:
    """``signal.signal`` while an environment is active (its code may keep this function)."""
    swap = _swap()
    if swap is None:
        return _REAL["signal"](signalnum, handler)
    if isinstance(signalnum, int) and (int(signalnum) in _KEPT or int(signalnum) == _ALARM):
        return swap._set_virtual(int(signalnum), handler)
    previous = _REAL["signal"](signalnum, handler)
    swap._installed(int(signalnum), previous)
    return previous


def _environment_getsignal(signalnum: Any) -> Any:
    swap = _swap()
    if swap is not None and isinstance(signalnum, int) and int(signalnum) in swap.virtual:
        return swap.virtual[int(signalnum)]
    return _REAL["getsignal"](signalnum)


def _environment_alarm(seconds: Any) -> Any:
    swap = _swap()
    if swap is not None:
        swap._keep_test_timer(owned=True)
    return _REAL["alarm"](seconds)


def _environment_setitimer(which: Any, seconds: Any, interval: Any = 0.0) -> Any:
    swap = _swap()
    if swap is not None and which == signal.ITIMER_REAL:
        swap._keep_test_timer(owned=True)
    return _REAL["setitimer"](which, seconds, interval)


_WRAPPERS: Final[dict[str, Any]] = {
    name: wrapper
    for name, wrapper in (
        ("signal", _environment_signal),
        ("getsignal", _environment_getsignal),
        ("alarm", _environment_alarm),
        ("setitimer", _environment_setitimer),
    )
    if name in _REAL
}
for _name, _wrapper in _WRAPPERS.items():
    _wrapper.__wrapped__ = _REAL[_name]
    _wrapper.__doc__ = _REAL[_name].__doc__


def _dispatch_alarm(signum: int, frame: Any) -> Any:
    """SIGALRM while an environment that set a handler for it is active: the environment's
    handler for its own alarm, the test's (pytest-timeout's ``signal`` method) otherwise."""
    for swap in reversed(_ACTIVE):  # nested environments: the innermost that owns it
        if swap._owns_timer and signum in swap.virtual:
            target = swap.virtual[signum]
        else:
            target = swap._test.get(signum)
            if target is _dispatch_alarm or target is None:
                continue  # an enclosing environment's, or nothing kept here
        return target(signum, frame) if callable(target) else None
    return None


class SignalSwap:
    """The environment's signal state, swapped with the test's around each activation.

    ``main_thread``: the environment runs its jobs on the main thread (an inline
    environment); otherwise they run on a thread whose mask and handlers are its own.
    """

    def __init__(self, *, main_thread: bool) -> None:
        self.main_thread = main_thread
        self.handlers: dict[int, Any] = {}  # the environment's, while inactive
        # its SIGINT/SIGTERM handlers (recorded, never installed) and its SIGALRM handler
        # (called by _dispatch_alarm): what signal.getsignal() shows the environment
        self.virtual: dict[int, Any] = {}
        self._test: dict[int, Any] = {}  # the test's, while active
        self._timer: tuple[float, float] = (0.0, 0.0)  # the environment's paused itimer
        self._test_timer: tuple[float, float, float] | None = None  # (delay, interval, when)
        self._owns_timer = False
        self._mask: set[int] | None = None  # the environment's mask, when not the test's
        self._test_mask: Any = None
        self._start_mask: Any = None
        self._active = False

    # -- called by the wrappers ---------------------------------------------------------
    def _installed(self, signum: int, previous: Any) -> None:
        if signum not in self._test:
            self._test[signum] = previous

    def _set_virtual(self, signum: int, handler: Any) -> Any:
        if not (callable(handler) or handler in (signal.SIG_IGN, signal.SIG_DFL)):
            return _REAL["signal"](signum, handler)  # the real TypeError
        previous = self.virtual.get(signum, _UNSET)
        if previous is _UNSET:
            previous = _REAL["getsignal"](signum)
        if signum == _ALARM:  # the environment's, for its own alarms: behind the dispatcher
            self._keep_test_timer()
            self._installed(signum, _REAL["signal"](signum, _dispatch_alarm))
        self.virtual[signum] = handler
        return previous

    def _keep_test_timer(self, *, owned: bool = False) -> None:
        if self._test_timer is None and "setitimer" in _REAL:
            delay, interval = signal.getitimer(signal.ITIMER_REAL)
            self._test_timer = (delay, interval, real_time())
        self._owns_timer = self._owns_timer or owned

    # -- the swap ------------------------------------------------------------------------
    def activate(self) -> None:
        here = self.main_thread and threading.get_ident() == threading.main_thread().ident
        if not here:
            return  # jobs on their own thread: Python refuses signal.signal() there
        if _HAS_MASK:
            test_mask = self._test_mask = _C.pthread_sigmask(signal.SIG_BLOCK, ())
            start = test_mask if self._mask is None else self._mask
            start = self._start_mask = start - KEEP_UNBLOCKED  # the watchdog's signal
            if start != test_mask:
                _C.pthread_sigmask(signal.SIG_SETMASK, start)
        if self.handlers:
            for signum, handler in self.handlers.items():
                installed = _dispatch_alarm if signum == _ALARM else handler
                self._test[signum] = _REAL["signal"](signum, installed)
        if _ALARM in self.handlers or self._timer[0] > 0:
            self._keep_test_timer()
        if self._timer[0] > 0:
            self._owns_timer = True
            _REAL["setitimer"](signal.ITIMER_REAL, *self._timer)
        if signal.signal is not _environment_signal:
            _install_wrappers()
        self._active = True
        _ACTIVE.append(self)

    def deactivate(self) -> None:
        if not self._active:
            return
        self._active = False
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if self._owns_timer:  # pause the environment's alarm; the test's comes back below
            self._timer = _REAL["setitimer"](signal.ITIMER_REAL, 0)
        for signum, handler in self._test.items():
            if handler is None:  # installed from C: Python cannot put it back
                self.handlers[signum] = _REAL["getsignal"](signum)
                continue
            installed = _REAL["signal"](signum, handler)
            self.handlers[signum] = (
                self.virtual[signum] if installed is _dispatch_alarm else installed
            )
        self._test = {}
        test_timer, self._test_timer = self._test_timer, None
        if test_timer is not None and self._owns_timer and test_timer[0] > 0:
            delay, interval, when = test_timer
            left = max(delay - (real_time() - when), 1e-6)  # expired meanwhile: fire now
            _REAL["setitimer"](signal.ITIMER_REAL, left, interval)
        self._owns_timer = False
        if _HAS_MASK:
            mask = _C.pthread_sigmask(signal.SIG_BLOCK, ())
            if mask != self._start_mask:  # the environment changed its mask
                self._mask = None if mask == self._test_mask else mask
            if mask != self._test_mask:
                _C.pthread_sigmask(signal.SIG_SETMASK, self._test_mask)
        self._test_mask = None
