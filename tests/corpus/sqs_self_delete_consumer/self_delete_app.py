"""An SQS consumer (older style) that stores each order and deletes its message itself."""

from __future__ import annotations

import os

import boto3

SQS = boto3.client("sqs")
TABLE = boto3.resource("dynamodb").Table(os.environ.get("TABLE", "orders"))


def handler(event, context):
    url = SQS.get_queue_url(QueueName="orders")["QueueUrl"]
    for record in event["Records"]:
        TABLE.put_item(Item={"id": record["messageId"], "body": record["body"]})
        SQS.delete_message(QueueUrl=url, ReceiptHandle=record["receiptHandle"])
