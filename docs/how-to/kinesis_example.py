"""Kinesis recipes: data is base64 on the wire; a partial failure retries from the checkpoint."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from pytest_lambda import redeliver

pytestmark = pytest.mark.lambda_handler("kinesis_app.handler", root=Path(__file__).parent)


def test_data_is_base64_encoded(lambda_event):
    event = lambda_event.kinesis(data={"page": "/cart"})

    data = event["Records"][0]["kinesis"]["data"]
    assert json.loads(base64.b64decode(data)) == {"page": "/cart"}


def test_retry_starts_at_the_failed_record(lambda_event, lambda_runner):
    event = lambda_event.kinesis(datas=[{"page": "/"}, b"not json", {"page": "/cart"}])

    result = lambda_runner.invoke(event)

    sequence = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
    assert result.response == {"batchItemFailures": [{"itemIdentifier": sequence[1]}]}
    retry = redeliver(event, response=result.response)
    assert [r["kinesis"]["sequenceNumber"] for r in retry["Records"]] == sequence[1:]
