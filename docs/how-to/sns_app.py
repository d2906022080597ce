"""SNS fan-out: the same notification reaches a Lambda directly and through SQS."""

from __future__ import annotations

import json
from typing import Any


def _order(message: str) -> str:
    return str(json.loads(message)["orderId"])


def on_sns(event: dict[str, Any], context: Any) -> list[str]:
    """Subscribed to the topic directly."""
    return [_order(r["Sns"]["Message"]) for r in event["Records"]]


def on_sqs(event: dict[str, Any], context: Any) -> list[str]:
    """Reads a queue subscribed to the topic (raw message delivery off)."""
    return [_order(json.loads(r["body"])["Message"]) for r in event["Records"]]
