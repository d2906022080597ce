"""Tests of the clickstream aggregator: Kinesis batches, partial failures and retries."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda import redeliver

pytestmark = pytest.mark.lambda_handler("clickstream.handler", root=Path(__file__).parents[1])


def clicks(*pages):
    return [{"page": page, "user": f"u-{i}"} for i, page in enumerate(pages)]


def test_counts_views_per_page(lambda_event, lambda_runner):
    event = lambda_event.kinesis(datas=clicks("/", "/cart", "/", "/checkout"))

    result = lambda_runner.invoke(event)

    assert result.response == {
        "batchItemFailures": [],
        "views": {"/": 2, "/cart": 1, "/checkout": 1},
    }


def test_bad_record_is_retried_with_the_rest(lambda_event, lambda_runner):
    event = lambda_event.kinesis(datas=[*clicks("/", "/cart"), b"\xff not json", *clicks("/")])

    first = lambda_runner.invoke(event)

    records = event["Records"]
    assert first.response["views"] == {"/": 1, "/cart": 1}
    retry = redeliver(event, response=first.response)
    assert (
        retry["Records"][0]["kinesis"]["sequenceNumber"] == records[2]["kinesis"]["sequenceNumber"]
    )
    assert len(retry["Records"]) == 2


def test_large_batch(lambda_event, lambda_runner):
    event = lambda_event.kinesis(records=500, data={"page": "/", "user": "u"})

    assert lambda_runner.invoke(event).response["views"] == {"/": 500}
