"""The ``cloudwatch_logs`` kind: the gzip envelope, DATA/CONTROL messages, ids and invariants."""

from __future__ import annotations

import base64
import gzip
import json
import zlib

import pytest

from pytest_lambda import InvalidEventSpec, events, redeliver
from pytest_lambda._checks.redeliver import same_request_id
from pytest_lambda._events._cloudwatch_logs import encode


def test_envelope_is_base64_of_gzip_of_the_payload() -> None:
    event = events.cloudwatch_logs(
        seed=1, log_group="/aws/lambda/orders", account_id="111122223333"
    )
    assert list(event) == ["awslogs"]
    raw = base64.b64decode(event["awslogs"]["data"])
    assert raw[:2] == b"\x1f\x8b"  # gzip
    payload = json.loads(gzip.decompress(raw))
    assert payload == events.decode_cloudwatch_logs(event)
    assert list(payload) == [
        "messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents",
    ]  # fmt: skip
    assert (payload["messageType"], payload["owner"]) == ("DATA_MESSAGE", "111122223333")
    assert payload["logGroup"] == "/aws/lambda/orders"
    assert events.detect(event) == "cloudwatch_logs"


def test_the_gzip_bytes_are_the_same_on_every_python() -> None:
    # gzip.compress() wrote OS byte 255 on 3.10 and 3.13, 3 on 3.11 and 3.12: a seeded event
    # (and the repository's samples) differed between Pythons. The header is fixed now.
    data = encode({"messageType": "CONTROL_MESSAGE", "logEvents": []})
    assert data == (
        "H4sIAAAAAAACA6tWyk0tLk5MTw2pLEhVslJy9vcLCfL3ifd1DQ52dHdV0lHKyU93LUvNKylWsoqOrQUATWsQOjAAAAA="
    )
    raw = base64.b64decode(data)
    assert raw[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"
    assert zlib.decompress(raw, wbits=31) == b'{"messageType":"CONTROL_MESSAGE","logEvents":[]}'


def test_log_event_ids_encode_timestamps_and_increase() -> None:
    payload = events.decode_cloudwatch_logs(events.cloudwatch_logs(seed=2, log_events=6))
    ids = [int(e["id"]) for e in payload["logEvents"]]
    assert ids == sorted(ids)
    assert all(len(e["id"]) == 56 for e in payload["logEvents"])
    assert [i >> 144 for i in ids] == [e["timestamp"] for e in payload["logEvents"]]


def test_messages_are_given_lines_or_realistic_ones() -> None:
    given = events.decode_cloudwatch_logs(events.cloudwatch_logs(seed=3, messages=["a", "b"]))
    assert [e["message"] for e in given["logEvents"]] == ["a", "b"]
    lines = events.decode_cloudwatch_logs(
        events.cloudwatch_logs(seed=3, log_events=4, log_format="lambda")
    )["logEvents"]
    assert lines[0]["message"].startswith("START RequestId: ")
    assert lines[-1]["message"].startswith("REPORT RequestId: ")
    logs = events.decode_cloudwatch_logs(
        events.cloudwatch_logs(seed=3, log_events=3, log_format="json")
    )["logEvents"]
    record = json.loads(logs[0]["message"])
    assert list(record)[:4] == ["level", "location", "message", "timestamp"]  # Powertools Logger
    assert record["cold_start"] is True


def test_control_message() -> None:
    payload = events.decode_cloudwatch_logs(
        events.cloudwatch_logs(seed=4, message_type="CONTROL_MESSAGE")
    )
    assert payload["owner"] == "CloudwatchLogs"
    assert (payload["logGroup"], payload["logStream"], payload["subscriptionFilters"]) == (
        "",
        "",
        [],
    )
    assert payload["logEvents"][0]["message"].startswith("CWL CONTROL MESSAGE: ")


def test_account_level_policy() -> None:
    event = events.cloudwatch_logs(seed=5, policy_level="ACCOUNT_LEVEL_POLICY")
    assert events.decode_cloudwatch_logs(event)["policyLevel"] == "ACCOUNT_LEVEL_POLICY"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"message_type": "DATA"}, "message_type='DATA'; valid: DATA_MESSAGE, CONTROL_MESSAGE"),
        ({"log_format": "xml"}, "log_format='xml'; valid: lambda, json, mixed"),
        ({"log_events": 0}, "log_events=0: expected an int from 1 to 10000"),
        ({"messages": []}, "messages=[]: expected a non-empty list of str"),
        (
            {"policy_level": "ORG"},
            "policy_level='ORG'; the only level is 'ACCOUNT_LEVEL_POLICY'",
        ),
    ],
)
def test_bad_parameters(params: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.cloudwatch_logs(seed=1, **params)
    assert str(info.value) == message


def _with(payload: dict[str, object]) -> dict[str, object]:
    return {"awslogs": {"data": encode(payload)}}


def test_invariant_ids_encode_the_timestamp() -> None:
    payload = events.decode_cloudwatch_logs(events.cloudwatch_logs(seed=6, log_events=2))
    first = payload["logEvents"][0]
    first["timestamp"] += 1
    assert events.check_invariants(_with(payload)) == [
        f"logEvents[0].id {first['id']} does not encode its timestamp {first['timestamp']} "
        "(id >> 144 is the timestamp in real deliveries)"
    ]


def test_invariant_ids_increase() -> None:
    payload = events.decode_cloudwatch_logs(events.cloudwatch_logs(seed=6, log_events=2))
    payload["logEvents"].reverse()
    problems = events.check_invariants(_with(payload))
    assert problems == ["logEvents[1].id does not increase after logEvents[0].id"]


def test_invariant_zlib_is_not_gzip() -> None:
    payload = events.decode_cloudwatch_logs(events.cloudwatch_logs(seed=7))
    data = base64.b64encode(zlib.compress(json.dumps(payload).encode())).decode()
    assert events.check_invariants({"awslogs": {"data": data}}) == [
        "awslogs.data is not base64 of gzip of JSON (BadGzipFile: Not a gzipped file (b'x\\x9c')); "
        "CloudWatch Logs sends base64(gzip(json))"
    ]


def test_invariant_payload_schema() -> None:
    payload = events.decode_cloudwatch_logs(events.cloudwatch_logs(seed=8))
    payload["subscriptionFilters"] = []
    assert events.check_invariants(_with(payload)) == [
        "the decoded awslogs.data is invalid at subscriptionFilters: [] should be non-empty"
    ]


def test_redelivery_is_the_same_delivery_as_an_async_retry() -> None:
    event = events.cloudwatch_logs(seed=9)
    assert redeliver(event) == event
    assert same_request_id("cloudwatch_logs") is True
