"""moto set-up: the output queue."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("sqs").create_queue(QueueName="validated")
