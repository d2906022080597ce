"""S3 → S3 transformer writing its output under a processing timestamp (modelled on S3
object-processing samples). A redelivered notification writes a second output object
under a later timestamp: not idempotent."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from datetime import datetime, timezone
from typing import Any

import boto3

S3 = boto3.client("s3")
OUTPUT_BUCKET = "reports-processed"


def handler(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        text = S3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        body = "\n".join(json.dumps(r, sort_keys=True) for r in rows)
        S3.put_object(Bucket=OUTPUT_BUCKET, Key=f"json/{stamp}.jsonl", Body=body.encode("utf-8"))
