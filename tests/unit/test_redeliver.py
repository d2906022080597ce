"""redeliver(): what each source keeps and changes when it delivers again (docs/internals/runtime.md §7)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from pytest_lambda import InvalidEventSpec, events, redeliver
from pytest_lambda._checks.redeliver import (
    WHOLE_BATCH,
    failed_items,
    next_delivery,
    same_request_id,
)
from pytest_lambda._events._world import clf_time

QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
FIFO = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"


def sqs_record(mid: str, *, queue: str = QUEUE, group: str | None = None, seq: int = 0) -> dict:
    attrs = {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1715000000000",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": "1715000000050",
    }
    if group is not None:
        attrs |= {
            "SequenceNumber": str(18849496460467696128 + seq),
            "MessageGroupId": group,
            "MessageDeduplicationId": mid * 4,
        }
    return {
        "messageId": mid,
        "receiptHandle": "AQEB" + "x" * 150,
        "body": f'{{"id": "{mid}"}}',
        "attributes": attrs,
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue,
        "awsRegion": "us-east-1",
    }


def sqs_event(*ids: str) -> dict:
    return {"Records": [sqs_record(i) for i in ids]}


def fifo_event(*pairs: tuple[str, str]) -> dict:
    return {
        "Records": [
            sqs_record(mid, queue=FIFO, group=group, seq=n) for n, (mid, group) in enumerate(pairs)
        ]
    }


def kinesis_event(*seqs: str) -> dict:
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "pk",
                    "sequenceNumber": s,
                    "data": "eyJhIjoxfQ==",
                    "approximateArrivalTimestamp": 1715000000.123,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{s}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/r",
                "awsRegion": "us-east-1",
                "eventSourceARN": STREAM,
            }
            for s in seqs
        ]
    }


def failures(*ids: Any) -> dict:
    return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}


def mids(event: dict) -> list[str]:
    return [r["messageId"] for r in event["Records"]]


def seqs(event: dict) -> list[str]:
    return [r["kinesis"]["sequenceNumber"] for r in event["Records"]]


# -- SQS ---------------------------------------------------------------------------------


def test_sqs_keeps_identity_and_changes_receipt_handle_and_count() -> None:
    event = sqs_event("m1", "m2")
    again = redeliver(event)
    for old, new in zip(event["Records"], again["Records"], strict=True):
        assert new["receiptHandle"] != old["receiptHandle"]
        assert re.fullmatch(r"AQEB[A-Za-z0-9+/]+", new["receiptHandle"])
        assert len(new["receiptHandle"]) == len(old["receiptHandle"])
        assert new["attributes"]["ApproximateReceiveCount"] == "2"
        for field in ("messageId", "body", "md5OfBody", "messageAttributes", "eventSourceARN"):
            assert new[field] == old[field]
        for attr in ("SentTimestamp", "ApproximateFirstReceiveTimestamp", "SenderId"):
            assert new["attributes"][attr] == old["attributes"][attr]
    assert again["Records"][0]["receiptHandle"] != again["Records"][1]["receiptHandle"]


def test_sqs_attempt_adds_to_the_receive_count_and_input_is_not_mutated() -> None:
    event = sqs_event("m1")
    before = copy.deepcopy(event)
    assert redeliver(event, attempt=3)["Records"][0]["attributes"]["ApproximateReceiveCount"] == "4"
    assert event == before


def test_sqs_redelivery_is_deterministic_and_seed_dependent() -> None:
    event = sqs_event("m1")
    handle = redeliver(event)["Records"][0]["receiptHandle"]
    assert redeliver(event)["Records"][0]["receiptHandle"] == handle
    assert (
        redeliver(event, seed=1)["Records"][0]["receiptHandle"]
        == (redeliver(event, seed=1)["Records"][0]["receiptHandle"])
    )
    assert redeliver(event, seed=1)["Records"][0]["receiptHandle"] != handle
    assert redeliver(event, attempt=2)["Records"][0]["receiptHandle"] != handle


def test_sqs_fifo_fields_stay() -> None:
    event = fifo_event(("m1", "g1"))
    new = redeliver(event)["Records"][0]["attributes"]
    old = event["Records"][0]["attributes"]
    for attr in ("SequenceNumber", "MessageGroupId", "MessageDeduplicationId"):
        assert new[attr] == old[attr]


def test_sqs_partial_batch_redelivers_only_the_failed_messages() -> None:
    event = sqs_event("m1", "m2", "m3")
    assert mids(redeliver(event, response=failures("m2"))) == ["m2"]
    assert mids(redeliver(event, response=failures("m3", "m1"))) == ["m1", "m3"]


@pytest.mark.parametrize(
    "response",
    [
        failures(""),
        failures(None),
        failures("not-in-batch"),
        {"batchItemFailures": [{"itemIdentifer": "m1"}]},
        {"batchItemFailures": ["m1"]},
        {"batchItemFailures": "m1"},
    ],
    ids=["empty id", "null id", "unknown id", "wrong key", "bare string", "not a list"],
)
def test_sqs_invalid_partial_response_redelivers_the_whole_batch(response: object) -> None:
    event = sqs_event("m1", "m2")
    assert failed_items("sqs", event, response) == WHOLE_BATCH
    assert mids(redeliver(event, response=response)) == ["m1", "m2"]


@pytest.mark.parametrize(
    "response",
    [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, {"statusCode": 200}, "ok"],
)
def test_success_responses_redeliver_nothing(response: object) -> None:
    event = sqs_event("m1", "m2")
    assert next_delivery(event, response=response) is None or response is None
    if response is not None:
        with pytest.raises(InvalidEventSpec, match="redelivers nothing; pass response=None"):
            redeliver(event, response=response)


def test_an_exception_redelivers_the_whole_batch_whatever_the_response() -> None:
    event = sqs_event("m1", "m2")
    assert mids(redeliver(event, response=failures("m1"), failed=True)) == ["m1", "m2"]
    assert mids(redeliver(event, failed=True)) == ["m1", "m2"]


def test_fifo_partial_batch_is_per_group_from_the_first_failure_on() -> None:
    event = fifo_event(("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B"), ("a3", "A"), ("c1", "C"))
    # a2 failed: a2 and the later A message a3; group B and C untouched
    assert mids(redeliver(event, response=failures("a2"))) == ["a2", "a3"]
    # b1 and a3 failed: all later B messages and a3
    assert mids(redeliver(event, response=failures("a3", "b1"))) == ["b1", "b2", "a3"]
    # the redelivered FIFO messages keep their group and sequence numbers
    again = redeliver(event, response=failures("a2"))["Records"]
    assert [r["attributes"]["SequenceNumber"] for r in again] == [
        event["Records"][2]["attributes"]["SequenceNumber"],
        event["Records"][4]["attributes"]["SequenceNumber"],
    ]


# -- Kinesis -----------------------------------------------------------------------------


def test_kinesis_redelivers_the_same_records_byte_for_byte() -> None:
    event = kinesis_event("100", "200", "300")
    assert redeliver(event) == event
    assert redeliver(event, attempt=4) == event


def test_kinesis_partial_batch_restarts_at_the_lowest_failed_sequence_number() -> None:
    event = kinesis_event(
        "49590338271490256608559692538361571095921575989136588898",
        "49590338271490256608559692540925702759324208523137515618",
        "49590338271490256608559692560000000000000000000000000000",
    )
    lo, mid, hi = seqs(event)
    assert seqs(redeliver(event, kind="kinesis", response=failures(hi, mid))) == [mid, hi]
    assert seqs(redeliver(event, response=failures(lo))) == [lo, mid, hi]
    assert seqs(redeliver(event, response=failures(hi))) == [hi]


@pytest.mark.parametrize(
    "response",
    [
        failures(""),
        failures(None),
        {"batchItemFailures": [{"sequenceNumber": "200"}]},
        failures("abc"),
    ],
    ids=["empty", "null", "wrong key", "not a number"],
)
def test_kinesis_invalid_partial_response_redelivers_the_whole_batch(response: object) -> None:
    event = kinesis_event("100", "200")
    assert seqs(redeliver(event, response=response)) == ["100", "200"]


# -- asynchronous sources ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["s3", "sns"])
def test_async_sources_redeliver_the_identical_event_and_keep_the_request_id(kind: str) -> None:
    event = {"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": "k"}}}]}
    if kind == "sns":
        event = {"Records": [{"EventSource": "aws:sns", "Sns": {"MessageId": "x"}}]}
    again = redeliver(event, attempt=2)
    assert again == event
    assert again is not event
    assert same_request_id(kind)


@pytest.mark.parametrize("kind", ["sqs", "kinesis", "apigw_v1", "apigw_v2"])
def test_other_sources_get_a_new_request_id(kind: str) -> None:
    assert not same_request_id(kind)


# -- API Gateway -------------------------------------------------------------------------


def test_apigw_v1_client_retry_is_a_new_later_request() -> None:
    event = events.apigw_v1(seed=11, method="POST", body={"order": 1})
    again = redeliver(event)
    ctx, new = event["requestContext"], again["requestContext"]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", new["requestId"]
    )
    assert new["requestId"] != ctx["requestId"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{15}=", new["extendedRequestId"])
    assert new["extendedRequestId"] != ctx["extendedRequestId"]
    assert ctx["requestTimeEpoch"] + 1000 < new["requestTimeEpoch"] < ctx["requestTimeEpoch"] + 2000
    assert new["requestTime"] == clf_time(new["requestTimeEpoch"])
    for field in (
        "httpMethod",
        "path",
        "body",
        "resource",
        "queryStringParameters",
        "pathParameters",
    ):
        assert again[field] == event[field]
    changed = {k for k in event["headers"] if event["headers"][k] != again["headers"][k]}
    assert changed <= {"X-Amzn-Trace-Id", "X-Amz-Cf-Id"}
    assert "X-Amzn-Trace-Id" in changed
    assert events.check_invariants(again, "apigw_v1") == []


def test_apigw_v1_later_attempts_are_later_and_still_valid() -> None:
    event = events.apigw_v1(seed=3)
    third = redeliver(event, attempt=3)
    assert (
        third["requestContext"]["requestTimeEpoch"]
        >= event["requestContext"]["requestTimeEpoch"] + 3000
    )
    assert events.check_invariants(third, "apigw_v1") == []
    events.validate(third, "apigw_v1")


def test_apigw_v2_client_retry_is_a_new_later_request() -> None:
    event = events.apigw_v2(seed=5, method="PUT", body={"x": 1})
    again = redeliver(event)
    ctx, new = event["requestContext"], again["requestContext"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{15}=", new["requestId"])
    assert new["requestId"] != ctx["requestId"]
    assert new["timeEpoch"] > ctx["timeEpoch"]
    assert new["time"] == clf_time(new["timeEpoch"])
    assert new["http"] == ctx["http"]
    assert again["body"] == event["body"]
    root = again["headers"]["x-amzn-trace-id"]
    assert root.startswith(f"Root=1-{new['timeEpoch'] // 1000:08x}-")
    assert events.check_invariants(again, "apigw_v2") == []
    events.validate(again, "apigw_v2")


def test_generated_sqs_redelivery_stays_valid() -> None:
    event = events.sqs(seed=2, records=3)
    again = redeliver(event)
    events.validate(again, "sqs")
    assert events.check_invariants(again, "sqs") == []


# -- misuse ------------------------------------------------------------------------------


def test_unknown_event_needs_a_kind() -> None:
    with pytest.raises(
        InvalidEventSpec, match="cannot tell which source delivered this event; pass kind="
    ):
        redeliver({"hello": 1})


def test_bad_kind_and_attempt() -> None:
    with pytest.raises(InvalidEventSpec, match="unknown event kind 'sq'"):
        redeliver(sqs_event("m1"), kind="sq")
    with pytest.raises(InvalidEventSpec, match=r"attempt=0: expected an int >= 1"):
        redeliver(sqs_event("m1"), attempt=0)


# -- DynamoDB Streams --------------------------------------------------------------------


def ddb_seqs(event: dict) -> list[str]:
    return [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]


def test_dynamodb_redelivers_the_same_records_byte_for_byte() -> None:
    event = events.dynamodb(seed=3, records=4)
    assert redeliver(event) == event
    assert redeliver(event, attempt=3, failed=True) == event
    assert not same_request_id("dynamodb")


def test_dynamodb_partial_batch_restarts_at_the_lowest_failed_sequence_number() -> None:
    event = events.dynamodb(seed=3, records=4)
    s = ddb_seqs(event)
    assert ddb_seqs(redeliver(event, response=failures(s[3], s[1]))) == s[1:]
    assert ddb_seqs(redeliver(event, response=failures(s[0]))) == s
    assert next_delivery(event, response={"batchItemFailures": []}) is None


@pytest.mark.parametrize(
    "response",
    [failures(""), failures(None), {"batchItemFailures": [{"SequenceNumber": "1"}]}, failures("x")],
    ids=["empty", "null", "wrong key", "not a number"],
)
def test_dynamodb_invalid_partial_response_redelivers_the_whole_batch(response: object) -> None:
    event = events.dynamodb(seed=3, records=3)
    assert failed_items("dynamodb", event, response) == WHOLE_BATCH
    assert ddb_seqs(redeliver(event, response=response)) == ddb_seqs(event)


@pytest.mark.parametrize("kind", ["dynamodb", "kinesis"])
def test_bisect_on_function_error_retries_the_first_half(kind: str) -> None:
    event = events.generate(kind, seed=2, records=5)
    half = redeliver(event, failed=True, bisect=True)
    assert half["Records"] == event["Records"][:3]
    single = {"Records": event["Records"][:1]}
    assert redeliver(single, failed=True, bisect=True) == single


# -- issue 18: ALB, Function URL and WebSocket client retries --------------------------------


def test_alb_retry_is_the_same_request_with_a_later_trace_root():
    for multi in (False, True):
        event = events.alb(seed=4, multi_value_headers=multi)
        again = redeliver(event)
        field = "multiValueHeaders" if multi else "headers"
        old, new = event[field]["x-amzn-trace-id"], again[field]["x-amzn-trace-id"]
        old, new = (old[0], new[0]) if multi else (old, new)
        assert int(new[7:15], 16) > int(old[7:15], 16)
        rest = {k: v for k, v in again[field].items() if k != "x-amzn-trace-id"}
        assert rest == {k: v for k, v in event[field].items() if k != "x-amzn-trace-id"}
        assert {k: v for k, v in again.items() if k != field} == {
            k: v for k, v in event.items() if k != field
        }
        assert events.check_invariants(again) == []


def test_function_url_retry_has_a_new_uuid_request_id_and_a_later_time():
    event = events.function_url(seed=4)
    again = redeliver(event)
    old, new = event["requestContext"], again["requestContext"]
    assert new["requestId"] != old["requestId"]
    assert new["timeEpoch"] > old["timeEpoch"]
    assert (
        again["body" if "body" in event else "rawPath"]
        == event["body" if "body" in event else "rawPath"]
    )
    assert events.check_invariants(again) == []


def test_websocket_resent_frame_is_a_new_message_on_the_same_connection():
    event = events.websocket(seed=4, route="sendMessage")
    again = redeliver(event)
    old, new = event["requestContext"], again["requestContext"]
    assert new["connectionId"] == old["connectionId"]
    assert new["connectedAt"] == old["connectedAt"]
    assert new["messageId"] != old["messageId"]
    assert new["requestId"] == new["extendedRequestId"] != old["requestId"]
    assert new["requestTimeEpoch"] > old["requestTimeEpoch"]
    assert again["body"] == event["body"]
    assert events.check_invariants(again) == []
    assert not same_request_id("websocket")
