"""A buggy variant of signup_counter: it counts every delivery, ignoring the event ``id``.

A duplicate delivery of the same event (EventBridge is at-least-once) or Lambda's retry
of a failed invoke counts the sign-up twice. The idempotency check catches it.
"""

from __future__ import annotations

import os
from typing import Any

import boto3

DDB = boto3.client("dynamodb")
COUNTS = os.environ["COUNTS_TABLE"]


def handler(event: dict[str, Any], context: Any) -> None:
    plan = str(event["detail"].get("plan", "free"))
    DDB.update_item(
        TableName=COUNTS,
        Key={"plan": {"S": plan}},
        UpdateExpression="ADD signups :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
