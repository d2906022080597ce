"""REST API (API Gateway v1) handler: GET /orders/{orderId}, visible only to its owner."""

from __future__ import annotations

import json
from typing import Any

ORDERS = {"o-1": {"owner": "user-1", "total": 42}}


def _reply(status: int, body: object) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    claims = (event["requestContext"].get("authorizer") or {}).get("claims") or {}
    user = claims.get("sub")
    if user is None:
        return _reply(401, {"error": "unauthorized"})
    order = ORDERS.get(event["pathParameters"]["orderId"])
    if order is None or order["owner"] != user:
        return _reply(404, {"error": "not found"})
    return _reply(200, {"total": order["total"]})
