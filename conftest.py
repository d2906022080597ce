"""Test helpers for pytest_lambda's own suite (user-facing fixtures live in the plugin)."""

from __future__ import annotations

pytest_plugins = ["pytester"]
