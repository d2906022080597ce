"""The ``firehose`` kind: the transformation event, its invariants and the response contract."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from pytest_lambda import InvalidEventSpec, events, redeliver
from pytest_lambda._checks.redeliver import next_delivery


def _ok(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "records": [
            {"recordId": r["recordId"], "result": "Ok", "data": r["data"]} for r in event["records"]
        ]
    }


def test_direct_put_event_shape() -> None:
    event = events.firehose(seed=1, records=2, stream="clicks", data={"a": 1},
                            region="eu-west-1", account_id="111122223333")  # fmt: skip
    assert list(event) == ["invocationId", "deliveryStreamArn", "region", "records"]
    assert event["deliveryStreamArn"] == (
        "arn:aws:firehose:eu-west-1:111122223333:deliverystream/clicks"
    )
    assert event["region"] == "eu-west-1"
    for rec in event["records"]:
        assert list(rec) == ["recordId", "approximateArrivalTimestamp", "data"]
        assert json.loads(base64.b64decode(rec["data"])) == {"a": 1}
        assert len(rec["recordId"]) == 62
        assert rec["recordId"].isdigit()
    assert events.detect(event) == "firehose"


def test_kinesis_source_adds_the_stream_and_the_record_metadata() -> None:
    event = events.firehose(seed=2, records=3, source="kinesis", source_stream="clicks")
    assert event["sourceKinesisStreamArn"].endswith(":stream/clicks")
    seqs = [int(r["kinesisRecordMetadata"]["sequenceNumber"]) for r in event["records"]]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3
    for rec in event["records"]:
        meta = rec["kinesisRecordMetadata"]
        assert meta["approximateArrivalTimestamp"] == rec["approximateArrivalTimestamp"]
        assert rec["recordId"] == meta["sequenceNumber"] + "000000"
    assert events.check_invariants(event) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"source": "s3"}, "source='s3'; valid sources: direct_put, kinesis"),
        ({"source_stream": "x"}, "source_stream applies to source='kinesis' only"),
        (
            {"stream": "a b"},
            "stream='a b': a stream name has 1 to 64 characters of [A-Za-z0-9_.-]",
        ),
    ],
)
def test_bad_parameters(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.firehose(seed=1, **params)
    assert str(info.value) == message


def test_invariant_region_is_the_delivery_streams() -> None:
    event = events.firehose(seed=1, region="us-east-1", overrides={"region": "us-east-2"})
    assert events.check_invariants(event) == [
        "region 'us-east-2' is not the delivery stream's region 'us-east-1'"
    ]


def test_invariant_kinesis_source_in_the_same_region_and_account() -> None:
    event = events.firehose(seed=1, source="kinesis", region="us-east-2", account_id="123456789012",
                            overrides={"sourceKinesisStreamArn":
                                       "arn:aws:kinesis:us-east-1:123456789012:stream/s"})  # fmt: skip
    assert events.check_invariants(event) == [
        "sourceKinesisStreamArn is in us-east-1/123456789012 but the delivery stream in "
        "us-east-2/123456789012; a Kinesis source is in the delivery stream's region and account"
    ]


def test_invariant_unique_record_ids_and_metadata_presence() -> None:
    event = events.firehose(seed=1, records=2)
    event["records"][1]["recordId"] = event["records"][0]["recordId"]
    rid = event["records"][0]["recordId"]
    assert events.check_invariants(event) == [
        f"records[1].recordId {rid!r} repeats an earlier record's"
    ]
    kin = events.firehose(seed=1, source="kinesis")
    del kin["sourceKinesisStreamArn"]
    assert events.check_invariants(kin) == [
        "records[0] has a kinesisRecordMetadata but the event has no sourceKinesisStreamArn"
    ]


def test_invariant_sequence_numbers_increase_per_shard() -> None:
    event = events.firehose(seed=1, records=2, source="kinesis")
    metas = [r["kinesisRecordMetadata"] for r in event["records"]]
    metas[1]["sequenceNumber"] = metas[0]["sequenceNumber"]
    assert events.check_invariants(event) == [
        f"records[1].kinesisRecordMetadata.sequenceNumber {metas[0]['sequenceNumber']} does not "
        "follow the previous record of shardId-000000000000"
    ]


# ---- the response contract ----------------------------------------------------------------------


def test_a_valid_response_has_no_problem() -> None:
    event = events.firehose(seed=1, records=3)
    assert events.check_firehose_response(event, _ok(event)) == []
    dropped = {
        "records": [{"recordId": r["recordId"], "result": "Dropped"} for r in event["records"]]
    }
    assert events.check_firehose_response(event, dropped) == []


def test_every_contract_breach_is_named() -> None:
    event = events.firehose(seed=1, records=3)
    ids = [r["recordId"] for r in event["records"]]
    response = {
        "records": [
            {"recordId": ids[0], "result": "OK", "data": "aGk="},
            {"recordId": ids[0], "result": "Ok", "data": "not base64!"},
            {"recordId": "nope", "result": "Ok", "data": "aGk="},
        ]
    }
    assert events.check_firehose_response(event, response) == [
        "records[0].result 'OK' is not one of Ok, Dropped, ProcessingFailed",
        "records[1].data 'not base64!' is not base64",
        "records[2].recordId 'nope' is not a recordId of the event",
        f"recordId {ids[0]!r} is answered 2 times",
        f"recordId {ids[1]!r} is missing from the response",
        f"recordId {ids[2]!r} is missing from the response",
    ]
    assert events.check_firehose_response(event, None) == [
        "the response is not an object with a 'records' list: 'None'"
    ]


def test_a_response_over_6_mb_is_refused() -> None:
    event = events.firehose(seed=1)
    big = base64.b64encode(b"x" * 4_800_000).decode()
    response = {
        "records": [{"recordId": event["records"][0]["recordId"], "result": "Ok", "data": big}]
    }
    problems = events.check_firehose_response(event, response)
    assert len(problems) == 1
    assert problems[0].endswith("bytes; Lambda returns at most 6291456")


# ---- redelivery ---------------------------------------------------------------------------------


def test_failed_invocation_redelivers_the_whole_buffer_with_a_new_invocation_id() -> None:
    event = events.firehose(seed=1, records=3)
    again = redeliver(event, failed=True)
    assert again["records"] == event["records"]
    assert again["invocationId"] != event["invocationId"]


def test_an_answered_buffer_is_not_retried() -> None:
    event = events.firehose(seed=1, records=2)
    failed = {"records": [{**r, "result": "ProcessingFailed"} for r in _ok(event)["records"]]}
    assert next_delivery(event, response=failed) is None  # failed records go to the error output
    broken = {"records": _ok(event)["records"][:1]}
    assert next_delivery(event, response=broken) is None  # a rejected answer: the same
    with pytest.raises(InvalidEventSpec) as info:
        redeliver(event, response=failed)
    assert str(info.value) == (
        "Firehose does not retry a buffer its function answered (ProcessingFailed records and "
        "the records of a rejected answer go to the error output); pass failed=True for the "
        "retry of an invocation that raised or timed out"
    )


def test_record_count_message_names_firehose() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.firehose(seed=1, records=0)
    assert str(info.value) == "records=0: a Firehose buffer holds 1 to 10000 records (an int)"
