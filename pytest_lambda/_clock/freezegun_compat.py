"""Making a freezegun freeze safe for the libraries Lambda handlers use.

Three problems, seen with AWS Lambda Powertools' parser and pydantic v2 models:

* While a freeze is active, ``datetime.datetime`` is freezegun's ``FakeDatetime``. A
  pydantic v2 model defined then (a handler module imported on a cold start under a frozen
  :class:`~pytest_lambda.LambdaClock`, or a lazy import) fails with "Unable to generate
  pydantic-core schema for FakeDatetime". We give ``FakeDatetime`` and ``FakeDate`` the
  schema of the real types, so such models build and validate as they do without a freeze.
* ``freeze_time().start()`` and ``stop()`` read every attribute of every loaded module; a
  module with a lazy ``__getattr__`` (pydantic, Powertools' parser) then imports code
  half-way through the patching, when some modules see the fake classes and some the real
  ones. :func:`start_freezer` and :func:`stop_freezer` resolve those lazy attributes first,
  while the state is consistent; and when ``start()`` still fails, the partial freeze is
  undone (freezegun would leave it in place) and the error says why.
* A class that subclasses ``date`` or ``datetime`` with a metaclass of its own (pydantic
  v1's ``ConstrainedDate``, also under pydantic 2 as ``pydantic.v1``, which FastAPI
  imports) cannot be defined while ``date`` is ``FakeDate``: "metaclass conflict". Those
  modules are imported before the first freeze, when installed.
* freezegun's ``time.localtime()`` returns a struct without ``tm_gmtoff``/``tm_zone`` (so
  pydantic's ``PastDate`` raises ``TypeError`` and ``strftime("%z")`` is empty). Ours is the
  real ``localtime`` of the frozen instant, in the process's time zone (UTC in Lambda).
"""

from __future__ import annotations

import contextlib
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import LambdaStateError

__all__ = [
    "import_date_subclassers",
    "install_compat",
    "resolve_lazy_attributes",
    "start_freezer",
    "stop_freezer",
]

_RESOLVED: Final[set[tuple[str, int]]] = set()
_DATE_SUBCLASSERS: Final = ("pydantic.v1.types", "pydantic.types")
_IMPORTED: list[bool] = []
_ROUNDS: Final = 5


def _datetime_schema(cls: Any, source: Any, handler: Any) -> Any:
    from pydantic_core import core_schema

    return core_schema.datetime_schema()


def _date_schema(cls: Any, source: Any, handler: Any) -> Any:
    from pydantic_core import core_schema

    return core_schema.date_schema()


def _make_localtime(api: Any) -> Any:
    real_localtime: Callable[[float | None], time.struct_time] = api.real_localtime

    def fake_localtime(t: float | None = None) -> time.struct_time:
        if t is not None or api._should_use_real_time():
            return real_localtime(t)
        return real_localtime(api.fake_time())

    fake_localtime.pytest_lambda = True  # type: ignore[attr-defined]
    return fake_localtime


def install_compat(api: Any) -> None:
    """Complete ``localtime``; let pydantic v2 treat the fake classes as datetime and date."""
    if not getattr(api.fake_localtime, "pytest_lambda", False):
        api.fake_localtime = _make_localtime(api)
    hook = "__get_pydantic_core_schema__"
    for name, schema in (("FakeDatetime", _datetime_schema), ("FakeDate", _date_schema)):
        fake = getattr(api, name, None)
        if fake is not None and hook not in vars(fake):
            setattr(fake, hook, classmethod(schema))


def _resolve(name: str, module: Any) -> None:
    namespace = getattr(module, "__dict__", None)
    if not isinstance(namespace, dict) or "__getattr__" not in namespace:
        return
    try:
        names = dir(module)
    except Exception:  # a broken __dir__: freezegun skips it too
        return
    for attribute in names:
        if attribute not in namespace:
            try:
                getattr(module, attribute)
            except Exception:  # freezegun meets it again, and start_freezer() explains it
                continue


def resolve_lazy_attributes() -> None:
    """Import now what loaded modules' ``__getattr__`` would import during freezegun's scan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(_ROUNDS):  # resolving imports modules, which may be lazy themselves
            modules: list[tuple[str, Any]] = list(sys.modules.items())
            fresh = [(n, m) for n, m in modules if (n, id(m)) not in _RESOLVED]
            if not fresh:
                return
            for name, module in fresh:
                _resolve(name, module)
                _RESOLVED.add((name, id(module)))


def stop_freezer(freezer: Any) -> None:
    """``freezer.stop()``, after resolving the lazy attributes of modules loaded meanwhile."""
    resolve_lazy_attributes()
    freezer.stop()


def import_date_subclassers() -> None:
    """Import, once and if installed, the modules that subclass date with their own metaclass."""
    if _IMPORTED:
        return
    _IMPORTED.append(True)
    import importlib
    import importlib.util

    try:
        installed = "pydantic" in sys.modules or importlib.util.find_spec("pydantic") is not None
    except (ImportError, ValueError):
        installed = False
    if not installed:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in _DATE_SUBCLASSERS:
            with contextlib.suppress(Exception):  # absent in this pydantic version, or broken
                importlib.import_module(name)


def start_freezer(freezer: Any) -> Any:
    """``freezer.start()``; when it fails half-way, stop the partial freeze and explain."""
    import_date_subclassers()
    resolve_lazy_attributes()
    try:
        return freezer.start()
    except Exception as exc:
        with contextlib.suppress(Exception):  # best effort: the original error matters
            freezer.stop()
        raise LambdaStateError(
            "LambdaClock could not freeze time: freezegun's start() failed while it patched "
            f"the loaded modules ({type(exc).__name__}: {exc}). Often a module with a lazy "
            "__getattr__ imported code mid-freeze; import that module before the clock "
            "starts (e.g. at the top of your conftest.py). The clock is left real."
        ) from exc
