"""moto set-up: the upload bucket with the CSV the notification names, and the output bucket."""

from __future__ import annotations

import boto3


def create() -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="reports-uploads")
    s3.create_bucket(Bucket="reports-processed")
    s3.put_object(Bucket="reports-uploads", Key="daily/sales 2026.csv", Body=b"sku,qty\na,1\nb,2\n")
