"""The template's resources created in moto under the names the functions' environment holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_lambda._template.app import load_app
from pytest_lambda._template.aws import create_resources
from pytest_lambda._template.load import TemplateError

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

DATA = Path(__file__).parents[1] / "data" / "templates"


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")


def test_sam_tables_queues_and_buckets() -> None:
    app = load_app(DATA / "sam" / "template.yaml")
    env = app.function("OrdersWorkerFunction").env
    with moto.mock_aws():
        assert create_resources(app, "us-east-1") == [
            "AWS::SQS::Queue orders-dlq-dev",  # the dead-letter queue first
            "AWS::SQS::Queue local-stack-OrdersQueue-9DE87F3D4DC3",
            "AWS::DynamoDB::Table orders-dev",
            "AWS::S3::Bucket local-stack-receiptsbucket-99debfa41dd7",
        ]
        table = boto3.client("dynamodb", region_name="us-east-1").describe_table(
            TableName=env["TABLE_NAME"]
        )["Table"]
        assert [k["AttributeName"] for k in table["KeySchema"]] == ["orderId", "createdAt"]
        assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "byCustomer"
        assert table["StreamSpecification"] == {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = app.function("OrdersApiFunction").env["QUEUE_URL"]
        redrive = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        assert json.loads(redrive["Attributes"]["RedrivePolicy"]) == {
            "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:orders-dlq-dev",
            "maxReceiveCount": 3,
        }
        boto3.client("s3", region_name="us-east-1").head_bucket(Bucket=env["BUCKET"])


def test_fifo_queue_topic_and_stream_in_another_region() -> None:
    app = load_app(DATA / "cfn" / "template.yaml")
    with moto.mock_aws():
        assert create_resources(app, "eu-west-1") == [
            "AWS::SQS::Queue jobs.fifo",
            "AWS::Kinesis::Stream ingest-clicks",
            "AWS::SNS::Topic ingest-alerts",
        ]
        sqs = boto3.client("sqs", region_name="eu-west-1")
        url = sqs.get_queue_url(QueueName="jobs.fifo")["QueueUrl"]
        fifo = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoQueue"])
        assert fifo["Attributes"]["FifoQueue"] == "true"
        kinesis = boto3.client("kinesis", region_name="eu-west-1")
        assert kinesis.list_streams()["StreamNames"] == ["ingest-clicks"]


def test_a_resource_moto_refuses_names_it(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"T": {"Type": "AWS::DynamoDB::Table",
                                                    "Properties": {"TableName": "t"}}}}))  # fmt: skip
    with moto.mock_aws(), pytest.raises(TemplateError) as info:
        create_resources(load_app(path), "us-east-1")
    assert str(info.value) == (
        f"{path}: Resources.T: cannot be created in moto: KeyError: 'KeySchema'"
    )


def test_serverless_resources_are_created() -> None:
    app = load_app(DATA / "serverless" / "serverless.yml")
    with moto.mock_aws():
        assert create_resources(app, "us-east-1") == [
            "AWS::SQS::Queue billing-dev-JobsQueue-65D0321E28AD",
            "AWS::DynamoDB::Table billing-dev-invoices",
        ]
