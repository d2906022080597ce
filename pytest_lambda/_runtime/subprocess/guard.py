"""What ``isolation="runtime"`` tells the test about its child: ``/tmp``, intruders, memory.

* :class:`TmpStatus`: the pipe on which the child's bootstrap (:mod:`pytest_lambda._runtime.subprocess.boot`) says
  whether it got a private ``/tmp`` (a mount namespace with the sandbox's scratch dir on
  ``/tmp``) or shares the machine's, and why. Read once, after init, without blocking.
* :func:`secret_pipe`: how the child gets its Runtime API secret (not in its environment).
* :func:`shared_tmp_note` and :func:`refused_note`: the warnings (a log line and an entry of
  ``Invocation.warnings``) for a child that shares ``/tmp``, and for requests the Runtime API
  refused because they lacked the child's secret.

Cost: one pipe per child start and one non-blocking read after its init; nothing per warm
invoke unless there is something to say.
"""

from __future__ import annotations

import contextlib
import os
from typing import Final

__all__ = ["BOOT_SCRIPT", "TmpStatus", "refused_note", "secret_pipe", "shared_tmp_note"]

BOOT_SCRIPT: Final = os.path.join(os.path.dirname(os.path.abspath(__file__)), "boot.py")
"""The child's first code, run as a script (it imports nothing of pytest_lambda)."""
_PRIVATE: Final = "private-tmp"


def secret_pipe(secret: str) -> int:
    """The read end of a pipe holding ``secret`` (written and closed): the child reads its
    Runtime API secret there, so that it never appears in its start environment."""
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, secret.encode("ascii"))
    finally:
        os.close(write_fd)
    return read_fd


class TmpStatus:
    """The read end of the child's status pipe, and what it said."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self.reason: str | None = None
        """None while unknown; "" when /tmp is private; else why it is not."""

    def child_started(self) -> None:
        """Close the parent's copy of the write end (the child has its own)."""
        fd, self.write_fd = self.write_fd, -1  # never closed twice: the number gets reused
        if fd >= 0:
            os.close(fd)

    def read(self) -> str | None:
        """The child's status once it wrote it: "" for a private /tmp, else the reason."""
        if self.reason is not None or self.read_fd < 0:
            return self.reason
        os.set_blocking(self.read_fd, False)
        try:
            data = os.read(self.read_fd, 4096)
        except BlockingIOError:
            return None
        except OSError:
            data = b""
        text = data.decode("utf-8", "replace").strip()
        self.reason = "" if text == _PRIVATE else text.removeprefix("shared-tmp: ") or "unknown"
        self.close()
        return self.reason

    def close(self) -> None:
        fds = (self.read_fd, self.write_fd)
        self.read_fd = self.write_fd = -1
        for fd in fds:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)


def shared_tmp_note(reason: str) -> str:
    """The warning of a child that writes to the machine's ``/tmp``."""
    from pytest_lambda._core.docs import doc_url

    return (
        f"isolation='runtime': the handler's process shares this machine's /tmp ({reason}): "
        "files it writes under /tmp outlive the test and the checks do not see them; "
        "tempfile and TMPDIR use the private scratch dir. See "
        f"{doc_url('explanation/runtime-isolation', 'tmp')}"
    )


def refused_note(count: int) -> str:
    """The warning of requests refused by the child's Runtime API."""
    plural = "request" if count == 1 else "requests"
    return (
        f"isolation='runtime': the Runtime API refused {count} {plural} without this "
        "child's secret (HTTP 403): another local process tried to read the event or post a "
        "result; it got neither"
    )
