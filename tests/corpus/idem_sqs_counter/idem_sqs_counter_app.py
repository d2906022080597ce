"""Counts orders per customer from an SQS queue (modelled on order-processing samples that
keep running totals in DynamoDB)."""

from __future__ import annotations

from typing import Any

import boto3

DDB = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> None:
    for _record in event["Records"]:  # one order per message
        DDB.update_item(
            TableName="order_counts",
            Key={"pk": {"S": "customer#all"}},
            UpdateExpression="ADD orders :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
