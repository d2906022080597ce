"""Reads and writes, advice per side-effect kind, time-derived items, per-request values,
and moto_state()'s S3 versions and Lambda Invoke calls (issue 17, part 17a)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_lambda._checks.idempotency.derived import (
    derived_pairs,
    per_request,
    response_changes,
)
from pytest_lambda._checks.idempotency.operations import advice, is_read, service
from pytest_lambda._checks.statediff import Change, diff, mask


@pytest.mark.parametrize(
    "point",
    [
        "dynamodb.GetItem", "dynamodb.BatchGetItem", "dynamodb.Query", "dynamodb.Scan",
        "dynamodb.DescribeTable", "s3.GetObject", "s3.HeadObject", "s3.ListObjectsV2",
        "s3.ListObjects", "sqs.ReceiveMessage", "sqs.GetQueueAttributes", "sqs.GetQueueUrl",
        "kinesis.GetRecords", "ssm.GetParameter", "secretsmanager.GetSecretValue",
        "unknownservice.DescribeThings",
    ],
)  # fmt: skip
def test_reads(point: str) -> None:
    assert is_read(point)


@pytest.mark.parametrize(
    "point",
    [
        "dynamodb.PutItem", "dynamodb.UpdateItem", "dynamodb.TransactWriteItems",
        "s3.PutObject", "s3.CopyObject", "sqs.SendMessage", "sqs.DeleteMessage",
        "sns.Publish", "lambda.Invoke", "events.PutEvents",
        "unknownservice.FrobnicateThing",  # unknown: counted as a write (the safe default)
        "store.get",  # a user fault point is a side effect, whatever its name
    ],
)  # fmt: skip
def test_writes(point: str) -> None:
    assert not is_read(point)


def test_service_of_a_point() -> None:
    assert service("sqs.SendMessage") == "sqs"
    assert service("app.db.insert_order") == ""
    assert service("store.put") == ""


def test_advice_fits_the_side_effect() -> None:
    assert "MessageDeduplicationId" in advice("sqs", "messageId")
    assert "DynamoDB" not in advice("sqs", "messageId")
    assert "ConditionExpression" not in advice("sqs", "messageId")
    assert "FIFO topic" in advice("sns", "messageId")
    assert "IfNoneMatch='*'" in advice("s3", "messageId")
    assert "the called function dedupe" in advice("lambda", "messageId")
    assert "Powertools' idempotency utility" in advice("dynamodb", "messageId")
    assert advice("", "messageId") == (
        "make the write conditional on messageId: e.g. DynamoDB put_item with "
        "ConditionExpression='attribute_not_exists(pk)', treating ConditionalCheckFailed "
        "as done, or an upsert keyed by it"
    )


# -- time-derived items --------------------------------------------------------------------

T0, T1 = "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:30+00:00"


def _item(ts: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"pk": f"at#{ts}", "order": "o-1", **(extra or {})}


def _changes(before: Any, after: Any) -> list[Change]:
    names = [("req-000001", "aws_request_id"), ("req-000002", "aws_request_id")]
    return diff(mask(before, names)[0], mask(after, names)[0])


def test_a_row_keyed_by_time_written_once_per_attempt_is_a_pair() -> None:
    before = {"audit": {f"pk=at#{T0}": _item(T0)}}
    after = {"audit": {f"pk=at#{T1}": _item(T1)}}
    rest, pairs, kinds = derived_pairs(_changes(before, after), ["req-000001", "req-000002"])
    assert rest == []
    assert len(pairs) == 1
    assert kinds == {"the invocation time"}


def test_a_genuine_second_row_is_still_an_added_item() -> None:
    before = {"audit": {f"pk=at#{T0}": _item(T0)}}
    after = {"audit": {f"pk=at#{T0}": _item(T0), f"pk=at#{T1}": _item(T1)}}
    rest, pairs, _ = derived_pairs(_changes(before, after), [])
    assert pairs == []
    assert [c.kind for c in rest] == ["added"]


def test_different_data_under_a_time_key_is_not_a_pair() -> None:
    before = {"audit": {f"pk=at#{T0}": _item(T0)}}
    after = {"audit": {f"pk=at#{T1}": _item(T1, {"order": "o-2"})}}
    rest, pairs, _ = derived_pairs(_changes(before, after), [])
    assert pairs == []
    assert sorted(c.kind for c in rest) == ["added", "removed"]


def test_a_row_keyed_by_the_request_id() -> None:
    before = {"t": {"req-000001": {"order": "o-1", "by": "req-000001"}}}
    after = {"t": {"req-000002": {"order": "o-1", "by": "req-000002"}}}
    _, pairs, kinds = derived_pairs(_changes(before, after), ["req-000001", "req-000002"])
    assert len(pairs) == 1
    assert kinds == {"the request id"}


def test_a_uuid_on_both_sides_is_not_evidence() -> None:
    uid = "5b4b9697-43bf-48f1-b326-f7c80c8e439a"
    before = {"t": {"k1": {"id": uid}}}
    after = {"t": {"k2": {"id": uid}}}
    _, pairs, _ = derived_pairs(_changes(before, after), [])
    assert pairs == []  # the same data under an unrelated key: not explained


# -- responses -----------------------------------------------------------------------------


def test_response_fields_are_paths_into_parsed_bodies() -> None:
    first = {"statusCode": 200, "body": json.dumps({"cart": {"count": 1}, "id": "a"})}
    second = {"statusCode": 200, "body": json.dumps({"cart": {"count": 2}, "id": "a"})}
    (change,) = response_changes(first, second, 0.0)
    assert change.path == "response['body']['cart']['count']"
    assert (change.before, change.after) == (1, 2)
    assert not per_request(change)


def test_per_request_values() -> None:
    cookie = "cartId={}; Path=/"
    a, b = "2858a33d-e24c-4b7b-bc51-ac85422a20a7", "02a1e578-98d7-4713-9190-4dc45b361587"
    assert per_request(Change("h", "changed", cookie.format(a), cookie.format(b)))
    assert per_request(Change("h", "changed", "req 0123456789abcdef01", "req fedcba98765432100f"))
    assert not per_request(Change("h", "changed", "total: 1", "total: 2"))
    assert not per_request(Change("h", "added", after=cookie.format(a)))


def test_a_returned_boto3_result_differs_per_request_only_in_its_metadata() -> None:
    """A GET that returns a DynamoDB query whole (ResponseMetadata included): moto's request
    ids and the HTTP date differ on every call, and were an idempotency error."""

    def answer(request_id: str, date: str) -> dict[str, object]:
        return {
            "statusCode": 200,
            "body": json.dumps({
                "Items": [{"pk": "o-1"}], "Count": 1,
                "ResponseMetadata": {
                    "RequestId": request_id, "HTTPStatusCode": 200, "RetryAttempts": 0,
                    "HTTPHeaders": {"date": date, "x-amzn-requestid": request_id},
                },
            }),
        }  # fmt: skip

    first = answer("A" * 52, "Tue, 08 Dec 2026 01:45:20 GMT")
    second = answer("B" * 52, "Tue, 08 Dec 2026 01:46:50 GMT")
    changes = response_changes(first, second, 0.0)
    assert changes
    assert all(per_request(c) for c in changes)
    assert per_request(Change("h", "changed", "Tue, 08 Dec 2026 01:45:20 GMT",
                              "Tue, 08 Dec 2026 01:46:50 GMT"))  # fmt: skip
    items = response_changes(answer("A", "x"), {**answer("A", "x"), "body": "{}"}, 0.0)
    assert not all(per_request(c) for c in items)  # the data itself still counts


# -- moto_state(): S3 versions and Lambda Invoke ----------------------------------------------


def test_versions_on_a_versioned_bucket_are_state_and_reset() -> None:
    pytest.importorskip("moto")
    import boto3
    from moto import mock_aws

    from pytest_lambda._checks.moto import moto_state

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="archive")
        s3.put_bucket_versioning(Bucket="archive", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="archive", Key="a.json", Body=b"1")
        observe, reset = moto_state()
        start = observe()
        assert start["s3"] == {"archive": {"a.json": ["c4ca4238a0b923820dcc509a6f75849b"]}}
        s3.put_object(Bucket="archive", Key="a.json", Body=b"1")
        s3.put_object(Bucket="archive", Key="b.json", Body=b"2")
        assert observe()["s3"]["archive"]["a.json"] == ["c4ca4238a0b923820dcc509a6f75849b"] * 2
        reset()
        assert observe() == start
        versions = s3.list_object_versions(Bucket="archive").get("Versions", [])
        assert [v["Key"] for v in versions] == ["a.json"]


def test_lambda_invoke_is_recorded_and_answered_without_docker() -> None:
    pytest.importorskip("moto")
    import boto3
    from moto import mock_aws

    from pytest_lambda._checks.moto import moto_state

    with mock_aws():
        client = boto3.client("lambda", region_name="us-east-1")
        observe, reset = moto_state()
        assert observe()["lambda"] == {}
        answer = client.invoke(FunctionName="worker", Payload=b'{"job": 1}')
        assert answer["StatusCode"] == 200
        assert json.loads(answer["Payload"].read()) == {}
        queued = client.invoke(
            FunctionName="arn:aws:lambda:us-east-1:123456789012:function:worker",
            InvocationType="Event",
            Payload=b'{"job": 2}',
        )
        assert queued["StatusCode"] == 202
        assert observe()["lambda"] == {"worker": [{"job": 1}, {"job": 2}]}
        reset()
        assert observe()["lambda"] == {}


def test_a_live_log_answers_nothing_outside_the_mock() -> None:
    """A moto_state() whose closures outlive its mock must not answer a later real call."""
    pytest.importorskip("moto")
    import boto3
    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError
    from moto import mock_aws

    from pytest_lambda._checks.moto import moto_state

    with mock_aws():
        observe, reset = moto_state()  # still alive after the mock
    client = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y",
        endpoint_url="http://127.0.0.1:9", config=Config(retries={"max_attempts": 0}),
    )  # fmt: skip
    with pytest.raises(EndpointConnectionError):  # the call went out; nothing answered it
        client.invoke(FunctionName="worker")
    assert observe()["lambda"] == {}
    del observe, reset


def test_a_response_field_that_is_not_random_is_an_error_showing_path_and_values() -> None:
    from pytest_lambda import events
    from pytest_lambda._checks.idempotency.check import check_idempotency

    visits = {"n": 0}

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        visits["n"] += 1  # a response that depends on how often the function ran
        body = {"greeting": "hello " * 40, "visits": visits["n"]}
        return {"statusCode": 200, "body": json.dumps(body)}

    report = check_idempotency(
        handler, events.apigw_v1(seed=1), observe=lambda: {}, reset=lambda: None
    )
    finding = report.errors[0]
    assert (finding.code, finding.severity) == ("idempotency.response-differs", "error")
    lines = finding.render(indent="").splitlines()
    assert lines[0] == (
        "[duplicate delivery, warm] the duplicate delivery's response is different "
        "(the state is the same)"
    )
    # the responses are cut at 160 characters, before "visits": the field is shown whole
    assert "visits" not in lines[2] + lines[3]
    start = lines.index("  responses differ at:")
    assert lines[start + 1] == "    ~ response['body']['visits']: 1 → 2"


def test_the_checks_mock_answers_invoke_and_moto_state_inside_it_records() -> None:
    pytest.importorskip("moto")
    import gc

    import boto3

    from pytest_lambda._checks.moto import moto_state
    from pytest_lambda._checks.moto_invokes import _current, _live
    from pytest_lambda._checks.moto_setup import mocked_aws

    with mocked_aws(None, "us-east-1", None):
        client = boto3.client("lambda", region_name="us-east-1")
        # no such function in moto, and no Docker: still answered, as in production
        assert client.invoke(FunctionName="worker", InvocationType="Event")["StatusCode"] == 202
        outer = _current()
        observe, reset = moto_state()
        client.invoke(FunctionName="worker", Payload=b"[1]")
        assert observe()["lambda"] == {"worker": [[1]]}
        del observe, reset
        gc.collect()  # logs of earlier tests left in reference cycles are garbage too
        assert _current() is outer  # moto_state's log is garbage: the mock's records again
    # the mock's log records no more; a log another test still holds (an xfail's traceback
    # keeps its frame's observe/reset alive) may be current, so the test does not ask for None
    gc.collect()
    assert _current() is not outer
    assert all(ref() is not outer for ref in _live)


def test_a_delivered_messages_receipt_handle_can_be_settled_inside_the_checks_mock() -> None:
    """Generated SQS events were never received from moto: their handles are in flight."""
    pytest.importorskip("moto")
    import boto3
    from botocore.exceptions import ClientError

    from pytest_lambda._checks.moto_setup import mocked_aws

    handle = "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a"
    with mocked_aws(None, "us-east-1", None):
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)  # moto alone: invalid
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=5)
        batch = sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": "1", "ReceiptHandle": handle}]
        )
        assert batch["Successful"] == [{"Id": "1"}]
        assert batch.get("Failed", []) == []
        with pytest.raises(ClientError, match=r"NonExistentQueue|QueueDoesNotExist"):
            sqs.delete_message(QueueUrl=url + "-missing", ReceiptHandle=handle)  # other errors stay
