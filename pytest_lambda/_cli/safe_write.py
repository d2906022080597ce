"""Looking at and writing files without following links or leaving half-written files.

Contract:

- :func:`inspect` says what is at a path without following a symbolic link there: missing,
  a regular file (with its bytes, read with ``O_NOFOLLOW``), a symbolic link, a directory,
  a stream (a named pipe or a character device such as ``/dev/null``) or something else.
  It never opens anything that is not a regular file.
- :func:`write_atomic` puts bytes at a path all at once: they go to a temporary file
  created with ``O_EXCL | O_NOFOLLOW`` next to the target, are flushed with ``fsync``, and
  the temporary file is renamed over the target. A rename replaces the directory entry,
  so a symbolic link at the target is replaced itself; the file it points to is never
  written. With ``replace=False`` the target must not exist: the temporary file is hard
  linked into place, which fails if something appeared there meanwhile (where the file
  system has no hard links, a last check and a rename stand in). On any failure, or an
  interruption (``KeyboardInterrupt``), the temporary file is removed and the target is as
  it was; only a killed process can leave a ``.NAME.*.tmp`` file behind, never a partial
  target.
- :func:`write_stream` writes into an existing named pipe or character device, as a
  shell redirection would: it has no content to lose, and is never replaced.
- Policy (what may be overwritten) is the caller's: this module has no opinion.

Cost: an ``lstat`` and one read per inspected file; per written file one temporary file,
one ``fsync`` and a rename or link (the directory is synced once by :func:`sync_dir`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["Existing", "digest", "inspect", "sync_dir", "write_atomic", "write_stream"]

Kind = Literal["missing", "file", "symlink", "directory", "stream", "other"]

_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC: Final = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
_BINARY: Final = getattr(os, "O_BINARY", 0)
#: errno values of a file system that cannot hard link: fall back to a checked rename.
_NO_LINK: Final = frozenset(
    {errno.EPERM, errno.EACCES, errno.EXDEV, errno.EMLINK, errno.ENOSYS}
    | {getattr(errno, n) for n in ("ENOTSUP", "EOPNOTSUPP") if hasattr(errno, n)}
)


@dataclass(frozen=True)
class Existing:
    """What is at a path: ``kind``, and ``data`` (the bytes) when it is a regular file."""

    kind: Kind
    data: bytes | None = None
    mode: int | None = None

    @property
    def phrase(self) -> str:
        """``a symbolic link`` / ``a directory`` / ``not a regular file`` (for messages)."""
        return {"symlink": "a symbolic link", "directory": "a directory"}.get(
            self.kind, "not a regular file"
        )


def digest(data: bytes) -> str:
    """The sha256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def inspect(path: str) -> Existing:
    """What is at ``path``, without following a symbolic link (OSError if unreadable)."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # nothing there, or cannot be
        return Existing("missing")
    if stat.S_ISLNK(st.st_mode):
        return Existing("symlink")
    if stat.S_ISDIR(st.st_mode):
        return Existing("directory")
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
        return Existing("stream")
    if not stat.S_ISREG(st.st_mode):
        return Existing("other")
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):  # swapped after the lstat
            return Existing("other")
        return Existing("file", fh.read(), stat.S_IMODE(st.st_mode))


def _temp(path: str) -> tuple[int, str]:
    head, name = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    while True:
        tmp = os.path.join(head, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # pragma: no cover - a 32-bit name clash
            continue


def _place_new(tmp: str, path: str) -> None:
    """Move ``tmp`` to ``path``, which must not exist (FileExistsError if it does)."""
    try:
        os.link(tmp, path, follow_symlinks=False)
    except FileExistsError:
        raise
    except (OSError, NotImplementedError) as exc:
        if isinstance(exc, OSError) and exc.errno not in _NO_LINK:
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def write_atomic(path: str, data: bytes, *, replace: bool, mode: int | None = None) -> None:
    """Put ``data`` at ``path`` all at once (see the module docstring).

    ``replace=False``: ``path`` must not exist (FileExistsError if it appeared). ``mode``:
    the permission bits to give the new file (those of the file it replaces, say);
    ``None`` leaves them to the umask.
    """
    fd, tmp = _temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_stream(path: str, data: bytes) -> None:
    """Write ``data`` into the named pipe or character device at ``path`` (not created)."""
    fd = os.open(path, os.O_WRONLY | _NOFOLLOW | _CLOEXEC | _BINARY)
    with os.fdopen(fd, "wb") as fh:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):  # swapped after the lstat
            raise OSError(errno.EINVAL, "no longer a pipe or character device", path)
        fh.write(data)


def sync_dir(directory: str) -> None:
    """``fsync`` ``directory`` so renames in it survive a crash (best effort; not on Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
