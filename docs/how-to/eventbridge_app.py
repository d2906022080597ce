"""EventBridge targets: a nightly job on a schedule rule, an order-event consumer, and a
report job run by an EventBridge Scheduler schedule."""

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


#: Reports already produced, by scheduled time (in a real function: a conditional put).
REPORTS: dict[str, str] = {}


def scheduled_report(event: dict[str, Any], context: Any) -> str:
    """Target of an EventBridge Scheduler schedule whose input is
    ``{"job": "report", "for": "<aws.scheduler.scheduled-time>",
    "run": "<aws.scheduler.execution-id>"}``: one report per scheduled time, whatever the attempt."""
    if event["for"] in REPORTS:
        return "already done"
    REPORTS[event["for"]] = event["run"]
    return f"report for {event['for']}"
