"""The operating system's own functions, from the C module ``os`` is built on.

``os`` re-exports the functions of ``posix`` (``nt`` on Windows). While an environment's
``/tmp`` redirect is in place (``_runtime/inprocess/tmp_redirect.py``), ``os`` holds wrappers
instead, and a test may have mocked them: code that must reach the file system itself, not
the environment's view of it, takes them from here.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from types import ModuleType
from typing import Any, Final

__all__ = ["OS_C_MODULE", "file_clock_ns", "genuine_stat"]

OS_C_MODULE: Final[ModuleType] = sys.modules["posix" if os.name == "posix" else "nt"]
"""``posix`` (or ``nt``): the genuine functions ``os`` re-exports."""

genuine_stat: Final[Any] = OS_C_MODULE.stat
"""``stat`` itself, never a wrapper or a test's mock."""


# Linux's CLOCK_REALTIME_COARSE (no name for it in ``time``): the clock the kernel stamps
# file times with (one tick behind the precise clock at most). Read with clock_gettime(),
# it is out of reach of time mocks: freezegun patches ``time.time_ns`` and time-machine
# patches ``clock_gettime(CLOCK_REALTIME)``, and a LambdaClock frozen by a test uses the
# former. Elsewhere the precise wall clock (``time.time_ns``, which such a mock changes).
_CLOCK_REALTIME_COARSE: Final = 5


def _file_clock() -> Any:
    if sys.platform.startswith("linux") and hasattr(time, "clock_gettime_ns"):
        try:
            time.clock_gettime_ns(_CLOCK_REALTIME_COARSE)
        except OSError:
            pass
        else:
            return functools.partial(time.clock_gettime_ns, _CLOCK_REALTIME_COARSE)
    return time.time_ns


file_clock_ns: Final[Any] = _file_clock()
"""Nanoseconds since the epoch on the clock file times are stamped with (on Linux, the
kernel's own, which no time mock reaches)."""
