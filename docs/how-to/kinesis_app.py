"""Kinesis consumer: reports the first record it cannot parse, so Lambda retries from it."""

from __future__ import annotations

import base64
import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    clicks = 0
    for record in event["Records"]:
        try:
            json.loads(base64.b64decode(record["kinesis"]["data"]))
        except ValueError:
            # checkpoint: everything before this record is done
            return {"batchItemFailures": [{"itemIdentifier": record["kinesis"]["sequenceNumber"]}]}
        clicks += 1
    return {"batchItemFailures": [], "clicks": clicks}
