"""Notifications fan-out: an SQS queue subscribed to the "order-events" SNS topic.

Each SQS body is the SNS envelope (raw message delivery off). The consumer unwraps it and
puts one message per channel the customer opted into on that channel's FIFO outbox queue.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

SQS = boto3.client("sqs")
OUTBOX_PREFIX = os.environ["OUTBOX_PREFIX"]


def _outbox(channel: str) -> str:
    return str(SQS.get_queue_url(QueueName=f"{OUTBOX_PREFIX}-{channel}.fifo")["QueueUrl"])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    sent = 0
    for record in event["Records"]:
        envelope = json.loads(record["body"])
        notice = json.loads(envelope["Message"])
        for channel in notice["channels"]:
            SQS.send_message(
                QueueUrl=_outbox(channel),
                MessageBody=json.dumps({"to": notice["customer"], "text": envelope["Subject"]}),
                MessageDeduplicationId=f"{envelope['MessageId']}-{channel}",
                MessageGroupId=notice["customer"],
            )
            sent += 1
    return {"batchItemFailures": [], "sent": sent}
