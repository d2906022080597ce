"""The queue worker: one SQS batch, each failed message reported (ReportBatchItemFailures).

A body that is not JSON is reported (SQS redelivers it, then moves it to the DLQ); a JSON
message that is not an order is logged and dropped: redelivering it would not help.
"""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record.get("body", ""))
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        if not isinstance(order, dict) or "orderId" not in order:
            print(f"dropped message {record['messageId']}: not an order")
    return {"batchItemFailures": failures}
