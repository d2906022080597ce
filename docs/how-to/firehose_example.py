"""Firehose recipe: every record answered once, bots dropped, bad data marked failed."""

from __future__ import annotations

import base64
from pathlib import Path

from pytest_lambda import LambdaRunner, events

HERE = Path(__file__).parent


def test_every_record_is_answered(lambda_event):
    event = lambda_event.firehose(
        datas=[{"page": "/", "ms": 3}, {"page": "/a", "bot": True}, b"\xff"]
    )
    with LambdaRunner("firehose_app.transform", root=HERE) as runner:
        response = runner.invoke(event).response

    assert events.check_firehose_response(event, response) == []  # the contract Firehose enforces
    assert [r["result"] for r in response["records"]] == ["Ok", "Dropped", "ProcessingFailed"]
    assert base64.b64decode(response["records"][0]["data"]) == b'{"page": "/", "ms": 3}\n'


def test_records_from_a_kinesis_stream(lambda_event):
    event = lambda_event.firehose(records=3, source="kinesis", data={"page": "/b", "ms": 9})
    assert all("kinesisRecordMetadata" in r for r in event["records"])
    with LambdaRunner("firehose_app.transform", root=HERE) as runner:
        response = runner.invoke(event).response
    assert events.check_firehose_response(event, response) == []
