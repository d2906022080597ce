"""GET /products/{id}: returns a product and records the view (modelled on API Gateway +
DynamoDB sample services that log page views into the same table)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table("products")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    product_id = (event.get("pathParameters") or {}).get("id") or "p-1"
    item = TABLE.get_item(Key={"pk": f"product#{product_id}"}).get("Item")
    # the bug: every request, a retried one too, writes another "view" row
    TABLE.put_item(Item={"pk": f"view#{uuid.uuid4()}", "product": product_id})
    return {"statusCode": 200, "body": json.dumps({"id": product_id, "found": item is not None})}
