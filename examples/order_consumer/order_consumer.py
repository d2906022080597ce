"""SQS order consumer with partial batch responses (ReportBatchItemFailures).

Each message is an order: it is recorded once (keyed by orderId) and the stock of its SKU
is reserved in the same DynamoDB transaction, so a redelivered message changes nothing.
A message that cannot be processed is reported in batchItemFailures; SQS redelivers it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

DDB = boto3.client("dynamodb")
ORDERS = os.environ["ORDERS_TABLE"]
STOCK = os.environ["STOCK_TABLE"]


def _process(order: dict[str, Any]) -> None:
    quantity = int(order["quantity"])
    if quantity <= 0:
        raise ValueError(f"bad quantity {quantity}")
    try:
        DDB.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": ORDERS,
                        "Item": {"orderId": {"S": order["orderId"]}, "sku": {"S": order["sku"]}},
                        "ConditionExpression": "attribute_not_exists(orderId)",
                    }
                },
                {
                    "Update": {
                        "TableName": STOCK,
                        "Key": {"sku": {"S": order["sku"]}},
                        "UpdateExpression": "ADD reserved :q",
                        "ExpressionAttributeValues": {":q": {"N": str(quantity)}},
                    }
                },
            ]
        )
    except DDB.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons", [])
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return  # already recorded: this is a redelivery
        raise


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        try:
            _process(json.loads(record["body"]))
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
