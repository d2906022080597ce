"""POST /items: creates an item under a new uuid (modelled on API Gateway + DynamoDB CRUD
samples). A client retry of the same POST creates a second item."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table("items")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        return {"statusCode": 400, "body": json.dumps({"message": "body is not JSON"})}
    item_id = str(uuid.uuid4())
    TABLE.put_item(Item={"id": item_id, "data": json.dumps(body, sort_keys=True)})
    return {"statusCode": 201, "body": json.dumps({"id": item_id})}
