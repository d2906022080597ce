"""Results of redirected file functions, spelled ``/tmp/...`` as the handler asked.

Contract (for :mod:`pytest_lambda._runtime.inprocess.tmp_redirect`, which calls these only for a path it
redirected into the private directory ``target.scratch``): :func:`renamed_file` gives a
file object the caller's name, :func:`spelled_link` a link target inside the private
directory its ``/tmp/...`` spelling, and :func:`spelled_scandir` wraps the iterator that ``os.scandir`` returned for the
private directory, so each entry's ``path`` is the caller's spelling (``/tmp/x/name``), as
in Lambda, instead of the private directory's real path. The entries behave as
``os.DirEntry`` (``name``, ``path``, ``inode()``, ``is_dir()``, ``is_file()``,
``is_symlink()``, ``is_junction()``, ``stat()``, ``os.fspath()``) but are not instances of
it (``os.DirEntry`` cannot be subclassed); ``shutil`` then takes its ``os.stat`` path,
which the redirect covers. This also spells 3.13's ``Path.iterdir()`` and ``glob`` results.

Cost: one small object per entry, only for a scandir of a redirected path; nothing for
paths that were not redirected.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import TracebackType
from typing import Any

__all__ = ["SpelledEntry", "renamed_file", "spelled_link", "spelled_scandir"]


class SpelledEntry:
    """An ``os.DirEntry`` of the private directory with its ``path`` spelled ``/tmp/...``."""

    __slots__ = ("_entry", "path")

    def __init__(self, entry: Any, path: Any) -> None:
        self._entry = entry
        self.path = path

    @property
    def name(self) -> Any:
        return self._entry.name

    def inode(self) -> int:
        return int(self._entry.inode())

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return bool(self._entry.is_dir(follow_symlinks=follow_symlinks))

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return bool(self._entry.is_file(follow_symlinks=follow_symlinks))

    def is_symlink(self) -> bool:
        return bool(self._entry.is_symlink())

    def is_junction(self) -> bool:
        return False

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        result: os.stat_result = self._entry.stat(follow_symlinks=follow_symlinks)
        return result

    def __fspath__(self) -> Any:
        return self.path

    def __repr__(self) -> str:
        return f"<DirEntry {self.name!r}>"


class _SpelledScandir:
    """The ``os.scandir`` iterator (a context manager) yielding :class:`SpelledEntry`."""

    def __init__(self, inner: Any, prefix: Any) -> None:
        self._inner = inner
        self._prefix = prefix

    def __iter__(self) -> Iterator[SpelledEntry]:
        return self

    def __next__(self) -> SpelledEntry:
        entry = next(self._inner)
        return SpelledEntry(entry, self._prefix + entry.name)

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> _SpelledScandir:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def renamed_file(obj: Any, given: Any, target: Any) -> Any:
    """The file object ``open`` returned, its ``name`` the path the caller gave."""
    raw = getattr(obj, "buffer", obj)
    raw = getattr(raw, "raw", raw)
    with contextlib.suppress(AttributeError, TypeError):
        raw.name = given
    return obj


def spelled_link(value: Any, given: Any, target: Any) -> Any:
    """A link target inside the private directory, spelled ``/tmp/...`` again."""
    if isinstance(value, bytes):
        text = os.fsdecode(value)
        back = spelled_link(text, given, target)
        return value if back is text else os.fsencode(back)
    if isinstance(value, str):
        if value == target.scratch:
            return "/tmp"
        if value.startswith(target.prefix):
            return "/tmp" + value[len(target.scratch) :]
    return value


def spelled_scandir(inner: Any, given: Any, target: Any = None) -> Any:
    """``inner`` (``os.scandir``'s iterator) with its entries' paths under ``given``."""
    spelled = os.fspath(given)
    sep = b"/" if isinstance(spelled, bytes) else "/"
    prefix = spelled if spelled.endswith(sep) else spelled + sep
    return _SpelledScandir(inner, prefix)
