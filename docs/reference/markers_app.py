"""A handler that echoes its event (for the marker examples)."""

from __future__ import annotations

from typing import Any


def handler(event: Any, context: Any) -> Any:
    return event
