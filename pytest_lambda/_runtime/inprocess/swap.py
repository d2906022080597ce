"""Swapping process-wide state between the test and an execution environment.

An environment owns its own ``os.environ``, ``sys.path``, cwd, handler modules in
``sys.modules``, root logger handlers and level (``swap_logging.py``), stdout/stderr and ``tempfile.tempdir``.
They are put in place for an init or an invocation and taken out right after, so changes
persist inside the environment (as in Lambda's warm process) and never reach the test.

Kept cheap because it runs twice per invocation: ``os.environ`` is swapped by replacing its
backing dict (only ``TZ`` and credentials are also set at the C level, see
:class:`EnvironSwap`), and ``sys.modules`` is looked at again only when its size changed,
and then only at the entries that changed (``module_index.py``).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import types
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

from pytest_lambda._runtime.inprocess.dict_version import TagReader, tag_reader
from pytest_lambda._runtime.inprocess.module_index import INDEX, SharedPackages, view_for
from pytest_lambda._runtime.inprocess.swap_state import (
    _REAL_PUTENV,
    _REAL_UNSETENV,
    ACTIVE,
    merge_c_env,
)

__all__ = [
    "EnvironSwap",
    "ModuleSwap",
    "PopenEnv",
    "encode_environ",
]

_Data = dict[Any, Any]
_Ops = list[tuple[Any, Any]]
_UTC_TZ: Final = frozenset({":UTC", "UTC", "UTC0", ":/usr/share/zoneinfo/UTC", ":Etc/UTC"})
_TZ_KEY: Final = os.environ.encodekey("TZ")


def encode_environ(values: Mapping[str, str]) -> _Data:
    """``values`` in the form ``os.environ`` stores internally (bytes on POSIX)."""
    encode_key = os.environ.encodekey
    encode_value = os.environ.encodevalue
    return {encode_key(k): encode_value(v) for k, v in values.items()}


def _data() -> _Data:
    data: _Data = os.environ._data  # type: ignore[attr-defined]
    return data


def _set_data(data: _Data) -> None:
    os.environ._data = data  # type: ignore[attr-defined]
    environb = getattr(os, "environb", None)
    if environb is not None:
        environb._data = data


def _diff(src: _Data, dst: _Data) -> _Ops:
    """``putenv``/``unsetenv`` operations turning ``src`` into ``dst`` (value None = unset)."""
    ops: _Ops = [(k, v) for k, v in dst.items() if src.get(k) != v]
    ops.extend((k, None) for k in src if k not in dst)
    return ops


def _apply(ops: _Ops) -> None:
    # The C functions themselves when no environment is active (the session's wrappers,
    # swap_state.py, would record nothing); inside one (a nested runner), through the wrappers,
    # so the enclosing environment knows what its handler's runner set at the C level.
    if ACTIVE:
        putenv, unsetenv = os.putenv, os.unsetenv
    else:
        putenv, unsetenv = _REAL_PUTENV, _REAL_UNSETENV or os.unsetenv
    for key, value in ops:
        if value is None:
            unsetenv(key)
        else:
            putenv(key, value)


def _decode_tz(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


_ENCODED_KEYS: dict[tuple[str, ...], frozenset[Any]] = {}  # c_keys as given -> encoded
# (C-level keys, their values before, after) -> the operations (never changed once made)
_C_OPS: dict[tuple[Any, ...], _Ops] = {}


class EnvironSwap:
    """An environment's ``os.environ``: ``activate()`` puts it in place, ``deactivate()`` back.

    Python code sees the whole mapping (its backing dict is swapped). At the C level
    (``putenv``), only ``c_keys`` follow it: ``TZ`` (for ``time.tzset()``, and only when the
    two values mean different zones) and the credential variables (for C libraries such as
    the AWS CRT, and ``os.system``), which keeps an invocation cheap; subprocesses get the
    environment's variables from :class:`PopenEnv`. Variables the handler sets or deletes
    reach the C level through ``os.environ`` and are put back after.
    """

    _local_is_utc: bool | None = None

    def __init__(self, data: _Data, c_keys: Iterable[str] = ("TZ",)) -> None:
        self.data = data
        encode_key = os.environ.encodekey
        c_keys = tuple(c_keys)
        encoded = _ENCODED_KEYS.get(c_keys)
        if encoded is None:
            encoded = _ENCODED_KEYS[c_keys] = frozenset(encode_key(k) for k in c_keys)
        self.c_keys = encoded
        self._c_order = tuple(encoded)  # the same object's order each time: a memo key
        # (test vars, env vars, C ops in, C ops out, tzset() in, tzset() out) for the last pair
        self._cache: tuple[_Data, _Data, _Ops, _Ops, bool, bool] | None = None
        self._test: _Data | None = None
        self._environ_obj: Any = None
        self._extra: _Data = {}
        # Version tags (dict_version.py): the test's and the environment's dicts unchanged
        # since the cache was made, and the environment's since activation, in O(1).
        self._env_reader = tag_reader(data)
        self._test_reader: TagReader | None = None
        self._cache_tags: tuple[int, int] | None = None
        self._active_tag: int | None = None

    def _tags(self, test: _Data) -> tuple[int, int] | None:
        """The version tags of the test's and the environment's variables (None: unknown)."""
        env_reader, test_reader = self._env_reader, self._test_reader
        if env_reader is None:
            return None
        if test_reader is None or test_reader.target is not test:
            test_reader = self._test_reader = tag_reader(test)
            if test_reader is None:
                return None
        return test_reader.tag(), env_reader.tag()

    def _c_ops(self, src: _Data, dst: _Data) -> _Ops:
        """The C-level operations from ``src`` to ``dst`` (kept per pair of C-level values:
        a new environment of the same function in the same test process needs the same)."""
        keys = self._c_order
        memo_key = (keys, tuple(map(src.get, keys)), tuple(map(dst.get, keys)))
        ops = _C_OPS.get(memo_key)
        if ops is None:
            before, after = src.get(_TZ_KEY), dst.get(_TZ_KEY)
            same_zone = before == after or not self._tz_verdict(before, after)
            ops = [
                (k, dst.get(k))
                for k in keys
                if src.get(k) != dst.get(k) and not (k == _TZ_KEY and same_zone)
            ]
            if len(_C_OPS) >= 256:
                _C_OPS.clear()
            _C_OPS[memo_key] = ops
        return ops

    def activate(self, extra: _Data) -> None:
        """Put the environment's variables in place, plus per-invocation ``extra`` ones.

        ``extra`` is already encoded as ``os.environ`` stores it (see :func:`encode_environ`).
        """
        test, env = _data(), self.data
        cache = self._cache
        tags = self._tags(test)
        if cache is None or tags is None or tags != self._cache_tags:
            if cache is None or cache[0] != test or cache[1] != env:
                cache = self._cache = (
                    dict(test), dict(env), self._c_ops(test, env), self._c_ops(env, test),
                    self._tz_change(test, env), self._tz_change(env, test),
                )  # fmt: skip
            self._cache_tags = tags
        if cache[2]:
            _apply(cache[2])
        self._extra = extra
        clash = not env.keys().isdisjoint(extra)  # deactivate() pops them: env then changed
        env.update(extra)
        self._test, self._environ_obj = test, os.environ
        _set_data(env)
        reader = self._env_reader
        self._active_tag = reader.tag() if reader is not None and not clash else None
        if cache[4]:
            time.tzset()

    def deactivate(self) -> None:
        """Give the test its variables back (C level included); keep the handler's changes."""
        test, cache = self._test, self._cache
        if test is None or cache is None:
            return
        if os.environ is not self._environ_obj:  # the handler rebound os.environ
            os.environ = self._environ_obj  # noqa: B003 - putting the original object back
        env = self.data
        reader = self._env_reader
        untouched = (  # the handler changed nothing (and no extra key had a value before)
            reader is not None and self._active_tag is not None and reader.tag() == self._active_tag
        )
        touched = [k for k, v in self._extra.items() if env.pop(k, None) != v]
        if untouched or (not touched and env == cache[1]):
            ops, tzset = cache[3], cache[5]
            # both dicts are as the cache has them: the next activation need not compare
            self._cache_tags = self._tags(test)
        else:  # the handler changed variables, and os.environ passed them to putenv/unsetenv
            self._cache_tags = None
            before = cache[1]
            changed = {k for k in env.keys() | before.keys() if env.get(k) != before.get(k)}
            ops = [(k, test.get(k)) for k in changed.union(self.c_keys, touched)]
            tzset = self._tz_change(env, test) or _TZ_KEY in changed
        if ops:
            _apply(ops)
        _set_data(test)
        self._test = None
        if tzset:
            time.tzset()

    _tz_verdicts: ClassVar[dict[tuple[Any, Any], bool]] = {}

    @classmethod
    def _tz_change(cls, src: _Data, dst: _Data) -> bool:
        """Whether going from ``src`` to ``dst`` needs ``time.tzset()``."""
        before, after = src.get(_TZ_KEY), dst.get(_TZ_KEY)
        return before != after and cls._tz_verdict(before, after)

    @classmethod
    def _tz_verdict(cls, before: Any, after: Any) -> bool:
        verdict = cls._tz_verdicts.get((before, after))
        if verdict is None:
            verdict = cls._tz_verdicts[before, after] = cls._needs_tzset(before, after)
        return verdict

    @classmethod
    def _needs_tzset(cls, before: Any, after: Any) -> bool:
        if not hasattr(time, "tzset"):
            return False
        old, new = _decode_tz(before), _decode_tz(after)
        if cls._local_is_utc is None and old is None:
            cls._local_is_utc = time.timezone == 0 and time.altzone == 0 and not time.daylight
        utc_like = {None} if cls._local_is_utc else set()
        # both mean UTC: no tzset() needed
        return not ((old in _UTC_TZ or old in utc_like) and (new in _UTC_TZ or new in utc_like))


_POPEN_WRAPPERS: dict[Any, Any] = {}
_SUBPROCESS: dict[str, Any] = {}


class PopenEnv:
    """While active, ``subprocess.Popen(env=None)`` passes the environment's ``os.environ``.

    A child process would otherwise inherit the C-level environment, which follows the
    environment only for ``TZ`` and credentials (see :class:`EnvironSwap`).
    """

    _index: int | None = None

    def __init__(self) -> None:
        self._saved: Any = None

    @classmethod
    def _env_index(cls, init: Any) -> int:
        if cls._index is None:
            import inspect

            cls._index = list(inspect.signature(init).parameters).index("env") - 1
        return cls._index

    @staticmethod
    def preload() -> Any:
        """The ``subprocess`` module, imported once (not inside an invocation's clock)."""
        subprocess = _SUBPROCESS.get("module")
        if subprocess is None:
            subprocess = _SUBPROCESS["module"] = importlib.import_module("subprocess")
        return subprocess

    def activate(self) -> None:
        subprocess = _SUBPROCESS.get("module") or self.preload()
        original = subprocess.Popen.__init__
        wrapper = _POPEN_WRAPPERS.get(original)
        if wrapper is None:
            wrapper = _POPEN_WRAPPERS[original] = self._wrap(original)
        self._saved = (subprocess.Popen, original)
        subprocess.Popen.__init__ = wrapper

    @classmethod
    def _wrap(cls, original: Any) -> Any:
        index = cls._env_index(original)

        def __init__(popen: Any, *args: Any, **kwargs: Any) -> None:
            if len(args) <= index and kwargs.get("env") is None:
                kwargs["env"] = env = os.environ.copy()
                merge_c_env(env)  # what the environment set with os.putenv()
            original(popen, *args, **kwargs)

        __init__.__wrapped__ = original  # type: ignore[attr-defined]
        return __init__

    def deactivate(self) -> None:
        if self._saved is not None:
            popen, original = self._saved
            popen.__init__ = original
            self._saved = None


_GONE: Final[Any] = object()
_NOT_ACTIVE: Final[tuple[dict[str, Any], Any, Any, int]] = ({}, _GONE, _GONE, -1)


def _planted(name: str, entry: object) -> bool:
    """Whether a ``sys.modules`` entry was put there by code, not by importing ``name``."""
    if not isinstance(entry, types.ModuleType):
        return True
    spec = getattr(entry, "__spec__", None)
    return spec is None or getattr(spec, "name", None) != name


class ModuleSwap:
    """The environment's own modules: the handler's package and code under the task root.

    Third-party modules (under ``site-packages``) stay shared, as the runtime's libraries
    do, so a ``moto`` mock or a ``monkeypatch`` on ``boto3`` in the test still applies.
    Test modules (loaded by pytest's assertion rewriter, ``test_*.py``, ``conftest.py``)
    and this package are never taken over. Entries the environment *planted* in
    ``sys.modules`` (an object that is not a module imported under that name) are its own
    too; modules it imported for the first time (stdlib or third-party) stay loaded and
    shared, as the runtime's libraries are.

    Which entries are its own comes from the process-wide index (``module_index.py``):
    a new environment looks at the entries that changed since the last one, not at all of
    ``sys.modules``.
    """

    def __init__(self, root: str | None, packages: Iterable[str]) -> None:
        # root None: a callable handler, whose modules belong to the test (nothing is taken over)
        self.root = os.path.join(os.path.abspath(root), "") if root is not None else None
        self.packages = tuple(packages)
        self.view = view_for(self.root, self.packages)
        self.modules: dict[str, types.ModuleType] = {}
        self._hidden: dict[str, types.ModuleType] = {}
        self._test_own: list[str] = []
        self._scanned_len = -1
        self._active_len = -1
        self._known: Mapping[str, Any] = {}
        self.planted: dict[str, Any] = {}  # sys.modules entries the environment planted
        # sys.modules and its last key at activation (the new entries come after it)
        self._active: tuple[dict[str, Any], Any, Any, int] = _NOT_ACTIVE

    def owns(self, name: str, module: object) -> bool:
        """Whether ``module`` is one the environment imports for itself."""
        return self.view.owns(name, module)

    def shared(self) -> SharedPackages:
        """Top-level names of the modules this environment shares with the test process."""
        return self.view.shared()

    def activate(self) -> None:
        """Hide the test's copies of the environment's modules and put the environment's in."""
        modules = sys.modules
        if len(modules) != self._scanned_len:
            with INDEX.lock:
                self._test_own = list(self.view.refresh())
                self._known = INDEX.snapshot  # sys.modules now (replaced by a sync, never changed)
            self._scanned_len = len(modules)
        hidden: dict[str, types.ModuleType] = {}
        for name in self._test_own:
            module = modules.pop(name, None)
            if module is not None:
                hidden[name] = module
        modules.update(self.modules)
        if self.planted:
            modules.update(self.planted)
        self._hidden = hidden
        self._active_len = len(modules)
        last = next(reversed(modules), _GONE)
        self._active = (modules, last, modules.get(last, _GONE), len(modules))

    def _new_names(self, modules: dict[str, Any], known: Mapping[str, Any]) -> set[str]:
        """Names in ``sys.modules`` now and not in ``known``.

        A dict keeps insertion order, so entries added since activation come after the last
        entry then: walked back from the end to it, O(new entries), when that entry still
        holds the same object and the entries up to it are as many as at activation (so
        none was removed: an entry removed and added back would be after it). Otherwise
        (``sys.modules`` replaced, entries removed) all of it is compared with ``known``.
        Entries that were there at activation and not in ``known`` are the test's.
        """
        active, last, entry, count = self._active
        if active is modules and last is not _GONE and modules.get(last, _GONE) is entry:
            names: set[str] = set()
            for walked, name in enumerate(reversed(modules)):
                if name == last:
                    if len(modules) - walked == count:
                        return names
                    break
                if name not in known:
                    names.add(name)
        return set(modules.keys() - known.keys())

    def deactivate(self) -> None:
        """Collect modules the environment imported, then give the test its own back."""
        modules = sys.modules
        if len(modules) != self._active_len:
            # New names since activation, and names it had taken over (hidden) or owns
            known, own, planted, view = self._known, self.modules, self.planted, self.view
            names = self._new_names(modules, known)
            names.update(self._hidden, own)
            for name in names:
                entry = modules.get(name, _GONE)
                if entry is _GONE:
                    continue
                if view.owns(name, entry):
                    own[name] = entry
                elif name not in known and name not in own and _planted(name, entry):
                    planted[name] = entry
        for name in self.modules:
            modules.pop(name, None)
        if self.planted:  # kept with the environment's current value; gone if it removed one
            self.planted = {
                name: entry for name in self.planted
                if (entry := modules.pop(name, _GONE)) is not _GONE
            }  # fmt: skip
        modules.update(self._hidden)
        self._hidden = {}
        self._active = _NOT_ACTIVE  # holds no module past the activation
        self._scanned_len = len(modules)
        self._test_own = [name for name in self._test_own if name in modules]
