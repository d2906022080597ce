"""Kinesis aggregator: counts page views per page into DynamoDB with an atomic ADD and
reports undecodable records as partial batch failures (modelled on Kinesis analytics
samples). The ADD is applied again when a batch is redelivered: not idempotent."""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any

import boto3

TABLE = boto3.resource("dynamodb").Table("page-views")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    failures = []
    for record in event["Records"]:
        try:
            data = json.loads(base64.b64decode(record["kinesis"]["data"]))
            page = str(data.get("page", "unknown")) if isinstance(data, dict) else "unknown"
        except ValueError:
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
            continue
        counts[page] += 1
    for page, n in counts.items():
        TABLE.update_item(
            Key={"page": page},
            UpdateExpression="ADD #views :n",
            ExpressionAttributeNames={"#views": "views"},
            ExpressionAttributeValues={":n": n},
        )
    return {"batchItemFailures": failures}
