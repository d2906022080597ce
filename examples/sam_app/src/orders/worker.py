"""The queue worker: one SQS batch, each failed message reported (ReportBatchItemFailures)."""

from __future__ import annotations

import json
from typing import Any


def _valid(body: str) -> bool:
    try:
        order = json.loads(body)
    except ValueError:
        return False
    return isinstance(order, dict) and isinstance(order.get("orderId"), str)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = [
        {"itemIdentifier": record["messageId"]}
        for record in event["Records"]
        if not _valid(record.get("body", ""))
    ]
    return {"batchItemFailures": failures}
