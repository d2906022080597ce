"""moto_state(): a plain snapshot of moto's DynamoDB, S3, SQS and SNS, and a reset to the start."""

from __future__ import annotations

import sys

import pytest

from pytest_lambda._checks.moto import MOTO_MISSING, moto_state


def test_observe_and_reset_cover_the_four_services(monkeypatch: pytest.MonkeyPatch) -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(TableName="orders", Item={"pk": {"S": "o-1"}, "qty": {"N": "1"}})
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="files")
        s3.put_object(Bucket="files", Key="a.txt", Body=b"hello")
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="out")["QueueUrl"]
        sns = boto3.client("sns")
        topic = sns.create_topic(Name="events")["TopicArn"]

        observe, reset = moto_state()
        start = observe()
        assert start == {
            "dynamodb": {"orders": {"pk=o-1": {"pk": "o-1", "qty": 1}}},
            "s3": {"files": {"a.txt": "5d41402abc4b2a76b9719d911017c592"}},
            "sqs": {"out": []},
            "sns": {"events": []},
            "lambda": {},
            "ses": {},
        }

        ddb.put_item(TableName="orders", Item={"pk": {"S": "o-1"}, "qty": {"N": "2.5"}})
        ddb.put_item(TableName="orders", Item={"pk": {"S": "o-2"}, "tags": {"SS": ["b", "a"]}})
        s3.put_object(Bucket="files", Key="a.txt", Body=b"changed")
        s3.put_object(Bucket="files", Key="b.txt", Body=b"new")
        sqs.send_message(QueueUrl=url, MessageBody="sent")
        sns.publish(TopicArn=topic, Message="published")
        s3.create_bucket(Bucket="created-later")
        changed = observe()
        assert changed["dynamodb"]["orders"] == {
            "pk=o-1": {"pk": "o-1", "qty": 2.5},
            "pk=o-2": {"pk": "o-2", "tags": ["a", "b"]},
        }
        assert set(changed["s3"]) == {"files", "created-later"}
        assert changed["sqs"] == {"out": ["sent"]}
        assert changed["sns"] == {"events": ["published"]}

        reset()
        assert observe() == start
        # the restored state is live: reads through boto3 agree
        assert ddb.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"]["qty"] == {
            "N": "1"
        }
        assert s3.get_object(Bucket="files", Key="a.txt")["Body"].read() == b"hello"
        assert "Messages" not in sqs.receive_message(QueueUrl=url)
        reset()  # reset twice is fine
        assert observe() == start


def test_a_clear_error_without_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)
    with pytest.raises(ImportError, match=r"pip install 'pytest-lambda-toolkit\[moto\]'"):
        moto_state()
    assert "pytest-lambda-toolkit[moto]" in MOTO_MISSING


def test_standard_queue_order_is_not_state_but_fifo_order_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        sqs = boto3.client("sqs")
        std = sqs.create_queue(QueueName="out")["QueueUrl"]
        fifo = sqs.create_queue(
            QueueName="out.fifo",
            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
        )["QueueUrl"]
        observe, reset = moto_state()
        states = []
        for order in (("b", "a"), ("a", "b")):
            reset()
            for body in order:
                sqs.send_message(QueueUrl=std, MessageBody=body)
                sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId="g")
            states.append(observe()["sqs"])
    assert states[0]["out"] == states[1]["out"] == ["a", "b"]
    assert states[0]["out.fifo"] == ["b", "a"]
    assert states[1]["out.fifo"] == ["a", "b"]


def test_ses_emails_are_observed_and_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        ses = boto3.client("ses")
        ses.verify_email_identity(EmailAddress="from@example.com")
        observe, reset = moto_state()
        assert observe()["ses"] == {}
        message = {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}
        for _ in range(2):  # a duplicate send is a second email: the list grows
            ses.send_email(
                Source="from@example.com",
                Destination={"ToAddresses": ["to@example.com"]},
                Message=message,
            )
        sent = {
            "subject": "Hi",
            "body": "Hello",
            "destinations": {"ToAddresses": ["to@example.com"]},
        }
        assert observe()["ses"] == {"from@example.com": [sent, sent]}
        reset()
        assert observe()["ses"] == {}
