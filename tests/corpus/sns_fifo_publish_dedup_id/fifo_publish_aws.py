"""moto set-up: the FIFO topic."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("sns").create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})
