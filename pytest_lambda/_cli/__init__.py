"""The pytest-lambda commands."""

from __future__ import annotations
