"""Trade consumer: applies each trade of the stream, reporting bad records as batch item failures.

Bug: the failed record is reported by its eventID ('shardId-...:4959...'), not by its
sequence number, so Lambda cannot read the response and retries the whole batch.
"""

from __future__ import annotations

import base64
import json


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            trade = json.loads(base64.b64decode(record["kinesis"]["data"]))
            if not isinstance(trade, dict):
                raise ValueError("a trade is a JSON object")
        except ValueError:
            failures.append({"itemIdentifier": record["eventID"]})
    return {"batchItemFailures": failures}
