"""Signal handlers an environment's code installs are its own, not the test process's.

The handler runs on the main thread (see :mod:`pytest_lambda._inline`), so module code may
call ``signal.signal(signal.SIGTERM, on_shutdown)`` as it does in Lambda. While the
environment is active, ``signal.signal`` records the test's handler for each signal the
environment sets; :meth:`SignalSwap.deactivate` puts the test's handlers back and keeps the
environment's, and :meth:`SignalSwap.activate` installs them again for the next invoke. A
``signal.alarm()``/``setitimer()`` the environment left running is paused the same way, so
it cannot fire into the test.
"""

from __future__ import annotations

import signal
import threading
from typing import Any, Final

__all__ = ["SignalSwap"]

_REAL_SIGNAL: Final = signal.signal
_ACTIVE: Final[list[SignalSwap]] = []
_ALARM: Final[int | None] = getattr(signal, "SIGALRM", None)


def _environment_signal(signalnum: Any, handler: Any) -> Any:
    """``signal.signal`` while an environment is active (its code may keep this function)."""
    previous = _REAL_SIGNAL(signalnum, handler)
    if _ACTIVE:
        _ACTIVE[-1]._installed(int(signalnum), previous)
    return previous


_environment_signal.__wrapped__ = _REAL_SIGNAL  # type: ignore[attr-defined]
_environment_signal.__doc__ = _REAL_SIGNAL.__doc__


class SignalSwap:
    """The environment's signal handlers, swapped with the test's around each activation."""

    def __init__(self) -> None:
        self.handlers: dict[int, Any] = {}  # the environment's, while inactive
        self._test: dict[int, Any] = {}  # the test's, while active
        self._timer: tuple[float, float] = (0.0, 0.0)  # the environment's paused itimer
        self._saved: Any = None

    def _installed(self, signum: int, previous: Any) -> None:
        if signum not in self._test:
            self._test[signum] = previous

    def activate(self) -> None:
        if self.handlers and threading.current_thread() is threading.main_thread():
            for signum, handler in self.handlers.items():
                self._test[signum] = _REAL_SIGNAL(signum, handler)
            if self._timer[0] > 0:
                signal.setitimer(signal.ITIMER_REAL, *self._timer)
        self._saved = signal.signal
        signal.signal = _environment_signal
        _ACTIVE.append(self)

    def deactivate(self) -> None:
        if self._saved is None:
            return
        if _ACTIVE and _ACTIVE[-1] is self:
            _ACTIVE.pop()
        signal.signal, self._saved = self._saved, None
        if not self._test:
            return
        if _ALARM in self._test:  # its alarm must not go off in the test
            self._timer = signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in self._test.items():
            self.handlers[signum] = _REAL_SIGNAL(signum, handler)
        self._test = {}
