"""isolation="module": the handler runs in this process, process state swapped per invoke."""

from __future__ import annotations
