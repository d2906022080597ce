"""Archives each message to S3 under a key derived from its messageId (modelled on S3
archiving samples); the bucket is versioned, so every put adds a version."""

from __future__ import annotations

from typing import Any

import boto3

S3 = boto3.client("s3")


def handler(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        S3.put_object(
            Bucket="archive", Key=f"messages/{record['messageId']}.json", Body=record["body"]
        )
