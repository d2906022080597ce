"""MSK consumer: stores each order record in DynamoDB keyed by topic, partition and offset
(modelled on MSK → Lambda samples). A redelivered batch overwrites the same rows:
idempotent."""

from __future__ import annotations

import base64
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table("order-events")


def handler(event: dict[str, Any], context: Any) -> None:
    for records in event["records"].values():
        for record in records:
            value = base64.b64decode(record.get("value") or b"").decode("utf-8", "replace")
            key = f"{record['topic']}-{record['partition']}-{record['offset']}"
            TABLE.put_item(Item={"id": key, "value": value})
