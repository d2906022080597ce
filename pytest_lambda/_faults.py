"""Side-effect points: record every AWS call and user fault point, and inject one failure.

A *point* is one call the handler makes during an invocation: every AWS API call
through botocore (boto3 clients and resources alike) and every call of a user
``fault_points`` callable. A :class:`Recorder` numbers the calls of an invocation and,
when given a :class:`Fault`, fails call ``k``:

* ``before``: the call never happens (botocore: ``EndpointConnectionError``);
* ``after``: the call happened but the handler gets an exception instead of the
  result, a lost acknowledgement (botocore: ``ReadTimeoutError``).

:func:`botocore_hook` registers on ``before-call`` / ``after-call`` of every botocore
client created while it is installed (``ClientCreator.create_client`` is patched, so
clients created at module import, during init, are covered) and of every client (or
boto3 resource's client) held in a module global when it is installed.
:func:`fault_point_hook` wraps user callables given as dotted names: in modules
already imported, and in every module imported while it is installed (an import
hook), so a handler module imported fresh for a new environment gets the wrapper too,
including its ``from app.db import insert_order`` aliases.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final, Literal

from ._errors import InvalidOption
from ._statediff import short

__all__ = [
    "Call",
    "Fault",
    "InjectedFault",
    "Recorder",
    "botocore_hook",
    "fault_point_hook",
]

Mode = Literal["before", "after"]
_UNIQUE: Final = "pytest_lambda_faults"
_CTX_KEY: Final = "pytest_lambda_call"


class InjectedFault(RuntimeError):
    """The failure injected into a user fault point."""


@dataclass(frozen=True)
class Call:
    """One side-effect call: its position in the invocation, label and arguments."""

    index: int
    point: str
    detail: str

    def describe(self) -> str:
        return f"{self.point}({self.detail})" if self.detail else self.point


@dataclass(frozen=True)
class Fault:
    """Fail call number ``index`` (0-based) of an invocation, ``before`` or ``after`` it."""

    index: int
    mode: Mode
    point: str

    def describe(self) -> str:
        """What was done to the call, e.g. ``store.put (point 3) failed before the call``."""
        where = f"{self.point} (point {self.index + 1})"
        if self.mode == "before":
            return f"{where} failed before the call was made"
        return f"{where} succeeded but its acknowledgement was lost"


class Recorder:
    """Numbers the side-effect calls of one invocation and injects at most one fault."""

    def __init__(self) -> None:
        self.active = False
        self.calls: list[Call] = []
        self.fault: Fault | None = None
        self.fired: Call | None = None

    def start(self, fault: Fault | None = None) -> None:
        self.active, self.calls, self.fault, self.fired = True, [], fault, None

    def stop(self) -> list[Call]:
        self.active = False
        return list(self.calls)

    def enter(self, point: str, detail: str, error: Callable[[Mode, str], BaseException]) -> int:
        """Record a call about to happen; raise when the fault is ``before`` it."""
        if not self.active:
            return -1
        call = Call(len(self.calls), point, detail)
        self.calls.append(call)
        if (
            self.fault is not None
            and self.fault.index == call.index
            and self.fault.mode == "before"
        ):
            self.fired = call
            raise error("before", point)
        return call.index

    def leave(self, index: int, error: Callable[[Mode, str], BaseException]) -> None:
        """A call returned; raise when the fault is ``after`` it."""
        fault = self.fault
        if index < 0 or not self.active or fault is None:
            return
        if fault.index == index and fault.mode == "after":
            self.fired = self.calls[index]
            raise error("after", self.calls[index].point)


# -- botocore ----------------------------------------------------------------------------


@functools.cache
def _botocore_errors() -> tuple[Any, Any]:
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    class InjectedConnectionError(EndpointConnectionError):  # type: ignore[misc]
        fmt = (
            "pytest_lambda injected a fault before {operation} (the request was never sent): "
            'Could not connect to the endpoint URL: "{endpoint_url}"'
        )

    class InjectedReadTimeoutError(ReadTimeoutError):  # type: ignore[misc]
        fmt = (
            "pytest_lambda injected a fault after {operation} succeeded (a lost "
            'acknowledgement): Read timeout on endpoint URL: "{endpoint_url}"'
        )

    return InjectedConnectionError, InjectedReadTimeoutError


def _aws_error(mode: Mode, point: str) -> BaseException:
    before, after = _botocore_errors()
    url = "https://" + point.split(".")[0] + ".amazonaws.com/"
    cls = before if mode == "before" else after
    error: BaseException = cls(operation=point, endpoint_url=url)
    return error


class _BotocoreHandlers:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def params(self, params: Any = None, context: Any = None, **_: Any) -> None:
        if self.recorder.active and isinstance(context, dict):
            context[_CTX_KEY + "_params"] = short(params, 160)

    def before(self, model: Any = None, context: Any = None, **_: Any) -> None:
        if not self.recorder.active or model is None:
            return
        label = f"{model.service_model.service_name}.{model.name}"
        detail = context.get(_CTX_KEY + "_params", "") if isinstance(context, dict) else ""
        index = self.recorder.enter(label, detail, _aws_error)
        if isinstance(context, dict):
            context[_CTX_KEY] = index

    def after(self, context: Any = None, **_: Any) -> None:
        if isinstance(context, dict):
            self.recorder.leave(context.get(_CTX_KEY, -1), _aws_error)

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-parameter-build", self.params, unique_id=_UNIQUE + "_params")
        events.register("before-call", self.before, unique_id=_UNIQUE + "_before")
        events.register("after-call", self.after, unique_id=_UNIQUE + "_after")

    @staticmethod
    def detach(client: Any) -> None:
        events = client.meta.events
        for event, suffix in (
            ("before-parameter-build", "_params"),
            ("before-call", "_before"),
            ("after-call", "_after"),
        ):
            events.unregister(event, unique_id=_UNIQUE + suffix)


def _module_clients(base: type) -> list[Any]:
    """Clients (and boto3 resources' clients) held in module globals right now."""
    found: dict[int, Any] = {}
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for value in list(namespace.values()):
            if isinstance(value, base):
                found[id(value)] = value
            elif type(value).__module__ == "boto3.resources.factory":  # a resource or a Table
                client = getattr(getattr(value, "meta", None), "client", None)
                if isinstance(client, base):
                    found[id(client)] = client
    return list(found.values())


@contextlib.contextmanager
def botocore_hook(recorder: Recorder) -> Iterator[bool]:
    """Record (and fail) botocore API calls while active; yields False without botocore."""
    try:
        from botocore.client import BaseClient, ClientCreator
    except ImportError:
        yield False
        return
    handlers = _BotocoreHandlers(recorder)
    clients = _module_clients(BaseClient)
    for client in clients:
        handlers.attach(client)
    original = ClientCreator.create_client

    @functools.wraps(original)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        handlers.attach(client)
        clients.append(client)
        return client

    ClientCreator.create_client = create_client
    try:
        yield True
    finally:
        ClientCreator.create_client = original
        for client in clients:
            with contextlib.suppress(Exception):
                handlers.detach(client)


# -- user fault points -------------------------------------------------------------------


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
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                loader = spec.loader
                if loader is not None and hasattr(loader, "exec_module"):
                    spec.loader = _Loader(loader, self.points)
                return spec
        return None


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
