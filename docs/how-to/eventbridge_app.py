"""EventBridge rule targets: a nightly job on a schedule and an order-event consumer."""

from __future__ import annotations

from typing import Any

#: Order ids already handled (in a real function: a DynamoDB table keyed by the event id).
HANDLED: dict[str, str] = {}


def nightly(event: dict[str, Any], context: Any) -> str:
    """Target of a schedule rule: the rule's name is the last part of its ARN."""
    assert event["detail-type"] == "Scheduled Event"
    rule = event["resources"][0].rsplit("/", 1)[-1]
    return f"{rule} at {event['time']}"


def on_order(event: dict[str, Any], context: Any) -> str:
    """Target of a rule matching OrderPlaced: deduplicate on the event id."""
    if event["id"] in HANDLED:
        return "duplicate"
    HANDLED[event["id"]] = event["detail"]["orderId"]
    return "handled"
