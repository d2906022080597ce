"""EventBridge target: counts events per detail-type in DynamoDB (modelled on EventBridge
metrics samples). It does not use the event id, so a redelivered event (EventBridge
delivers at least once) is counted twice."""

from __future__ import annotations

from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table("event-counts")


def handler(event: dict[str, Any], context: Any) -> None:
    TABLE.update_item(
        Key={"detail_type": event.get("detail-type", "unknown")},
        UpdateExpression="ADD seen :one",
        ExpressionAttributeValues={":one": 1},
    )
