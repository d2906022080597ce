"""Order intake: stores each order message of the queue in the orders table.

Bug: a message whose body is not JSON raises, and without partial batch responses the
whole batch (the good orders too) is redelivered until maxReceiveCount.
"""

from __future__ import annotations

import contextlib
import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("ORDERS_TABLE", "orders"))


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        stored_already = table.meta.client.exceptions.ConditionalCheckFailedException
        with contextlib.suppress(stored_already):  # a redelivered order
            table.put_item(
                Item={"orderId": str(order.get("orderId", record["messageId"])),
                      "amount": Decimal(str(order.get("amount", 0)))},
                ConditionExpression="attribute_not_exists(orderId)",
            )  # fmt: skip
    return {}
