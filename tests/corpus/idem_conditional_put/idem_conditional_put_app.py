"""Stores each order once: reads it first, then a conditional put keyed on the order id
(modelled on API Gateway + DynamoDB and SQS order samples)."""

from __future__ import annotations

import json
from typing import Any

import boto3

DDB = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        key = {"pk": {"S": f"order#{record['messageId']}"}}
        if "Item" in DDB.get_item(TableName="orders", Key=key):
            continue
        try:
            DDB.put_item(
                TableName="orders",
                Item={**key, "body": {"S": json.dumps(record["body"])}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except DDB.exceptions.ConditionalCheckFailedException:
            continue
