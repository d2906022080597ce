"""A shopping-cart item writer (SQS consumer) whose table the moto set-up did not create."""

from __future__ import annotations

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["CART_TABLE"])


def handler(event, context):
    for record in event["Records"]:
        TABLE.put_item(Item={"pk": record["messageId"], "item": json.dumps(record["body"])[:200]})
    return {"batchItemFailures": []}
