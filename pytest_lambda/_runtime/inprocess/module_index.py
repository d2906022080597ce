"""What every loaded module is, classified once per process and kept up to date incrementally.

An environment must know which ``sys.modules`` entries are its own (the handler's package
and code under its task root, see :class:`~pytest_lambda._runtime.inprocess.swap.ModuleSwap`),
which top-level packages it shares with the test (for the logger resets) and which shared
modules hold a cold-start flag. Scanning ``sys.modules`` for that at every new environment
made a cold start cost ~9 us per loaded module (14 ms with boto3 and moto imported).

:data:`INDEX` keeps, per entry of ``sys.modules``, the facts the classification needs
(``__file__`` made absolute, a namespace package's paths, whether pytest rewrote it), in
sorted lists by file path and by name, and a log of the names that changed. It catches up
with ``sys.modules`` in :meth:`ModuleIndex.sync`: O(1) when its version tag did not move
(``dict_version.py``), else a dict comparison (~8 ns per entry, in C) when the content is the
same again, else one pass that computes facts for the new or replaced entries only.
A :class:`RootView` (one per task root and package, shared by every environment of that
root) finds its own modules by prefix search on the sorted lists when it is made, then
follows the log: a new environment costs the handler's own modules, not the process's.
"""

from __future__ import annotations

import bisect
import os
import sys
import threading
from collections.abc import Callable, Container, Iterable, Iterator
from typing import Any, Final, NamedTuple

from pytest_lambda._runtime.inprocess.dict_version import TagReader, tag_reader

__all__ = ["INDEX", "ModuleIndex", "RootView", "SharedPackages", "view_for"]

_PACKAGE_DIR: Final = (
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
)
THIRD_PARTY_DIRS: Final = ("site-packages", "dist-packages")
_POWERTOOLS: Final = "aws_lambda_powertools."
_GONE: Final[Any] = object()
_LOG_LIMIT: Final = 200_000  # names; past it the log restarts and views rescan once


class Facts(NamedTuple):
    """What classifying one ``sys.modules`` entry needs (computed once per entry object)."""

    file: str | None  # __file__ as given
    path: str | None  # __file__ made absolute
    # a namespace package's directories (no __file__), with a trailing separator
    ns_paths: tuple[str, ...]
    rewritten: bool  # loaded by pytest's assertion rewriter (a test module)


def _facts(entry: object) -> Facts:
    try:
        file = getattr(entry, "__file__", None)
        rewritten = type(getattr(entry, "__loader__", None)).__name__ == "AssertionRewritingHook"
        if isinstance(file, str):
            return Facts(file, os.path.abspath(file), (), rewritten)
        paths = getattr(entry, "__path__", None)
        try:
            ns = tuple(os.path.join(str(p), "") for p in paths or ())
        except TypeError:
            ns = ()
        return Facts(None, None, ns, rewritten)
    except Exception:  # an entry whose attributes raise (a lazy proxy): nobody's own module
        return Facts(None, None, (), False)


def in_root(root: str | None, path: str) -> bool:
    """Whether ``path`` (absolute) is handler code under ``root`` (a test file is not)."""
    if root is None or not path.startswith(root) or path.startswith(_PACKAGE_DIR):
        return False
    rel = path[len(root) :]
    if any(part in rel for part in THIRD_PARTY_DIRS):
        return False
    base = os.path.basename(path)
    return not (base == "conftest.py" or base.startswith("test_") or base.endswith("_test.py"))


def owned(root: str | None, packages: tuple[str, ...], name: str, facts: Facts) -> bool:
    """Whether an entry with ``facts`` named ``name`` belongs to an environment of ``root``."""
    for package in packages:
        if name == package or name.startswith(package + "."):
            file = facts.file
            return not (file is not None and any(d in file for d in THIRD_PARTY_DIRS))
    if facts.rewritten:
        return False
    if facts.path is not None:
        return in_root(root, facts.path)
    return any(in_root(root, p) for p in facts.ns_paths)


class ModuleIndex:
    """The facts of every ``sys.modules`` entry as of the last :meth:`sync`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # sys.modules as of the last sync (replaced by each sync, never changed in place)
        self.snapshot: dict[str, Any] = {}
        self.facts: dict[str, Facts] = {}
        self.names: list[str] = []  # sorted
        self.paths: list[tuple[str, str]] = []  # sorted (path, name): files and namespace dirs
        self.log: list[str] = []  # names added, replaced or removed, oldest first
        self.epoch = 0  # bumped when the log restarts
        self.powertools: set[str] = set()
        self.tops: dict[str, int] = {}  # top-level name -> entries under it
        self._reader: TagReader | None = None  # sys.modules' version tag
        self._tag: int | None = None  # its value at the last sync (None: compare instead)

    def sync(self) -> None:
        """Catch up with ``sys.modules``: new, replaced and removed entries only.

        O(1) when ``sys.modules`` has the version tag of the last sync (``dict_version.py``).
        """
        with self.lock:
            snap, modules = self.snapshot, sys.modules
            reader = self._reader
            if reader is None or reader.target is not modules:
                reader = self._reader = tag_reader(modules)
            tag = reader.tag() if reader is not None else None  # read before the copy
            if tag is not None and tag == self._tag:
                return
            try:
                if snap == modules:
                    self._tag = tag
                    return
            except Exception:  # an entry with an __eq__ that raises
                pass
            current = dict(modules)
            changed = [n for n, v in current.items() if snap.get(n, _GONE) is not v]
            removed = [n for n in snap if n not in current]
            for name in removed:
                self._drop(name)
            for name in changed:
                if name in self.facts:
                    self._drop(name)
                self._add(name, current[name])
            if len(self.log) > _LOG_LIMIT:
                self.log, self.epoch = [], self.epoch + 1
            self.log.extend(removed)
            self.log.extend(changed)
            self.snapshot = current
            self._tag = tag

    def _paths_of(self, facts: Facts) -> tuple[str, ...]:
        return (facts.path,) if facts.path is not None else facts.ns_paths

    def _add(self, name: str, entry: object) -> None:
        facts = self.facts[name] = _facts(entry)
        bisect.insort(self.names, name)
        for path in self._paths_of(facts):
            bisect.insort(self.paths, (path, name))
        if name.startswith(_POWERTOOLS):
            self.powertools.add(name)
        top = name.partition(".")[0]
        self.tops[top] = self.tops.get(top, 0) + 1

    def _drop(self, name: str) -> None:
        facts = self.facts.pop(name)
        _remove(self.names, name)
        for path in self._paths_of(facts):
            _remove(self.paths, (path, name))
        self.powertools.discard(name)
        top = name.partition(".")[0]
        left = self.tops[top] - 1
        if left:
            self.tops[top] = left
        else:
            del self.tops[top]

    def mark(self) -> tuple[int, int]:
        """A position in the log (call after :meth:`sync`)."""
        return self.epoch, len(self.log)

    def candidates(self, root: str | None, packages: tuple[str, ...]) -> Iterator[str]:
        """Names that could belong to ``root``/``packages`` (a prefix search, not a scan)."""
        if root is not None:
            paths = self.paths
            i = bisect.bisect_left(paths, (root, ""))
            while i < len(paths) and paths[i][0].startswith(root):
                yield paths[i][1]
                i += 1
        names = self.names
        for package in packages:
            if package in self.facts:
                yield package
            prefix = package + "."
            i = bisect.bisect_left(names, prefix)
            while i < len(names) and names[i].startswith(prefix):
                yield names[i]
                i += 1


def _remove(items: list[Any], item: Any) -> None:
    i = bisect.bisect_left(items, item)
    if i < len(items) and items[i] == item:
        del items[i]


INDEX: Final = ModuleIndex()


class RootView:
    """The ``sys.modules`` entries an environment of ``root``/``packages`` owns, kept current."""

    def __init__(self, root: str | None, packages: tuple[str, ...]) -> None:
        self.root, self.packages = root, packages
        self.own: dict[str, None] = {}
        self._mark = (-1, 0)
        # shared() as of a log position (the index's epoch and log length then)
        self._shared: tuple[tuple[int, int], SharedPackages] | None = None

    def owns(self, name: str, entry: object) -> bool:
        """Whether ``entry`` under ``name`` is the environment's (facts from the index if it
        has them for this very entry, else computed now)."""
        facts = INDEX.facts.get(name)
        if facts is None or INDEX.snapshot.get(name, _GONE) is not entry:
            facts = _facts(entry)
        return owned(self.root, self.packages, name, facts)

    def refresh(self) -> dict[str, None]:
        """The own names now in ``sys.modules`` (names only: read the modules there)."""
        index = INDEX
        with index.lock:
            index.sync()
            facts = index.facts
            root, packages, own = self.root, self.packages, self.own
            if self._mark[0] != index.epoch:
                own.clear()
                names: Iterable[str] = list(index.candidates(root, packages))
            else:
                names = index.log[self._mark[1] :]
            for name in names:
                found = facts.get(name)
                if found is not None and owned(root, packages, name, found):
                    own[name] = None
                else:
                    own.pop(name, None)
            self._mark = index.mark()
            return own

    def shared(self) -> SharedPackages:
        """The top-level packages of entries this environment does not own (after a refresh):
        every top-level name in ``sys.modules`` but those whose entries are all its own.

        O(own modules), not O(top-level names): the answer is a question put to the index's
        counts per top-level name; the same object again while the index logged no change.
        """
        own = self.refresh()
        cached = self._shared
        if cached is not None and cached[0] == self._mark:
            return cached[1]
        own_tops: dict[str, int] = {}
        for name in own:
            top = name.partition(".")[0]
            own_tops[top] = own_tops.get(top, 0) + 1
        shared = SharedPackages(INDEX.tops, own_tops)
        self._shared = (self._mark, shared)
        return shared

    def shared_on_demand(self) -> Container[str]:
        """:meth:`shared`, brought up to date only if a question is asked (most environments
        close without a new logger to ask about, and then skip the index's catch-up)."""
        return _OnDemand(self.shared)


class SharedPackages(Container[str]):
    """Top-level names some ``sys.modules`` entry under which is not the environment's.

    Answers from the index's entry count per top-level name as the index is when asked,
    against the environment's own count when this was made: ask :meth:`RootView.shared`
    for a new one after modules were imported (it gives the same object only while the
    index logged no change).
    """

    __slots__ = ("_own", "_tops")

    def __init__(self, tops: dict[str, int], own_tops: dict[str, int]) -> None:
        self._tops, self._own = tops, own_tops

    def __contains__(self, top: object) -> bool:
        if not isinstance(top, str):
            return False
        with INDEX.lock:
            return self._tops.get(top, 0) > self._own.get(top, 0)


class _OnDemand(Container[str]):
    """A container made by ``make()`` at its first question."""

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[], Container[str]]) -> None:
        self._make: Callable[[], Container[str]] = make
        self._made: Container[str] | None = None

    def __contains__(self, item: object) -> bool:
        made = self._made
        if made is None:
            made = self._made = self._make()
        return item in made


_VIEWS: dict[tuple[str | None, tuple[str, ...]], RootView] = {}
_VIEWS_LIMIT: Final = 256


def view_for(root: str | None, packages: tuple[str, ...]) -> RootView:
    """The view of ``root``/``packages`` (one per process, shared by its environments)."""
    key = (root, packages)
    with INDEX.lock:
        view = _VIEWS.get(key)
        if view is None:
            if len(_VIEWS) >= _VIEWS_LIMIT:  # many temporary roots: forget the oldest
                del _VIEWS[next(iter(_VIEWS))]
            view = _VIEWS[key] = RootView(root, packages)
        return view
