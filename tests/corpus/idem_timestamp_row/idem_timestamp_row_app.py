"""An audit trail: one row per processed message, keyed by the time it was processed,
written in one transaction with a dedup marker keyed on the messageId (modelled on
event-sourcing samples that key history rows by timestamp)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3

DDB = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        now = datetime.now(timezone.utc).isoformat()
        try:
            DDB.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": "audit",
                            "Item": {"pk": {"S": f"msg#{record['messageId']}"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": "audit",
                            "Item": {
                                "pk": {"S": f"at#{now}#{record['messageId']}"},
                                "message": {"S": record["messageId"]},
                                "request": {"S": context.aws_request_id},
                            },
                        }
                    },
                ]
            )
        except DDB.exceptions.TransactionCanceledException:
            continue  # already processed: the marker exists
