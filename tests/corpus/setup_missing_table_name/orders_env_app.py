"""An orders API (REST API) that reads its table name from the environment at import.

Deployed, the template sets TABLE_NAME; run without it, the import fails with KeyError,
which is a set-up problem, not a bug of the handler.
"""

from __future__ import annotations

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    order_id = (event.get("pathParameters") or {}).get("id", "unknown")
    item = TABLE.get_item(Key={"pk": order_id}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"error": "not found"})}
    return {"statusCode": 200, "body": json.dumps(item, default=str)}
