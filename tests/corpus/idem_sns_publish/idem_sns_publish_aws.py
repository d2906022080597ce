"""moto set-up: the notification topic."""

from __future__ import annotations

import boto3


def create() -> None:
    boto3.client("sns").create_topic(Name="order-events")
