"""SQS FIFO forwarder: passes each order on to the next FIFO queue with the incoming
message id as MessageDeduplicationId (modelled on FIFO pipeline samples). SQS drops a
redelivered duplicate within its 5-minute deduplication window: idempotent."""

from __future__ import annotations

from typing import Any

import boto3

SQS = boto3.client("sqs")


def handler(event: dict[str, Any], context: Any) -> None:
    url = SQS.get_queue_url(QueueName="orders-validated.fifo")["QueueUrl"]
    for record in event["Records"]:
        SQS.send_message(
            QueueUrl=url,
            MessageBody=record["body"],
            MessageGroupId=record["attributes"].get("MessageGroupId", "orders"),
            MessageDeduplicationId=record["messageId"],
        )
