"""EventBridge rule target: counts sign-ups per plan from ``UserSignedUp`` events.

EventBridge delivers each event at least once and Lambda retries a failed asynchronous
invoke, so the same event (the same ``id``) can arrive twice. The event ``id`` is recorded
in the same DynamoDB transaction as the count, so a second delivery changes nothing.
"""

from __future__ import annotations

import os
from typing import Any

import boto3

DDB = boto3.client("dynamodb")
SEEN = os.environ["SEEN_TABLE"]
COUNTS = os.environ["COUNTS_TABLE"]


def handler(event: dict[str, Any], context: Any) -> None:
    if event["detail-type"] != "UserSignedUp":
        return  # the rule's pattern should not let others through; ignore them
    plan = str(event["detail"].get("plan", "free"))
    try:
        DDB.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": SEEN,
                        "Item": {"eventId": {"S": event["id"]}},
                        "ConditionExpression": "attribute_not_exists(eventId)",
                    }
                },
                {
                    "Update": {
                        "TableName": COUNTS,
                        "Key": {"plan": {"S": plan}},
                        "UpdateExpression": "ADD signups :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    except DDB.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons", [])
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return  # this event id was counted already: a redelivery
        raise
