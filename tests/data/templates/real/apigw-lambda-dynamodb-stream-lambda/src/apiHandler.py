"""POST handler: stores the JSON body as an item of the demo table (the stream's source).

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import json
from typing import Any

import boto3

FIELDS = ("id", "name", "description", "customer")


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    try:
        body = json.loads(event.get("body") or "{}")
    except ValueError:
        return {"statusCode": 400, "body": "the body is not JSON"}
    if not isinstance(body, dict) or any(name not in body for name in FIELDS):
        return {"statusCode": 400, "body": f"expected a JSON object with {', '.join(FIELDS)}"}
    table = boto3.resource("dynamodb").Table("DemoStreamDynamoDBToLambda")
    table.put_item(Item={name: body[name] for name in FIELDS})
    return {"statusCode": 200, "body": "stored"}
