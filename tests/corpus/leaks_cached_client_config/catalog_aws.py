"""moto set-up: the catalog table."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("dynamodb").create_table(
        TableName="catalog",
        KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
