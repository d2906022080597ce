"""What every benchmark prints first and last: the machine, and a clock freezegun leaves alone.

``machine()`` is one line: Python version, OS and CPU architecture, CPU count, the load
averages (1, 5 and 15 minutes) and the UTC time, so that a figure can be judged by the
load it was measured under (a quiet 2-core machine has a 1-minute load well under 1).

``real_clock()`` reads ``CLOCK_MONOTONIC`` through ``time.clock_gettime``, which
freezegun does not patch (it patches ``time.time``, ``time.monotonic`` and
``time.perf_counter``, and module globals bound to them): a benchmark of code that runs
under the toolkit's frozen clock measures real time with it.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Final

__all__ = ["machine", "real_clock"]


def _make_clock() -> Callable[[], float]:
    if hasattr(time, "clock_gettime") and hasattr(time, "CLOCK_MONOTONIC"):
        clock_id = time.CLOCK_MONOTONIC
        gettime = time.clock_gettime
        return lambda: gettime(clock_id)
    held = (time.perf_counter,)  # in a tuple: freezegun's module scan does not reach it
    return lambda: held[0]()


#: Seconds from an arbitrary origin, never frozen.
real_clock: Final = _make_clock()


def machine() -> str:
    """``Python 3.11.7 on Linux x86_64, 2 CPUs, load 0.42/0.51/0.80 at 2026-12-07 04:00 UTC``."""
    load = "/".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load {load} at {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC"
    )
