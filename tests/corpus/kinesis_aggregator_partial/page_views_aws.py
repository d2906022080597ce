"""moto set-up: the page-views table."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("dynamodb").create_table(
        TableName="page-views",
        KeySchema=[{"AttributeName": "page", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "page", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
