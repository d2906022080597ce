"""The machine's ``/tmp`` as the checks see it: what is there, and which names handlers used.

Shared by the in-process ``/tmp`` redirect (which records the top-level names a handler
used through it) and the warm-reuse check (which notes entries new in the machine's
``/tmp`` under those names: written by C code or a subprocess the redirect cannot reach).
Standard library only; listing ``/tmp`` costs one ``os.listdir``, done per check, never per
invocation.
"""

from __future__ import annotations

import os
from typing import Final

__all__ = ["ENABLED", "TMP", "machine_tmp_entries", "own_entry", "record_used", "used_names"]

TMP: Final = "/tmp"
ENABLED: Final = os.name == "posix"
EXEMPT_NAMES: Final = ("pytest-lambda-tmp-", "pytest-of-")
_MAX_USED: Final = 4096
_USED: set[str] = set()  # top-level /tmp names that handlers used (redirected)
_listdir: Final = os.listdir


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
