"""SQS recipes: partial batch failures, what SQS redelivers, and FIFO ordering."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda import redeliver

pytestmark = pytest.mark.lambda_handler("sqs_app.handler", root=Path(__file__).parent)

GOOD = {"orderId": "o-1", "quantity": 2}
BAD = {"orderId": "o-2", "quantity": 0}


def test_reports_only_the_bad_message(lambda_event, lambda_runner):
    event = lambda_event.sqs(bodies=[GOOD, BAD, GOOD])

    result = lambda_runner.invoke(event)

    bad_id = event["Records"][1]["messageId"]
    assert result.response == {"batchItemFailures": [{"itemIdentifier": bad_id}]}


def test_sqs_redelivers_only_the_failures(lambda_event, lambda_runner):
    event = lambda_event.sqs(bodies=[GOOD, BAD])
    first = lambda_runner.invoke(event)

    retry = redeliver(event, response=first.response)

    assert [r["messageId"] for r in retry["Records"]] == [event["Records"][1]["messageId"]]
    assert retry["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_fifo_holds_back_the_rest_of_the_group(lambda_event, lambda_runner):
    event = lambda_event.sqs(
        queue="orders.fifo", bodies=[BAD, GOOD, GOOD], group_id=["g1", "g1", "g2"]
    )

    result = lambda_runner.invoke(event)

    ids = [r["messageId"] for r in event["Records"]]
    failed = [f["itemIdentifier"] for f in result.response["batchItemFailures"]]
    assert failed == ids[:2]  # g1's second message waits behind the failed one; g2 goes on
