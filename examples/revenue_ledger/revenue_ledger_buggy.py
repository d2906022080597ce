"""A buggy variant of revenue_ledger: it adds each order's total without recording the eventID.

When Lambda retries the batch from a failed record (or delivers a record twice), the orders
already counted are counted again. The idempotency check in tests/test_revenue_ledger.py
catches it.
"""

from __future__ import annotations

import os
from typing import Any

import boto3

DDB = boto3.client("dynamodb")
LEDGER = os.environ["LEDGER_TABLE"]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        try:
            image = record["dynamodb"]["NewImage"]
            DDB.update_item(
                TableName=LEDGER,
                Key={"pk": {"S": f"DAY#{image['createdAt']['S'][:10]}"}},
                UpdateExpression="ADD revenue :t, orders :one",
                ExpressionAttributeValues={":t": {"N": image["total"]["N"]}, ":one": {"N": "1"}},
            )
        except KeyError:
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
