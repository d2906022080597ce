"""SQS consumer with partial batch responses (ReportBatchItemFailures)."""

from __future__ import annotations

import json
from typing import Any

PROCESSED: list[str] = []


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    failed_groups: set[str] = set()
    for record in event["Records"]:
        group = record["attributes"].get("MessageGroupId")
        if group is not None and group in failed_groups:
            # FIFO: once a message of a group fails, the rest of that group must wait
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        try:
            order = json.loads(record["body"])
            if order["quantity"] <= 0:
                raise ValueError("quantity must be positive")
            PROCESSED.append(order["orderId"])
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
            if group is not None:
                failed_groups.add(group)
    return {"batchItemFailures": failures}
