"""Kinesis clickstream aggregator: page views per page, per batch.

Each record is a JSON click {"page": ..., "user": ...}. A record that is not valid JSON
stops the batch there: it is reported in batchItemFailures, so Lambda retries from it
(with bisect-on-error and partial batch responses enabled on the event source mapping).
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    views: Counter[str] = Counter()
    for record in event["Records"]:
        try:
            click = json.loads(base64.b64decode(record["kinesis"]["data"]))
            views[click["page"]] += 1
        except (ValueError, KeyError):
            return {
                "batchItemFailures": [{"itemIdentifier": record["kinesis"]["sequenceNumber"]}],
                "views": dict(views),
            }
    return {"batchItemFailures": [], "views": dict(views)}
