"""moto set-up: the payments table and Powertools' idempotency table."""

from __future__ import annotations

import boto3


def create() -> None:
    client = boto3.client("dynamodb")
    for name, key in (("payments", "payment_id"), ("idempotency", "id")):
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
