"""The literal ``/tmp`` of an environment in module isolation: a path redirect.

Contract. While an environment is active (:meth:`TmpRedirect.activate` to
:meth:`TmpRedirect.deactivate`, nested for a handler that invokes another runner), the
Python-level file functions that take a path (``open``/``io.open``; in :mod:`os` ``open``,
``stat``, ``lstat``, ``listdir``, ``scandir``, ``mkdir``, ``rmdir``, ``remove``,
``unlink``, ``rename``, ``replace``, ``link``, ``symlink``, ``readlink``, ``access``,
``chmod``, ``chown``, ``utime``, ``truncate``, ``chdir``, ``statvfs``, ``mkfifo``,
``mknod``, ``*xattr``) map ``/tmp`` and ``/tmp/...`` onto the sandbox's private directory,
and so do ``os.path``, ``os.makedirs``, ``os.walk``, ``pathlib`` (3.10: its accessor is
patched too), ``shutil``, ``glob`` (3.13: its globber too) and ``tempfile`` with
``dir="/tmp"``. Paths may be ``str``, ``bytes`` or ``os.PathLike``; ``..`` and repeated
slashes are normalised; a relative path containing ``tmp`` is resolved against the cwd.
Nothing in the machine's ``/tmp`` is read, changed or deleted. Names, ``OSError``
filenames, ``os.readlink`` and ``os.scandir`` entries keep the caller's ``/tmp/...``
spelling (:mod:`pytest_lambda._runtime.inprocess.tmp_spelling`); a ``symlink`` to ``/tmp/x`` points into the
private directory.

Kept in place (they are outside the function's ``/tmp`` in Lambda too): the private
directories (``pytest-lambda-tmp-*``), pytest's (``/tmp/pytest-of-*``), and the task root,
the test's cwd and ``tempfile.gettempdir()``, ``sys.prefix`` and ``sys.path`` entries
when they lie below ``/tmp``. ``tempfile.gettempdir()`` stays the private directory's real
path (``TMPDIR``), not ``/tmp``, so the names it hands out work in C code and subprocesses.

The task root is read-only while an environment is active, as Lambda's ``/var/task`` is:
the functions above that change the file system (``open`` for writing, ``os.open`` with
write flags, ``mkdir``, ``remove``, ``rename``/``replace`` out of it or into it, ``chmod``
…) raise ``OSError(EROFS)`` for a path in it, except below the test's temporary
directories (``TMPDIR``, pytest's ``basetemp``) when those lie inside it. Calls relative to
a ``dir_fd`` are not checked. A handler therefore cannot move a project file into its
``/tmp``, where the sandbox's removal would delete it.

Not redirectable in process (docs/known-limitations.md): C code opening a path itself
(``sqlite3``), subprocesses given a literal ``/tmp`` path, ``dir_fd``-relative paths,
threads running after the invocation. A ``FileNotFoundError`` on a redirected path that
the machine's ``/tmp`` has gets a note (3.11+); :func:`machine_tmp_entries` and
:func:`used_names` let the warm-reuse check report entries that appeared there under a name
a handler used in its own ``/tmp`` (other processes' files are not blamed; none is removed).

Why not a mount namespace: ``unshare(CLONE_NEWNS)`` fails in a threaded process, and the
test process (pytest's ``tmp_path``) needs the real ``/tmp``. Why wrappers kept installed
while a module-isolation environment exists rather than per invoke: a reference the
handler took (``from os import stat``) outlives the invoke anyway, so each wrapper needs an
inactive path; activate plus deactivate then cost 0.3 us, against about 60 us to put the
~35 wrappers in place and take them out on every invoke (timeit on the development VM
under load; ``benchmarks/runner.py`` shows no difference beyond its noise). They go when
the last environment closes, only replace the genuine function (a test's
``mock.patch("builtins.open")`` is left alone and sees the literal path), and join
``os.supports_dir_fd`` and its siblings.

Cost: inactive, one global read per call; active, a substring test per path, and a
normalisation only for paths containing ``tmp``.
"""

from __future__ import annotations

import _io
import builtins
import contextlib
import errno
import importlib
import io
import os
import posixpath
import sys
import tempfile
from collections.abc import Callable, Iterable
from typing import Any, Final, NamedTuple

from pytest_lambda._core.os_functions import OS_C_MODULE
from pytest_lambda._runtime.inprocess.tmp_spelling import (
    renamed_file,
    spelled_link,
    spelled_scandir,
)
from pytest_lambda._runtime.machine_tmp import (
    ENABLED,
    EXEMPT_NAMES,
    TMP,
    record_used,
    writable_dirs,
)

__all__ = ["ENABLED", "TmpRedirect"]

_ONE_PATH: Final = (
    "open", "stat", "lstat", "listdir", "scandir", "mkdir", "rmdir", "remove", "unlink",
    "access", "chmod", "lchmod", "chown", "lchown", "chflags", "lchflags", "utime",
    "truncate", "chdir", "statvfs", "pathconf", "mkfifo", "mknod", "getxattr", "setxattr",
    "listxattr", "removexattr",
)  # fmt: skip
_TWO_PATHS: Final = ("rename", "replace", "link")
_SUPPORTS: Final = ("supports_dir_fd", "supports_fd", "supports_follow_symlinks",
                    "supports_effective_ids")  # fmt: skip
_getcwd: Final = os.getcwd
_listdir: Final = os.listdir
_lstat: Final = os.lstat
_fsdecode: Final = os.fsdecode
_fsencode: Final = os.fsencode
_fspath: Final = os.fspath


class _Target:
    """Where ``/tmp`` goes while one environment is active, and its read-only task root."""

    __slots__ = ("prefix", "read_only", "scratch", "writable")

    def __init__(
        self, scratch: str, read_only: tuple[str, ...] = (), writable: tuple[str, ...] = ()
    ) -> None:
        self.scratch = scratch
        self.prefix = scratch + "/"
        self.read_only = read_only  # "/root/" prefixes: the task root, read-only as in Lambda
        self.writable = writable  # prefixes below it that stay writable (the test's temp dir)


_ACTIVE: _Target | None = None
_EXEMPT: dict[str, int] = {}  # "/tmp/x/" prefixes that keep their real place -> users
_exempt_tuple: tuple[str, ...] = ()


def _under_tmp(path: str) -> str | None:
    """``path`` normalised, if it is ``/tmp`` or below (None otherwise)."""
    if path[:1] != "/":
        try:
            path = posixpath.join(_getcwd(), path)
        except OSError:  # the cwd was removed: the call fails on its own
            return None
    norm = posixpath.normpath(path)
    if norm[:2] == "//":
        norm = "/" + norm.lstrip("/")
    if norm == TMP or norm.startswith("/tmp/"):
        return norm
    return None


def _map_str(path: str, target: _Target) -> str | None:
    norm = _under_tmp(path)
    if norm is None:
        return None
    rel = norm[5:]
    if rel.startswith(EXEMPT_NAMES):
        return None
    slashed = norm + "/"
    if slashed.startswith(target.prefix) or slashed.startswith(_exempt_tuple):
        return None
    if rel:
        record_used(rel.partition("/")[0])
    return target.scratch + "/" + rel if rel else target.scratch


_WRITE_FLAGS: Final = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# The calls that change the file system: (position, keyword) of the argument that says
# whether this one does (a mode or flags), or None when every call does
_MUTATES: Final[dict[str, tuple[int, str] | None]] = {
    "builtins.open": (1, "mode"), "open": (1, "flags"), "mkdir": None, "rmdir": None,
    "remove": None, "unlink": None, "chmod": None, "lchmod": None, "chown": None,
    "lchown": None, "chflags": None, "lchflags": None, "utime": None, "truncate": None,
    "mkfifo": None, "mknod": None, "setxattr": None, "removexattr": None,
}  # fmt: skip


def _writes(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether the call ``name(*args, **kwargs)`` (a name of :data:`_MUTATES`) would change
    the file system."""
    how = _MUTATES[name]
    if how is None:
        return True
    position, keyword = how
    value = args[position] if len(args) > position else kwargs.get(keyword)
    if name == "builtins.open":  # "r" when not given
        return isinstance(value, str) and any(c in value for c in "wax+")
    return isinstance(value, int) and bool(value & _WRITE_FLAGS)


def _read_only(path: Any, target: _Target) -> bool:
    """Whether ``path`` lies in the environment's task root (read-only in Lambda), outside
    the test's writable directories."""
    if not target.read_only or path is None or isinstance(path, int):
        return False
    try:
        text = _fsdecode(_fspath(path))
    except (TypeError, ValueError):
        return False
    if text[:1] != "/":
        try:
            text = posixpath.join(_getcwd(), text)
        except OSError:
            return False
    norm = posixpath.normpath(text) + "/"
    return norm.startswith(target.read_only) and not norm.startswith(target.writable)


def _refuse(path: Any) -> OSError:
    """Lambda's answer to a write in its read-only ``/var/task``."""
    error = OSError(errno.EROFS, os.strerror(errno.EROFS), path)
    if hasattr(error, "add_note"):
        error.add_note(
            "pytest-lambda: the task root (the handler's code folder) is read-only while a "
            "handler runs, as /var/task is in Lambda; write under /tmp, or to a path the test "
            "passes in (tmp_path, through an environment variable)"
        )
    return error


def _map_relative(path: str, target: _Target) -> str | None:
    """A relative path with ``..`` while the cwd is in the private ``/tmp`` (the handler did
    ``os.chdir("/tmp")``): resolved against the cwd as the handler sees it (``/tmp/...``),
    so ``../x`` is ``/x``, as in Lambda, not the machine's ``/tmp/x``."""
    try:
        real = _getcwd()
    except OSError:
        return None
    if not (real == target.scratch or real.startswith(target.prefix)):
        return None  # the cwd is outside the private /tmp: the path means what it says
    seen = posixpath.normpath(posixpath.join(TMP + real[len(target.scratch) :], path))
    mapped = _map_str(seen, target) if seen == TMP or seen.startswith("/tmp/") else None
    return mapped if mapped is not None else seen


def _map(path: Any, target: _Target) -> Any:
    """The redirected path for ``path``, or None to leave it alone."""
    kind = type(path)
    if kind is str:
        if ".." in path and path[:1] != "/":
            return _map_relative(path, target)
        return _map_str(path, target) if "tmp" in path else None
    if kind is bytes:
        if b".." in path and path[:1] != b"/":
            found = _map_relative(_fsdecode(path), target)
            return None if found is None else _fsencode(found)
        if b"tmp" not in path:
            return None
        mapped = _map_str(_fsdecode(path), target)
        return None if mapped is None else _fsencode(mapped)
    if kind is int or path is None or not hasattr(kind, "__fspath__"):
        return None
    try:
        text = _fspath(path)
    except TypeError:
        return None
    return _map(text, target)


def _explain(
    exc: OSError, given: Any, mapped: Any, given2: Any = None, mapped2: Any = None
) -> None:
    """Give an error the handler's spelling back, and say when the machine's /tmp has it."""
    if mapped is not None and exc.filename == mapped:
        exc.filename = given
        if isinstance(exc, FileNotFoundError) and hasattr(exc, "add_note"):
            try:
                real = _under_tmp(_fsdecode(_fspath(given)))
                _lstat(real or "")
            except (OSError, TypeError, ValueError):
                return
            exc.add_note(
                f"pytest-lambda: {real} exists in the machine's /tmp, but while a handler "
                "runs, /tmp is its environment's own (as in Lambda); written by a subprocess "
                "or C code? Test files belong under tmp_path or the task root"
            )
    if mapped2 is not None and exc.filename2 == mapped2:
        exc.filename2 = given2


_After = Callable[[Any, Any, _Target], Any]


def _one(
    orig: Callable[..., Any], keyword: str, after: _After | None = None, name: str = ""
) -> Callable[..., Any]:
    """A wrapper of a function taking one path; ``after(result, given, target)`` gives the
    result the caller's spelling back when the path was redirected. ``name`` (``os``'s, or
    ``builtins.open``): a call that would change a file in the task root is refused with
    ``EROFS``, as Lambda's read-only ``/var/task`` refuses it."""
    checks = name in _MUTATES
    busy = name == "rmdir"

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        target = _ACTIVE
        if target is None:
            return orig(*args, **kwargs)
        given = args[0] if args else kwargs.get(keyword)
        mapped = None if given is None else _map(given, target)
        if mapped is None:
            if (
                checks
                and kwargs.get("dir_fd") is None  # relative to a directory: not the cwd
                and _writes(name, args, kwargs)
                and _read_only(given, target)
            ):
                raise _refuse(given)
            return orig(*args, **kwargs)
        if busy and mapped == target.scratch:  # /tmp itself is a mount point in Lambda
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), given)
        if args:
            args = (mapped, *args[1:])
        else:
            kwargs[keyword] = mapped
        try:
            result = orig(*args, **kwargs)
        except OSError as exc:
            _explain(exc, given, mapped)
            raise
        return result if after is None else after(result, given, target)

    return _mark(wrapper, orig)


def _two(orig: Callable[..., Any], *, link_target: bool = False) -> Callable[..., Any]:
    """A wrapper of a function taking two paths (``rename``, ``replace``, ``link``,
    ``symlink``): a new entry in the task root, or one moved out of it, is refused with
    ``EROFS`` (Lambda's ``/var/task`` is read-only)."""
    moves = getattr(orig, "__name__", "") in ("rename", "replace")

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        target = _ACTIVE
        if target is None:
            return orig(*args, **kwargs)
        given = [*args[:2]]
        for name in ("src", "dst")[len(given) :]:
            given.append(kwargs.pop(name, None))
        src, dst = given
        mapped_src = None
        if src is not None and not (link_target and not _is_absolute(src)):
            mapped_src = _map(src, target)
        mapped_dst = None if dst is None else _map(dst, target)
        if mapped_dst is None and kwargs.get("dst_dir_fd") is None and _read_only(dst, target):
            raise _refuse(dst)
        if moves and target.scratch in (mapped_src, mapped_dst):  # /tmp is a mount point
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), src)
        if (
            moves
            and mapped_src is None
            and kwargs.get("src_dir_fd") is None
            and _read_only(src, target)
        ):
            raise _refuse(src)
        if mapped_src is None and mapped_dst is None:
            return orig(src, dst, *args[2:], **kwargs)
        new_src = src if mapped_src is None else mapped_src
        new_dst = dst if mapped_dst is None else mapped_dst
        try:
            return orig(new_src, new_dst, *args[2:], **kwargs)
        except OSError as exc:
            _explain(exc, src, mapped_src, dst, mapped_dst)
            raise

    return _mark(wrapper, orig)


def _is_absolute(path: Any) -> bool:
    try:
        text = _fspath(path)
    except TypeError:
        return False
    return text[:1] in ("/", b"/")


def _mark(wrapper: Callable[..., Any], orig: Callable[..., Any]) -> Callable[..., Any]:
    for attr in ("__name__", "__qualname__", "__doc__"):
        with contextlib.suppress(AttributeError, TypeError):
            setattr(wrapper, attr, getattr(orig, attr))
    wrapper.__wrapped__ = orig  # type: ignore[attr-defined]
    wrapper.__pytest_lambda_tmp__ = True  # type: ignore[attr-defined]
    return wrapper


def _build() -> list[tuple[Any, str, Any, Any]]:
    """``(owner, attribute, genuine function, wrapper)`` for every function redirected."""
    # The genuine functions come from the C modules, not from ``os`` and ``builtins``: a test's
    # mock in place when the first environment starts is not taken for the real function.
    slots: list[tuple[Any, str, Any, Any]] = []
    genuine_open = _io.open
    open_wrapper = _one(genuine_open, "file", renamed_file, "builtins.open")
    slots.append((builtins, "open", genuine_open, open_wrapper))
    slots.append((io, "open", genuine_open, open_wrapper))
    for module_name, attr in _OPEN_ALIASES:  # standard modules that took open at import
        module = sys.modules.get(module_name)
        if module is not None:
            _ALIASES_SEEN.add(module_name)
        if module is not None and vars(module).get(attr) is genuine_open:
            slots.append((module, attr, genuine_open, open_wrapper))
    by_orig: dict[int, Any] = {id(genuine_open): open_wrapper}
    for name in (*_ONE_PATH, *_TWO_PATHS, "symlink", "readlink"):
        orig = getattr(OS_C_MODULE, name, None) or getattr(os, name, None)
        if orig is None:
            continue
        if name in _TWO_PATHS or name == "symlink":
            wrapper = _two(orig, link_target=name == "symlink")
        else:
            wrapper = _one(orig, "path", _AFTER.get(name), name)
        by_orig[id(orig)] = wrapper
        slots.append((os, name, orig, wrapper))
    # Classes that took the functions at import: pathlib's accessor (3.10), glob's (3.13+)
    for owner in (_class("pathlib", "_NormalAccessor"), _class("glob", "_StringGlobber")):
        for name, value in list(vars(owner).items()):
            func = value.__func__ if isinstance(value, staticmethod) else value
            found = by_orig.get(id(func))
            if found is not None:
                slots.append((owner, name, value, staticmethod(found)))
    return slots


#: Standard modules holding ``builtins.open`` under their own name, taken at their import
#: (``from builtins import open as _builtin_open``): a module imported before the first
#: environment would write to the machine's /tmp through it.
_OPEN_ALIASES: Final = (("bz2", "_builtin_open"), ("tarfile", "bltn_open"),
                        ("tokenize", "_builtin_open"))  # fmt: skip


_ALIASES_SEEN: set[str] = set()  # the alias modules imported when the slots were built


def _aliases_to_add() -> bool:
    """Whether a module of :data:`_OPEN_ALIASES` was imported since the slots were built:
    they are then built again (three dict lookups)."""
    modules = sys.modules
    return _SLOTS is not None and any(
        name not in _ALIASES_SEEN and name in modules for name, _ in _OPEN_ALIASES
    )


def _class(module: str, name: str) -> type:
    found = getattr(importlib.import_module(module), name, None)
    return found if isinstance(found, type) else object


_AFTER: Final[dict[str, _After]] = {"readlink": spelled_link, "scandir": spelled_scandir}


_Slot = tuple[Any, str, Any, Any, "dict[str, Any] | None", tuple[set[Any], ...]]
_SLOTS: list[_Slot] | None = None
_installed = 0  # environments alive (wrappers are in place while > 0)
_partial = False  # some functions were replaced by someone else at install time


def _slots() -> list[_Slot]:
    """:func:`_build`'s slots with how to set each: a module's own ``__dict__`` (a plain
    write: ours are not a handler's changes to note, see ``swap_process``), ``setattr`` for a
    class; and the ``os.supports_*`` sets that hold the genuine function (a wrapper joins
    them while in place; the sets do not change)."""
    global _SLOTS
    if _SLOTS is None:
        found = [getattr(os, name, None) for name in _SUPPORTS]
        sets = [members for members in found if isinstance(members, set)]
        _SLOTS = [
            (
                owner, name, orig, wrapper,
                None if isinstance(owner, type) else vars(owner),
                () if isinstance(wrapper, staticmethod) else tuple(m for m in sets if orig in m),
            )
            for owner, name, orig, wrapper in _build()
        ]  # fmt: skip
    return _SLOTS


class _Group(NamedTuple):
    """The slots of one module namespace, to check and set in a few C-level calls."""

    namespace: dict[str, Any]
    names: tuple[str, ...]
    originals: tuple[Any, ...]
    wrappers: tuple[Any, ...]
    put: dict[str, Any]  # name -> wrapper
    restore: dict[str, Any]  # name -> genuine function


class _Plan(NamedTuple):
    groups: list[_Group]
    classes: list[_Slot]  # set with setattr, one by one
    joins: list[tuple[set[Any], tuple[Any, ...]]]  # an os.supports_* set, the wrappers joining it


_PLAN: list[_Plan] = []


def _plan() -> _Plan:
    """The slots grouped by module namespace, the class slots, and each ``os.supports_*``
    set with the wrappers that join it (built once)."""
    if not _PLAN:
        by_namespace: dict[int, list[_Slot]] = {}
        classes: list[_Slot] = []
        joins: dict[int, tuple[set[Any], list[Any]]] = {}
        for slot in _slots():
            namespace, sets = slot[4], slot[5]
            if namespace is None:
                classes.append(slot)
            else:
                by_namespace.setdefault(id(namespace), []).append(slot)
            for members in sets:
                joins.setdefault(id(members), (members, []))[1].append(slot[3])
        groups = []
        for slots in by_namespace.values():
            namespace = slots[0][4]
            assert namespace is not None
            groups.append(
                _Group(
                    namespace, tuple(s[1] for s in slots), tuple(s[2] for s in slots),
                    tuple(s[3] for s in slots), {s[1]: s[3] for s in slots},
                    {s[1]: s[2] for s in slots},
                )
            )  # fmt: skip
        _PLAN.append(_Plan(groups, classes, [(m, tuple(ws)) for m, ws in joins.values()]))
    return _PLAN[0]


def _put_in_place() -> None:
    """Every wrapper in place: in the usual case (each namespace still holds the genuine
    functions) checked and set in one C call per namespace, else slot by slot."""
    global _partial, _SLOTS
    if _aliases_to_add():  # no wrapper is in place now: the slots can be built again
        _SLOTS = None
        _PLAN.clear()
    plan = _plan()
    if all(tuple(map(g.namespace.get, g.names)) == g.originals for g in plan.groups) and all(
        vars(owner).get(name) is orig for owner, name, orig, *_ in plan.classes
    ):
        for group in plan.groups:
            group.namespace.update(group.put)
        for owner, name, _orig, wrapper, *_ in plan.classes:
            setattr(owner, name, wrapper)
        for members, wrappers in plan.joins:
            members.update(wrappers)
        _partial = False
        return
    partial = False
    for owner, name, orig, wrapper, namespace, sets in _slots():
        current = vars(owner).get(name) if namespace is None else namespace.get(name)
        if current is orig:
            if namespace is None:
                setattr(owner, name, wrapper)
            else:
                namespace[name] = wrapper
            for members in sets:
                members.add(wrapper)
        elif current is not wrapper:
            partial = True  # a test's mock, or a handler's replacement: left alone
    _partial = partial


def _take_out() -> None:
    """The genuine functions back where a wrapper of ours is (a mock set since stays)."""
    if _SLOTS is None:
        return
    plan = _plan()
    for group in plan.groups:
        namespace = group.namespace
        if tuple(map(namespace.get, group.names)) == group.wrappers:
            namespace.update(group.restore)
            continue
        for name, wrapper in group.put.items():
            if namespace.get(name) is wrapper:
                namespace[name] = group.restore[name]
    for owner, name, orig, wrapper, *_ in plan.classes:
        if vars(owner).get(name) is wrapper:
            setattr(owner, name, orig)
    for members, wrappers in plan.joins:
        members.difference_update(wrappers)


_REAL_PARENTS: dict[str, str] = {}  # a scratch directory's parent -> its real path


def _real_dir(path: str) -> str:
    """``os.path.realpath(path)``, with the real path of its parent (the temporary directory
    every sandbox is made in) resolved once per process: a scratch directory that is no
    link itself costs one ``lstat``, not one per component."""
    parent, name = os.path.split(path)
    if not name or name in (".", "..") or not os.path.isabs(parent) or os.path.islink(path):
        return os.path.realpath(path)
    real_parent = _REAL_PARENTS.get(parent)
    if real_parent is None:
        if len(_REAL_PARENTS) > 64:
            _REAL_PARENTS.clear()
        real_parent = _REAL_PARENTS[parent] = os.path.realpath(parent)
    return os.path.join(real_parent, name)


_LAST_EXEMPT: list[tuple[tuple[object, ...], list[str]]] = []  # (its inputs, the answer)


def _exempt_prefixes(root: str, keep: Iterable[str] = ()) -> list[str]:
    """The test's directories under ``/tmp`` that keep their real place (a new list).

    A function of its strings only (no file system access): the last answer is reused
    while they are the same, as from one test's environment to the next.
    """
    try:
        cwd = _getcwd()
    except OSError:
        cwd = ""
    tests_tmp = tempfile.gettempdir()  # the test's (TMPDIR=/tmp/x: pytest's tmp_path is there)
    candidates: tuple[object, ...] = (
        root, cwd, tests_tmp, sys.prefix, sys.exec_prefix, *sys.path, *keep,
    )  # fmt: skip
    if _LAST_EXEMPT and _LAST_EXEMPT[0][0] == candidates:
        return list(_LAST_EXEMPT[0][1])
    out: list[str] = []
    for path in candidates:
        if not isinstance(path, str) or not path:
            continue
        norm = _under_tmp(path) if "tmp" in path else None
        if norm is not None and norm != TMP:
            out.append(norm + "/")
    _LAST_EXEMPT[:] = [(candidates, list(out))]
    return out


_LAST_ROOT: list[tuple[tuple[Any, ...], tuple[tuple[str, ...], tuple[str, ...]]]] = []


def _task_root(root: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The task root's prefixes (as given and resolved), read-only while a handler runs as
    Lambda's ``/var/task`` is; and the test's temporary directories when they lie inside it
    (``TMPDIR``, pytest's ``basetemp``: files a test hands the handler there stay writable).
    None for a root of ``/``. The last answer is reused while its inputs are the same."""
    tests_tmp = tempfile.gettempdir()
    extra = writable_dirs()
    key = (root, tests_tmp, extra)
    if _LAST_ROOT and _LAST_ROOT[0][0] == key:
        return _LAST_ROOT[0][1]
    given = posixpath.normpath(os.path.abspath(root)) if root else "/"
    prefixes = tuple(dict.fromkeys(p.rstrip("/") + "/" for p in (given, os.path.realpath(given))))
    if "/" in prefixes:
        answer: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    else:
        temp = tuple(
            dict.fromkeys(
                p.rstrip("/") + "/"
                for d in (tests_tmp, *extra)
                for p in (os.path.abspath(d), os.path.realpath(d))
            )
        )
        inside = tuple(t for t in temp if t.startswith(prefixes) and t not in prefixes)
        answer = (prefixes, inside)
    _LAST_ROOT[:] = [(key, answer)]
    return answer


class TmpRedirect:
    """One environment's ``/tmp``: the wrappers in place while it lives, active while it runs."""

    def __init__(self, scratch: str, root: str, keep: Iterable[str] = ()) -> None:
        """``keep``: more directories of the test's that keep their real place (the empty
        AWS config files the environment's variables name, for example)."""
        global _installed, _exempt_tuple
        self.target = _Target(_real_dir(scratch) if ENABLED else scratch, *_task_root(root))
        self._saved: list[_Target | None] = []
        # its own directory, for the other environments alive (a handler invoking a runner)
        self._exempt = [*_exempt_prefixes(root, keep), self.target.prefix] if ENABLED else []
        self.closed = not ENABLED
        if self.closed:
            return
        for prefix in self._exempt:
            _EXEMPT[prefix] = _EXEMPT.get(prefix, 0) + 1
        _exempt_tuple = tuple(_EXEMPT)
        _installed += 1
        if _installed == 1:
            _put_in_place()

    def activate(self) -> None:
        """Send ``/tmp`` to this environment's private directory (undo: :meth:`deactivate`)."""
        global _ACTIVE
        if self.closed:
            return
        if _partial:  # a mock that was in place at install time may have gone since
            _put_in_place()
        self._saved.append(_ACTIVE)
        _ACTIVE = self.target

    def deactivate(self) -> None:
        """Give ``/tmp`` back to whoever had it before :meth:`activate`."""
        global _ACTIVE
        if self._saved:
            _ACTIVE = self._saved.pop()

    def close(self) -> None:
        """The environment is gone: take the wrappers out when it was the last one."""
        global _installed, _exempt_tuple
        if self.closed:
            return
        self.closed = True
        for prefix in self._exempt:
            left = _EXEMPT.get(prefix, 1) - 1
            if left:
                _EXEMPT[prefix] = left
            else:
                _EXEMPT.pop(prefix, None)
        _exempt_tuple = tuple(_EXEMPT)
        _installed -= 1
        if _installed == 0:
            _take_out()
