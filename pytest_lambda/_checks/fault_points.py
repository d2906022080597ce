"""User fault points: dotted callables wrapped as side-effect points.

``fault_points=["app.db.insert_order", "app.db.Repository.save"]`` wraps those callables
so each call is numbered by the :class:`~pytest_lambda._checks.faults.Recorder` and can fail
before the call or after it returned (raising :class:`~pytest_lambda.InjectedFault`).
Wrapping happens in modules already imported and, through an import hook, in every module
imported while the hook is installed: a handler module imported fresh for a new environment gets the
wrapper too, and so do its ``from app.db import insert_order`` copies.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

from pytest_lambda._checks.faults import Mode, Recorder
from pytest_lambda._checks.statediff import short
from pytest_lambda._core.errors import InjectedFault, InvalidOption
from pytest_lambda._core.meta_path import spec_from_others

__all__ = ["InjectedFault", "fault_point_hook"]


def _user_error(mode: Mode, point: str) -> BaseException:
    if mode == "before":
        return InjectedFault(f"pytest_lambda injected a fault before {point} was called")
    return InjectedFault(
        f"pytest_lambda injected a fault after {point} returned (a lost acknowledgement)"
    )


def _split(name: str) -> tuple[str, list[str]]:
    parts = name.split(".")
    if len(parts) < 2 or not all(p.isidentifier() for p in parts):
        raise InvalidOption(
            f"fault point {name!r} is not a dotted name 'module.function' "
            "(e.g. 'app.db.insert_order' or 'app.db.Repository.insert')"
        )
    return ".".join(parts[:-1]), parts[-1:]


class _Points:
    """The wrapping of user callables, module by module, and how to undo it."""

    def __init__(self, names: Sequence[str], recorder: Recorder) -> None:
        self.names = tuple(names)
        self.recorder = recorder
        self.undo: list[tuple[Any, str, Any]] = []
        self.wrappers: dict[int, tuple[Any, Any]] = {}
        self.found: set[str] = set()
        for name in self.names:
            _split(name)

    def _wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        if getattr(func, "__pytest_lambda_point__", None) == name:
            return func
        recorder = self.recorder

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            shown = [short(a, 40) for a in args] + [
                f"{k}={short(v, 40)}" for k, v in kwargs.items()
            ]
            detail = ", ".join(shown)
            if len(detail) > 160:
                detail = detail[:159] + "…"
            index = recorder.enter(name, detail, _user_error)
            result = func(*args, **kwargs)
            recorder.leave(index, _user_error)
            return result

        wrapper.__pytest_lambda_point__ = name  # type: ignore[attr-defined]
        self.wrappers[id(wrapper)] = (wrapper, func)
        return wrapper

    def patch_module(self, module: ModuleType) -> None:
        """Wrap every point that ``module`` defines (``module.func``, ``module.Class.meth``)."""
        for name in self.names:
            parts = name.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                if ".".join(parts[:cut]) != module.__name__:
                    continue
                owner: Any = module
                for attr in parts[cut:-1]:
                    owner = getattr(owner, attr, None)
                target = getattr(owner, parts[-1], None) if owner is not None else None
                if callable(target):
                    self._replace(owner, parts[-1], target, self._wrap(name, target))
                    self.found.add(name)

    def _replace(self, owner: Any, attr: str, old: Any, new: Any) -> None:
        if isinstance(owner, type):
            raw = owner.__dict__.get(attr)
            if isinstance(raw, (staticmethod, classmethod)):
                new = type(raw)(
                    self._wrap(getattr(new, "__pytest_lambda_point__", ""), raw.__func__)
                )
                old = raw
        setattr(owner, attr, new)
        self.undo.append((owner, attr, old))

    def patch_aliases(self) -> None:
        """Point ``from x import f`` copies in loaded modules at the wrappers."""
        wrapped = {id(old): getattr(owner, attr) for owner, attr, old in self.undo}
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict) or getattr(module, "__name__", "").startswith(
                ("pytest_lambda", "_pytest", "pytest", "botocore", "boto3", "moto")
            ):
                continue
            for attr, value in list(namespace.items()):
                new = wrapped.get(id(value))
                if new is not None and new is not value:
                    namespace[attr] = new
                    self.undo.append((module, attr, value))

    def restore(self) -> None:
        for owner, attr, old in reversed(self.undo):
            with contextlib.suppress(Exception):
                setattr(owner, attr, old)
        self.undo.clear()
        # copies made by ``from x import f`` while the hook was installed
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict):
                continue
            for attr, value in list(namespace.items()):
                pair = self.wrappers.get(id(value))
                if pair is not None and pair[0] is value:
                    namespace[attr] = pair[1]


class _Finder(importlib.abc.MetaPathFinder):
    """Wraps the points of a module right after it executes (before its importers run)."""

    def __init__(self, points: _Points) -> None:
        self.points = points
        self.modules = {_split(n)[0] for n in points.names} | {
            ".".join(n.split(".")[:cut]) for n in points.names for cut in range(1, n.count("."))
        }

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in self.modules:
            return None
        spec = spec_from_others(self, fullname, path, target)
        if spec is not None:
            loader = spec.loader
            if loader is not None and hasattr(loader, "exec_module"):
                spec.loader = _Loader(loader, self.points)
        return spec


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: Any, points: _Points) -> None:
        self.loader = loader
        self.points = points

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        self.points.patch_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


@contextlib.contextmanager
def fault_point_hook(names: Sequence[str], recorder: Recorder) -> Iterator[_Points]:
    """Wrap the dotted callables ``names`` while active (see the module docs)."""
    points = _Points(names, recorder)
    if not points.names:
        yield points
        return
    finder = _Finder(points)
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", None) in finder.modules:
            points.patch_module(module)
    points.patch_aliases()
    sys.meta_path.insert(0, finder)
    try:
        yield points
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        points.restore()
