"""GET /cart: a read-only shopping-cart endpoint that starts a session when the client has
none, setting a new random cartId cookie (modelled on shopping-cart sample services)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table("carts")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    cookie = (event.get("headers") or {}).get("Cookie") or ""
    cart_id = cookie.split("cartId=", 1)[1].split(";", 1)[0] if "cartId=" in cookie else ""
    headers = {"Content-Type": "application/json"}
    if not cart_id:
        cart_id = str(uuid.uuid4())
        headers["Set-Cookie"] = f"cartId={cart_id}; Path=/; Secure; HttpOnly"
    items = TABLE.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"cart#{cart_id}"}
    )["Items"]
    return {"statusCode": 200, "headers": headers, "body": json.dumps({"products": items})}
