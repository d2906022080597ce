"""Process-wide interpreter state an environment owns: settings, ``random``, module attributes.

A :class:`ProcessSwap` is the last part of an environment put in place by ``activate()`` and
the first taken out: while it is active the environment's values are in force, after it the
test's are back, and the environment's are kept for its next invocation (as a warm Lambda
process keeps them). Its parts:

* Settings read by a cheap getter, compared at ``deactivate()`` and set only when they
  differ: ``socket.setdefaulttimeout``, ``os.umask`` (one ``umask()`` call each way reads
  the old mask and sets the new one), ``sys.setrecursionlimit``,
  ``sys.set_int_max_str_digits`` (3.11+), ``faulthandler`` on/off, ``gc`` on/off,
  ``sys.setswitchinterval`` and the locale (``setlocale(LC_ALL, None)`` is a query). A
  new environment starts from the test process's values. ``faulthandler`` is re-enabled
  on ``sys.__stderr__`` (the file a caller passed is not readable back).
* ``random``: each environment has its own ``random.Random``, seeded from the OS when the
  environment starts (a new Lambda process seeds from ``os.urandom``), bound to the
  module-level functions while active. The test's generator (which ``pytest-randomly``
  reseeds) is never touched. Two C-level ``dict`` operations each way (~1 µs), instead of
  ``getstate()``/``setstate()`` (~3 µs each).
* Attributes set or deleted on standard-library modules and ``builtins``
  (``json.dumps = f``, ``builtins.x = 1``, ``sys.excepthook = f``, ``sys.stdin = None``,
  ``threading.excepthook = f``). Choice: an undo log. Those modules get a
  :class:`types.ModuleType` subclass as ``__class__`` (allowed for modules) whose
  ``__setattr__``/``__delattr__`` note the previous value only while an environment is
  active, so an invocation that changes nothing costs one empty loop each way; the
  alternative, copying and comparing the dicts of a fixed list of modules, costs
  microseconds per invocation and misses every module not on the list. Risks weighed:
  ``type(m) is ModuleType`` checks fail for those modules (``isinstance`` still holds;
  modules that already have their own class, such as lazy modules, are left alone), and
  code using ``type(sys)`` or ``type(os)`` as the module type (importlib, pydoc) would
  misbehave, so ``sys`` and ``os`` are not hooked (the ``sys`` attributes that matter are
  compared like the settings above; ``os.putenv``/``os.unsetenv`` are wrapped);
  assignments made by the module's own code (``global x``) and by importlib (a submodule
  bound on its package) are not changes of the environment's and are not noted; a
  ``mock.patch`` by the test between invocations happens while no environment is active,
  is not noted and stays in place (while the environment runs, its own value wins); a
  stdlib module first imported during an invocation is hooked from the next activation
  on. Names the environment swaps by other means (``sys.path``, ``sys.stdout``,
  ``sys.stderr``, ``os.environ``, ``tempfile.tempdir``, the ``random`` functions) are left
  to them.
* Attributes set on shared third-party modules (``requests.get = f``) are not undone: the
  library stays loaded and shared on purpose (a test's ``moto`` or ``monkeypatch`` must keep
  applying), and patches made through classes or ``wrapt`` cannot be seen, so undoing the
  visible half would leave the library half patched. They are noted, reported by the
  warm-reuse check and in a :class:`~pytest_lambda.ProcessStateWarning` when the runner
  closes.
* The C-level environment: ``os.putenv``/``os.unsetenv`` are wrapped (for the session, with
  a fast path when no environment is active); what an environment sets or unsets this way
  is put back to the test's value at ``deactivate()`` and set again at ``activate()``.
  ``setenv()`` called from C (``ctypes``, an extension) is not seen per invocation;
  :func:`c_environ_diff` compares the C ``environ`` with ``os.environ`` for the report.

Cost per warm invocation when the handler changed nothing: about 3 µs in all (14 getter
calls, two ``umask()`` calls, the ``random`` rebinding); see ``benchmarks/runner.py``.
"""

from __future__ import annotations

import _locale
import _socket
import contextlib
import faulthandler
import gc
import locale
import operator
import os
import random
import sys
import types
from typing import Any, Final

__all__ = ["ProcessSwap", "c_environ_diff", "hook_modules", "merge_c_env", "warn_unrestored"]

_MISSING: Final = object()
_ACTIVE: Final[list[ProcessSwap]] = []
_STDLIB: Final[frozenset[str]] = frozenset(getattr(sys, "stdlib_module_names", ())) | {"builtins"}
_THIRD_PARTY_DIRS: Final = ("site-packages", "dist-packages")
# Never hooked: test infrastructure; ``sys``, whose type importlib calls to make every new
# module (``type(sys)(name)``), its attributes that matter being compared as settings; and
# ``os``, whose type also serves as "the module type" (``isinstance(x, type(os))``, pydoc).
_SKIPPED: Final = frozenset({"pytest", "_pytest", "pluggy", "pytest_lambda", "py", "sys", "os"})
# Swapped by other parts of the environment (pytest_lambda._environment, ._swap).
_ELSEWHERE: Final = frozenset(
    {("sys", "path"), ("sys", "stdout"), ("sys", "stderr"), ("sys", "modules"),
     ("os", "environ"), ("os", "environb"), ("os", "_exit"), ("tempfile", "tempdir")}
)  # fmt: skip
_setattr: Final = types.ModuleType.__setattr__
_delattr: Final = types.ModuleType.__delattr__


def _noted(module: types.ModuleType, name: str, value: Any) -> bool:
    """Whether a change of ``module.name`` is the environment's (not importlib's, not ours)."""
    if name == "__class__" or not _ACTIVE:
        return False
    if isinstance(value, types.ModuleType) and value.__name__ == f"{module.__name__}.{name}":
        return False  # importlib binding a submodule on its package
    key = (module.__name__, name)
    return key not in _ELSEWHERE and not (module is random and name in _RANDOM_SET)


# Test tools whose writes are the test's, even during an invocation (a callable handler
# defined in a test that starts the runner's clock: freezegun patches every module).
_TOOLS: Final = frozenset({"pytest_lambda", "freezegun", "_pytest", "pytest"})


def _by_tool() -> bool:
    caller = sys._getframe(2).f_globals.get("__name__", "")
    return str(caller).partition(".")[0] in _TOOLS


class _RestoredModule(types.ModuleType):
    """A stdlib module (or ``builtins``): attribute changes are the environment's state."""

    def __setattr__(self, name: str, value: Any) -> None:
        if _noted(self, name, value) and not _by_tool():
            _ACTIVE[-1]._note(self, name)
        _setattr(self, name, value)

    def __delattr__(self, name: str) -> None:
        if _noted(self, name, None) and not _by_tool():
            _ACTIVE[-1]._note(self, name)
        _delattr(self, name)


def _from_outside(module: types.ModuleType) -> bool:
    """Whether the code setting an attribute of ``module`` is not from its own package
    (a library keeping its own state, such as Powertools' cold-start flag, is not a patch)
    nor a test tool."""
    caller = str(sys._getframe(2).f_globals.get("__name__", "")).partition(".")[0]
    return caller != module.__name__.partition(".")[0] and caller not in _TOOLS


class _SharedModule(types.ModuleType):
    """A third-party module, shared with the test: attribute changes are noted, not undone."""

    def __setattr__(self, name: str, value: Any) -> None:
        if _noted(self, name, value) and _from_outside(self):
            _ACTIVE[-1].shared_patches[f"{self.__name__}.{name}"] = None
        _setattr(self, name, value)

    def __delattr__(self, name: str) -> None:
        if _noted(self, name, None) and _from_outside(self):
            _ACTIVE[-1].shared_patches[f"{self.__name__}.{name}"] = None
        _delattr(self, name)


_seen: dict[str, object] = {}  # module name -> the module object last classified
_seen_len = [-1]


def _kind(name: str, module: types.ModuleType) -> type[types.ModuleType] | None:
    top = name.partition(".")[0]
    if top in _SKIPPED:
        return None
    if top in _STDLIB:
        file = getattr(module, "__file__", None)
        third_party = isinstance(file, str) and any(d in file for d in _THIRD_PARTY_DIRS)
        return None if third_party else _RestoredModule  # e.g. a backport named like stdlib
    file = getattr(module, "__file__", None)
    if isinstance(file, str) and any(d in file for d in _THIRD_PARTY_DIRS):
        return _SharedModule
    return None


def hook_modules() -> None:
    """Give the modules loaded since the last call their recording class (O(1) if none)."""
    modules = sys.modules
    if len(modules) == _seen_len[0]:
        return
    for name, module in list(modules.items()):
        if _seen.get(name) is module:
            continue
        _seen[name] = module
        if type(module) is not types.ModuleType:
            continue
        cls = _kind(name, module)
        if cls is not None:
            with contextlib.suppress(TypeError):  # a module type that refuses
                module.__class__ = cls
    _seen_len[0] = len(modules)


# -- random ----------------------------------------------------------------------------
_RANDOM_NAMES: Final = (
    *(n for n, v in vars(random).items() if getattr(v, "__self__", None) is random._inst),
    "_inst",
)
_RANDOM_SET: Final = frozenset(_RANDOM_NAMES)
_random_values: Final = operator.itemgetter(*_RANDOM_NAMES)


def _random_bindings(inst: random.Random) -> tuple[Any, ...]:
    return (*(getattr(inst, n) for n in _RANDOM_NAMES[:-1]), inst)


# -- settings --------------------------------------------------------------------------
_get_timeout = _socket.getdefaulttimeout
_get_digits = getattr(sys, "get_int_max_str_digits", lambda: 0)
_LC_ALL: Final = _locale.LC_ALL
_query_locale = _locale.setlocale
_Settings = tuple[Any, int, int, bool, bool, float, str]


def _settings() -> _Settings:
    return (
        _get_timeout(), sys.getrecursionlimit(), _get_digits(), faulthandler.is_enabled(),
        gc.isenabled(), sys.getswitchinterval(), _query_locale(_LC_ALL, None),
    )  # fmt: skip


# ``sys`` attributes a handler may set (``sys`` itself is not hooked, see _SKIPPED).
_SYS_NAMES: Final = (
    "stdin", "excepthook", "displayhook", "unraisablehook", "breakpointhook",
    "dont_write_bytecode", "tracebacklimit",
)  # fmt: skip
_sys_get: Final = sys.__dict__.get


def _sys_values() -> tuple[Any, ...]:
    return (
        _sys_get("stdin", _MISSING), _sys_get("excepthook", _MISSING),
        _sys_get("displayhook", _MISSING), _sys_get("unraisablehook", _MISSING),
        _sys_get("breakpointhook", _MISSING), _sys_get("dont_write_bytecode", _MISSING),
        _sys_get("tracebacklimit", _MISSING),
    )  # fmt: skip


def _apply_sys(values: tuple[Any, ...]) -> None:
    namespace = sys.__dict__
    for name, value in zip(_SYS_NAMES, values, strict=True):
        if value is _MISSING:
            namespace.pop(name, None)
        elif namespace.get(name, _MISSING) is not value:
            namespace[name] = value


def _apply_settings(new: _Settings, old: _Settings) -> None:
    """Set what differs between ``old`` (in force) and ``new``; each part on its own."""
    timeout, limit, digits, fault, collect, interval, loc = new
    if timeout != old[0]:
        _socket.setdefaulttimeout(timeout)
    if limit != old[1]:
        with contextlib.suppress(RecursionError):  # deeper now than it allows: keep the current
            sys.setrecursionlimit(limit)
    if digits != old[2] and hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(digits)
    if fault != old[3]:
        if fault:
            stderr = sys.__stderr__
            faulthandler.enable(file=stderr if stderr is not None else 2)
        else:
            faulthandler.disable()
    if collect != old[4]:
        (gc.enable if collect else gc.disable)()
    if interval != old[5]:
        sys.setswitchinterval(interval)
    if loc != old[6]:
        try:
            _query_locale(_LC_ALL, loc)
        except locale.Error:  # a composite value this libc does not take back whole
            for part in loc.split(";"):
                category, _, value = part.partition("=")
                number = getattr(_locale, category, None)
                if value and isinstance(number, int):
                    _query_locale(number, value)


# -- the C-level environment -----------------------------------------------------------
_REAL_PUTENV: Final = os.putenv
_REAL_UNSETENV: Final = getattr(os, "unsetenv", None)
_encode: Final = os.fsencode if os.name != "nt" else str


def _putenv(key: Any, value: Any) -> None:
    _REAL_PUTENV(key, value)
    if _ACTIVE:
        _ACTIVE[-1].c_env[_encode(key)] = _encode(value)


def _unsetenv(key: Any) -> None:
    assert _REAL_UNSETENV is not None
    _REAL_UNSETENV(key)
    if _ACTIVE:
        _ACTIVE[-1].c_env[_encode(key)] = None


_putenv.__wrapped__ = _REAL_PUTENV  # type: ignore[attr-defined]
_putenv.__doc__ = _REAL_PUTENV.__doc__
_unsetenv.__wrapped__ = _REAL_UNSETENV  # type: ignore[attr-defined]
_unsetenv.__doc__ = getattr(_REAL_UNSETENV, "__doc__", None)


def _set_c(key: Any, value: Any) -> None:
    if value is not None:
        _REAL_PUTENV(key, value)
    elif _REAL_UNSETENV is not None:
        _REAL_UNSETENV(key)


def merge_c_env(env: dict[str, str]) -> None:
    """Add what the active environment set with ``os.putenv`` (for ``subprocess`` while active)."""
    if _ACTIVE and _ACTIVE[-1].c_env:
        for key, value in _ACTIVE[-1].c_env.items():
            name = key if isinstance(key, str) else os.fsdecode(key)
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value if isinstance(value, str) else os.fsdecode(value)


def _install_env_wrappers() -> None:
    """``os.putenv``/``os.unsetenv`` wrappers for the session, only over the real ones
    (a test's mock stays in place)."""
    namespace = os.__dict__
    if namespace.get("putenv") is _REAL_PUTENV:
        namespace["putenv"] = _putenv
    if _REAL_UNSETENV is not None and namespace.get("unsetenv") is _REAL_UNSETENV:
        namespace["unsetenv"] = _unsetenv


def c_environ_diff() -> set[str] | None:
    """Names whose value in the C ``environ`` differs from ``os.environ`` (None: not readable).

    Reads libc's ``environ`` with :mod:`ctypes` (Linux and other ELF systems; a few µs per
    variable), so it runs at runner close and in the warm-reuse check, never per invocation.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        entries = ctypes.POINTER(ctypes.c_char_p).in_dll(libc, "environ")
    except (OSError, ValueError, AttributeError, ImportError):
        return None
    c_values: dict[bytes, bytes] = {}
    i = 0
    while True:
        entry = entries[i]
        if entry is None:
            break
        key, _, value = entry.partition(b"=")
        c_values.setdefault(key, value)
        i += 1
    data: dict[Any, Any] = os.environ._data  # type: ignore[attr-defined]
    names = {k for k in c_values.keys() | data.keys() if c_values.get(k) != data.get(k)}
    return {os.fsdecode(k) for k in names}


class ProcessSwap:
    """One environment's interpreter state: see the module docstring.

    ``test_environ()`` returns the test's ``os.environ`` data while the environment is
    active (the C-level values put back at :meth:`deactivate`).
    """

    def __init__(self, test_environ: Any) -> None:
        _install_env_wrappers()
        hook_modules()
        self._test_environ = test_environ
        self.settings = _settings()
        self.sys_values = _sys_values()
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        self.random = random.Random()  # seeded from os.urandom, as a new process is
        self._random = _random_bindings(self.random)
        self._random_map = dict(zip(_RANDOM_NAMES, self._random, strict=True))
        self.attrs: dict[tuple[types.ModuleType, str], Any] = {}  # the environment's values
        self.c_env: dict[Any, Any] = {}  # C-level variables it set (None: unset)
        self.shared_patches: dict[str, None] = {}  # third-party module attributes it set
        self._test_attrs: dict[tuple[types.ModuleType, str], Any] = {}
        self._test_settings: _Settings | None = None
        self._test_sys: tuple[Any, ...] = ()
        self._modules_len = -1
        self._test_umask = 0
        self._test_random: tuple[Any, ...] = ()
        self._test_random_map: dict[str, Any] = {}
        self.c_baseline = c_environ_diff() if "ctypes" in sys.modules else set()

    def _note(self, module: types.ModuleType, name: str) -> None:
        key = (module, name)
        if key not in self._test_attrs:
            self._test_attrs[key] = module.__dict__.get(name, _MISSING)

    def activate(self) -> None:
        """Put the environment's values in place (call after every other part)."""
        if len(sys.modules) != self._modules_len:  # runners taking turns: no rescan each time
            hook_modules()
            self._modules_len = len(sys.modules)
        test = _settings()
        if test != self.settings:
            _apply_settings(self.settings, test)
        self._test_settings = test
        self._test_sys = _sys_values()
        if self._test_sys != self.sys_values:
            _apply_sys(self.sys_values)
        self._test_umask = os.umask(self.umask)
        namespace = random.__dict__
        values = _random_values(namespace)
        if values != self._test_random:  # identities compared first: cheap when unchanged
            self._test_random, self._test_random_map = (
                values,
                dict(zip(_RANDOM_NAMES, values, strict=True)),
            )
        namespace.update(self._random_map)
        if self.attrs:
            self._apply_attrs()
        if self.c_env:
            for key, value in self.c_env.items():
                _set_c(key, value)
        _ACTIVE.append(self)

    def _apply_attrs(self) -> None:
        saved = self._test_attrs
        for key, value in self.attrs.items():
            module, name = key
            ns = module.__dict__
            saved[key] = ns.get(name, _MISSING)
            if value is _MISSING:
                ns.pop(name, None)
            else:
                ns[name] = value

    def deactivate(self) -> None:
        """Keep the environment's values and give the test its own back (call first).

        Every part goes back even when one fails (the first error is raised after).
        """
        test = self._test_settings
        if test is None:
            return
        self._test_settings = None
        if _ACTIVE and _ACTIVE[-1] is self:
            _ACTIVE.pop()
        elif self in _ACTIVE:
            _ACTIVE.remove(self)
        try:
            if self._test_attrs:
                self._restore_attrs()
        finally:
            try:
                namespace = random.__dict__
                values = _random_values(namespace)
                if values != self._random:
                    self._random, self._random_map = (
                        values,
                        dict(zip(_RANDOM_NAMES, values, strict=True)),
                    )
                namespace.update(self._test_random_map)
            finally:
                try:
                    if self.c_env:
                        self._restore_c_env()
                finally:
                    self.sys_values = _sys_values()
                    if self.sys_values != self._test_sys:
                        _apply_sys(self._test_sys)
                    self.umask = os.umask(self._test_umask)
                    now = _settings()
                    self.settings = now
                    if now != test:
                        _apply_settings(test, now)

    def _restore_attrs(self) -> None:
        attrs = self.attrs
        for key, value in self._test_attrs.items():
            module, name = key
            ns = module.__dict__
            current = ns.get(name, _MISSING)
            if current is value:  # put back as it was (a `with mock.patch`): nothing to keep
                attrs.pop(key, None)
                continue
            attrs[key] = current
            if value is _MISSING:
                ns.pop(name, None)
            else:
                ns[name] = value
        self._test_attrs = {}

    def _restore_c_env(self) -> None:
        if self.c_env:
            test = self._test_environ() or {}
            for key in self.c_env:
                _set_c(key, test.get(key))

    def c_changes(self) -> list[str]:
        """Variables whose C value now differs from ``os.environ`` and did not before.

        Only when :mod:`ctypes` is loaded: C code reaching ``setenv()`` from Python goes
        through it (an extension module calling ``setenv()`` itself is not seen).
        """
        if "ctypes" not in sys.modules:
            return []
        diff = c_environ_diff()
        return sorted(diff - (self.c_baseline or set())) if diff else []

    def unrestored(self) -> list[str]:
        """What this environment changed that is not undone: for the report and the warning."""
        out = [f"{name} (attribute of a third-party module)" for name in self.shared_patches]
        out.extend(
            f"C environment variable {name} (set by C code, not os.environ)"
            for name in self.c_changes()
        )
        return out


def warn_unrestored(items: list[str]) -> None:
    """The one :class:`~pytest_lambda.ProcessStateWarning` of a closing runner."""
    import warnings

    from ._docs import doc_url
    from ._errors import ProcessStateWarning

    warnings.warn(
        ProcessStateWarning(
            "the handler changed process state that cannot be put back in-process, so the "
            f"test process and later environments see it: {'; '.join(items)}. Patch "
            "third-party code from the test (monkeypatch) and set variables through "
            f"os.environ; see {doc_url('known-limitations')}"
        ),
        stacklevel=4,
    )
