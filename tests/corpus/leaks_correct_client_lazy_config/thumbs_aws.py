"""moto set-up: the index bucket."""

from __future__ import annotations

import boto3


def create():
    boto3.client("s3").create_bucket(Bucket="thumb-index")
