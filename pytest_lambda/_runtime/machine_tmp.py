"""The machine's ``/tmp`` as the checks see it: what is there, and which names handlers used.

Shared by the in-process ``/tmp`` redirect (which records the top-level names a handler
used through it) and the warm-reuse check (which notes entries new in the machine's
``/tmp`` under those names: written by C code or a subprocess the redirect cannot reach).
Standard library only; listing ``/tmp`` costs one ``os.listdir``, done per check, never per
invocation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Final

__all__ = [
    "ENABLED", "TMP", "WRITABLE_SOURCES", "machine_tmp_entries", "own_entry", "record_used",
    "used_names", "writable_dirs",
]  # fmt: skip

TMP: Final = "/tmp"
ENABLED: Final = os.name == "posix"
EXEMPT_NAMES: Final = ("pytest-lambda-tmp-", "pytest-of-")
_MAX_USED: Final = 4096
_USED: set[str] = set()  # top-level /tmp names that handlers used (redirected)
_listdir: Final = os.listdir


#: Where the test's own temporary directories are (pytest's ``basetemp``, registered by the
#: plugin for each config): they stay writable for a handler even inside its task root.
WRITABLE_SOURCES: list[Callable[[], str | None]] = []


def writable_dirs() -> tuple[str, ...]:
    """The registered temporary directories (a source that fails is skipped)."""
    out: list[str] = []
    for source in list(WRITABLE_SOURCES):
        try:
            found = source()
        except Exception:  # a config being torn down: nothing to add
            continue
        if found:
            out.append(found)
    return tuple(out)


def own_entry(name: str) -> bool:
    """Whether a top-level ``/tmp`` entry belongs to pytest or pytest-lambda."""
    return name.startswith(EXEMPT_NAMES)


def record_used(name: str) -> None:
    """Remember that a handler used the top-level ``/tmp`` name ``name`` (bounded)."""
    if len(_USED) < _MAX_USED:
        _USED.add(name)


def used_names() -> frozenset[str]:
    """Top-level ``/tmp`` names that handlers used through the redirect (in this process)."""
    return frozenset(_USED)


def machine_tmp_entries() -> frozenset[str] | None:
    """The names at the top of the machine's ``/tmp`` (None where it cannot be listed)."""
    if not ENABLED:
        return None
    try:
        return frozenset(_listdir(TMP))
    except OSError:
        return None
