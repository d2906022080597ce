"""REST API reading feature flags from a DynamoDB table; when the flags store cannot be
read it answers 503 with Retry-After (a degraded mode, on purpose). Run in moto without the
table, every request gets the 503: a set-up problem, not three failing checks."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

DDB = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        DDB.get_item(TableName="flags", Key={"pk": {"S": "global"}})
    except ClientError:
        return {"statusCode": 503, "headers": {"Retry-After": "30"},
                "body": json.dumps({"message": "temporarily unavailable"})}  # fmt: skip
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
