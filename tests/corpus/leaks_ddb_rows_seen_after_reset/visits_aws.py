"""moto set-up: the visits table."""

from __future__ import annotations

import boto3


def create():
    boto3.client("dynamodb").create_table(
        TableName="visits",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
