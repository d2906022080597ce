"""PUT /items/{id}: stores the item under the id from the path (modelled on API Gateway +
DynamoDB CRUD samples). A PUT replaces the row: repeating it leaves the same state."""

from __future__ import annotations

import json
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table("items")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    item_id = (event.get("pathParameters") or {}).get("id") or "default"
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        return {"statusCode": 400, "body": json.dumps({"message": "body is not JSON"})}
    if not isinstance(body, dict):
        return {"statusCode": 400, "body": json.dumps({"message": "body must be an object"})}
    TABLE.put_item(Item={"id": item_id, "data": json.dumps(body, sort_keys=True)})
    return {"statusCode": 200, "body": json.dumps({"id": item_id})}
