"""Process-wide interpreter state an environment owns: settings, ``random``, module attributes.

A :class:`ProcessSwap` is the last part of an environment put in place by ``activate()`` and
the first taken out: while it is active the environment's values are in force, after it the
test's are back, and the environment's are kept for its next invocation (as a warm Lambda
process keeps them). Its parts:

* Settings read by a cheap getter, compared at ``deactivate()`` and set only when they
  differ: ``socket.setdefaulttimeout``, ``os.umask`` (one ``umask()`` call each way reads
  the old mask and sets the new one), ``sys.setrecursionlimit``,
  ``sys.set_int_max_str_digits`` (3.11+), ``faulthandler`` on/off, ``gc`` on/off,
  ``sys.setswitchinterval`` and the locale (``setlocale(LC_ALL, None)`` is a query); and,
  compared by identity, ``sys.stdin`` and the ``sys`` hooks and flags (``excepthook``,
  ``displayhook``, ``unraisablehook``, ``breakpointhook``, ``dont_write_bytecode``,
  ``tracebacklimit``). Both live in :mod:`pytest_lambda._runtime.inprocess.swap_state`. A new environment
  starts from the test process's values. ``faulthandler`` is re-enabled
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

Cost per warm invocation when the handler changed nothing: about 3.5 µs for
``activate()`` + ``deactivate()`` together (the getters, two ``umask()`` calls, the
``random`` rebinding), measured alone; see ``benchmarks/runner.py`` for the whole invoke.
"""

from __future__ import annotations

import contextlib
import operator
import os
import random
import sys
import types
from typing import Any, Final

from pytest_lambda._runtime.inprocess.swap_state import (
    ACTIVE,
    MISSING,
    CEnvironMark,
    Settings,
    apply_settings,
    apply_sys,
    install_env_wrappers,
    set_c,
    settings,
    sys_values,
)

__all__ = ["ProcessSwap", "hook_modules"]

_STDLIB: Final[frozenset[str]] = frozenset(getattr(sys, "stdlib_module_names", ())) | {"builtins"}
_THIRD_PARTY_DIRS: Final = ("site-packages", "dist-packages")
# Never hooked: test infrastructure; ``sys``, whose type importlib calls to make every new
# module (``type(sys)(name)``), its attributes that matter being compared as settings; and
# ``os``, whose type also serves as "the module type" (``isinstance(x, type(os))``, pydoc).
_SKIPPED: Final = frozenset({"pytest", "_pytest", "pluggy", "pytest_lambda", "py", "sys", "os"})
# Swapped by other parts of the environment (pytest_lambda._runtime.inprocess.environment, pytest_lambda._runtime.inprocess.swap).
_ELSEWHERE: Final = frozenset(
    {("sys", "path"), ("sys", "stdout"), ("sys", "stderr"), ("sys", "modules"),
     ("os", "environ"), ("os", "environb"), ("os", "_exit"), ("tempfile", "tempdir")}
)  # fmt: skip
_setattr: Final = types.ModuleType.__setattr__
_delattr: Final = types.ModuleType.__delattr__


def _noted(module: types.ModuleType, name: str, value: Any) -> bool:
    """Whether a change of ``module.name`` is the environment's (not importlib's, not ours)."""
    if not ACTIVE or name in _IMPORT_ATTRS:
        return False
    if isinstance(value, types.ModuleType) and value.__name__ == f"{module.__name__}.{name}":
        return False  # importlib binding a submodule on its package
    key = (module.__name__, name)
    return key not in _ELSEWHERE and not (module is random and name in _RANDOM_SET)


# Whose writes are not the environment's even during an invocation: test tools (a callable
# handler defined in a test that starts the runner's clock: freezegun patches every module)
# and the import machinery (a module imported or reloaded gets its ``__spec__`` etc.).
_TOOLS: Final = frozenset({"pytest_lambda", "freezegun", "_pytest", "pytest", "importlib"})
_IMPORT_ATTRS: Final = frozenset(
    {"__class__", "__spec__", "__name__", "__loader__", "__package__", "__file__",
     "__cached__", "__path__"}
)  # fmt: skip


def _by_tool() -> bool:
    caller = sys._getframe(2).f_globals.get("__name__", "")
    return str(caller).partition(".")[0] in _TOOLS


class _RestoredModule(types.ModuleType):
    """A stdlib module (or ``builtins``): attribute changes are the environment's state."""

    def __setattr__(self, name: str, value: Any) -> None:
        if _noted(self, name, value) and not _by_tool():
            ACTIVE[-1]._note(self, name)
        _setattr(self, name, value)

    def __delattr__(self, name: str) -> None:
        if _noted(self, name, None) and not _by_tool():
            ACTIVE[-1]._note(self, name)
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
            ACTIVE[-1].shared_patches[f"{self.__name__}.{name}"] = None
        _setattr(self, name, value)

    def __delattr__(self, name: str) -> None:
        if _noted(self, name, None) and _from_outside(self):
            ACTIVE[-1].shared_patches[f"{self.__name__}.{name}"] = None
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


_bound_methods: Final = operator.attrgetter(*_RANDOM_NAMES[:-1])  # in C, not a generator


def _random_bindings(inst: random.Random) -> tuple[Any, ...]:
    return (*_bound_methods(inst), inst)


# readline sets these at the C level whenever it is imported (the test's pdb, a REPL helper):
# the terminal's size, never a handler's state worth a warning.
_TERMINAL_SIZE: Final = frozenset({"LINES", "COLUMNS"})


class ProcessSwap:
    """One environment's interpreter state: see the module docstring.

    ``test_environ()`` returns the test's ``os.environ`` data while the environment is
    active (the C-level values put back at :meth:`deactivate`).
    """

    def __init__(self, test_environ: Any) -> None:
        install_env_wrappers()
        hook_modules()
        self._test_environ = test_environ
        self.settings = settings()
        self.sys_values = sys_values()
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        # seeded from the OS, as a new process is: 256 bits of os.urandom (no two
        # environments alike, none repeatable), half the cost of CPython's 2,496-byte default
        self.random = random.Random(int.from_bytes(os.urandom(32), "big"))
        self._random = _random_bindings(self.random)
        self._random_map = dict(zip(_RANDOM_NAMES, self._random, strict=True))
        self.attrs: dict[tuple[types.ModuleType, str], Any] = {}  # the environment's values
        self.c_env: dict[Any, Any] = {}  # C-level variables it set (None: unset)
        self.shared_patches: dict[str, None] = {}  # third-party module attributes it set
        self._test_attrs: dict[tuple[types.ModuleType, str], Any] = {}
        self._test_settings: Settings | None = None
        self._test_sys: tuple[Any, ...] = ()
        self._modules_len = -1
        self._test_umask = 0
        self._test_random: tuple[Any, ...] = ()
        self._test_random_map: dict[str, Any] = {}
        # Always taken (importing ctypes once per process, ~5 ms): without it, a difference
        # the test process had before (readline exports LINES/COLUMNS at the C level when
        # imported) would be blamed on the handler once ctypes is loaded.
        self.c_mark = CEnvironMark()

    def _note(self, module: types.ModuleType, name: str) -> None:
        key = (module, name)
        if key not in self._test_attrs:
            self._test_attrs[key] = module.__dict__.get(name, MISSING)

    def activate(self) -> None:
        """Put the environment's values in place (call after every other part)."""
        if len(sys.modules) != self._modules_len:  # runners taking turns: no rescan each time
            hook_modules()
            self._modules_len = len(sys.modules)
        test = settings()
        if test != self.settings:
            apply_settings(self.settings, test)
        self._test_settings = test
        self._test_sys = sys_values()
        if self._test_sys != self.sys_values:
            apply_sys(self.sys_values)
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
                set_c(key, value)
        ACTIVE.append(self)

    def _apply_attrs(self) -> None:
        saved = self._test_attrs
        for key, value in self.attrs.items():
            module, name = key
            ns = module.__dict__
            saved[key] = ns.get(name, MISSING)
            if value is MISSING:
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
        if ACTIVE and ACTIVE[-1] is self:
            ACTIVE.pop()
        elif self in ACTIVE:
            ACTIVE.remove(self)
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
                    self.sys_values = sys_values()
                    if self.sys_values != self._test_sys:
                        apply_sys(self._test_sys)
                    self.umask = os.umask(self._test_umask)
                    now = settings()
                    self.settings = now
                    if now != test:
                        apply_settings(test, now)

    def _restore_attrs(self) -> None:
        attrs = self.attrs
        for key, value in self._test_attrs.items():
            module, name = key
            ns = module.__dict__
            current = ns.get(name, MISSING)
            if current is value:  # put back as it was (a `with mock.patch`): nothing to keep
                attrs.pop(key, None)
                continue
            attrs[key] = current
            if value is MISSING:
                ns.pop(name, None)
            else:
                ns[name] = value
        self._test_attrs = {}

    def _restore_c_env(self) -> None:
        if self.c_env:
            test = self._test_environ() or {}
            for key in self.c_env:
                set_c(key, test.get(key))

    def c_changes(self) -> list[str]:
        """Variables whose C value now differs from ``os.environ`` and did not before.

        Only when :mod:`ctypes` is loaded: C code reaching ``setenv()`` from Python goes
        through it (an extension module calling ``setenv()`` itself is not seen).
        """
        if "ctypes" not in sys.modules:
            return []
        changed = self.c_mark.changes()
        return sorted(changed - _TERMINAL_SIZE) if changed else []

    def unrestored(self) -> list[str]:
        """What this environment changed that is not undone: for the report and the warning."""
        out = [f"{name} (attribute of a third-party module)" for name in self.shared_patches]
        out.extend(
            f"C environment variable {name} (set by C code, not os.environ)"
            for name in self.c_changes()
        )
        return out
