"""REST API for orders: GET and PUT work without configuration; DELETE (a refund) publishes
to a topic whose ARN is read from REFUND_TOPIC_ARN only then. With the variable missing,
only refunds fail: a handler bug on some requests, not a set-up problem of every event."""

from __future__ import annotations

import json
import os
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    method = event.get("httpMethod", "GET")
    if method == "DELETE":
        topic = os.environ["REFUND_TOPIC_ARN"]
        return {"statusCode": 202, "body": json.dumps({"refund": "queued", "topic": topic})}
    return {"statusCode": 200, "body": json.dumps({"method": method})}
