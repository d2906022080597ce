"""GET /orders/{orderId} and POST /orders (API Gateway REST API, proxy integration)."""

from __future__ import annotations

import json
import os
from typing import Any


def _answer(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    route = (event.get("httpMethod"), event.get("resource"))
    if route == ("GET", "/orders/{orderId}"):
        order_id = (event.get("pathParameters") or {}).get("orderId")
        return _answer(200, {"orderId": order_id, "table": os.environ["ORDERS_TABLE"]})
    if route == ("POST", "/orders"):
        try:
            order = json.loads(event.get("body") or "")
        except ValueError:
            return _answer(400, {"message": "the body must be a JSON object"})
        if not isinstance(order, dict):
            return _answer(400, {"message": "the body must be a JSON object"})
        return _answer(202, {"queued": True, "queue": os.environ["QUEUE_URL"]})
    return _answer(404, {"message": "no such route"})
