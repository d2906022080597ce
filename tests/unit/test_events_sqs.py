"""SQS events: schema, invariants (docs/internals/event-spec.md §1.2, §2.4, §7), parameters, overrides,
Powertools compatibility, AWS sample events and the Appendix A vectors."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import SnsNotificationModel, SqsModel

from pytest_lambda import events
from pytest_lambda._core.errors import ArgumentTypeError, EventValidationError, InvalidEventSpec
from pytest_lambda._events._sqs import md5_of_message_attributes
from pytest_lambda._events._world import World

SAMPLES = Path(__file__).parent.parent / "data" / "aws_samples"
ATTRS: dict[str, Any] = {"source": "checkout", "retries": 3, "ratio": 0.25, "blob": b"\x00\xff"}
ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["orderId", "total"],
    "properties": {
        "orderId": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
        "total": {"type": "integer", "minimum": 1, "maximum": 500},
    },
    "additionalProperties": False,
}

#: Parameter combinations swept over many seeds.
COMBOS: dict[str, dict[str, Any]] = {
    "default": {},
    "batch-attributes-trace": {"records": 7, "message_attributes": ATTRS, "trace_header": True},
    "fifo": {"fifo": True, "records": 10},
    "fifo-random-dedup-redelivered": {
        "queue": "o.fifo",
        "records": 4,
        "content_based_dedup": False,
        "receive_count": 3,
    },
    "sns-envelope": {
        "sns_envelope": {"subject": "Order"},
        "message_attributes": ATTRS,
        "records": 3,
    },
    "sns-envelope-fifo": {"sns_envelope": True, "fifo": True, "records": 3},
    "dlq": {"dlq_source": True, "records": 2, "trace_header": True},
    "dlq-fifo": {"dlq_source": True, "fifo": True, "records": 2},
}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def attrs_of(event: dict[str, Any], i: int = 0) -> dict[str, str]:
    out: dict[str, str] = event["Records"][i]["attributes"]
    return out


def broken(overrides: dict[str, Any], **params: Any) -> list[str]:
    """The invariants an event with these raw, unvalidated overrides breaks."""
    event = events.sqs(seed=5, overrides=overrides, validate=False, **params)
    return events.check_invariants(event, "sqs")


def joined(problems: list[str]) -> str:
    return "\n".join(problems)


# -- thousands of seeds ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "seeds"), [("default", 2000), *[(n, 300) for n in COMBOS][1:]])
def test_events_validate_and_keep_every_invariant_over_many_seeds(name: str, seeds: int) -> None:
    params = COMBOS[name]
    for seed in range(seeds):
        event = events.sqs(seed=seed, **params)
        assert events.validate(event, "sqs") == "sqs"
        assert events.check_invariants(event, "sqs") == [], (seed, params)


def test_powertools_parses_1000_events_across_combinations() -> None:
    parsed = 0
    for name, params in COMBOS.items():
        for seed in range(125):
            event = events.sqs(seed=seed, **params)
            model = SqsModel.model_validate(event)
            if "sns_envelope" in params:
                for record in model.Records:
                    assert isinstance(record.body, str)
                    note = SnsNotificationModel.model_validate_json(record.body)
                    assert note.TopicArn.endswith(".fifo") == bool(params.get("fifo")), name
            parsed += 1
    assert parsed == 1000


# -- Appendix A vectors ------------------------------------------------------------------------

NPM_VECTORS = {
    "attribName1": {"dataType": "String", "stringValue": "attribValue 1"},
    "customNumberTypeAttrib": {
        "dataType": "Number.float",
        "stringValue": "4563442423554324324264524243.32543234",
    },
    "binaryAttribute": {
        "dataType": "Binary",
        "binaryValue": base64.b64encode(b"Hello binary world!").decode(),
    },
}


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        (
            {"sample-attribute": {"dataType": "String", "stringValue": "sample-value"}},
            "7c815262be77a62f56671125069ca888",
        ),
        ({"attribName1": NPM_VECTORS["attribName1"]}, "19e27d4e946b072f3f58da80d94fd778"),
        (
            {"customNumberTypeAttrib": NPM_VECTORS["customNumberTypeAttrib"]},
            "9fe1b90bbd9965bdf77bac517c7d2495",
        ),
        ({"binaryAttribute": NPM_VECTORS["binaryAttribute"]}, "31a92b15d92f8db860eda32aceb656c3"),
        (NPM_VECTORS, "c932db14a896c663f83c260297d594ff"),
    ],
)
def test_md5_of_message_attributes_matches_the_appendix_a_vectors(
    attributes: dict[str, Any], expected: str
) -> None:
    assert md5_of_message_attributes(attributes) == expected


def test_appendix_a_vectors_through_the_generator() -> None:
    event = events.sqs(
        seed=1,
        body="Sample content.",
        message_attributes={"sample-attribute": "sample-value"},
    )
    record = event["Records"][0]
    assert record["md5OfBody"] == "b58e1d0a86521415d25b85b89f6ad6cd"
    assert record["md5OfMessageAttributes"] == "7c815262be77a62f56671125069ca888"
    custom = {
        "customNumberTypeAttrib": NPM_VECTORS["customNumberTypeAttrib"],
        "binaryAttribute": {"dataType": "Binary", "binaryValue": b"Hello binary world!"},
        "attribName1": "attribValue 1",
    }
    record = events.sqs(seed=2, body="Test message.", message_attributes=custom)["Records"][0]
    assert record["md5OfBody"] == "e4e68fb7bd0e697a0ae8f1bb342846b3"
    assert record["md5OfMessageAttributes"] == "c932db14a896c663f83c260297d594ff"


# -- §1.2 invariants, one test each ---------------------------------------------------------------


def test_md5_of_body_is_the_md5_of_the_utf8_body() -> None:
    for seed in range(50):
        for record in events.sqs(seed=seed, records=3, body="zoë ☃ 🎉" * (seed + 1))["Records"]:
            assert record["md5OfBody"] == md5(record["body"])
    problems = broken({"Records.0.md5OfBody": "0" * 32})
    assert any("Records[0].md5OfBody is '000" in p for p in problems), problems


def test_md5_of_message_attributes_present_iff_attributes_and_correct() -> None:
    plain = events.sqs(seed=3)["Records"][0]
    assert plain["messageAttributes"] == {}
    assert "md5OfMessageAttributes" not in plain
    record = events.sqs(seed=3, message_attributes=ATTRS)["Records"][0]
    assert record["md5OfMessageAttributes"] == md5_of_message_attributes(
        record["messageAttributes"]
    )
    keys = list(record)
    assert keys.index("messageAttributes") + 1 == keys.index("md5OfMessageAttributes")
    assert keys.index("md5OfMessageAttributes") + 1 == keys.index("md5OfBody")
    for attr in record["messageAttributes"].values():
        assert attr["stringListValues"] == []
        assert attr["binaryListValues"] == []
        assert ("stringValue" in attr) != ("binaryValue" in attr)
    assert "is missing" in joined(
        broken({"Records.0.md5OfMessageAttributes": events.DELETE}, message_attributes=ATTRS)
    )
    assert "but the SQS digest" in joined(
        broken({"Records.0.md5OfMessageAttributes": "f" * 32}, message_attributes=ATTRS)
    )
    assert "messageAttributes is empty" in joined(
        broken({"Records.0.md5OfMessageAttributes": "f" * 32})
    )


def test_message_attribute_values_map_to_sqs_types() -> None:
    record = events.sqs(seed=4, message_attributes=ATTRS)["Records"][0]
    got = {
        n: (a["dataType"], a.get("stringValue") or a.get("binaryValue"))
        for n, a in record["messageAttributes"].items()
    }
    assert got == {
        "source": ("String", "checkout"),
        "retries": ("Number", "3"),
        "ratio": ("Number", "0.25"),
        "blob": ("Binary", "AP8="),
    }
    full = {"price": {"DataType": "Number.float", "StringValue": "19.90"}}
    assert events.sqs(seed=4, message_attributes=full)["Records"][0]["messageAttributes"][
        "price"
    ] == {
        "stringValue": "19.90",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "Number.float",
    }


def test_arn_region_equals_aws_region_and_one_queue_per_event() -> None:
    event = events.sqs(seed=6, records=20, region="eu-central-1", account_id="123456789012")
    assert {r["eventSourceARN"] for r in event["Records"]} == {
        event["Records"][0]["eventSourceARN"]
    }
    for record in event["Records"]:
        assert record["eventSourceARN"].startswith("arn:aws:sqs:eu-central-1:123456789012:")
        assert record["awsRegion"] == "eu-central-1"
    assert "is in eu-central-1 but awsRegion" in joined(
        broken({"Records.0.awsRegion": "us-east-1"}, region="eu-central-1")
    )
    problems = broken(
        {"Records.1.eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:other"}, records=2
    )
    assert "Records come from 2 queues" in joined(problems)


def test_partitions_follow_the_region() -> None:
    record = events.sqs(seed=1, region="cn-north-1")["Records"][0]
    assert record["eventSourceARN"].startswith("arn:aws-cn:sqs:cn-north-1:")
    events.validate(events.sqs(seed=1, region="us-gov-west-1"), "sqs")


def test_time_flows_forward_up_to_the_invocation() -> None:
    now_ms = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    for seed in range(100):
        event = events.sqs(
            seed=seed, records=5, time="2026-01-01T00:00:00Z", sns_envelope=True, trace_header=True
        )
        for record in event["Records"]:
            a = record["attributes"]
            sent, first = int(a["SentTimestamp"]), int(a["ApproximateFirstReceiveTimestamp"])
            assert sent <= first <= now_ms
            sns_ms = events_timestamp_ms(json.loads(record["body"])["Timestamp"])
            assert sns_ms <= sent
            root_seconds = int(a["AWSTraceHeader"].split("-")[1], 16)
            assert root_seconds * 1000 <= sent
    problems = broken({"Records.0.attributes.ApproximateFirstReceiveTimestamp": "1000000000000"})
    assert "is before SentTimestamp" in joined(problems)


def events_timestamp_ms(iso: str) -> int:
    from datetime import datetime

    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_receive_count_at_least_one_and_redelivery_moves_first_receive_back() -> None:
    assert attrs_of(events.sqs(seed=1))["ApproximateReceiveCount"] == "1"
    now_ms = 1_767_225_600_000
    again = attrs_of(events.sqs(seed=1, receive_count=4, time=now_ms / 1000))
    assert again["ApproximateReceiveCount"] == "4"
    assert int(again["ApproximateFirstReceiveTimestamp"]) <= now_ms - 3 * 30_000
    assert "it starts at 1" in joined(broken({"Records.0.attributes.ApproximateReceiveCount": "0"}))
    # however often redelivered, a message is younger than the 14-day maximum retention
    ancient = events.sqs(seed=1, receive_count=10**7, time=now_ms / 1000)
    events.validate(ancient, "sqs")
    first = int(attrs_of(ancient)["ApproximateFirstReceiveTimestamp"])
    assert now_ms - 14 * 86_400_000 < first <= now_ms


def test_fifo_if_and_only_if_the_queue_name_ends_in_fifo() -> None:
    fifo_keys = {"SequenceNumber", "MessageGroupId", "MessageDeduplicationId"}
    for seed in range(30):
        fifo = events.sqs(seed=seed, fifo=True, records=3)
        for record in fifo["Records"]:
            assert record["eventSourceARN"].endswith(".fifo")
            assert fifo_keys <= set(record["attributes"])
            assert re.fullmatch(r"\d{20}", record["attributes"]["SequenceNumber"])
        standard = events.sqs(seed=seed, records=3)
        for record in standard["Records"]:
            assert not record["eventSourceARN"].endswith(".fifo")
            assert not fifo_keys & set(record["attributes"])
    assert "lacks SequenceNumber" in joined(
        broken({"Records.0.attributes.SequenceNumber": events.DELETE}, fifo=True)
    )
    assert "is not FIFO" in joined(broken({"Records.0.attributes.SequenceNumber": "1" * 20}))


def test_fifo_groups_arrive_in_send_order() -> None:
    seen_multi_group = False
    for seed in range(200):
        records = events.sqs(seed=seed, fifo=True, records=10)["Records"]
        by_group: dict[str, list[tuple[int, int]]] = {}
        for record in records:
            a = record["attributes"]
            by_group.setdefault(a["MessageGroupId"], []).append(
                (int(a["SequenceNumber"]), int(a["SentTimestamp"]))
            )
        seen_multi_group |= len(by_group) > 1
        for items in by_group.values():
            seqs = [s for s, _ in items]
            assert seqs == sorted(set(seqs)), seed  # strictly increasing
            sents = [t for _, t in items]
            assert sents == sorted(sents), seed
    assert seen_multi_group
    event = events.sqs(seed=8, fifo=True, records=2, group_id="g1")
    a0, a1 = attrs_of(event, 0), attrs_of(event, 1)
    problems = broken(
        {
            "Records.0.attributes.SequenceNumber": a1["SequenceNumber"],
            "Records.1.attributes.SequenceNumber": a0["SequenceNumber"],
        },
        fifo=True,
        records=2,
        group_id="g1",
    )
    assert "does not increase" in joined(problems)


def test_sequence_number_derives_from_sent_timestamp_like_real_ones() -> None:
    # Real: 2**64 + SentTimestamp * 256000 + k * 256 (AWS doc FIFO sample: k = 2).
    assert 2**64 + 1573251510774 * 256_000 + 2 * 256 == 18849496460467696128
    for record in events.sqs(seed=9, fifo=True, records=10)["Records"]:
        a = record["attributes"]
        offset = int(a["SequenceNumber"]) - 2**64 - int(a["SentTimestamp"]) * 256_000
        assert offset % 256 == 0
        assert 0 <= offset < 256_000


def test_content_based_dedup_is_sha256_of_the_body() -> None:
    for record in events.sqs(seed=2, fifo=True, records=5)["Records"]:
        assert (
            record["attributes"]["MessageDeduplicationId"]
            == hashlib.sha256(record["body"].encode()).hexdigest()
        )
    opaque = events.sqs(seed=2, fifo=True, records=5, content_based_dedup=False)["Records"]
    for record in opaque:
        dedup = record["attributes"]["MessageDeduplicationId"]
        assert dedup != hashlib.sha256(record["body"].encode()).hexdigest()
        assert 1 <= len(dedup) <= 128
    # A message moved to a FIFO dead-letter queue keeps its message id as dedup id.
    for record in events.sqs(seed=2, fifo=True, dlq_source=True, records=2)["Records"]:
        assert record["attributes"]["MessageDeduplicationId"] == record["messageId"]


def test_ids_and_receipt_handles_are_unique_and_realistic() -> None:
    records = events.sqs(seed=10, records=500)["Records"]
    assert len({r["messageId"] for r in records}) == 500
    assert len({r["receiptHandle"] for r in records}) == 500
    uuid4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    for record in records:
        assert uuid4.fullmatch(record["messageId"])
        handle = record["receiptHandle"]
        assert handle.startswith("AQEB")
        assert 150 <= len(handle) <= 400
        base64.b64decode(handle[4:], validate=True)
        assert re.fullmatch(r"(AIDA|AROA)[A-Z2-7]{17}(:[\w-]+)?", record["attributes"]["SenderId"])
    first_handle = events.sqs(seed=5, records=2)["Records"][0]["receiptHandle"]
    problems = broken({"Records.1.receiptHandle": first_handle}, records=2)
    assert "Records[1].receiptHandle repeats Records[0]'s" in joined(problems)


def test_trace_header_and_dead_letter_source() -> None:
    a = attrs_of(events.sqs(seed=3, trace_header=True))
    assert re.fullmatch(
        r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]", a["AWSTraceHeader"]
    )
    assert list(a)[:3] == ["ApproximateReceiveCount", "AWSTraceHeader", "SentTimestamp"]
    event = events.sqs(seed=3, dlq_source="orders", region="eu-west-1", account_id="123456789012")
    a = attrs_of(event)
    assert next(iter(a)) == "DeadLetterQueueSourceArn"
    assert a["DeadLetterQueueSourceArn"] == "arn:aws:sqs:eu-west-1:123456789012:orders"
    assert event["Records"][0]["eventSourceARN"].endswith(":orders-dlq")
    assert int(a["ApproximateReceiveCount"]) >= 2
    arn = "arn:aws:sqs:eu-west-1:123456789012:src"
    got = attrs_of(
        events.sqs(seed=3, dlq_source=arn, region="eu-west-1", account_id="123456789012")
    )
    assert got["DeadLetterQueueSourceArn"] == arn


# -- SNS envelope (§2.4) ---------------------------------------------------------------------------


def test_sns_envelope_is_pretty_printed_exactly_as_sns_writes_it() -> None:
    event = events.sqs(
        seed=11,
        body={"orderId": 1},
        sns_envelope={"topic": "orders", "subject": "New order"},
        message_attributes={"kind": "order", "n": 2},
        region="eu-west-1",
        account_id="123456789012",
    )
    record = event["Records"][0]
    body = record["body"]
    env = json.loads(body)
    assert list(env) == [
        "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes",
    ]  # fmt: skip
    lines = body.split("\n")
    assert lines[0] == "{"
    assert lines[-1] == "}"
    assert lines[1] == '  "Type" : "Notification",'
    assert lines[5] == '  "Message" : "{\\"orderId\\":1}",'
    assert '    "kind" : {"Type":"String","Value":"order"},' in lines
    assert '    "n" : {"Type":"Number","Value":"2"}' in lines
    assert env["TopicArn"] == "arn:aws:sns:eu-west-1:123456789012:orders"
    assert env["UnsubscribeURL"].startswith(
        "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
        "arn:aws:sns:eu-west-1:123456789012:orders:"
    )
    assert len(env["Signature"]) == 344
    assert env["Signature"].endswith("==")
    assert record["md5OfBody"] == md5(body)
    assert record["messageAttributes"] == {}
    assert "md5OfMessageAttributes" not in record
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", record["attributes"]["SenderId"])
    # no Subject / MessageAttributes keys when none
    bare = json.loads(events.sqs(seed=11, sns_envelope=True)["Records"][0]["body"])
    assert "Subject" not in bare
    assert "MessageAttributes" not in bare


def test_sns_fifo_envelope_has_no_signature_and_a_sequence_number() -> None:
    record = events.sqs(seed=12, sns_envelope=True, queue="orders.fifo")["Records"][0]
    env = json.loads(record["body"])
    assert list(env) == [
        "Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp", "UnsubscribeURL",
    ]  # fmt: skip
    assert env["TopicArn"].endswith(".fifo")
    assert re.fullmatch(r"\d{20}", env["SequenceNumber"])
    assert env["SequenceNumber"] != record["attributes"]["SequenceNumber"]
    problems = events.check_invariants(
        {
            "Records": [
                {**record, "body": record["body"].replace('"SequenceNumber"', '"Signature"')}
            ]
        },
        "sqs",
    )
    assert "FIFO topic envelope has Signature" in joined(problems)


def test_envelope_invariants_catch_timestamp_and_url_casing() -> None:
    event = events.sqs(seed=13, sns_envelope=True)
    record = event["Records"][0]
    env = json.loads(record["body"])
    late = record["body"].replace(env["Timestamp"], "2099-01-01T00:00:00.000Z")
    assert "is after the SQS SentTimestamp" in joined(broken({"Records.0.body": late}))
    wrong = record["body"].replace("UnsubscribeURL", "UnsubscribeUrl")
    assert "SNS writes UnsubscribeURL" in joined(broken({"Records.0.body": wrong}))


# -- determinism, parameters, errors --------------------------------------------------------------


@pytest.mark.parametrize("name", list(COMBOS))
def test_same_seed_same_json_and_different_seed_different(name: str) -> None:
    params = COMBOS[name]
    first = json.dumps(events.sqs(seed=42, **params))
    assert json.dumps(events.sqs(seed=42, **params)) == first
    assert json.dumps(events.sqs(seed=43, **params)) != first


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"records": 4}, lambda e: len(e["Records"]) == 4),
        ({"body": "hi"}, lambda e: e["Records"][0]["body"] == "hi"),
        ({"body": {"a": [1, "é"]}}, lambda e: e["Records"][0]["body"] == '{"a":[1,"é"]}'),
        ({"body": [1, 2], "records": 3}, lambda e: {r["body"] for r in e["Records"]} == {"[1,2]"}),
        (
            {"bodies": ["a", {"b": 1}]},
            lambda e: [r["body"] for r in e["Records"]] == ["a", '{"b":1}'],
        ),
        ({"queue": "orders"}, lambda e: e["Records"][0]["eventSourceARN"].endswith(":orders")),
        (
            {"fifo": True, "queue": "orders"},
            lambda e: e["Records"][0]["eventSourceARN"].endswith(":orders.fifo"),
        ),
        ({"fifo": True, "group_id": "g"}, lambda e: attrs_of(e)["MessageGroupId"] == "g"),
        (
            {"group_id": "fair"},
            lambda e: (
                attrs_of(e)["MessageGroupId"] == "fair" and "SequenceNumber" not in attrs_of(e)
            ),
        ),
        (
            {"fifo": True, "records": 2, "group_id": ["a", "b"]},
            lambda e: [attrs_of(e, i)["MessageGroupId"] for i in (0, 1)] == ["a", "b"],
        ),
        ({"message_attributes": {"k": "v"}}, lambda e: "k" in e["Records"][0]["messageAttributes"]),
        ({"receive_count": 7}, lambda e: attrs_of(e)["ApproximateReceiveCount"] == "7"),
        (
            {"sns_envelope": True},
            lambda e: json.loads(e["Records"][0]["body"])["Type"] == "Notification",
        ),
        (
            {"sns_envelope": {"signature_version": 2}},
            lambda e: json.loads(e["Records"][0]["body"])["SignatureVersion"] == "2",
        ),
        (
            {"fifo": True, "content_based_dedup": False},
            lambda e: len(attrs_of(e)["MessageDeduplicationId"]) == 36,
        ),
        ({"trace_header": True}, lambda e: "AWSTraceHeader" in attrs_of(e)),
        ({"dlq_source": "src"}, lambda e: attrs_of(e)["DeadLetterQueueSourceArn"].endswith(":src")),
        ({"region": "ap-south-1"}, lambda e: e["Records"][0]["awsRegion"] == "ap-south-1"),
        (
            {"account_id": "210987654321"},
            lambda e: ":210987654321:" in e["Records"][0]["eventSourceARN"],
        ),
        (
            {"time": "2025-03-04T05:06:07Z"},
            lambda e: int(attrs_of(e)["SentTimestamp"]) < 1741064767000,
        ),
    ],
)
def test_every_parameter_has_its_effect(params: dict[str, Any], check: Any) -> None:
    event = events.sqs(seed=21, **params)
    assert check(event), params
    assert events.check_invariants(event, "sqs") == []
    events.validate(event, "sqs")


def test_body_schema_generates_bodies_matching_the_user_schema() -> None:
    import jsonschema

    for seed in range(30):
        event = events.sqs(seed=seed, records=3, body_schema=ORDER_SCHEMA)
        for record in event["Records"]:
            jsonschema.validate(json.loads(record["body"]), ORDER_SCHEMA)
    enveloped = events.sqs(seed=1, body_schema=ORDER_SCHEMA, sns_envelope=True)
    message = json.loads(json.loads(enveloped["Records"][0]["body"])["Message"])
    jsonschema.validate(message, ORDER_SCHEMA)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"records": 0}, r"records=0"),
        ({"records": 11, "fifo": True}, r"records: 11 records; .* at most 10 .* FIFO"),
        ({"records": 10_001}, r"at most 10000"),
        ({"body": "x", "bodies": ["y"]}, r"body and bodies given together"),
        ({"body": "x", "body_schema": ORDER_SCHEMA}, r"body and body_schema"),
        ({"bodies": []}, r"bodies=\[\]"),
        ({"body": ""}, r"body: messages cannot be empty"),
        ({"bodies": ["a", ""]}, r"bodies\[1\]: messages cannot be empty"),
        ({"bodies": "abc"}, r"bodies: expected a list"),
        ({"bodies": ["a", "b"], "records": 3}, r"records=3 but bodies has 2"),
        ({"body": "bad\x00char"}, r"body: character '\\x00' at index 3"),
        ({"body": {1, 2}}, r"body: set value is not JSON-serialisable"),
        ({"body": float("nan")}, r"body: float value is not JSON-serialisable"),
        ({"body": b"\xff"}, r"body: bytes that are not UTF-8"),
        ({"body": "x" * 1_048_577}, r"body: 1048577 bytes"),
        ({"queue": "has space"}, r"queue='has space': queue names have 1-80"),
        ({"queue": "q" * 81}, r"queue='q+'"),
        ({"queue": "arn:aws:sqs:us-east-1:123456789012:q"}, r"pass the queue name only"),
        ({"queue": "q.fifo", "fifo": False}, r"fifo=False but queue='q.fifo'"),
        ({"fifo": True, "queue": "q" * 77}, r"with the .fifo suffix"),
        ({"group_id": "has space"}, r"group_id='has space'"),
        ({"group_id": ["a"], "records": 2}, r"one per record"),
        ({"message_attributes": ["a"]}, r"message_attributes: expected a dict"),
        ({"message_attributes": {"AWS.x": "v"}}, r"reserved"),
        ({"message_attributes": {"a..b": "v"}}, r"'\.\.'"),
        ({"message_attributes": {".a": "v"}}, r"start or end"),
        ({"message_attributes": {"a b": "v"}}, r"1-256 characters"),
        ({"message_attributes": {"a": True}}, r"booleans are ambiguous"),
        ({"message_attributes": {"a": ""}}, r"cannot be empty"),
        ({"message_attributes": {"a": float("inf")}}, r"must be finite"),
        ({"message_attributes": {"a": 10**200}}, r"38 significant digits"),
        ({"message_attributes": {f"a{i}": "v" for i in range(11)}}, r"11 attributes given"),
        (
            {"message_attributes": {"a": {"dataType": "Text", "stringValue": "v"}}},
            r"dataType='Text'",
        ),
        ({"message_attributes": {"a": {"dataType": "Binary", "stringValue": "v"}}}, r"binaryValue"),
        (
            {"message_attributes": {"a": {"dataType": "Binary", "binaryValue": "not b64!"}}},
            r"not base64",
        ),
        (
            {"message_attributes": {"a": {"dataType": "Number", "stringValue": "ten"}}},
            r"not a number",
        ),
        (
            {"message_attributes": {"a": {"dataType": "String", "stringValue": "v", "x": 1}}},
            r"unknown key",
        ),
        ({"receive_count": 0}, r"receive_count=0: ApproximateReceiveCount starts at 1"),
        ({"sns_envelope": "yes"}, r"sns_envelope='yes'"),
        ({"sns_envelope": {"topc": "x"}}, r"unknown option"),
        ({"sns_envelope": {"topic": "t.fifo"}}, r"FIFO topics deliver only to FIFO queues"),
        ({"sns_envelope": {"subject": "a\nb"}}, r"subject.*without line breaks"),
        ({"sns_envelope": {"subject": "s" * 100}}, r"1-99 characters"),
        ({"sns_envelope": {"signature_version": "3"}}, r"signature_version"),
        ({"sns_envelope": True, "body": "x" * 262_145}, r"262144"),
        ({"content_based_dedup": True}, r"content_based_dedup=True on a standard queue"),
        ({"dlq_source": 3}, r"dlq_source=3"),
        ({"dlq_source": "src.fifo"}, r"dlq_source='src.fifo' is a FIFO queue"),
        (
            {"dlq_source": "arn:aws:sqs:us-east-1:123456789012:q", "region": "eu-west-1"},
            r"same region and account",
        ),
        ({"dlq_source": "arn:aws:sns:eu-west-1:123456789012:q"}, r"not an SQS queue ARN"),
    ],
)
def test_bad_parameters_raise_invalid_event_spec_naming_them(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidEventSpec, match=message):
        events.sqs(seed=1, **params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"records": True}, "records=True: expected an int; an SQS event has at least 1 record"),
        ({"fifo": "yes"}, "fifo='yes': expected True or False"),
        (
            {"receive_count": "2"},
            "receive_count='2': expected an int; ApproximateReceiveCount starts at 1 "
            "(first delivery)",
        ),
        ({"trace_header": 1}, "trace_header=1: expected True or False"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_an_argument_type_error(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ArgumentTypeError) as info:
        events.sqs(seed=1, **params)
    assert isinstance(info.value, TypeError)
    assert str(info.value) == message


def test_unknown_parameter_is_a_type_error_listing_valid_ones() -> None:
    with pytest.raises(TypeError, match=r"'batch_size'.*valid parameters: .*body_schema.*records"):
        events.sqs(seed=1, batch_size=3)


def test_params_help_lists_every_parameter() -> None:
    assert set(events.params("sqs")) >= {
        "records", "body", "bodies", "queue", "fifo", "group_id", "message_attributes",
        "receive_count", "sns_envelope", "content_based_dedup", "trace_header", "dlq_source",
        "body_schema", "region", "account_id", "time",
    }  # fmt: skip


# -- overrides ---------------------------------------------------------------------------------------


def test_overrides_win_nested_and_dotted_and_dependents_follow() -> None:
    dotted = events.sqs(seed=7, records=2, overrides={"Records.1.body": "changed"})
    assert dotted["Records"][1]["body"] == "changed"
    assert dotted["Records"][1]["md5OfBody"] == md5("changed")
    nested = events.sqs(
        seed=7,
        overrides={"Records.0": {"body": "x", "attributes": {"ApproximateReceiveCount": "2"}}},
    )
    record = nested["Records"][0]
    assert record["body"] == "x"
    assert record["md5OfBody"] == md5("x")
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert "SenderId" in record["attributes"]  # merged, not replaced
    star = events.sqs(
        seed=7, records=3, overrides={"Records[*].attributes.ApproximateReceiveCount": "9"}
    )
    assert {attrs_of(star, i)["ApproximateReceiveCount"] for i in range(3)} == {"9"}


def test_overridden_dependent_fields_are_kept() -> None:
    event = events.sqs(
        seed=7, overrides={"Records.0.body": "x", "Records.0.md5OfBody": "0" * 32}, validate=False
    )
    assert event["Records"][0]["md5OfBody"] == "0" * 32
    assert events.check_invariants(event, "sqs")  # the user made it inconsistent on purpose


def test_attribute_overrides_recompute_or_drop_the_md5() -> None:
    new = {
        "k": {
            "stringValue": "v",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        }
    }
    added = events.sqs(seed=7, overrides={"Records.0.messageAttributes": new})["Records"][0]
    assert added["md5OfMessageAttributes"] == md5_of_message_attributes(new)
    assert list(added).index("md5OfMessageAttributes") == list(added).index("messageAttributes") + 1
    dropped = events.sqs(
        seed=7, message_attributes={"k": "v"}, overrides={"Records.0.messageAttributes": {}}
    )["Records"][0]
    assert "md5OfMessageAttributes" not in dropped


def test_content_dedup_and_region_follow_overrides() -> None:
    event = events.sqs(seed=7, fifo=True, overrides={"Records.0.body": "new body"})
    assert attrs_of(event)["MessageDeduplicationId"] == hashlib.sha256(b"new body").hexdigest()
    kept = events.sqs(
        seed=7, fifo=True, content_based_dedup=False, overrides={"Records.0.body": "b"}
    )
    assert attrs_of(kept)["MessageDeduplicationId"] != hashlib.sha256(b"b").hexdigest()
    moved = events.sqs(
        seed=7,
        region="us-east-1",
        overrides={"Records.0.eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q"},
    )
    assert moved["Records"][0]["awsRegion"] == "eu-west-1"


def test_bad_overrides_raise_with_the_path() -> None:
    with pytest.raises(
        EventValidationError,
        match=r"sqs event invalid at Records\[0\]\.attributes\.ApproximateReceiveCount: 1 is not of type 'string'",
    ):
        events.sqs(seed=1, overrides={"Records.0.attributes.ApproximateReceiveCount": 1})
    with pytest.raises(InvalidEventSpec, match=r"index 3 is out of range"):
        events.sqs(seed=1, overrides={"Records.3.body": "x"})


def test_validate_false_allows_malformed_events_and_derive_survives() -> None:
    for overrides in (
        {"Records.0.body": 123},
        {"Records.0.body": events.DELETE, "Records.0.attributes": "nope"},
        {"Records.0.messageAttributes": {"k": {"dataType": "String"}}},
        {"Records.0.messageAttributes": ["x"]},
        {"Records.0.eventSourceARN": None},
        {"Records.0": "not a record"},
        {"Records": {}},
    ):
        event = events.sqs(seed=1, fifo=True, overrides=overrides, validate=False)
        events.check_invariants(event, "sqs")  # must not crash either
    event = events.sqs(seed=1, overrides={"Records.0.body": 123}, validate=False)
    assert event["Records"][0]["body"] == 123


# -- AWS samples -------------------------------------------------------------------------------------

SAMPLE_FILES = sorted(SAMPLES.glob("sqs_*.json"))
#: Samples AWS actually produced (captured): they must keep every invariant too.
REAL = {
    "sqs_real_message_attributes.json",
    "sqs_real_sns_envelope.json",
    "sqs_doc_fifo.json",
    "sqs_doc_legacy.json",
}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_aws_samples_validate_and_parse(path: Path) -> None:
    sample = json.loads(path.read_text("utf-8"))
    assert events.validate(sample) == "sqs"
    SqsModel.model_validate(sample)
    if path.name in REAL:
        assert events.check_invariants(sample, "sqs") == []


def test_sample_defects_are_reported_by_invariants() -> None:
    doc = json.loads((SAMPLES / "sqs_doc_standard.json").read_text("utf-8"))
    assert events.check_invariants(doc, "sqs") == [
        "Records[0].md5OfMessageAttributes is missing but messageAttributes is not empty"
    ]
    dlq = json.loads((SAMPLES / "sqs_dlq_trigger.json").read_text("utf-8"))
    assert "md5(body) is '5eb63bbbe01eeed093cb22bb8f5acdc3'" in joined(
        events.check_invariants(dlq, "sqs")
    )


def test_known_fixture_defects_fail_the_schema() -> None:
    """§9: go/rust sqs-event.json puts values in the reserved list fields."""
    event = events.sqs(seed=1, message_attributes={"a": "v"}, validate=False)
    event["Records"][0]["messageAttributes"]["a"]["stringListValues"] = ["abc"]
    with pytest.raises(EventValidationError, match=r"messageAttributes\.a\.stringListValues"):
        events.validate(event, "sqs")


def test_envelope_helper_is_reusable_directly() -> None:
    from pytest_lambda._events._sns import sns_envelope_body

    world = World(3, region="us-west-2", account_id="123456789012")
    body = sns_envelope_body(world, "hello", topic="alerts", subject="S")
    env = json.loads(body)
    assert env["Message"] == "hello"
    assert env["Subject"] == "S"
    assert env["TopicArn"] == "arn:aws:sns:us-west-2:123456789012:alerts"
    assert events_timestamp_ms(env["Timestamp"]) <= world.now_ms


def test_explicit_defaults_give_the_default_event() -> None:
    explicit = {
        "records": 1,
        "body": None,
        "fifo": False,
        "trace_header": False,
        "sns_envelope": False,
    }
    for seed in range(20):
        assert json.dumps(events.sqs(seed=seed, **explicit)) == json.dumps(events.sqs(seed=seed))


def test_body_schema_may_be_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "order.schema.json"
    path.write_text(json.dumps(ORDER_SCHEMA), "utf-8")
    from_path = events.sqs(seed=3, body_schema=path)
    assert json.dumps(from_path) == json.dumps(events.sqs(seed=3, body_schema=str(path)))
    assert re.fullmatch(r"ORD-\d{6}", json.loads(from_path["Records"][0]["body"])["orderId"])


def test_default_message_is_the_compact_json_of_world_json_payload() -> None:
    from pytest_lambda._events._sns_envelope import COMPACT, default_message

    for seed in range(2000):
        assert default_message(World(seed)) == COMPACT.encode(World(seed).json_payload()), seed


def test_a_batch_over_the_6_mb_invocation_payload_is_refused() -> None:
    big = "x" * 700_000
    fits = events.sqs(seed=1, bodies=[big] * 8)  # about 5.6 MB
    assert len(json.dumps(fits, separators=(",", ":"))) < 6 * 1024 * 1024
    with pytest.raises(InvalidEventSpec, match=r"9 messages .* over the 6 MB Lambda invocation"):
        events.sqs(seed=1, bodies=[big] * 9)
