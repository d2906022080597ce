"""SQS -> SNS FIFO fan-out: publishes each order to a FIFO topic with the incoming message
id as MessageDeduplicationId. SNS drops the copy a redelivery publishes within its 5-minute
window: idempotent (moto keeps every copy; the checks must drop them as SNS does)."""

from __future__ import annotations

from typing import Any

import boto3

SNS = boto3.client("sns")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    topic = SNS.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    for record in event["Records"]:
        SNS.publish(
            TopicArn=topic,
            Message=record["body"],
            MessageGroupId="orders",
            MessageDeduplicationId=record["messageId"],
        )
    return {"batchItemFailures": []}
