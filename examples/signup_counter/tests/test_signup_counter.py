"""Tests of the EventBridge sign-up counter: redelivery of the same event id, under moto."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pytest_lambda import NotIdempotentError, assert_idempotent, redeliver
from pytest_lambda._checks.moto import moto_state

ROOT = Path(__file__).parents[1]
ENV = {"SEEN_TABLE": "seen-events", "COUNTS_TABLE": "signup-counts"}
pytestmark = pytest.mark.lambda_handler("signup_counter.handler", root=ROOT, env=ENV)

SIGNUP = {"source": "com.example.accounts", "detail_type": "UserSignedUp"}


@pytest.fixture
def counts(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        ddb = boto3.client("dynamodb")
        for name, key in (("seen-events", "eventId"), ("signup-counts", "plan")):
            ddb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )

        def count(plan: str) -> int:
            item = ddb.get_item(TableName="signup-counts", Key={"plan": {"S": plan}}).get("Item")
            return int(item["signups"]["N"]) if item else 0

        yield count


def test_two_signups_count_two(counts, lambda_event, lambda_runner):
    for _ in range(2):
        lambda_runner.invoke(lambda_event.eventbridge(**SIGNUP, detail={"plan": "pro"}))

    assert counts("pro") == 2


def test_the_same_event_delivered_twice_counts_once(counts, lambda_event, lambda_runner):
    event = lambda_event.eventbridge(**SIGNUP, detail={"plan": "pro"})
    lambda_runner.invoke(event)

    again = redeliver(event)  # EventBridge's at-least-once delivery: the same id
    assert again["id"] == event["id"]
    lambda_runner.invoke(again)

    assert counts("pro") == 1


def test_other_detail_types_are_ignored(counts, lambda_event, lambda_runner):
    lambda_runner.invoke(lambda_event.eventbridge(source="com.example.accounts",
                                                  detail_type="UserDeleted", detail={}))  # fmt: skip

    assert counts("free") == 0


def test_counter_is_idempotent(counts, lambda_event, lambda_runner):
    observe, reset = moto_state()

    assert_idempotent(lambda_runner, lambda_event.eventbridge(**SIGNUP, detail={"plan": "team"}),
                      observe=observe, reset=reset)  # fmt: skip


@pytest.mark.xfail(
    raises=NotIdempotentError,
    strict=True,
    reason="signup_counter_buggy counts a redelivered event again (it ignores the event id)",
)
@pytest.mark.lambda_handler("signup_counter_buggy.handler", root=ROOT, env=ENV)
def test_buggy_counter_is_caught(counts, lambda_event, lambda_runner):
    observe, reset = moto_state()

    assert_idempotent(lambda_runner, lambda_event.eventbridge(**SIGNUP, detail={"plan": "pro"}),
                      observe=observe, reset=reset)  # fmt: skip
