"""moto set-up: the orders table, as the sample's template declares it."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
