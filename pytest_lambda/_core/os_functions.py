"""The operating system's own functions, from the C module ``os`` is built on.

``os`` re-exports the functions of ``posix`` (``nt`` on Windows). While an environment's
``/tmp`` redirect is in place (``_runtime/inprocess/tmp_redirect.py``), ``os`` holds wrappers
instead, and a test may have mocked them: code that must reach the file system itself, not
the environment's view of it, takes them from here.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any, Final

__all__ = ["OS_C_MODULE", "genuine_stat"]

OS_C_MODULE: Final[ModuleType] = sys.modules["posix" if os.name == "posix" else "nt"]
"""``posix`` (or ``nt``): the genuine functions ``os`` re-exports."""

genuine_stat: Final[Any] = OS_C_MODULE.stat
"""``stat`` itself, never a wrapper or a test's mock."""
