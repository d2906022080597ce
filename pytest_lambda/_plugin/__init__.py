"""Everything that imports pytest: options, fixtures, the suite's items."""

from __future__ import annotations
