"""The function's memory size (``memory_mb``): enforced in runtime isolation, watched in module.

* ``isolation="runtime"``: the test process reads the child's peak RSS (``VmHWM``) every
  :data:`WATCH_EVERY` seconds while it waits for the child, and SIGKILLs it once the peak passes
  ``memory_mb``, as Lambda's cgroup limit does; the invocation then ends with
  :func:`out_of_memory` (``Runtime.OutOfMemory``, "Runtime exited with error: signal: killed")
  and the REPORT line shows ``Max Memory Used`` = ``Memory Size``. Polling, not a cgroup or an
  rlimit: cgroup v2 ``memory.max`` needs a delegated, writable cgroup (not there for a normal
  user, nor in most containers), and ``RLIMIT_AS`` limits address space, not memory (a Python
  process with threads reserves far more than it uses), and turns the kill into a
  ``MemoryError`` the handler could catch. The cost of polling: an allocation faster than
  about 5 GB/s can pass the limit by up to one interval's worth before the kill.
* ``isolation="module"``: a limit cannot be enforced on the test process. :func:`memory_mark` and
  :func:`memory_end` measure what one invocation (with its init, on a cold start) added to the test process's
  memory at its peak: Linux's peak-RSS counter is reset at the start (``/proc/self/clear_refs``,
  about 0.5 µs), read at the end; :func:`memory_warning` words it when it passed ``memory_mb``.
  Where the counter cannot be reset, the peak only shows when it passes the process's earlier
  peak.

Reading ``/proc/<pid>/status`` costs about 20 µs; the module-mode measure about 2 µs per invoke.
"""

from __future__ import annotations

import os
import sys
from typing import Final

from pytest_lambda._runtime.invocation import InvocationFailure

__all__ = [
    "WATCH_EVERY", "memory_end", "memory_mark", "memory_warning", "out_of_memory",
]  # fmt: skip

WATCH_EVERY: Final = 0.01
"""Seconds between reads of a runtime child's peak memory while the test process waits."""
_CLEAR_REFS: Final = "/proc/self/clear_refs"


def out_of_memory(request_id: str) -> InvocationFailure:
    """The platform error of a runtime killed for passing its memory size."""
    return InvocationFailure(
        type="Runtime.OutOfMemory",
        message=f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
        request_id=request_id,
        kind="platform",
    )


try:
    from resource import RUSAGE_SELF, getrusage

    def _peak() -> int:
        return int(getrusage(RUSAGE_SELF).ru_maxrss)

except ImportError:  # pragma: no cover - Windows: no peak, no warning

    def _peak() -> int:
        return 0


_KB: Final = 1024 if sys.platform == "darwin" else 1  # ru_maxrss is bytes on macOS, else KiB


def _open_clear_refs() -> int:
    try:
        return os.open(_CLEAR_REFS, os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        return -1


_clear_fd: int = -2  # -2: not opened yet; -1: cannot be written


def memory_mark() -> int:
    """Start measuring an invocation (module isolation): the mark for :func:`memory_end`.

    Resets this process's peak RSS to its current RSS when Linux allows it; otherwise the
    mark is the earlier peak, and the growth measured is a lower bound.
    """
    global _clear_fd
    fd = _clear_fd
    if fd == -2:
        fd = _clear_fd = _open_clear_refs()
    if fd >= 0:
        try:
            os.write(fd, b"5")
        except OSError:
            _clear_fd = -1
    return _peak()


def memory_end(mark: int) -> tuple[int, int]:
    """``(added, peak)`` in MB from one ``getrusage`` reading: what the invocation added to
    the process's memory at its peak since ``mark`` (for the warning), and the process's
    peak (the REPORT line's Max Memory Used)."""
    peak = _peak()
    return max(0, peak - mark) // _KB // 1024, peak // _KB // 1024


def memory_warning(added_mb: int, memory_mb: int) -> str | None:
    """The warning of an invocation that used more than the memory size (module isolation)."""
    if added_mb <= memory_mb:
        return None
    return (
        f"Memory Size exceeded: the invocation added {added_mb} MB to the test process's "
        f"memory at its peak, more than memory_mb={memory_mb}; Lambda would have ended it "
        "with Runtime.OutOfMemory. isolation='module' cannot enforce the limit; "
        "isolation='runtime' does"
    )
