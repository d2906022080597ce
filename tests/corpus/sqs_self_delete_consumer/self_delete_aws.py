"""The queue and table of the self-deleting consumer."""

from __future__ import annotations

import boto3


def create():
    boto3.client("sqs").create_queue(QueueName="orders")
    boto3.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
