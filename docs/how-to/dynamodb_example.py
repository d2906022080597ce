"""DynamoDB Streams recipes: images follow the view type; a partial failure retries from the
failed record, keyed by its SequenceNumber."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda import events, redeliver

pytestmark = pytest.mark.lambda_handler("dynamodb_app.handler", root=Path(__file__).parent)
KEYS = {"orderId": "S"}


def test_view_type_decides_the_images(lambda_event):
    event = lambda_event.dynamodb(event_name="REMOVE", view_type="NEW_IMAGE", key_schema=KEYS)

    record = event["Records"][0]["dynamodb"]
    assert "NewImage" not in record
    assert "OldImage" not in record
    assert events.check_invariants(event) == []


def test_ttl_deletion_comes_from_the_dynamodb_service(lambda_event):
    event = lambda_event.dynamodb(event_name="REMOVE", ttl=True, key_schema=KEYS)

    identity = event["Records"][0]["userIdentity"]
    assert identity == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_retry_starts_at_the_failed_record(lambda_event, lambda_runner):
    shipped = {"orderId": "o-1", "status": "SHIPPED"}
    no_status = {"orderId": "o-2"}
    event = lambda_event.dynamodb(
        items=[shipped, no_status, {"orderId": "o-3", "status": "PAID"}],
        event_name="MODIFY",
        key_schema=KEYS,
    )

    result = lambda_runner.invoke(event)

    sequence = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
    assert result.response == {"batchItemFailures": [{"itemIdentifier": sequence[1]}]}
    retry = redeliver(event, response=result.response)
    assert [r["dynamodb"]["SequenceNumber"] for r in retry["Records"]] == sequence[1:]
