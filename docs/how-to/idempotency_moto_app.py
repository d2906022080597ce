"""SQS handler that writes the order of each message to the DynamoDB table `orders`."""

from __future__ import annotations

import json
from typing import Any

import boto3

ORDERS = boto3.resource("dynamodb").Table("orders")  # created at import, reused warm


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    for record in event["Records"]:
        order = json.loads(record["body"])
        # keyed by the order id: a redelivery writes the same item over itself
        ORDERS.put_item(Item={"pk": order["order"], "qty": order["qty"]})
    return {"batchItemFailures": []}
