"""moto set-up: the versioned archive bucket."""

from __future__ import annotations

import boto3


def create() -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="archive")
    s3.put_bucket_versioning(Bucket="archive", VersioningConfiguration={"Status": "Enabled"})
