"""moto set-up: the event-counts table."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("dynamodb").create_table(
        TableName="event-counts",
        KeySchema=[{"AttributeName": "detail_type", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "detail_type", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
