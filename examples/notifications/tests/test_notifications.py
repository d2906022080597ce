"""Tests of the notifications fan-out: SNS envelopes inside SQS records, SQS under moto."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

pytestmark = pytest.mark.lambda_handler(
    "notifications.handler", root=Path(__file__).parents[1], env={"OUTBOX_PREFIX": "outbox"}
)


@pytest.fixture
def outboxes(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        sqs = boto3.client("sqs")
        urls = {
            channel: sqs.create_queue(
                QueueName=f"outbox-{channel}.fifo", Attributes={"FifoQueue": "true"}
            )["QueueUrl"]
            for channel in ("email", "sms")
        }
        yield lambda channel: [
            json.loads(m["Body"])
            for m in sqs.receive_message(QueueUrl=urls[channel], MaxNumberOfMessages=10).get(
                "Messages", []
            )
        ]


def test_fans_out_to_each_channel(outboxes, lambda_event, lambda_runner):
    notice = {"customer": "c-1", "channels": ["email", "sms"]}
    event = lambda_event.sqs(
        body=notice, sns_envelope={"topic": "order-events", "subject": "Your order shipped"}
    )
    assert json.loads(event["Records"][0]["body"])["Type"] == "Notification"

    result = lambda_runner.invoke(event)

    assert result.response == {"batchItemFailures": [], "sent": 2}
    assert outboxes("email") == [{"to": "c-1", "text": "Your order shipped"}]
    assert outboxes("sms") == [{"to": "c-1", "text": "Your order shipped"}]
