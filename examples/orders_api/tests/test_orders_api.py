"""Tests of the orders API: realistic REST API events, DynamoDB under moto."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pytest_lambda import assert_idempotent
from pytest_lambda._checks.moto import moto_state

pytestmark = pytest.mark.lambda_handler(
    "orders_handler.handler", root=Path(__file__).parents[1], env={"ORDERS_TABLE": "orders"}
)


@pytest.fixture
def orders_table(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield boto3.resource("dynamodb").Table("orders")


def create_order(lambda_event, key="k-1", **order):
    return lambda_event.apigw_v1(
        method="POST",
        resource="/orders",
        headers={"Idempotency-Key": key} if key else {},
        body=order or {"sku": "BOOK-1", "quantity": 2},
    )


def test_create_then_read(orders_table, lambda_event, lambda_runner):
    created = lambda_runner.invoke(create_order(lambda_event))
    assert created.response["statusCode"] == 201
    order_id = json.loads(created.response["body"])["orderId"]

    read = lambda_runner.invoke(
        lambda_event.apigw_v1(
            method="GET", resource="/orders/{id}", path_parameters={"id": order_id}
        )
    )

    assert read.response["statusCode"] == 200
    assert json.loads(read.response["body"])["sku"] == "BOOK-1"


def test_idempotency_key_is_required(orders_table, lambda_event, lambda_runner):
    result = lambda_runner.invoke(create_order(lambda_event, key=None))

    assert result.response["statusCode"] == 400
    assert orders_table.scan()["Count"] == 0


def test_client_retries_create_one_order(orders_table, lambda_event, lambda_runner):
    observe, reset = moto_state()

    report = assert_idempotent(
        lambda_runner, create_order(lambda_event), observe=observe, reset=reset
    )

    assert report.ok
    assert orders_table.scan()["Count"] == 1
