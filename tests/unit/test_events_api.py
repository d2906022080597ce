"""The shared events API: kinds, parameters, overrides, validation messages, detection."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import events
from pytest_lambda._core.errors import ArgumentTypeError, EventValidationError, InvalidEventSpec
from pytest_lambda._events._world import REGIONS

ALL_KINDS = (
    "apigw_v1",
    "apigw_v2",
    "s3",
    "sns",
    "sqs",
    "kinesis",
    "dynamodb",
    "alb",
    "function_url",
    "websocket",
    "eventbridge",
    "firehose",
    "cloudwatch_logs",
    "kafka",
)
RECORD_KINDS = ("s3", "sns", "sqs", "kinesis")
ROOT = Path(__file__).resolve().parents[2]
PAYLOAD_PARAMS: dict[str, str | None] = {
    "apigw_v1": "body_schema",
    "apigw_v2": "body_schema",
    "s3": None,
    "sns": "message_schema",
    "sqs": "body_schema",
    "kinesis": "data_schema",
    "dynamodb": "item_schema",
    "alb": "body_schema",
    "function_url": "body_schema",
    "websocket": "body_schema",
    "eventbridge": "detail_schema",
    "firehose": "data_schema",
    "cloudwatch_logs": None,
    "kafka": "value_schema",
}
PAYLOAD_SCHEMA: dict[str, object] = {
    "type": "object",
    "required": ["orderId", "qty"],
    "additionalProperties": False,
    "properties": {
        "orderId": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
        "qty": {"type": "integer", "minimum": 1, "maximum": 9},
        "note": {"type": "string", "maxLength": 20},
    },
}


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


# -- kinds and per-kind functions ---------------------------------------------------------


def test_kinds_are_the_documented_names() -> None:
    assert events.KINDS == ALL_KINDS


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_per_kind_function_equals_generate(kind: str) -> None:
    func = getattr(events, kind)
    assert json.dumps(func(seed=3)) == json.dumps(events.generate(kind, seed=3))


def test_public_names() -> None:
    expected = {
        "COMMON_PARAMS",
        "DELETE",
        "KINDS",
        "EventValidationError",
        "InvalidEventSpec",
        "check_invariants",
        "check_firehose_response",
        "decode_cloudwatch_logs",
        "detect",
        "generate",
        "matches_filter",
        "params",
        "schema",
        "scheduler_input",
        "validate",
        *ALL_KINDS,
    }
    assert set(events.__all__) == expected
    assert all(hasattr(events, name) for name in events.__all__)


def test_unknown_kind_lists_the_valid_kinds() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.generate("eventbridge_nope", seed=1)
    assert str(info.value) == (
        "unknown event kind 'eventbridge_nope'; valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka"
    )


def test_unknown_kind_alias_suggests_the_name() -> None:
    with pytest.raises(InvalidEventSpec, match=r"'rest' \(did you mean 'apigw_v1'\?\)"):
        events.generate("rest")
    with pytest.raises(InvalidEventSpec, match=r"'http' \(did you mean 'apigw_v2'\?\)"):
        events.generate("http")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_unknown_parameter_is_a_type_error_listing_valid_ones(kind: str) -> None:
    with pytest.raises(TypeError) as info:
        events.generate(kind, seed=1, bogus=1, also_bad=2)
    valid = sorted({*events.params(kind), "seed", "overrides", "validate"})
    assert str(info.value) == (
        f"{kind}() got unexpected parameter(s) 'bogus', 'also_bad'; "
        f"valid parameters: {', '.join(valid)}"
    )
    assert not isinstance(info.value, InvalidEventSpec)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_params_lists_own_and_common_parameters_with_help(kind: str) -> None:
    params = events.params(kind)
    assert {"region", "account_id", "time"} <= set(params)
    assert not {"seed", "overrides", "validate"} & set(params)
    payload_param = PAYLOAD_PARAMS[kind]
    if payload_param is None:  # S3 notifications carry no payload (a deliberate choice of _s3)
        assert not {"body_schema", "body"} & set(params)
    else:
        assert payload_param in params
    assert all(isinstance(text, str) and text.strip() for text in params.values())


def test_params_of_unknown_kind() -> None:
    with pytest.raises(InvalidEventSpec, match="valid kinds"):
        events.params("nope")


def _payloads(kind: str, event: dict[str, Any]) -> list[Any]:
    if kind == "sqs":
        return [json.loads(r["body"]) for r in event["Records"]]
    if kind == "sns":
        return [json.loads(r["Sns"]["Message"]) for r in event["Records"]]
    if kind == "kinesis":
        return [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]]
    if kind == "dynamodb":  # the item without the drawn key attributes (pk, sk), unmarshalled
        out = []
        for r in event["Records"]:
            ddb = r["dynamodb"]
            image = ddb.get("NewImage") or ddb["OldImage"]
            out.append(
                {
                    k: json.loads(v["N"]) if "N" in v else v["S"]
                    for k, v in image.items()
                    if k not in ddb["Keys"]
                }
            )
        return out
    if kind == "eventbridge":
        return [event["detail"]]
    if kind == "firehose":
        return [json.loads(base64.b64decode(r["data"])) for r in event["records"]]
    if kind == "kafka":
        batches = event["records"].values()
        return [json.loads(base64.b64decode(r["value"])) for b in batches for r in b]
    body = event["body"]
    return [json.loads(base64.b64decode(body) if event["isBase64Encoded"] else body)]


@pytest.mark.parametrize("kind", [k for k, p in PAYLOAD_PARAMS.items() if p])
def test_payload_schema_parameter_generates_matching_payloads(kind: str, tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    param = PAYLOAD_PARAMS[kind]
    assert param is not None
    validator = Draft202012Validator(PAYLOAD_SCHEMA)
    for seed in range(50):
        event = events.generate(kind, seed=seed, **{param: PAYLOAD_SCHEMA})
        for payload in _payloads(kind, event):
            assert validator.is_valid(payload), (seed, payload)
    path = tmp_path / "order.json"
    path.write_text(json.dumps(PAYLOAD_SCHEMA))
    from_file = events.generate(kind, seed=3, **{param: path})
    assert from_file == events.generate(kind, seed=3, **{param: PAYLOAD_SCHEMA})
    assert from_file == events.generate(kind, seed=3, **{param: str(path)})


@pytest.mark.parametrize("kind", [k for k, p in PAYLOAD_PARAMS.items() if p])
def test_payload_schema_errors_surface_as_invalid_event_spec(kind: str, tmp_path: Path) -> None:
    param = PAYLOAD_PARAMS[kind]
    assert param is not None
    with pytest.raises(InvalidEventSpec, match=r"keyword 'not' at #/not"):
        events.generate(kind, seed=1, **{param: {"not": {"type": "string"}}})
    with pytest.raises(InvalidEventSpec, match=r"missing\.json.*does not exist"):
        events.generate(kind, seed=1, **{param: tmp_path / "missing.json"})


# -- seeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_same_seed_same_json_other_seed_other_json(kind: str) -> None:
    a = json.dumps(events.generate(kind, seed=42))
    assert a == json.dumps(events.generate(kind, seed=42))
    assert a != json.dumps(events.generate(kind, seed=43))


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_seed_none_gives_varying_events(kind: str) -> None:
    seen = {json.dumps(events.generate(kind)) for _ in range(5)}
    assert len(seen) == 5


@pytest.mark.parametrize("bad", ["7", 1.5, True])
def test_bad_seed(bad: object) -> None:
    with pytest.raises(ArgumentTypeError, match=re.escape(f"seed={bad!r}: expected an int")):
        events.sqs(seed=bad)  # type: ignore[arg-type]


# -- common parameters ----------------------------------------------------------------------

_ARN_ACCOUNT = re.compile(r"arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_region_and_account_id_are_used_everywhere(kind: str) -> None:
    for seed in range(20):
        event = events.generate(kind, seed=seed, region="eu-north-1", account_id="123456789012")
        text = json.dumps(event)
        other = [r for r in REGIONS if r != "eu-north-1" and r in text]
        assert not other, f"seed {seed}: other regions {other} in {text}"
        accounts = set(_ARN_ACCOUNT.findall(text))
        assert accounts <= {"123456789012"}, f"seed {seed}: {accounts}"
        if kind in RECORD_KINDS:
            assert "eu-north-1" in text


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_time_accepts_datetime_iso_string_and_epoch_seconds(kind: str) -> None:
    when = datetime(2026, 3, 14, 15, 9, 26, tzinfo=timezone.utc)
    a = events.generate(kind, seed=5, time=when)
    b = events.generate(kind, seed=5, time="2026-03-14T15:09:26Z")
    c = events.generate(kind, seed=5, time=when.timestamp())
    assert json.dumps(a) == json.dumps(b) == json.dumps(c)
    assert json.dumps(a) != json.dumps(events.generate(kind, seed=5, time="2026-03-15T15:09:26Z"))
    if kind == "cloudwatch_logs":  # the times are inside the compressed payload
        a = events.decode_cloudwatch_logs(a)
    text = json.dumps(a)
    if kind == "alb":  # an ALB event holds the time only as the X-Ray root's hex seconds
        assert f"Root=1-{int(when.timestamp()):08x}-" in text
    else:
        assert "2026" in text or "1773" in text  # ISO year or epoch ms prefix


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("region", "mars-north-1"),
        ("region", 1),
        ("account_id", "1234"),
        ("account_id", 123456789012),
        ("time", "yesterday"),
        ("time", True),
        ("time", [2026]),
    ],
)
def test_bad_common_parameter_values_name_the_parameter(
    kind: str, param: str, value: object
) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.generate(kind, seed=1, **{param: value})
    assert str(info.value).startswith(f"{param}={value!r}")


def test_sqs_records_follow_the_given_time() -> None:
    event = events.sqs(seed=2, time="2026-01-01T00:00:00Z")
    now_ms = 1_767_225_600_000
    for record in event["Records"]:
        assert int(record["attributes"]["SentTimestamp"]) <= now_ms
        assert int(record["attributes"]["ApproximateFirstReceiveTimestamp"]) <= now_ms


# -- overrides ------------------------------------------------------------------------------


def test_nested_override_merges_dicts_key_by_key() -> None:
    base = events.apigw_v1(seed=8)
    event = events.apigw_v1(seed=8, overrides={"requestContext": {"stage": "prod"}})
    assert event["requestContext"]["stage"] == "prod"
    assert event["requestContext"]["requestId"] == base["requestContext"]["requestId"]
    assert set(base["requestContext"]) <= set(event["requestContext"])
    assert event["httpMethod"] == base["httpMethod"]


def test_nested_override_list_of_dicts_merges_positionally() -> None:
    base = events.sqs(seed=1, records=3)
    event = events.sqs(seed=1, records=3, overrides={"Records": [{"body": "x"}]})
    first = event["Records"][0]
    assert first["body"] == "x"
    assert first["md5OfBody"] == hashlib.md5(b"x").hexdigest()  # derived from the new body
    assert first["messageId"] == base["Records"][0]["messageId"]
    assert event["Records"][1:] == base["Records"][1:]


def test_nested_override_list_items_past_the_end_are_appended() -> None:
    event = events.sqs(seed=1, overrides={"Records": [{}, {"body": "y"}]}, validate=False)
    assert len(event["Records"]) == 2
    assert event["Records"][1] == {"body": "y"}


def test_nested_override_index_keys_reach_list_items() -> None:
    base = events.sqs(seed=1, records=3)
    event = events.sqs(seed=1, records=3, overrides={"Records": {"1": {"body": "y"}}})
    assert [r["body"] for r in event["Records"]] == [
        base["Records"][0]["body"],
        "y",
        base["Records"][2]["body"],
    ]
    every = events.sqs(seed=1, records=3, overrides={"Records": {"*": {"body": "z"}}})
    assert [r["body"] for r in every["Records"]] == ["z", "z", "z"]
    deep = events.apigw_v2(seed=2, overrides={"cookies": ["a=1"]})
    assert deep["cookies"] == ["a=1"]  # a list of strings replaces


def test_nested_override_equals_dotted_path() -> None:
    nested = events.sqs(seed=4, overrides={"Records": {"0": {"attributes": {"SenderId": "X"}}}})
    dotted = events.sqs(seed=4, overrides={"Records.0.attributes.SenderId": "X"})
    assert nested == dotted


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"Records": {"first": {"body": "y"}}},
            "override 'Records': Records is a list of 1 item(s): use an index 0..0 or *, "
            "not 'first'",
        ),
        (
            {"Records": {"3": {"body": "y"}}},
            "override 'Records': index 3 is out of range at Records (a list of 1 item(s): "
            "use an index 0..0 or *)",
        ),
    ],
)
def test_nested_override_bad_index_is_one_clear_error(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.sqs(seed=1, overrides=overrides)
    assert str(info.value) == message


def test_dotted_override_with_dict_value_merges() -> None:
    event = events.sqs(seed=1, overrides={"Records.0.attributes": {"ApproximateReceiveCount": "5"}})
    attributes = event["Records"][0]["attributes"]
    assert attributes["ApproximateReceiveCount"] == "5"
    assert "SentTimestamp" in attributes


def test_star_override_sets_every_record_and_recomputes_dependents() -> None:
    event = events.sqs(seed=1, bodies=["a", "b", "c"], overrides={"Records.*.body": "same"})
    assert [r["body"] for r in event["Records"]] == ["same"] * 3
    assert [r["md5OfBody"] for r in event["Records"]] == [md5("same")] * 3
    assert events.check_invariants(event) == []


@pytest.mark.parametrize("path", ["Records[0].body", "Records.0.body"])
def test_indexed_override_sets_one_record(path: str) -> None:
    base = events.sqs(seed=1, bodies=["a", "b"])
    event = events.sqs(seed=1, bodies=["a", "b"], overrides={path: "changed"})
    assert event["Records"][0]["body"] == "changed"
    assert event["Records"][0]["md5OfBody"] == md5("changed")
    assert event["Records"][1] == base["Records"][1]


def test_overridden_dependent_field_is_kept() -> None:
    event = events.sqs(seed=1, overrides={"Records.0.body": "x", "Records.0.md5OfBody": "0" * 32})
    assert event["Records"][0]["md5OfBody"] == "0" * 32
    broken = events.check_invariants(event)
    assert broken
    assert "Records[0].md5OfBody" in broken[0]


def test_delete_removes_a_key_and_validation_notices() -> None:
    event = events.sqs(seed=1, overrides={"Records.0.md5OfBody": events.DELETE}, validate=False)
    assert "md5OfBody" not in event["Records"][0]
    with pytest.raises(EventValidationError, match=r"'md5OfBody' is a required property"):
        events.sqs(seed=1, overrides={"Records.0.md5OfBody": events.DELETE})
    assert repr(events.DELETE) == "pytest_lambda.events.DELETE"


def test_delete_list_element() -> None:
    event = events.sqs(seed=1, bodies=["a", "b"], overrides={"Records.0": events.DELETE})
    assert [r["body"] for r in event["Records"]] == ["b"]


def test_override_path_through_missing_key_names_path_and_keys() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.sqs(seed=1, overrides={"Records.0.nope.x": 1})
    text = str(info.value)
    assert text.startswith(
        "override 'Records.0.nope.x': Records[0].nope does not exist (keys here: messageId, "
        "receiptHandle, body, attributes, messageAttributes"
    )
    assert text.endswith("only the last part of a path may be new")


def test_override_index_out_of_range() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.sqs(seed=1, bodies=["a", "b"], overrides={"Records.5.body": "x"})
    assert str(info.value) == (
        "override 'Records.5.body': index 5 is out of range at Records "
        "(a list of 2 item(s): use an index 0..1 or *)"
    )


def test_override_word_index_into_list() -> None:
    with pytest.raises(InvalidEventSpec, match=r"Records is a list of 1 item\(s\).*not 'first'"):
        events.sqs(seed=1, overrides={"Records.first.body": "x"})


def test_override_through_a_scalar() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.sqs(seed=1, overrides={"Records.0.body.x": 1})
    assert str(info.value) == (
        "override 'Records.0.body.x': Records[0].body is a str value, which has no fields"
    )


@pytest.mark.parametrize("key", ["Records..body", "Records.0.", "."])
def test_malformed_override_path(key: str) -> None:
    with pytest.raises(
        InvalidEventSpec, match=rf"override path {re.escape(repr(key))} is malformed"
    ):
        events.sqs(seed=1, overrides={key: 1})


def test_overrides_must_be_a_mapping() -> None:
    with pytest.raises(ArgumentTypeError, match=r"overrides must be a dict.*got list"):
        events.sqs(seed=1, overrides=[("Records.0.body", "x")])  # type: ignore[arg-type]


def test_override_key_must_be_a_non_empty_string() -> None:
    with pytest.raises(InvalidEventSpec, match="override key 3"):
        events.sqs(seed=1, overrides={3: "x"})  # type: ignore[dict-item]


def test_new_leaf_key_is_allowed() -> None:
    event = events.sqs(seed=1, overrides={"Records.0.attributes.MessageGroupId": "g1"})
    assert event["Records"][0]["attributes"]["MessageGroupId"] == "g1"


def test_overrides_are_validated_by_default_and_not_with_validate_false() -> None:
    with pytest.raises(EventValidationError) as info:
        events.sqs(seed=1, overrides={"Records.0.attributes.ApproximateReceiveCount": 1})
    assert str(info.value) == (
        "sqs event invalid at Records[0].attributes.ApproximateReceiveCount: "
        "1 is not of type 'string'"
    )
    event = events.sqs(
        seed=1, overrides={"Records.0.attributes.ApproximateReceiveCount": 1}, validate=False
    )
    assert event["Records"][0]["attributes"]["ApproximateReceiveCount"] == 1


def test_override_values_are_copied() -> None:
    attrs = {"ApproximateReceiveCount": "3"}
    event = events.sqs(seed=1, overrides={"Records.0.attributes": attrs})
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "9"
    assert attrs == {"ApproximateReceiveCount": "3"}


# -- validate() -----------------------------------------------------------------------------


def test_validate_message_names_path_value_and_rule() -> None:
    event = events.sqs(seed=1)
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = 1
    with pytest.raises(EventValidationError) as info:
        events.validate(event)
    err = info.value
    assert str(err) == (
        "sqs event invalid at Records[0].attributes.ApproximateReceiveCount: 1 is not of type 'string'"
    )
    assert err.kind == "sqs"
    assert err.path == "Records[0].attributes.ApproximateReceiveCount"
    assert err.errors == (
        ("Records[0].attributes.ApproximateReceiveCount", "1 is not of type 'string'"),
    )
    assert isinstance(err, ValueError)


def test_validate_counts_further_errors() -> None:
    event = events.sqs(seed=1)
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = 1
    event["Records"][0]["eventSource"] = "aws:sns"
    with pytest.raises(EventValidationError, match=r"\(and 1 more, listed in \.errors\)$") as info:
        events.validate(event, "sqs")
    assert len(info.value.errors) == 2


def test_validate_pattern_errors_show_the_value() -> None:
    event = events.sqs(seed=1)
    event["Records"][0]["md5OfBody"] = "nothex"
    with pytest.raises(EventValidationError) as info:
        events.validate(event)
    assert str(info.value).startswith("sqs event invalid at Records[0].md5OfBody: 'nothex'")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_validate_returns_the_detected_or_given_kind(kind: str) -> None:
    event = events.generate(kind, seed=9)
    assert events.validate(event) == kind
    assert events.validate(event, kind) == kind


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_validate_against_the_wrong_kind_fails(kind: str) -> None:
    other = "sqs" if kind != "sqs" else "sns"
    with pytest.raises(EventValidationError, match=rf"^{other} event invalid at "):
        events.validate(events.generate(kind, seed=9), other)


def test_validate_junk_without_kind() -> None:
    with pytest.raises(EventValidationError) as info:
        events.validate({"hello": 1, "world": 2})
    assert str(info.value) == (
        "cannot tell the event kind of an object with keys hello, world; "
        "pass kind= one of apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka"
    )
    with pytest.raises(EventValidationError, match="cannot tell the event kind of list"):
        events.validate([1, 2])


def test_validate_unknown_kind() -> None:
    with pytest.raises(InvalidEventSpec, match="unknown event kind 'sqs2'"):
        events.validate({}, "sqs2")


def test_validate_with_invariants() -> None:
    event = events.sqs(seed=1)
    event["Records"][0]["md5OfBody"] = "0" * 32
    assert events.validate(event) == "sqs"
    with pytest.raises(
        EventValidationError,
        match=r"^sqs event breaks an invariant of real events: Records\[0\]\.md5OfBody",
    ):
        events.validate(event, invariants=True)


# -- detect / schema / check_invariants -----------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_detect_each_kind(kind: str) -> None:
    for seed in range(10):
        assert events.detect(events.generate(kind, seed=seed)) == kind


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "sqs",
        42,
        [],
        {},
        {"Records": []},
        {"Records": "x"},
        {"Records": [1]},
        {"Records": [{"eventSource": "aws:codecommit"}]},
        {"version": "2.0"},
        {"httpMethod": "GET"},
        {"version": "1.0", "routeKey": "GET /"},
    ],
)
def test_detect_junk_is_none(junk: object) -> None:
    assert events.detect(junk) is None


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_schema_is_a_2020_12_schema_and_a_copy(kind: str) -> None:
    schema = events.schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://pytest-lambda-toolkit/schemas/{kind}.json"
    assert schema["title"]
    assert schema["description"]
    pristine = copy.deepcopy(schema)
    schema["title"] = "mutated"
    schema.setdefault("properties", {})["injected"] = {"type": "null"}
    assert events.schema(kind) == pristine


def test_schema_of_unknown_kind() -> None:
    with pytest.raises(InvalidEventSpec, match="unknown event kind 'foo'; valid kinds"):
        events.schema("foo")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_check_invariants_is_empty_for_generated_events(kind: str) -> None:
    for seed in range(50):
        assert events.check_invariants(events.generate(kind, seed=seed), kind) == []


def test_check_invariants_reports_each_broken_record() -> None:
    event = events.sqs(seed=4, bodies=["a", "b"])
    event["Records"][1]["body"] = "tampered"
    broken = events.check_invariants(event)
    assert len(broken) == 1
    assert broken[0].startswith("Records[1].md5OfBody")


def test_check_invariants_detects_the_kind_and_rejects_junk() -> None:
    with pytest.raises(EventValidationError, match="cannot tell the event kind"):
        events.check_invariants({"x": 1})


# -- packaging ------------------------------------------------------------------------------


@pytest.mark.slow
def test_schemas_and_py_typed_are_in_the_built_wheel(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "pytest_lambda",
        src / "pytest_lambda",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = out.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"pytest_lambda/schemas/{kind}.json" for kind in ALL_KINDS} | {
        "pytest_lambda/py.typed"
    }
    assert expected <= names, sorted(expected - names)
    for kind in ALL_KINDS:
        loaded = json.loads(zipfile.ZipFile(wheel).read(f"pytest_lambda/schemas/{kind}.json"))
        assert loaded == events.schema(kind)


@pytest.mark.parametrize(
    ("time", "message"),
    [
        (0, "time=0 is outside 2014-01-01..2100-01-01"),
        ("1999-12-31T23:59:59Z", "is outside 2014-01-01..2100-01-01"),
        (
            1795341600000,
            "looks like epoch milliseconds; time= takes epoch seconds (time=1795341600)",
        ),
        (float("inf"), "time=inf: expected a finite number of epoch seconds"),
    ],
)
def test_impossible_times_are_refused(time, message):
    for kind in events.KINDS:
        with pytest.raises(events.InvalidEventSpec, match=re.escape(message)):
            events.generate(kind, seed=1, time=time)
