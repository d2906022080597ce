"""Notifies subscribers of each order event from an SQS queue through SNS (modelled on
order-notification samples)."""

from __future__ import annotations

from typing import Any

import boto3

SNS = boto3.client("sns")


def handler(event: dict[str, Any], context: Any) -> None:
    topic = SNS.create_topic(Name="order-events")["TopicArn"]  # idempotent: returns the ARN
    for record in event["Records"]:
        SNS.publish(TopicArn=topic, Message=record["body"], Subject="order event")
