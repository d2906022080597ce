"""Tests of the SQS order consumer: partial batch responses and idempotency under moto."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pytest_lambda import NotIdempotentError, assert_idempotent, redeliver
from pytest_lambda._checks.moto import moto_state

ROOT = Path(__file__).parents[1]
ENV = {"ORDERS_TABLE": "orders", "STOCK_TABLE": "stock"}
pytestmark = pytest.mark.lambda_handler("order_consumer.handler", root=ROOT, env=ENV)

GOOD = {"orderId": "o-1", "sku": "BOOK-1", "quantity": 2}
OTHER = {"orderId": "o-2", "sku": "BOOK-1", "quantity": 1}
BAD = {"orderId": "o-3", "sku": "BOOK-1", "quantity": 0}


@pytest.fixture
def tables(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        ddb = boto3.client("dynamodb")
        for name, key in (("orders", "orderId"), ("stock", "sku")):
            ddb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield lambda sku: int(
            ddb.get_item(TableName="stock", Key={"sku": {"S": sku}})["Item"]["reserved"]["N"]
        )


def test_reports_only_the_bad_message(tables, lambda_event, lambda_runner):
    event = lambda_event.sqs(bodies=[GOOD, BAD, OTHER])

    result = lambda_runner.invoke(event)

    bad_id = event["Records"][1]["messageId"]
    assert result.response == {"batchItemFailures": [{"itemIdentifier": bad_id}]}
    assert tables("BOOK-1") == 3


def test_redelivered_message_reserves_nothing(tables, lambda_event, lambda_runner):
    event = lambda_event.sqs(bodies=[GOOD])
    lambda_runner.invoke(event)

    lambda_runner.invoke(redeliver(event))  # the same message, received a second time

    assert tables("BOOK-1") == 2


def test_consumer_is_idempotent(tables, lambda_event, lambda_runner):
    observe, reset = moto_state()

    assert_idempotent(lambda_runner, lambda_event.sqs(bodies=[GOOD, OTHER]), observe=observe,
                      reset=reset)  # fmt: skip


@pytest.mark.xfail(
    raises=NotIdempotentError,
    strict=True,
    reason="order_consumer_buggy reserves stock again on every redelivery of a message",
)
@pytest.mark.lambda_handler("order_consumer_buggy.handler", root=ROOT, env=ENV)
def test_buggy_consumer_is_caught(tables, lambda_event, lambda_runner):
    observe, reset = moto_state()

    assert_idempotent(lambda_runner, lambda_event.sqs(bodies=[GOOD]), observe=observe, reset=reset)
