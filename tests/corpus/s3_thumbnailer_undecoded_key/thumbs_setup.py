"""The buckets of the thumbnailer and the photo the generated events name (inside moto)."""

from __future__ import annotations

import boto3


def create() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for bucket in ("photos-uploads", "photos-thumbnails"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="photos-uploads", Key="uploads/cat.jpg", Body=b"\xff\xd8\xff\xe0 jpeg")
