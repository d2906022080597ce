"""moto set-up: the output FIFO queue."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("sqs").create_queue(
        QueueName="orders-validated.fifo", Attributes={"FifoQueue": "true"}
    )
