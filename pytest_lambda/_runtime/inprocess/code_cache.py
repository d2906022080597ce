"""The compiled code of an environment's own modules, kept for the next environment.

Every environment imports the handler module and the modules under its task root afresh,
as a new Lambda process does: a new module object whose top-level code runs again. What
need not be done again is turning the same file into the same code object: reading the
``.pyc`` and unmarshalling it (or compiling the source), about 15 us for a small module and
a millisecond for a large one, in every test that starts an environment.

While an environment's init runs, :func:`code_cache` puts a finder first on
``sys.meta_path``. It asks the other finders, in their order, for the module's spec, so
the module found is the one the import system finds without it (pytest's assertion
rewriter, an editable install's finder, a check's fault points all keep their turn). When
the spec found has the standard ``SourceFileLoader`` for a file under the task root, its
loader becomes a ``SourceFileLoader`` that reads the source (a few microseconds) and, when
it is byte for byte the source of the last import of that file, returns that import's code
object. The first import of a file in the process is the standard loader's (the ``.pyc``
when valid, else a compile); a file whose source changed since is compiled from its new
source (not the ``.pyc``, whose check of size and whole seconds can miss a quick
rewrite). A code object is a function of the source, the path and the interpreter's
optimisation level, and it is immutable: running it again in a new module's namespace is
what a fresh import does with the one it unmarshals. Comparing the source, not its
modification time, means a handler file a test rewrites within the file system's clock
tick is still read anew.

Reading the source is itself most of the cost of a cached import (an ``open``, a ``read``,
a ``close``), so a file is not read again while its ``stat`` is the one it had when its
source was kept: the same inode, size, modification and status-change times to the
nanosecond, and a status-change time at least :data:`_SETTLED_NS` older than that moment.
Every write sets the status-change time to the present (``os.utime`` cannot set it, nor
can anything but a change of the system clock), so a settled file whose ``stat`` is unchanged
has not been written since. A file changed less than two seconds before its source was
kept is read and compared every time (a rewrite within the file system's clock tick
leaves all of its ``stat`` as it was), as git does with an index entry as new as the index.
"Now" is the clock the kernel stamps file times with (``file_clock_ns``), which a frozen
LambdaClock, freezegun or time-machine does not move. Not seen, as by any check of file
times: a write through a shared memory map of the file (the kernel moves its times only at
the first write to each page), and a ``stat`` a network file system answers from its cache
while the file changed on another machine.

The finders' answer itself is kept too, for a plain module (not a package) found as
``<name>.py`` in the first directory searched (``sys.path[0]``, the task root, or its
package's directory): the next environment gets a new spec for that file without asking
them again (about 15 us with pytest's assertion rewriter and the path finder, more with a
long ``sys.path``) while the answer cannot have changed: the same finders on
``sys.meta_path``, the same finder object for that directory with the same listing
(``importlib.invalidate_caches()`` makes it read the directory again, and the answer is
asked for again too), and the directory's modification time unchanged to the nanosecond
(a file added, removed or renamed there changes it). The finders before the path finder
decide by the module's name (pytest's rewriter: test files, conftests and the names
registered for rewriting, whose number is part of the check). Not kept: a module with a
directory of its name beside it (an ``__init__.py`` added in that directory, which does
not change the searched one, would make the package the answer).

Only the init (the handler module's import) goes through it: modules a handler imports
lazily during an invocation are imported as usual, and a warm invoke does not pay for it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
import threading
from collections.abc import Iterator
from types import CodeType
from typing import Any, Final

from pytest_lambda._core.meta_path import spec_from_others
from pytest_lambda._core.os_functions import file_clock_ns, genuine_stat

__all__ = ["code_cache"]

_MAX_ENTRIES: Final = 4096  # files; past it the cache starts again
# path -> (source, code, the file's stat when its source was read, or None if not settled)
_CODE: dict[str, tuple[bytes, CodeType, tuple[int, ...] | None]] = {}
# how long before its source was read a file must have last changed for its stat to vouch for it
# (coarse file system clocks tick every 1-10 ms; FAT and HFS+ every 1-2 s)
_SETTLED_NS: Final = 2_000_000_000
_LOCK: Final = threading.Lock()


def _source(loader: importlib.machinery.SourceFileLoader) -> bytes | None:
    try:
        return loader.get_data(loader.path)
    except OSError:
        return None


def _signature(path: str) -> tuple[int, ...] | None:
    """What a write to ``path`` changes in its ``stat`` (None: it cannot be read)."""
    try:
        st = genuine_stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _settled(signature: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """``signature`` if its file last changed long enough ago to vouch for it, else None."""
    if signature is None or signature[4] > file_clock_ns() - _SETTLED_NS:
        return None
    return signature


class _CachedSourceLoader(importlib.machinery.SourceFileLoader):
    """The standard source loader; the code of a file whose source is byte for byte that of
    its last import is that import's code object (not read again while its stat vouches)."""

    def get_code(self, fullname: str) -> CodeType | None:
        path = self.path
        hit = _CODE.get(path)
        before = _signature(path)
        if hit is not None and hit[2] is not None and hit[2] == before:
            return hit[1]
        source = _source(self)
        if source is not None and hit is not None:
            if hit[0] == source:
                if hit[2] is None and before == _signature(path):
                    self._keep(path, source, hit[1], before)
                return hit[1]
            # changed since its last import: compiled from what the file holds now (a .pyc
            # checks only the size and the whole second, so a rewrite within one second
            # of the same size would bring the old code back)
            code: CodeType | None = self.source_to_code(source, path)
        else:
            code = super().get_code(fullname)  # the .pyc if valid, else compiled (and written)
        # kept only if the file did not change while it was read
        if code is not None and source is not None and before == _signature(path):
            self._keep(path, source, code, before)
        return code

    @staticmethod
    def _keep(path: str, source: bytes, code: CodeType, signature: tuple[int, ...] | None) -> None:
        with _LOCK:
            if len(_CODE) >= _MAX_ENTRIES:
                _CODE.clear()
            _CODE[path] = (source, code, _settled(signature))


class _Found:
    """Where the finders found a module last time, and what that answer depended on."""

    __slots__ = ("cached", "dir_ns", "file_finder", "finder_mtime", "meta_path", "origin")

    def __init__(
        self, meta_path: tuple[object, ...], file_finder: object, finder_mtime: object,
        dir_ns: int, origin: str,
    ) -> None:  # fmt: skip
        self.meta_path, self.file_finder, self.finder_mtime = meta_path, file_finder, finder_mtime
        self.dir_ns, self.origin = dir_ns, origin
        # (sys.pycache_prefix, the spec's ``cached`` under it): made once, not per import
        self.cached: tuple[str | None, str | None] | None = None

    def spec(self, fullname: str) -> importlib.machinery.ModuleSpec:
        """What ``spec_from_file_location`` makes for this plain module (never a package:
        only those are kept), without asking the loader whether it is one."""
        origin = self.origin
        spec = importlib.machinery.ModuleSpec(
            fullname, _CachedSourceLoader(fullname, origin), origin=origin
        )
        spec.has_location = True
        prefix = sys.pycache_prefix
        cached = self.cached
        if cached is None or cached[0] != prefix:
            cached = self.cached = (prefix, spec.cached)  # the standard property computes it
        else:
            spec.cached = cached[1]
        return spec


_FOUND: dict[tuple[str, str], _Found] = {}  # (module name, directory searched first) -> found


_REWRITERS: list[tuple[tuple[object, ...], tuple[int, ...]]] = []  # (finders, rewriters' places)


def _finders_state(own: object) -> tuple[object, ...]:
    """The other finders on ``sys.meta_path``, in order, each with what it decides by that
    can change: pytest's assertion rewriter with the number of names registered for
    rewriting (``pytest.register_assert_rewrite`` after a first environment: the module is
    to be rewritten from then on). Which finders are rewriters is looked up again only when
    the finders are not the last ones asked about."""
    finders: tuple[object, ...] = tuple(f for f in sys.meta_path if f is not own)
    if _REWRITERS and _REWRITERS[0][0] == finders:
        places = _REWRITERS[0][1]
    else:
        places = tuple(
            i for i, f in enumerate(finders) if isinstance(getattr(f, "_must_rewrite", None), set)
        )
        _REWRITERS[:] = [(finders, places)]
    if not places:
        return finders
    state: list[object] = list(finders)
    for i in places:
        marked = getattr(finders[i], "_must_rewrite", None)
        state[i] = (finders[i], len(marked)) if isinstance(marked, set) else finders[i]
    return tuple(state)


def _first_directory(path: Any) -> str | None:
    """The directory a module is looked for first: ``sys.path[0]``, or its package's."""
    entries = sys.path if path is None else path
    for entry in entries:
        return entry if isinstance(entry, str) and entry else None
    return None


class _CodeCacheFinder(importlib.abc.MetaPathFinder):
    def __init__(self, root: str) -> None:
        self.root = root  # absolute, with a trailing separator
        self._busy: set[str] = set()

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in self._busy:  # a finder importing the module it is asked about
            return None
        meta_path = _finders_state(self)
        directory = _first_directory(path) if target is None else None
        if directory is not None:
            found = _FOUND.get((fullname, directory))
            if found is not None and found.meta_path == meta_path and _unchanged(found, directory):
                return found.spec(fullname)
        self._busy.add(fullname)
        try:
            spec = spec_from_others(self, fullname, path, target)
        finally:
            self._busy.discard(fullname)
        if spec is None:
            return None
        loader, origin = spec.loader, spec.origin
        if (
            isinstance(origin, str)
            and type(loader) is importlib.machinery.SourceFileLoader
            and origin.startswith(self.root)
            and loader.path == origin
        ):
            spec.loader = _CachedSourceLoader(loader.name, loader.path)
            if directory is not None and spec.submodule_search_locations is None:
                _remember(fullname, directory, origin, meta_path)
        return spec


def _unchanged(found: _Found, directory: str) -> bool:
    """Whether the finders would find what they found: the directory's finder has the same
    listing (not refreshed nor invalidated since) and the directory was not changed."""
    file_finder = sys.path_importer_cache.get(directory)
    if file_finder is not found.file_finder:
        return False
    if getattr(file_finder, "_path_mtime", None) != found.finder_mtime:
        return False
    try:
        ns: int = genuine_stat(directory).st_mtime_ns
    except OSError:
        return False
    return ns == found.dir_ns


def _remember(fullname: str, directory: str, origin: str, meta_path: tuple[object, ...]) -> None:
    """Keep where a plain module was found in ``directory``, the first searched, when the
    answer depends only on the finders and on that directory's listing."""
    if origin != os.path.join(directory, fullname.rpartition(".")[2] + ".py"):
        return  # found further on the path, or not under its own name
    file_finder = sys.path_importer_cache.get(directory)
    finder_mtime = getattr(file_finder, "_path_mtime", None)
    if not isinstance(file_finder, importlib.machinery.FileFinder) or finder_mtime in (None, -1):
        return
    listing = getattr(file_finder, "_path_cache", None)
    if not isinstance(listing, set) or fullname.rpartition(".")[2] in listing:
        # a directory of the module's name: an __init__.py added in it later (not a change
        # of this directory) would make it the package the finders find instead
        return
    try:
        st = genuine_stat(directory)
    except OSError:
        return
    if st.st_mtime != finder_mtime:  # changed since the finder listed it
        return
    with _LOCK:
        if len(_FOUND) >= _MAX_ENTRIES:
            _FOUND.clear()
        _FOUND[fullname, directory] = _Found(
            meta_path, file_finder, finder_mtime, st.st_mtime_ns, origin
        )


@contextlib.contextmanager
def code_cache(root: str | None) -> Iterator[None]:
    """While active, modules under ``root`` (absolute, ending with a separator) are loaded
    with the code of their last import when their file is unchanged (None: not at all)."""
    if root is None:
        yield
        return
    finder = _CodeCacheFinder(root)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
