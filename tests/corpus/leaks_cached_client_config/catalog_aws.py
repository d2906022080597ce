"""moto set-up: the catalog table."""

from __future__ import annotations

import boto3


def create() -> None:
    client = boto3.client("dynamodb")
    client.create_table(
        TableName="catalog",
        KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(TableName="catalog", Item={"sku": {"S": "sku-1"}, "name": {"S": "mug"}})
