"""Image-upload processor: for each uploaded image, record the thumbnail to generate.

S3 (ObjectCreated) → a DynamoDB item {image, thumbnail, bytes} per image.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote_plus

import boto3

S3 = boto3.client("s3")
TABLE = boto3.resource("dynamodb").Table(os.environ["THUMBNAILS_TABLE"])
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    written = 0
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])  # keys arrive form-encoded
        if not key.lower().endswith(IMAGE_SUFFIXES):
            continue
        size = S3.head_object(Bucket=bucket, Key=key)["ContentLength"]
        stem = key.rsplit(".", 1)[0]
        TABLE.put_item(
            Item={"image": f"s3://{bucket}/{key}", "thumbnail": f"{stem}.thumb.webp", "bytes": size}
        )
        written += 1
    return {"written": written}
