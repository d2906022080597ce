"""A buggy variant of order_consumer: it reserves stock without recording the order first.

Every redelivery of the same message reserves the stock again. The idempotency check in
tests/test_order_consumer.py catches it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

DDB = boto3.client("dynamodb")
STOCK = os.environ["STOCK_TABLE"]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            DDB.update_item(
                TableName=STOCK,
                Key={"sku": {"S": order["sku"]}},
                UpdateExpression="ADD reserved :q",
                ExpressionAttributeValues={":q": {"N": str(int(order["quantity"]))}},
            )
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
