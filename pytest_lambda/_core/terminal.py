"""Notes that must reach the user while a test is stuck: the terminal, past pytest's capture.

pytest's default capture (``--capture=fd``) points file descriptor 2 at a temporary file
while a test runs and shows what it caught only when the test ends: never, for a test
whose handler does not return. The plugin's ``pytest_configure`` (which pytest calls while
capture is suspended, so fd 2 is the terminal, or whatever the user redirected it to) keeps
a duplicate of fd 2 with :func:`keep_terminal`; :func:`note` writes there, with one
``os.write``, so it works from any thread (the deadline watchdog) while the main thread is
stuck. Outside pytest (the CLI, scripts) and after ``pytest_unconfigure`` it writes to fd 2.
Under pytest-xdist each worker keeps its own fd 2, which execnet leaves as the controller's
stderr.

Cost: one ``dup()`` per pytest session (none at import), one write per note.
"""

from __future__ import annotations

import contextlib
import os
from typing import Final

__all__ = ["keep_terminal", "note", "release_terminal", "stuck_note"]

_KEPT: Final[list[int]] = []  # duplicates of fd 2, innermost session last (pytester runs)


def keep_terminal() -> int:
    """Keep a duplicate of fd 2 as it is now (call while pytest's capture is suspended).

    Returns it (-1 without an fd 2), for :func:`release_terminal`.
    """
    try:
        fd = os.dup(2)
    except OSError:  # no fd 2: notes are dropped as a write to fd 2 would be
        fd = -1
    _KEPT.append(fd)
    return fd


def release_terminal(fd: int) -> None:
    """Close the duplicate :func:`keep_terminal` returned; notes go back to the one before."""
    if fd not in _KEPT:
        return
    del _KEPT[len(_KEPT) - 1 - _KEPT[::-1].index(fd)]  # the latest entry with that number
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)


def note(text: str) -> None:
    """Write ``text`` to the terminal pytest started on (fd 2 outside pytest), from any thread."""
    fd = _KEPT[-1] if _KEPT else 2
    if fd < 0:
        return
    with contextlib.suppress(OSError):  # closed meanwhile, or no stderr
        os.write(fd, text.encode("utf-8", "replace"))


def stuck_note(handler: str, environment: str, late: float) -> str:
    """What the watchdog says about a handler still running ``late`` seconds past its deadline."""
    return (
        f"\npytest-lambda: the handler {handler} ({environment}) passed its deadline "
        f"{late:.1f} s ago and has not stopped: it catches BaseException, or waits in a call "
        "that signals do not interrupt. It runs on the test's main thread, so the test waits "
        "until it returns. Fix: catch Exception, not BaseException, in the handler (or "
        're-raise what you do not handle), or run it with isolation="runtime", where it is '
        "killed at its deadline. To end this run: kill the pytest process (the handler may "
        "catch Ctrl-C too), or use pytest-timeout with --timeout-method=thread; its signal "
        "method raises in the handler, which catches it too.\n"
    )
