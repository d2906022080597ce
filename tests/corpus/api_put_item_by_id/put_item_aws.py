"""moto set-up: the items table."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("dynamodb").create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
