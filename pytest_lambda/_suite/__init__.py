"""The conformance suite's engine (no pytest import)."""

from __future__ import annotations
