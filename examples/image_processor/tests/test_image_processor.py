"""Tests of the image processor: S3 events with awkward keys, S3 and DynamoDB under moto."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

pytestmark = pytest.mark.lambda_handler(
    "thumbnails.handler", root=Path(__file__).parents[1], env={"THUMBNAILS_TABLE": "thumbs"}
)
BUCKET = "uploads-example"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        boto3.client("dynamodb").create_table(
            TableName="thumbs",
            KeySchema=[{"AttributeName": "image", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "image", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield boto3.resource("dynamodb").Table("thumbs")


@pytest.mark.parametrize("key", ["photos/summer 2026/beach+sea.JPG", "photos/crème brûlée.png"])
def test_thumbnail_record_for_encoded_keys(aws, lambda_event, lambda_runner, key):
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"\x89PNG" + b"0" * 96)
    event = lambda_event.s3(bucket=BUCKET, key=key, size=100, region="us-east-1")

    result = lambda_runner.invoke(event)

    assert result.response == {"written": 1}
    item = aws.get_item(Key={"image": f"s3://{BUCKET}/{key}"})["Item"]
    assert item["thumbnail"] == key.rsplit(".", 1)[0] + ".thumb.webp"
    assert item["bytes"] == 100


def test_non_images_are_skipped(aws, lambda_event, lambda_runner):
    event = lambda_event.s3(bucket=BUCKET, key="docs/readme.txt")

    assert lambda_runner.invoke(event).response == {"written": 0}
    assert aws.scan()["Count"] == 0
