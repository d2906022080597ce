"""Cheap, safe snapshots of an execution environment's state between warm invocations.

A :class:`Snapshot` records, for the handler's own modules, a bounded summary of every
module-level global and of every mutable default argument of their functions (type,
identity, length of containers, a ``reprlib``-bounded text), plus the scratch dir's files
and sizes, ``os.environ`` (minus ``_X_AMZN_TRACE_ID``), cwd, ``sys.path``, logging
handlers, live threads and the count of open file descriptors. Nothing is deep-copied and
no user ``__eq__`` is called: values are compared through their summaries only.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import reprlib
import sys
import threading
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pytest_lambda._runtime.state import EnvironmentState

__all__ = ["Snapshot", "Value", "describe", "fd_count", "own_modules", "snapshot", "summarize"]

_IGNORED_ENV: Final = frozenset({"_X_AMZN_TRACE_ID"})
_MAX_FILES: Final = 2000
_MUTABLE: Final = (list, dict, set, bytearray)
_SKIPPED_TYPES: Final = (types.ModuleType, types.FunctionType, type, types.BuiltinFunctionType)
_POWERTOOLS: Final = "aws_lambda_powertools"
_FD_DIR: Final = "/proc/self/fd"

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = _REPR.maxdeque = 24
_REPR.maxfrozenset = 24
_REPR.maxstring = 160
_REPR.maxother = 160
_REPR.maxlong = 60


@dataclass(frozen=True)
class Value:
    """A bounded summary of one value: what is compared between snapshots."""

    type: str
    ident: int
    text: str
    length: int | None = None
    powertools: bool = False

    @property
    def is_none(self) -> bool:
        return self.type == "NoneType"

    @property
    def plain(self) -> bool:
        """Plain data (what a per-request value or a cache holds), not a client or object."""
        return self.type in {"dict", "list", "set", "tuple", "str", "int", "float", "bytes"}

    def show(self) -> str:
        if self.length is not None and self.type in {"list", "dict", "set", "deque", "bytearray"}:
            noun = "item" if self.length == 1 else "items"
            return f"{self.text} ({self.length} {noun})"
        return self.text


def _safe_repr(value: object) -> str:
    try:
        return _REPR.repr(value)
    except Exception as exc:  # a user __repr__ that raises
        return f"<{type(value).__name__} object (repr raised {type(exc).__name__})>"


def _own_state(value: object) -> tuple[str, int | None]:
    """An instance of the handler's own class: its attributes one level deep, and the
    total length of the containers among them (None without any)."""
    try:
        attrs = dict(vars(value))
    except TypeError:
        return _safe_repr(value), None
    parts = [f"{k}={_safe_repr(v)}" for k, v in list(attrs.items())[:16]]
    sized = [len(v) for v in attrs.values() if isinstance(v, (*_MUTABLE, tuple))]
    return f"{type(value).__name__}({', '.join(parts)})", (sum(sized) if sized else None)


def summarize(value: object, own: frozenset[str] = frozenset()) -> Value:
    """``value`` summarised: type name, id, length of a sized container, bounded text."""
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    length: int | None = None
    if isinstance(value, (list, dict, set, frozenset, tuple, bytearray, bytes, str)) or (
        module == "collections" and hasattr(value, "__len__")
    ):
        try:
            length = len(value)
        except Exception:
            length = None
    if module.startswith(_POWERTOOLS):
        return Value(kind.__name__, id(value), f"<{kind.__name__}>", None, powertools=True)
    if module in own:
        text, length = _own_state(value)
    else:
        text = _safe_repr(value)
    return Value(kind.__name__, id(value), text, length)


@dataclass(frozen=True)
class Snapshot:
    """The environment's state at one moment (after init, or after an invocation)."""

    globals: Mapping[str, Value]  # "module.name" -> summary
    defaults: Mapping[str, Value]  # "module.func(arg)" -> summary of a mutable default
    files: Mapping[str, int]  # path relative to the scratch dir -> size
    environ: Mapping[str, str]
    cwd: str
    sys_path: tuple[str, ...]
    log_handlers: Mapping[str, tuple[str, ...]]  # "root" or logger name -> handler reprs
    threads: Mapping[int, str]  # ident -> description
    fds: int | None
    hooks: Mapping[str, int] = dataclasses.field(default_factory=dict)  # see process_hooks()


def own_modules(state: EnvironmentState) -> dict[str, types.ModuleType]:
    """The handler's own modules: the environment's, or a callable handler's module."""
    modules = dict(state.modules)
    if modules:
        return modules
    handler = state.environment.handler
    name = getattr(handler, "__module__", None)
    module = sys.modules.get(name) if isinstance(name, str) else None
    file = getattr(module, "__file__", None) or ""
    if (
        module is not None
        and name is not None
        and not name.startswith("pytest_lambda")
        and "site-packages" not in file
    ):
        modules[name] = module
    return modules


def _function_defaults(
    qualname: str, func: types.FunctionType, own: frozenset[str], out: dict[str, Value]
) -> None:
    code = func.__code__
    positional = code.co_varnames[: code.co_argcount]
    defaults = func.__defaults__ or ()
    for name, value in zip(positional[len(positional) - len(defaults) :], defaults, strict=True):
        if isinstance(value, _MUTABLE) or type(value).__module__ in own:
            out[f"{qualname}({name}=…)"] = summarize(value, own)
    for name, value in (func.__kwdefaults__ or {}).items():
        if isinstance(value, _MUTABLE) or type(value).__module__ in own:
            out[f"{qualname}({name}=…)"] = summarize(value, own)


def _class_state(
    modname: str,
    cls: type,
    own: frozenset[str],
    globals_: dict[str, Value],
    defaults: dict[str, Value],
) -> None:
    """A class of the handler's own module: its methods' mutable defaults, and its data
    attributes (``Session.user = event["user"]`` is module-level state as a global is)."""
    for attr_name, attr in list(vars(cls).items()):
        if isinstance(attr, types.FunctionType):
            _function_defaults(f"{modname}.{attr.__qualname__}", attr, own, defaults)
            continue
        if attr_name.startswith("__") and attr_name.endswith("__"):
            continue
        if isinstance(attr, (*_SKIPPED_TYPES, staticmethod, classmethod, property)) or (
            callable(attr) and not hasattr(attr, "__dict__")
        ):
            continue
        if type(attr).__name__ in ("member_descriptor", "getset_descriptor"):
            continue  # __slots__ members: per instance
        globals_[f"{modname}.{cls.__qualname__}.{attr_name}"] = summarize(attr, own)


def _module_state(
    modules: Mapping[str, types.ModuleType],
) -> tuple[dict[str, Value], dict[str, Value]]:
    own = frozenset(modules)
    globals_: dict[str, Value] = {}
    defaults: dict[str, Value] = {}
    for modname, module in modules.items():
        for name, value in list(vars(module).items()):
            if name.startswith("__") and name.endswith("__"):
                continue
            if isinstance(value, types.FunctionType):
                if value.__module__ == modname:
                    _function_defaults(f"{modname}.{value.__qualname__}", value, own, defaults)
                continue
            if isinstance(value, type):
                if value.__module__ == modname and value.__qualname__ == name:
                    _class_state(modname, value, own, globals_, defaults)
                continue
            if isinstance(value, _SKIPPED_TYPES) or (
                callable(value) and not hasattr(value, "__dict__")
            ):
                continue
            globals_[f"{modname}.{name}"] = summarize(value, own)
    return globals_, defaults


def _files(root: str) -> dict[str, int]:
    out: dict[str, int] = {}
    stack = [root]
    while stack and len(out) < _MAX_FILES:
        here = stack.pop()
        try:
            entries = list(os.scandir(here))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    out[os.path.relpath(entry.path, root)] = entry.stat(
                        follow_symlinks=False
                    ).st_size
            except OSError:
                continue
    return out


def _log_handlers(state: EnvironmentState) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {
        "root": tuple(f"{type(h).__name__}@{id(h):x}" for h in state.environment.logging.handlers)
    }
    for name, lg in list(logging.root.manager.loggerDict.items()):
        if isinstance(lg, logging.Logger) and lg.handlers:
            out[name] = tuple(f"{type(h).__name__}@{id(h):x}" for h in lg.handlers)
    return out


def _threads() -> dict[int, str]:
    out: dict[int, str] = {}
    for thread in threading.enumerate():
        if thread.ident is None or not thread.is_alive():
            continue
        target = getattr(thread, "_target", None)
        where = getattr(target, "__qualname__", None)
        module = getattr(target, "__module__", None)
        out[thread.ident] = (
            f"thread running {module}.{where}" if where else f"thread {thread.name!r}"
        )
    return out


def process_hooks() -> dict[str, int]:
    """Process-wide hooks an invocation can add and never take back, counted: import
    finders and path hooks, exit callbacks, and trace or profile functions (1 when set)."""
    import atexit

    count = getattr(atexit, "_ncallbacks", None)
    out = {
        "sys.meta_path": len(sys.meta_path),
        "sys.path_hooks": len(sys.path_hooks),
        "threading.settrace": int(threading.gettrace() is not None)
        if hasattr(threading, "gettrace")
        else 0,
        "threading.setprofile": int(threading.getprofile() is not None)
        if hasattr(threading, "getprofile")
        else 0,
    }
    if callable(count):
        out["atexit callbacks"] = int(count())
    return out


def fd_count() -> int | None:
    """Open file descriptors of this process (Linux), or None where unknown."""
    try:
        return len(os.listdir(_FD_DIR))
    except OSError:
        return None


def snapshot(state: EnvironmentState, modules: Mapping[str, types.ModuleType]) -> Snapshot:
    """The environment's state now (called between invocations, outside the environment)."""
    globals_, defaults = _module_state(modules)
    environ = {k: v for k, v in state.environ.items() if k not in _IGNORED_ENV}
    return Snapshot(
        globals=globals_,
        defaults=defaults,
        files=_files(state.scratch_dir),
        environ=environ,
        cwd=state.cwd,
        sys_path=state.sys_path,
        log_handlers=_log_handlers(state),
        threads=_threads(),
        fds=fd_count(),
        hooks=process_hooks(),
    )


def describe(value: Any) -> str:
    """A short text for a value that is not a :class:`Value` (env values, paths)."""
    return _safe_repr(value)
