"""Idempotency with moto: moto_state() is the observe/reset pair over moto's backends."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pytest_lambda import assert_idempotent, events, moto_state

pytestmark = pytest.mark.lambda_handler("idempotency_moto_app.handler", root=Path(__file__).parent)

ORDER = {"order": "o-1", "qty": 2}


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield


def test_put_order_is_idempotent(aws, lambda_runner):
    observe, reset = moto_state()  # after the table exists: reset() returns here

    report = assert_idempotent(
        lambda_runner, events.sqs(seed=1, body=ORDER), observe=observe, reset=reset
    )

    assert report.side_effect_points == ("dynamodb.PutItem",)


def test_observe_returns_plain_data(aws, lambda_runner):
    observe, _ = moto_state()

    lambda_runner.invoke(events.sqs(seed=1, body=ORDER))

    assert observe()["dynamodb"] == {"orders": {"pk=o-1": {"pk": "o-1", "qty": 2}}}
