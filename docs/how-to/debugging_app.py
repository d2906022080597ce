"""An order handler that fails on an order without an id (for the debugging how-to)."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    order = event["detail"]
    return {"order_id": order["order_id"], "left_ms": context.get_remaining_time_in_millis()}
