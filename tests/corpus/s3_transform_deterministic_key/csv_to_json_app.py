"""S3 → S3 transformer: converts an uploaded CSV into JSON lines under a key derived from
the source key (modelled on S3 object-processing samples). A redelivered notification
overwrites the same output object: idempotent."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
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
        out_key = "json/" + key.rsplit(".", 1)[0] + ".jsonl"
        body = "\n".join(json.dumps(r, sort_keys=True) for r in rows)
        S3.put_object(Bucket=OUTPUT_BUCKET, Key=out_key, Body=body.encode("utf-8"))
