"""Tests of the DynamoDB Streams revenue ledger: partial batch responses keyed by sequence
number, the retry from the failed record, and idempotency under moto."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pytest_lambda import NotIdempotentError, assert_idempotent, redeliver
from pytest_lambda._checks.moto import moto_state

ROOT = Path(__file__).parents[1]
ENV = {"LEDGER_TABLE": "ledger"}
pytestmark = pytest.mark.lambda_handler("revenue_ledger.handler", root=ROOT, env=ENV)

KEYS = {"orderId": "S"}
A = {"orderId": "o-1", "createdAt": "2026-03-01T10:00:00Z", "total": 12.5}
B = {"orderId": "o-2", "createdAt": "2026-03-01T11:00:00Z", "total": 7}
BAD = {"orderId": "o-3", "createdAt": "2026-03-01T12:00:00Z"}  # no total


def orders(lambda_event, *items):
    return lambda_event.dynamodb(
        items=list(items), key_schema=KEYS, event_name="INSERT", view_type="NEW_IMAGE"
    )


@pytest.fixture
def ledger(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(
            TableName="ledger",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

        def day(date: str) -> tuple[str, str]:
            item = ddb.get_item(TableName="ledger", Key={"pk": {"S": f"DAY#{date}"}})["Item"]
            return item["revenue"]["N"], item["orders"]["N"]

        yield day


def test_reports_the_unreadable_record_by_sequence_number(ledger, lambda_event, lambda_runner):
    event = orders(lambda_event, A, BAD, B)

    result = lambda_runner.invoke(event)

    bad_seq = event["Records"][1]["dynamodb"]["SequenceNumber"]
    assert result.response == {"batchItemFailures": [{"itemIdentifier": bad_seq}]}
    assert ledger("2026-03-01") == ("19.5", "2")


def test_retry_from_the_failed_record_counts_nothing_twice(ledger, lambda_event, lambda_runner):
    event = orders(lambda_event, A, BAD, B)
    first = lambda_runner.invoke(event)

    retry = redeliver(event, response=first.response)  # BAD and every later record come back
    assert [r["dynamodb"]["NewImage"]["orderId"]["S"] for r in retry["Records"]] == ["o-3", "o-2"]
    lambda_runner.invoke(retry)

    assert ledger("2026-03-01") == ("19.5", "2")


def test_ledger_is_idempotent(ledger, lambda_event, lambda_runner):
    observe, reset = moto_state()

    assert_idempotent(lambda_runner, orders(lambda_event, A, B), observe=observe, reset=reset)


@pytest.mark.xfail(
    raises=NotIdempotentError,
    strict=True,
    reason="revenue_ledger_buggy adds a redelivered order's total again",
)
@pytest.mark.lambda_handler("revenue_ledger_buggy.handler", root=ROOT, env=ENV)
def test_buggy_ledger_is_caught(ledger, lambda_event, lambda_runner):
    observe, reset = moto_state()

    assert_idempotent(lambda_runner, orders(lambda_event, A, B), observe=observe, reset=reset)
