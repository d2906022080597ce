"""CloudWatch Logs subscription: count ERROR lines per log group, ignore health checks."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    payload = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    if payload["messageType"] == "CONTROL_MESSAGE":
        return {}
    errors = 0
    for log_event in payload["logEvents"]:
        message = log_event["message"]
        if message.startswith("{"):  # a JSON log line (Powertools Logger)
            errors += json.loads(message).get("level") == "ERROR"
        else:
            errors += "\tERROR\t" in message
    return {payload["logGroup"]: errors}
