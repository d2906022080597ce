"""Asking the import system's other finders: for a finder that adjusts what they find."""

from __future__ import annotations

import importlib.machinery
import sys
from typing import Any

__all__ = ["spec_from_others"]


def spec_from_others(
    finder: object, fullname: str, path: Any = None, target: Any = None
) -> importlib.machinery.ModuleSpec | None:
    """The spec the finders on ``sys.meta_path`` other than ``finder`` give, in their order
    (finders without ``find_spec`` are skipped, as the import system skips them)."""
    for other in list(sys.meta_path):
        if other is finder:
            continue
        find = getattr(other, "find_spec", None)
        if find is None:
            continue
        spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target)
        if spec is not None:
            return spec
    return None
