"""Process settings and the C-level environment of an environment (see :mod:`pytest_lambda._runtime.inprocess.swap_process`).

Lower layer of :class:`pytest_lambda._runtime.inprocess.swap_process.ProcessSwap`: the settings read by cheap
getters (compared as one tuple, ~0.6 µs to read), the ``sys`` attributes a handler may set
(``sys`` is not hooked), the ``os.putenv``/``os.unsetenv`` wrappers (installed for the
session, one list check when no environment is active), the C ``environ`` comparison (a
``ctypes`` walk, ~20 µs: never per invocation) and the runner's closing warning. ``ACTIVE``
is the stack of active swaps, shared with :mod:`pytest_lambda._runtime.inprocess.swap_process`.
"""

from __future__ import annotations

import _locale
import _socket
import contextlib
import faulthandler
import gc
import locale
import os
import struct
import sys
from typing import Any, Final

__all__ = [
    "ACTIVE",
    "MISSING",
    "CEnvironMark",
    "Settings",
    "apply_settings",
    "apply_sys",
    "c_environ_diff",
    "install_env_wrappers",
    "merge_c_env",
    "set_c",
    "settings",
    "sys_values",
    "warn_unrestored",
]

MISSING: Final = object()
ACTIVE: Final[list[Any]] = []  # the active ProcessSwap objects, innermost last

# -- settings --------------------------------------------------------------------------
_get_timeout = _socket.getdefaulttimeout
_get_digits = getattr(sys, "get_int_max_str_digits", lambda: 0)
_LC_ALL: Final = _locale.LC_ALL
_query_locale = _locale.setlocale
Settings = tuple[Any, int, int, bool, bool, float, str]


def settings() -> Settings:
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


def sys_values() -> tuple[Any, ...]:
    return (
        _sys_get("stdin", MISSING), _sys_get("excepthook", MISSING),
        _sys_get("displayhook", MISSING), _sys_get("unraisablehook", MISSING),
        _sys_get("breakpointhook", MISSING), _sys_get("dont_write_bytecode", MISSING),
        _sys_get("tracebacklimit", MISSING),
    )  # fmt: skip


def apply_sys(values: tuple[Any, ...]) -> None:
    namespace = sys.__dict__
    for name, value in zip(_SYS_NAMES, values, strict=True):
        if value is MISSING:
            namespace.pop(name, None)
        elif namespace.get(name, MISSING) is not value:
            namespace[name] = value


def apply_settings(new: Settings, old: Settings) -> None:
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
    if ACTIVE:
        ACTIVE[-1].c_env[_encode(key)] = _encode(value)


def _unsetenv(key: Any) -> None:
    assert _REAL_UNSETENV is not None
    _REAL_UNSETENV(key)
    if ACTIVE:
        ACTIVE[-1].c_env[_encode(key)] = None


_putenv.__wrapped__ = _REAL_PUTENV  # type: ignore[attr-defined]
_putenv.__doc__ = _REAL_PUTENV.__doc__
_unsetenv.__wrapped__ = _REAL_UNSETENV  # type: ignore[attr-defined]
_unsetenv.__doc__ = getattr(_REAL_UNSETENV, "__doc__", None)


def set_c(key: Any, value: Any) -> None:
    if value is not None:
        _REAL_PUTENV(key, value)
    elif _REAL_UNSETENV is not None:
        _REAL_UNSETENV(key)


def merge_c_env(env: dict[str, str]) -> None:
    """Add what the active environment set with ``os.putenv`` (for ``subprocess`` while active)."""
    if ACTIVE and ACTIVE[-1].c_env:
        for key, value in ACTIVE[-1].c_env.items():
            name = key if isinstance(key, str) else os.fsdecode(key)
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value if isinstance(value, str) else os.fsdecode(value)


def install_env_wrappers() -> None:
    """``os.putenv``/``os.unsetenv`` wrappers for the session, only over the real ones
    (a test's mock stays in place)."""
    namespace = os.__dict__
    if namespace.get("putenv") is _REAL_PUTENV:
        namespace["putenv"] = _putenv
    if _REAL_UNSETENV is not None and namespace.get("unsetenv") is _REAL_UNSETENV:
        namespace["unsetenv"] = _unsetenv


_C_ENVIRON: Final[dict[str, Any]] = {}


def _c_environ() -> dict[bytes, bytes] | None:
    """libc's ``environ`` as a dict (first value of a repeated name), None if not readable.

    The entries' addresses are read first, the array's length from one C call where it can
    be (:func:`_pointer_count`). ``setenv``/``putenv`` replace pointers and never rewrite a
    string, and glibc keeps every string it made, so on glibc an entry whose address was in
    the last reading is that reading's and only new addresses are read as strings (pytest
    sets ``PYTEST_CURRENT_TEST`` at every test phase: one entry, not all of them). C code
    that ``putenv``s a buffer of its own and then rewrites it in place is not seen.
    """
    reading = _c_reading()
    return None if reading is None else reading.values


def _c_reading() -> _CEnviron | None:
    """The :class:`_CEnviron` of libc's ``environ`` now (the last one while it is unchanged),
    None if not readable."""
    read = _c_pointers()
    if read is None:
        return None
    address, blob = read
    if not address:
        return _CEnviron(0, [], {})
    cached: _CEnviron | None = _C_ENVIRON.get("cache")
    # The same entries: on glibc, whose strings stay where they are, the same pointers even
    # where the array itself moved (setenv() reallocates it to add a name, and the
    # environment's variables come and go at every invocation); elsewhere, the same array too.
    if cached is not None and cached.blob == blob and (_STRINGS_KEPT or cached.address == address):
        return cached
    known: dict[int, tuple[bytes, bytes]] = (
        cached.by_pointer if cached is not None and _STRINGS_KEPT else {}
    )
    reading = _C_ENVIRON["cache"] = _CEnviron(address, _pointer_list(blob), known, blob)
    return reading


def _pointer_list(blob: bytes) -> list[int]:
    pointers: list[int] = memoryview(blob).cast("P").tolist()
    return pointers


def _c_pointers() -> tuple[int, bytes] | None:
    """The address of libc's ``environ`` array and its entries' pointers (native words, as
    bytes: one C copy where the length can be counted in C), or None if not readable."""
    try:
        import ctypes
    except ImportError:
        return None
    words = _C_ENVIRON.get("words")
    if words is None:  # libc opened once per process: the objects read `environ` live
        try:
            libc = ctypes.CDLL(None)
            words = ctypes.POINTER(ctypes.c_void_p).in_dll(libc, "environ")
            where = ctypes.c_void_p.in_dll(libc, "environ")
        except (OSError, ValueError, AttributeError):
            return None
        _C_ENVIRON.update(words=words, where=where)
    address: int | None = _C_ENVIRON["where"].value
    if not address:
        return 0, b""
    count = _pointer_count(ctypes, address)
    if count is not None:  # the whole array in one C copy
        return address, ctypes.string_at(address, count * ctypes.sizeof(ctypes.c_void_p))
    pointers: list[int] = []  # one word at a time
    while word := words[len(pointers)]:
        pointers.append(word)
    return address, struct.pack(f"{len(pointers)}P", *pointers)


def _pointer_count(ctypes: Any, address: int) -> int | None:
    """The number of entries of the ``environ`` array at ``address``, from one C call, or
    None when that way cannot tell.

    ``wcslen`` counts the 4-byte units before the first zero one, and reads nothing past
    it: on a little-endian 64-bit system that is the lower half of the terminating NULL
    word, unless a pointer has a zero half first (an address below 4 GiB, or one that is a
    multiple of 4 GiB). Such a count is refused: it is odd, or the word it ends at is not
    zero. Then the words are read one at a time instead.
    """
    wcslen = _C_ENVIRON.get("wcslen", False)
    if wcslen is False:
        wcslen = None
        if (
            sys.byteorder == "little"
            and ctypes.sizeof(ctypes.c_void_p) == 8
            and ctypes.sizeof(ctypes.c_wchar) == 4
        ):
            try:
                wcslen = ctypes.CDLL(None).wcslen
                wcslen.restype, wcslen.argtypes = ctypes.c_size_t, [ctypes.c_void_p]
            except (OSError, AttributeError):
                wcslen = None
        _C_ENVIRON["wcslen"] = wcslen
    if wcslen is None:
        return None
    units: int = wcslen(address)
    if units % 2:
        return None
    count = units // 2
    if ctypes.c_void_p.from_address(address + count * 8).value:
        return None  # stopped at a pointer's lower half, not at the terminator
    return count


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (AttributeError, ValueError, OSError):
        return False


# glibc's setenv never frees a string it put in environ (it keeps them for reuse), so an
# address seen before holds the same entry; musl frees replaced ones (an address may come
# back with another entry): elsewhere every entry is read again when the array changed.
_STRINGS_KEPT: Final = _glibc()


class _CEnviron:
    """One reading of the C ``environ``: its address, its entries' pointers, the dict.

    ``known`` is the previous reading's map of addresses to entries (glibc only, see
    :data:`_STRINGS_KEPT`): only entries at other addresses are read as strings.
    """

    __slots__ = ("_entries", "_values", "address", "blob", "by_pointer", "pointers")

    def __init__(
        self,
        address: int,
        pointers: list[int],
        known: dict[int, tuple[bytes, bytes]],
        blob: bytes = b"",
    ) -> None:
        self.address, self.pointers, self.blob = address, pointers, blob
        pairs = list(map(known.get, pointers))
        if None in pairs:  # entries not seen before (found by C searches): read as strings
            i = pairs.index(None)
            while True:
                pairs[i] = _entry_at(pointers[i])
                try:
                    i = pairs.index(None, i + 1)
                except ValueError:
                    break
        entries: list[tuple[bytes, bytes]] = pairs  # type: ignore[assignment]
        self.by_pointer = dict(zip(pointers, entries, strict=True))
        self._entries = entries
        self._values: dict[bytes, bytes] | None = None

    @property
    def values(self) -> dict[bytes, bytes]:
        """The variables: the first value of a repeated name, as ``getenv()`` finds it
        (made when first asked: an environment's mark may never need them)."""
        values = self._values
        if values is None:
            values = self._values = dict(reversed(self._entries))  # built from the end
        return values


def c_environ_diff() -> set[str] | None:
    """Names whose value in the C ``environ`` differs from ``os.environ`` (None: not readable).

    Reads libc's ``environ`` with :mod:`ctypes` (Linux and other ELF systems; a few µs per
    variable, ~3 us in all when it has not changed since the last call), so it runs when an
    environment is made and at runner close and in the warm-reuse check, never per invocation.
    """
    c_values = _c_environ()
    if c_values is None:
        return None
    data: dict[Any, Any] = os.environ._data  # type: ignore[attr-defined]
    return _differences(c_values, data)


class CEnvironMark:
    """The C ``environ`` when an environment starts, to tell later what C code changed.

    :meth:`changes` gives the names whose value in the C ``environ`` differs from
    ``os.environ`` now and did not at the mark: set from C (``setenv()`` through
    :mod:`ctypes`, an extension), not through ``os.environ``. A difference the test process
    had before (readline exports ``LINES``/``COLUMNS`` at the C level) is not one.

    The mark is a reading of the C ``environ`` (its entries, as :func:`c_environ_diff`
    reads them) and a copy of ``os.environ``'s data; the differences at the mark are not
    computed. The answer compares only the names of the entries that came or went since:
    pytest replaces ``PYTEST_CURRENT_TEST`` at every phase, so an environment made in one
    phase and closed in the next sees one or two entries change, not all. Entries that
    went are read from the mark's reading (their memory may be reused since: a
    ``putenv()`` buffer belongs to its caller once replaced), entries that came are read
    now. A name twice in the array, or one ``os.environ`` changed where C did not (its data
    replaced directly), makes it compare both readings whole.
    """

    __slots__ = ("_data", "_reading")

    def __init__(self) -> None:
        self._reading = _c_reading()
        data: dict[Any, Any] = os.environ._data  # type: ignore[attr-defined]
        self._data = dict(data)

    def changes(self) -> set[str] | None:
        """Names whose C value differs from ``os.environ`` now and did not at the mark
        (None when the C ``environ`` cannot be read)."""
        then = self._reading
        read = _c_pointers() if then is not None else None
        if then is None or read is None:
            return None
        data: dict[Any, Any] = os.environ._data  # type: ignore[attr-defined]
        if read[1] == then.blob and data == self._data:
            return set()
        return self._compare(then, read[1], data)

    def _compare(self, then: _CEnviron, after: bytes, data: dict[Any, Any]) -> set[str] | None:
        mark_data = self._data
        went, new = _changed_pointers(then.blob, after)
        gone = [then.by_pointer[p] for p in went]
        came = [_entry_at(p) for p in new]
        c_then, c_now = dict(gone), dict(came)  # the names whose entry went / came
        touched = c_then.keys() | c_now.keys()
        if (
            len(c_then) != len(gone)
            or len(c_now) != len(came)
            or not _same_but(data, mark_data, touched)
        ):
            # a name twice (not setenv's doing), or os.environ changed where C did not
            now_values = _c_environ()
            if now_values is None:
                return None
            return _differences(now_values, data) - _differences(then.values, mark_data)
        out: set[str] = set()
        for name in touched:
            value_now, value_then = c_now.get(name), c_then.get(name)
            if value_now != data.get(name) and value_then == mark_data.get(name):
                out.add(os.fsdecode(name))
        return out


_WORD: Final = struct.calcsize("P")
_FEW: Final = 8  # changed words looked for one at a time, at most; past that, sets


def _changed_pointers(before: bytes, after: bytes) -> tuple[set[int], set[int]]:
    """``(went, came)``: the entry pointers only in ``before`` / only in ``after`` (two
    ``environ`` arrays as bytes), found from the words that differ (in pytest, one or two:
    ``PYTEST_CURRENT_TEST`` replaced in place), without making sets of every pointer."""
    common = min(len(before), len(after))
    diff = int.from_bytes(before[:common], "little") ^ int.from_bytes(after[:common], "little")
    indexes: list[int] = []
    bits = 8 * _WORD
    while diff and len(indexes) < _FEW:
        index = ((diff & -diff).bit_length() - 1) // bits  # the lowest word that differs
        indexes.append(index)
        diff >>= (index + 1) * bits
        diff <<= (index + 1) * bits
    old_view, new_view = memoryview(before).cast("P"), memoryview(after).cast("P")
    if diff:  # many (unsetenv() moves the entries after the one it removes): every pointer
        old, new = set(old_view.tolist()), set(new_view.tolist())
    else:  # the words that differ, and those past the shorter array
        tail = common // _WORD
        old = {old_view[i] for i in indexes} | set(old_view[tail:].tolist())
        new = {new_view[i] for i in indexes} | set(new_view[tail:].tolist())
    return old - new, new - old


def _same_but(data: dict[Any, Any], mark_data: dict[Any, Any], names: Any) -> bool:
    """Whether ``data`` and ``mark_data`` agree on every name but ``names`` (C-level copies
    and one comparison, not a set of every item)."""
    if data == mark_data:
        return True
    now, then = data.copy(), mark_data.copy()
    for name in names:
        now.pop(name, None)
        then.pop(name, None)
    return now == then


def _differences(c_values: dict[bytes, bytes], data: dict[Any, Any]) -> set[str]:
    if c_values == data:
        return set()
    return {os.fsdecode(k) for k, _ in c_values.items() ^ data.items()}


def _entry_at(pointer: int) -> tuple[bytes, bytes]:
    import ctypes

    key, _, value = ctypes.string_at(pointer).partition(b"=")
    return key, value


def warn_unrestored(items: list[str]) -> None:
    """The one :class:`~pytest_lambda.ProcessStateWarning` of a closing runner."""
    import warnings

    from pytest_lambda._core.docs import doc_url
    from pytest_lambda._core.errors import ProcessStateWarning

    warnings.warn(
        ProcessStateWarning(
            "the handler changed process state that cannot be put back in-process, so the "
            f"test process and later environments see it: {'; '.join(items)}. "
            "If the handler's own code does it (aws_xray_sdk's patch_all() at import, for example), "
            "isolation='runtime' keeps it in a process of its own, or filter this warning where it "
            "is intended; from a test, patch third-party code with monkeypatch and set variables "
            f"through os.environ; see {doc_url('known-limitations')}"
        ),
        stacklevel=4,
    )
