"""The ``eventbridge`` kind: variants, parameters, invariants, redelivery and failure records."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_lambda import (
    InvalidEventSpec,
    dead_letter_message,
    events,
    failure_destination_record,
    redeliver,
)
from pytest_lambda._checks.redeliver import same_request_id

T = "2026-11-22T10:17:42Z"


def test_custom_event_has_the_envelope_in_eventbridge_order() -> None:
    event = events.eventbridge(seed=1, time=T, region="eu-west-1", account_id="111122223333",
                               source="com.acme.orders", detail_type="OrderPlaced",
                               detail={"orderId": 7})  # fmt: skip
    assert list(event) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    ]  # fmt: skip
    assert event["version"] == "0"
    assert (event["source"], event["detail-type"]) == ("com.acme.orders", "OrderPlaced")
    assert (event["account"], event["region"], event["time"]) == ("111122223333", "eu-west-1", T)
    assert event["resources"] == []
    assert event["detail"] == {"orderId": 7}
    assert events.detect(event) == "eventbridge"


def test_scheduled_event_is_what_a_schedule_rule_sends() -> None:
    event = events.eventbridge(seed=2, variant="scheduled", rule="nightly", time=T,
                               region="eu-central-1", account_id="123456789012")  # fmt: skip
    assert event["source"] == "aws.events"
    assert event["detail-type"] == "Scheduled Event"
    assert event["resources"] == ["arn:aws:events:eu-central-1:123456789012:rule/nightly"]
    assert event["detail"] == {}
    assert event["time"] == "2026-11-22T10:17:00Z"  # a schedule fires on the minute


def test_s3_object_created_names_the_bucket_in_resources_and_detail() -> None:
    event = events.eventbridge(seed=3, variant="s3_object_created", bucket="uploads-1",
                               key="in/a b.csv", size=12, region="cn-north-1")  # fmt: skip
    assert (event["source"], event["detail-type"]) == ("aws.s3", "Object Created")
    assert event["resources"] == ["arn:aws-cn:s3:::uploads-1"]
    assert event["detail"]["bucket"] == {"name": "uploads-1"}
    assert (
        event["detail"]["object"]["key"] == "in/a b.csv"
    )  # not URL-encoded, unlike S3 notifications
    assert event["detail"]["object"]["size"] == 12
    assert event["detail"]["requester"] == event["account"]
    assert events.check_invariants(event) == []


def test_detail_schema_generates_the_detail() -> None:
    schema = {"type": "object", "required": ["n"], "properties": {"n": {"const": 5}}}
    assert events.eventbridge(seed=4, detail_schema=schema)["detail"]["n"] == 5


def test_replay_name_is_added() -> None:
    assert events.eventbridge(seed=5, replay_name="orders-replay")["replay-name"] == "orders-replay"


def test_same_seed_same_event() -> None:
    a = json.dumps(events.eventbridge(seed=9, variant="s3_object_created"))
    assert a == json.dumps(events.eventbridge(seed=9, variant="s3_object_created"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"source": "aws.orders"},
            "source='aws.orders': a custom event's source is 1-256 characters and may not start "
            "with 'aws.' (PutEvents refuses it); use variant='scheduled' or 's3_object_created' "
            "for AWS service events",
        ),
        (
            {"variant": "cron"},
            "variant='cron'; valid variants: custom, scheduled, s3_object_created, scheduler",
        ),
        (
            {"detail": [1]},
            "detail=[1]: EventBridge detail is a JSON object (a dict); wrap a scalar, e.g. "
            "detail={'value': ...}",
        ),
        (
            {"detail": {}, "detail_schema": {}},
            "detail and detail_schema both given; pass detail for a fixed object, or "
            "detail_schema to generate one",
        ),
        (
            {"variant": "scheduled", "bucket": "b"},
            "bucket does not apply to variant='scheduled'; it takes rule (and replay_name)",
        ),
        (
            {"variant": "scheduled", "rule": "a b"},
            "rule='a b': a rule name is 1-64 characters of letters, digits, '.', '-', '_'",
        ),
        ({"detail_type": ""}, "detail_type='': expected a str of 1-128 characters"),
        ({"resources": "arn:x"}, "resources='arn:x': expected a list of ARN strings"),
    ],
)
def test_bad_parameters_are_one_clear_line(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.eventbridge(seed=1, **params)
    assert str(info.value) == message


def test_time_must_be_to_the_second() -> None:
    with pytest.raises(events.EventValidationError) as info:
        events.eventbridge(seed=1, overrides={"time": "2026-11-22T10:17:42.123Z"})
    assert str(info.value).startswith(
        "eventbridge event invalid at time: '2026-11-22T10:17:42.123Z'"
    )


# ---- invariants, one per rule, word for word ----------------------------------------------------


def _scheduled(**overrides: Any) -> dict[str, Any]:
    return events.eventbridge(seed=1, variant="scheduled", rule="r1", region="us-east-1",
                              account_id="123456789012", overrides=overrides)  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"detail": {"x": 1}}, "a Scheduled Event has detail {}, not {'x': 1}"),
        (
            {"resources": []},
            "a Scheduled Event has exactly one resource (its rule's ARN), not []",
        ),
        (
            {"resources": ["arn:aws:sns:us-east-1:123456789012:t"]},
            "resources[0] 'arn:aws:sns:us-east-1:123456789012:t' is not an EventBridge rule ARN",
        ),
        (
            {"resources": ["arn:aws:events:us-east-1:999999999999:rule/r1"]},
            "resources[0] 'arn:aws:events:us-east-1:999999999999:rule/r1' is not in the event's "
            "region 'us-east-1' and account '123456789012'",
        ),
        ({"id": "ABCDEF00-0000-0000-0000-000000000000"}, None),  # the schema refuses it first
    ],
)
def test_scheduled_invariants(overrides: dict[str, Any], problem: str | None) -> None:
    if problem is None:
        with pytest.raises(events.EventValidationError):
            _scheduled(**overrides)
        return
    assert events.check_invariants(_scheduled(**overrides)) == [problem]


def test_region_override_moves_the_rule_arn() -> None:
    event = _scheduled(region="ap-south-1")
    assert event["resources"] == ["arn:aws:events:ap-south-1:123456789012:rule/r1"]
    assert events.check_invariants(event) == []


def test_s3_bucket_must_match_resources() -> None:
    event = events.eventbridge(seed=1, variant="s3_object_created", bucket="one",
                               overrides={"resources": ["arn:aws:s3:::two"]})  # fmt: skip
    assert events.check_invariants(event) == [
        "resources ['arn:aws:s3:::two'] is not ['arn:aws:s3:::one'] (the bucket in detail.bucket.name)"
    ]
    derived = events.eventbridge(
        seed=1, variant="s3_object_created", overrides={"detail.bucket.name": "three"}
    )
    assert derived["resources"] == ["arn:aws:s3:::three"]


def test_id_must_be_a_lower_case_uuid() -> None:
    event = events.eventbridge(seed=1)
    event["id"] = "not-a-uuid"
    assert events.check_invariants(event, "eventbridge") == [
        "id 'not-a-uuid' is not a lower-case UUID"
    ]


# ---- redelivery: asynchronous invocation and at-least-once delivery -----------------------------


def test_redelivery_is_the_same_event_and_the_retry_keeps_the_request_id() -> None:
    event = events.eventbridge(seed=1)
    again = redeliver(event)
    assert again == event
    assert again is not event
    assert same_request_id("eventbridge") is True


def test_failure_destination_record_carries_the_event_and_the_error() -> None:
    event = events.eventbridge(seed=1)
    error = {"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}
    record = failure_destination_record(event, error, request_id="r-1", time=T, seed=1)
    assert record == {
        "version": "1.0",
        "timestamp": "2026-11-22T10:17:42.000Z",
        "requestContext": {
            "requestId": "r-1",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": error,
    }
    with pytest.raises(InvalidEventSpec) as info:
        failure_destination_record(event, error, attempts=4)
    assert str(info.value) == (
        "attempts=4: Lambda invokes an async event 1 to 3 times (MaximumRetryAttempts 0-2)"
    )


def test_dead_letter_message_is_the_event_with_error_attributes() -> None:
    event = events.eventbridge(seed=1)
    msg = dead_letter_message(event, {"errorMessage": "x" * 2000}, request_id="r-2")
    assert json.loads(msg["body"]) == event
    attrs = msg["messageAttributes"]
    assert attrs["RequestID"]["StringValue"] == "r-2"
    assert attrs["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert len(attrs["ErrorMessage"]["StringValue"]) == 1024
