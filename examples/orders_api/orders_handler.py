"""Orders REST API (API Gateway REST API, payload 1.0) backed by DynamoDB.

POST /orders          create an order; the Idempotency-Key header makes retries safe
GET  /orders/{id}     read an order
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def _reply(status: int, body: object) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _create(event: dict[str, Any]) -> dict[str, Any]:
    key = _header(event, "idempotency-key")
    if not key:
        return _reply(400, {"error": "Idempotency-Key header is required"})
    request = json.loads(event["body"] or "{}")
    order = {
        "orderId": f"ord-{key}",
        "sku": str(request["sku"]),
        "quantity": int(request["quantity"]),
        "createdAt": event["requestContext"]["requestTimeEpoch"],
    }
    try:
        TABLE.put_item(Item=order, ConditionExpression="attribute_not_exists(orderId)")
    except TABLE.meta.client.exceptions.ConditionalCheckFailedException:
        order = TABLE.get_item(Key={"orderId": order["orderId"]})["Item"]  # a retry
    return _reply(201, {k: v if isinstance(v, str) else int(v) for k, v in order.items()})


def _read(event: dict[str, Any]) -> dict[str, Any]:
    item = TABLE.get_item(Key={"orderId": event["pathParameters"]["id"]}).get("Item")
    if item is None:
        return _reply(404, {"error": "no such order"})
    return _reply(200, {k: v if isinstance(v, str) else int(v) for k, v in item.items()})


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    route = (event["httpMethod"], event["resource"])
    if route == ("POST", "/orders"):
        return _create(event)
    if route == ("GET", "/orders/{id}"):
        return _read(event)
    return _reply(404, {"error": f"no route {route}"})
