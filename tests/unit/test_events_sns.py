"""SNS events: schema, invariants (docs/internals/event-spec.md §2.2, §7), parameters, overrides,
Powertools compatibility and the AWS documentation sample."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import SnsModel

from pytest_lambda import events
from pytest_lambda._core.errors import ArgumentTypeError, EventValidationError, InvalidEventSpec

SAMPLES = Path(__file__).parent.parent / "data" / "aws_samples"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["alarm", "level"],
    "properties": {
        "alarm": {"type": "string", "minLength": 3, "maxLength": 12},
        "level": {"enum": ["low", "high"]},
    },
    "additionalProperties": False,
}
COMBOS: dict[str, dict[str, Any]] = {
    "default": {},
    "subject-attributes": {
        "subject": "Order shipped",
        "message_attributes": {"kind": "order", "count": 3, "ratio": 1.5, "raw": b"\x01\x02"},
    },
    "text-v2": {"message": "plain text ✓", "signature_version": "2"},
    "schema-topic": {"message_schema": SCHEMA, "topic": "alarms"},
}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def sns_of(event: dict[str, Any]) -> dict[str, Any]:
    note: dict[str, Any] = event["Records"][0]["Sns"]
    return note


def broken(overrides: dict[str, Any], **params: Any) -> list[str]:
    event = events.sns(seed=5, overrides=overrides, validate=False, **params)
    return events.check_invariants(event, "sns")


def ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


# -- thousands of seeds ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "seeds"), [("default", 2000), *[(n, 500) for n in COMBOS][1:]])
def test_events_validate_and_keep_every_invariant_over_many_seeds(name: str, seeds: int) -> None:
    params = COMBOS[name]
    for seed in range(seeds):
        event = events.sns(seed=seed, **params)
        assert events.validate(event, "sns") == "sns"
        assert events.check_invariants(event, "sns") == [], (seed, params)


def test_powertools_parses_1000_events_across_combinations() -> None:
    for params in COMBOS.values():
        for seed in range(250):
            model = SnsModel.model_validate(events.sns(seed=seed, **params))
            assert model.Records[0].Sns.Type == "Notification"


# -- structure and §2.2 invariants -----------------------------------------------------------------


def test_real_key_order_one_record_and_url_casing() -> None:
    event = events.sns(seed=1)
    assert len(event["Records"]) == 1
    record = event["Records"][0]
    assert list(record) == ["EventSource", "EventVersion", "EventSubscriptionArn", "Sns"]
    assert list(record["Sns"]) == [
        "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes",
    ]  # fmt: skip
    assert record["EventVersion"] == "1.0"
    assert record["Sns"]["Subject"] is None
    assert record["Sns"]["MessageAttributes"] == {}
    assert "exactly one" in "\n".join(events.check_invariants({"Records": [record, record]}, "sns"))


def test_subscription_arn_is_topic_arn_plus_a_uuid() -> None:
    for seed in range(100):
        record = events.sns(seed=seed)["Records"][0]
        topic = record["Sns"]["TopicArn"]
        assert re.fullmatch(re.escape(topic) + ":" + UUID, record["EventSubscriptionArn"])
    problems = broken({"Records.0.EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:x:1"})
    assert any("is not Sns.TopicArn" in p for p in problems), problems


def test_unsubscribe_url_embeds_the_subscription_and_urls_share_the_region() -> None:
    event = events.sns(seed=2, region="ap-southeast-2", account_id="123456789012", topic="t")
    record = event["Records"][0]
    note = record["Sns"]
    assert note["TopicArn"] == "arn:aws:sns:ap-southeast-2:123456789012:t"
    assert note["UnsubscribeUrl"] == (
        "https://sns.ap-southeast-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
        + record["EventSubscriptionArn"]
    )
    assert re.fullmatch(
        r"https://sns\.ap-southeast-2\.amazonaws\.com/SimpleNotificationService-[0-9a-f]{32}\.pem",
        note["SigningCertUrl"],
    )
    url = note["UnsubscribeUrl"].replace("ap-southeast-2", "eu-west-1", 1)
    problems = broken({"Records.0.Sns.UnsubscribeUrl": url}, region="ap-southeast-2")
    assert any("served from eu-west-1 but TopicArn is in ap-southeast-2" in p for p in problems)
    other = "https://sns.ap-southeast-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"
    problems = broken({"Records.0.Sns.UnsubscribeUrl": other}, region="ap-southeast-2")
    assert any("does not embed EventSubscriptionArn" in p for p in problems)


def test_china_partition_hosts_and_arns() -> None:
    note = sns_of(events.sns(seed=3, region="cn-north-1"))
    assert note["TopicArn"].startswith("arn:aws-cn:sns:cn-north-1:")
    assert note["UnsubscribeUrl"].startswith("https://sns.cn-north-1.amazonaws.com.cn/")
    assert events.check_invariants(events.sns(seed=3, region="cn-north-1"), "sns") == []


def test_timestamp_is_before_the_invocation_and_ids_are_realistic() -> None:
    now = 1_767_225_600_000
    for seed in range(100):
        note = sns_of(events.sns(seed=seed, time=now / 1000))
        assert now - 5000 < ms(note["Timestamp"]) <= now
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
            note["MessageId"],
        )
        assert len(base64.b64decode(note["Signature"], validate=True)) == 256


def test_attributes_for_lambda_are_string_or_binary() -> None:
    note = sns_of(events.sns(seed=4, **COMBOS["subject-attributes"]))
    assert note["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "order"},
        "count": {"Type": "String", "Value": "3"},
        "ratio": {"Type": "String", "Value": "1.5"},
        "raw": {"Type": "Binary", "Value": "AQI="},
    }
    explicit = {
        "n": {"Type": "Number", "Value": "5"},
        "p": {"DataType": "Number", "StringValue": "7"},
    }
    got = sns_of(events.sns(seed=4, message_attributes=explicit))["MessageAttributes"]
    assert got == {"n": {"Type": "Number", "Value": "5"}, "p": {"Type": "String", "Value": "7"}}
    problems = broken(
        {"Records.0.Sns.MessageAttributes.raw.Value": "not base64!"},
        message_attributes={"raw": b"x"},
    )
    assert any("is Binary but not base64" in p for p in problems)


# -- determinism and parameters -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(COMBOS))
def test_same_seed_same_json_and_different_seed_different(name: str) -> None:
    first = json.dumps(events.sns(seed=42, **COMBOS[name]))
    assert json.dumps(events.sns(seed=42, **COMBOS[name])) == first
    assert json.dumps(events.sns(seed=43, **COMBOS[name])) != first


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"message": "hi"}, lambda n: n["Message"] == "hi"),
        ({"message": {"a": [1, "é"]}}, lambda n: n["Message"] == '{"a":[1,"é"]}'),
        ({"message": 5}, lambda n: n["Message"] == "5"),
        ({"message": b"bytes"}, lambda n: n["Message"] == "bytes"),
        ({"subject": "Hello"}, lambda n: n["Subject"] == "Hello"),
        ({"topic": "alerts"}, lambda n: n["TopicArn"].endswith(":alerts")),
        ({"topic": "alerts.fifo"}, lambda n: n["TopicArn"].endswith(":alerts.fifo")),
        ({"message_attributes": {"k": "v"}}, lambda n: n["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}),
        ({"signature_version": "2"}, lambda n: n["SignatureVersion"] == "2"),
        ({"signature_version": 1}, lambda n: n["SignatureVersion"] == "1"),
        ({"region": "eu-north-1"}, lambda n: ":eu-north-1:" in n["TopicArn"]),
        ({"account_id": "210987654321"}, lambda n: ":210987654321:" in n["TopicArn"]),
        ({"time": "2025-03-04T05:06:07Z"}, lambda n: n["Timestamp"].startswith("2025-03-04T05:0")),
    ],
)  # fmt: skip
def test_every_parameter_has_its_effect(params: dict[str, Any], check: Any) -> None:
    event = events.sns(seed=21, **params)
    assert check(sns_of(event)), params
    assert events.check_invariants(event, "sns") == []
    events.validate(event, "sns")


def test_message_schema_generates_matching_messages() -> None:
    import jsonschema

    for seed in range(50):
        message = json.loads(sns_of(events.sns(seed=seed, message_schema=SCHEMA))["Message"])
        jsonschema.validate(message, SCHEMA)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"message": "x", "message_schema": SCHEMA}, r"message and message_schema both given"),
        ({"message": {1, 2}}, r"message: set value is not JSON-serialisable"),
        ({"message": ""}, r"message: messages cannot be empty"),
        ({"message": "a\x01"}, r"message: character '\\x01'"),
        ({"message": "x" * 262_145}, r"message: 262145 bytes; .* at most 262144"),
        ({"subject": ""}, r"subject='': SNS subjects are 1-99 characters"),
        ({"subject": "s" * 100}, r"1-99 characters"),
        ({"subject": "two\nlines"}, r"without line breaks"),
        ({"topic": "bad topic"}, r"topic='bad topic': topic names have 1-256"),
        ({"topic": "t" * 257}, r"topic names have 1-256"),
        ({"topic": "arn:aws:sns:us-east-1:123456789012:t"}, r"pass the topic name only"),
        ({"topic": 7}, r"topic=7"),
        ({"signature_version": "3"}, r"signature_version='3'"),
        ({"signature_version": True}, r"signature_version=True"),
        ({"message_attributes": "k=v"}, r"message_attributes: expected a dict"),
        ({"message_attributes": {"Amazon.x": "v"}}, r"reserved"),
        ({"message_attributes": {"k": None}}, r"expected str, int, float, bytes"),
        ({"message_attributes": {"k": {"Type": "Text", "Value": "v"}}}, r"Type='Text'"),
        ({"message_attributes": {"k": {"Type": "String", "Value": 3}}}, r"Value must be a str"),
        ({"message_attributes": {"k": {"Type": "Binary", "Value": "!!"}}}, r"not base64"),
        ({"message_attributes": {"k": {"Type": "String", "Value": "v", "X": 1}}}, r"exactly Type and Value"),
    ],
)  # fmt: skip
def test_bad_parameters_raise_invalid_event_spec_naming_them(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidEventSpec, match=message):
        events.sns(seed=1, **params)


def test_unknown_parameter_is_a_type_error_listing_valid_ones() -> None:
    with pytest.raises(TypeError, match=r"'records'.*valid parameters: .*message_schema.*topic"):
        events.sns(seed=1, records=2)


# -- overrides --------------------------------------------------------------------------------------


def test_overrides_win_and_dependent_urls_follow_the_topic() -> None:
    topic = "arn:aws:sns:eu-west-1:123456789012:renamed"
    event = events.sns(seed=6, region="us-east-1", overrides={"Records.0.Sns.TopicArn": topic})
    record = event["Records"][0]
    assert record["Sns"]["TopicArn"] == topic
    assert re.fullmatch(re.escape(topic) + ":" + UUID, record["EventSubscriptionArn"])
    assert record["Sns"]["UnsubscribeUrl"].endswith(
        "SubscriptionArn=" + record["EventSubscriptionArn"]
    )
    assert record["Sns"]["UnsubscribeUrl"].startswith("https://sns.eu-west-1.amazonaws.com/")
    assert record["Sns"]["SigningCertUrl"].startswith("https://sns.eu-west-1.amazonaws.com/")
    assert events.check_invariants(event, "sns") == []
    nested = events.sns(seed=6, overrides={"Records": [{"EventSource": "aws:sns"}]}, validate=False)
    assert nested["Records"][0]["EventSource"] == "aws:sns"
    assert nested["Records"][0]["Sns"] == sns_of(events.sns(seed=6))
    merged = events.sns(seed=6, overrides={"Records.0.Sns": {"Subject": "S", "Message": "m"}})
    assert (sns_of(merged)["Subject"], sns_of(merged)["Message"]) == ("S", "m")
    assert "Signature" in sns_of(merged)


def test_overridden_dependent_fields_are_kept() -> None:
    sub = "arn:aws:sns:us-east-1:123456789012:other:" + "0" * 8 + "-0000-0000-0000-" + "0" * 12
    event = events.sns(
        seed=6,
        overrides={
            "Records.0.EventSubscriptionArn": sub,
            "Records.0.Sns.UnsubscribeUrl": "https://x",
        },
        validate=False,
    )
    assert event["Records"][0]["EventSubscriptionArn"] == sub
    assert sns_of(event)["UnsubscribeUrl"] == "https://x"
    kept = events.sns(seed=6, overrides={"Records.0.EventSubscriptionArn": sub}, validate=False)
    assert sns_of(kept)["UnsubscribeUrl"].endswith(sub)


def test_bad_overrides_raise_with_the_path_and_validate_false_allows_them() -> None:
    with pytest.raises(
        EventValidationError, match=r"sns event invalid at Records\[0\]\.Sns\.Subject"
    ):
        events.sns(seed=1, overrides={"Records.0.Sns.Subject": "x" * 120})
    for overrides in (
        {"Records.0.Sns": "gone"},
        {"Records.0.EventSubscriptionArn": 5},
        {"Records.0.Sns.TopicArn": None},
        {"Records": "none"},
    ):
        event = events.sns(seed=1, overrides=overrides, validate=False)
        events.check_invariants(event, "sns")


# -- AWS sample ---------------------------------------------------------------------------------------


def test_aws_documentation_sample_validates_and_its_defects_are_reported() -> None:
    sample = json.loads((SAMPLES / "sns_doc.json").read_text("utf-8"))
    assert events.validate(sample) == "sns"
    SnsModel.model_validate(sample)
    problems = events.check_invariants(sample, "sns")
    # The doc's UnsubscribeUrl names topic "test-lambda" while the topic is "sns-lambda",
    # and its Binary attribute value "TestBinary" is not base64.
    assert len(problems) == 2
    assert "does not embed EventSubscriptionArn" in problems[0]
    assert "TestBinary" in problems[1]


def test_known_fixture_defects_fail_the_schema() -> None:
    """§9: go/rust sns-event.json use 'arn:aws:sns:EXAMPLE' ARNs without a subscription UUID."""
    event = events.sns(
        seed=1, overrides={"Records.0.EventSubscriptionArn": "arn:aws:sns:EXAMPLE"}, validate=False
    )
    with pytest.raises(EventValidationError, match=r"at Records\[0\]\.EventSubscriptionArn"):
        events.validate(event, "sns")


def test_explicit_defaults_give_the_default_event() -> None:
    explicit = {"subject": None, "signature_version": "1", "message_attributes": {}}
    for seed in range(20):
        assert json.dumps(events.sns(seed=seed, **explicit)) == json.dumps(events.sns(seed=seed))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"subject": 5}, "subject=5: a subject is a str"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_an_argument_type_error(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ArgumentTypeError) as info:
        events.sns(seed=1, **params)
    assert isinstance(info.value, TypeError)
    assert str(info.value).startswith(message)
