"""Upload indexer: records each new object's size and type in the photo catalogue (a copy in the
thumbnails bucket stands in for the catalogue entry). Decodes the key as S3 encodes it."""

from __future__ import annotations

import os
from urllib.parse import unquote_plus

import boto3

CATALOGUE = os.environ.get("CATALOGUE_BUCKET", "photos-thumbnails")
s3 = boto3.client("s3")


def handler(event, context):
    indexed = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        head = s3.head_object(Bucket=bucket, Key=key)
        s3.put_object(
            Bucket=CATALOGUE,
            Key=key,
            Body=f"{head['ContentLength']} {head.get('ContentType', '')}".encode(),
        )
        indexed.append(key)
    return {"indexed": len(indexed)}
