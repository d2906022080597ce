"""Thumbnailer: on each upload to the photos bucket, writes a smaller copy to the thumbnails bucket.

Bug: the object key is used as the event carries it. S3 form-encodes keys in event
notifications ('my photo.jpg' arrives as 'my+photo.jpg'), so every upload whose name has a
space, a '+' or a non-ASCII character fails with NoSuchKey.
"""

from __future__ import annotations

import os

import boto3

THUMBNAILS = os.environ.get("THUMBNAIL_BUCKET", "photos-thumbnails")
s3 = boto3.client("s3")


def _shrink(data: bytes) -> bytes:
    return data[: max(1, len(data) // 4)]  # stands in for a Pillow resize


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]  # not unquote_plus-decoded
        original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        s3.put_object(Bucket=THUMBNAILS, Key=key, Body=_shrink(original), ContentType="image/jpeg")
    return {"thumbnails": len(event["Records"])}
