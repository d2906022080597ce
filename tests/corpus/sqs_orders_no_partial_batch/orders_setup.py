"""The orders table (inside moto)."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
