"""SNS fan-out recipe: one message, two subscribers, both see the same order."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_lambda import LambdaRunner

HERE = Path(__file__).parent


def test_both_subscribers_get_the_order(lambda_event):
    message = {"orderId": "o-7", "total": 12}
    direct = lambda_event.sns(topic="orders", message=message, subject="order placed")
    queued = lambda_event.sqs(records=2, body=message, sns_envelope={"topic": "orders"})

    envelope = json.loads(queued["Records"][0]["body"])
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"].endswith(":orders")

    with LambdaRunner("sns_app.on_sns", root=HERE) as sns_runner:
        assert sns_runner.invoke(direct).response == ["o-7"]
    with LambdaRunner("sns_app.on_sqs", root=HERE) as sqs_runner:
        assert sqs_runner.invoke(queued).response == ["o-7", "o-7"]
