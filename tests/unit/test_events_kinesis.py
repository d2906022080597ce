"""Kinesis Data Streams batches: schema, invariants (docs/internals/event-spec.md §4.2), parameters,
overrides, Powertools compatibility, the AWS sample event and the Appendix A eventID."""

from __future__ import annotations

import base64
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import KinesisDataStreamModel

from pytest_lambda import events
from pytest_lambda._core.errors import ArgumentTypeError, EventValidationError, InvalidEventSpec

SAMPLES = Path(__file__).parent.parent / "data" / "aws_samples"
DOC_SEQ = "49590338271490256608559692538361571095921575989136588898"
ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["orderId", "qty"],
    "properties": {
        "orderId": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
        "qty": {"type": "integer", "minimum": 1, "maximum": 9},
    },
}


def kin(event: dict[str, Any], i: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = event["Records"][i]["kinesis"]
    return record


def decoded(event: dict[str, Any], i: int = 0) -> bytes:
    return base64.b64decode(kin(event, i)["data"], validate=True)


def broken(overrides: dict[str, Any], **params: Any) -> list[str]:
    event = events.kinesis(seed=5, records=3, overrides=overrides, validate=False, **params)
    return events.check_invariants(event, "kinesis")


# -- thousands of seeds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "seeds"),
    [
        ({}, 2000),
        ({"records": 7}, 300),
        ({"encrypted": True, "shard_id": 3, "partition_key": "tenant-42"}, 600),
        ({"datas": [b"\x00\xff", "plain text", {"a": [1, 2]}, 3.5, None]}, 300),
        ({"region": "sa-east-1", "account_id": "210987654321", "time": 1_790_000_000}, 500),
    ],
    ids=["default", "batch", "encrypted-shard-key", "datas", "common"],
)
def test_events_validate_and_keep_every_invariant(params: dict[str, Any], seeds: int) -> None:
    for seed in range(seeds):
        event = events.kinesis(seed=seed, **params)
        assert events.validate(event, "kinesis") == "kinesis"
        assert events.check_invariants(event, "kinesis") == [], (params, seed)


def test_powertools_kinesis_model_parses_every_generated_event() -> None:
    combos: list[dict[str, Any]] = [
        {},
        {"records": 4},
        {"encrypted": True},
        {"data": b"\x89PNG\r\n"},
        {"data": {"k": "v"}},
        {"datas": ["a", "b"]},
    ]
    for seed in range(1020):
        params = combos[seed % len(combos)]
        event = events.kinesis(seed=seed, **params)
        model = KinesisDataStreamModel.model_validate(event)
        assert model.Records[0].kinesis.data == decoded(event)


def test_data_schema_payloads_validate_against_the_users_schema() -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(ORDER_SCHEMA)
    for seed in range(200):
        event = events.kinesis(seed=seed, records=3, data_schema=ORDER_SCHEMA)
        for i in range(3):
            validator.validate(json.loads(decoded(event, i)))
        KinesisDataStreamModel.model_validate(event)


def test_data_schema_from_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(ORDER_SCHEMA), "utf-8")
    event = events.kinesis(seed=1, data_schema=path)
    assert re.fullmatch(r"ORD-\d{6}", json.loads(decoded(event))["orderId"])
    assert events.kinesis(seed=1, data_schema=str(path)) == event


# -- determinism and shape -------------------------------------------------------------------


def test_same_seed_and_params_give_identical_json() -> None:
    a = json.dumps(events.kinesis(seed=9, records=5))
    assert a == json.dumps(events.kinesis(seed=9, records=5))
    assert a != json.dumps(events.kinesis(seed=10, records=5))


def test_real_key_order() -> None:
    record = events.kinesis(seed=1, encrypted=True)["Records"][0]
    assert list(record) == [
        "kinesis", "eventSource", "eventVersion", "eventID", "eventName", "invokeIdentityArn",
        "awsRegion", "eventSourceARN",
    ]  # fmt: skip
    assert list(record["kinesis"]) == [
        "kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
        "approximateArrivalTimestamp", "encryptionType",
    ]  # fmt: skip


# -- Appendix A and the AWS sample ---------------------------------------------------------------


def test_appendix_a_event_id_vector() -> None:
    event = events.kinesis(
        seed=1, shard_id=6, overrides={"Records.0.kinesis.sequenceNumber": DOC_SEQ}
    )
    assert event["Records"][0]["eventID"] == f"shardId-000000000006:{DOC_SEQ}"
    event = events.kinesis(seed=1, shard_id="shardId-000000000006")
    assert event["Records"][0]["eventID"].startswith("shardId-000000000006:")


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("kinesis_*.json")), ids=lambda p: p.stem)
def test_aws_documentation_samples_validate_and_keep_invariants(path: Path) -> None:
    event = json.loads(path.read_text("utf-8"))
    assert events.validate(event) == "kinesis"
    assert events.check_invariants(event) == []
    KinesisDataStreamModel.model_validate(event)


# -- generator realism (§4.1, §4.2, §7) ----------------------------------------------------------


def test_sequence_numbers_56_digits_increasing_same_length_long_common_prefix() -> None:
    event = events.kinesis(seed=3, records=10_000, data="x")
    seqs = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
    assert all(re.fullmatch(r"[1-9]\d{55}", s) for s in seqs)
    assert all(int(a) < int(b) for a, b in itertools.pairwise(seqs))
    prefix = next(i for i in range(56) if len({s[i] for s in seqs}) > 1)
    assert prefix >= 26
    assert events.check_invariants(event, "kinesis") == []


def test_event_id_is_shard_colon_sequence_number() -> None:
    for seed in range(200):
        for record in events.kinesis(seed=seed, records=3)["Records"]:
            shard, seq = record["eventID"].split(":")
            assert re.fullmatch(r"shardId-\d{12}", shard)
            assert seq == record["kinesis"]["sequenceNumber"]


def test_one_shard_stream_region_and_role_per_batch() -> None:
    event = events.kinesis(seed=4, records=20, region="eu-north-1", account_id="111122223333")
    records = event["Records"]
    assert len({r["eventID"].split(":")[0] for r in records}) == 1
    assert {r["eventSourceARN"] for r in records} == {records[0]["eventSourceARN"]}
    assert {r["awsRegion"] for r in records} == {"eu-north-1"}
    assert {r["invokeIdentityArn"] for r in records} == {records[0]["invokeIdentityArn"]}
    assert re.fullmatch(
        r"arn:aws:iam::111122223333:role/[a-z0-9-]+", records[0]["invokeIdentityArn"]
    )
    assert re.fullmatch(
        r"arn:aws:kinesis:eu-north-1:111122223333:stream/[a-z-]+", records[0]["eventSourceARN"]
    )


def test_arrival_timestamps_ms_non_decreasing_and_not_after_invocation() -> None:
    now = 1_790_000_000.0
    for seed in range(300):
        stamps = [
            r["kinesis"]["approximateArrivalTimestamp"]
            for r in events.kinesis(seed=seed, records=5, time=now)["Records"]
        ]
        assert stamps == sorted(stamps)
        assert stamps[-1] <= now
        assert now - stamps[0] < 60
        assert all(round(s * 1000) == pytest.approx(s * 1000, abs=1e-3) for s in stamps)


def test_no_encryption_type_unless_encrypted() -> None:
    assert "encryptionType" not in kin(events.kinesis(seed=1))
    event = events.kinesis(seed=1, records=3, encrypted=True)
    assert [r["kinesis"]["encryptionType"] for r in event["Records"]] == ["KMS"] * 3


# -- parameters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x00\x01\xff", b"\x00\x01\xff"),
        (bytearray(b"ab"), b"ab"),
        ("Hello, this is a test.", b"Hello, this is a test."),
        ("été", "été".encode()),
        ({"orderId": 42}, b'{"orderId": 42}'),
        ([1, "a"], b'[1, "a"]'),
        (7, b"7"),
    ],
)
def test_data_is_sent_base64_encoded(data: Any, expected: bytes) -> None:
    event = events.kinesis(seed=1, data=data, records=2)
    assert decoded(event, 0) == expected
    assert decoded(event, 1) == expected
    if expected == b"Hello, this is a test.":
        assert kin(event)["data"] == "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="


def test_datas_one_record_each() -> None:
    event = events.kinesis(seed=1, datas=["a", b"b", {"c": 1}])
    assert len(event["Records"]) == 3
    assert [decoded(event, i) for i in range(3)] == [b"a", b"b", b'{"c": 1}']
    assert len(events.kinesis(seed=1, datas=["a", "b"], records=2)["Records"]) == 2


def test_default_payloads_are_json_objects_one_per_record() -> None:
    event = events.kinesis(seed=1, records=4)
    payloads = [json.loads(decoded(event, i)) for i in range(4)]
    assert all(isinstance(p, dict) for p in payloads)
    assert len({json.dumps(p) for p in payloads}) == 4


@pytest.mark.parametrize(
    ("param", "value", "check"),
    [
        ("records", 12, lambda e: len(e["Records"]) == 12),
        (
            "partition_key",
            "user-7",
            lambda e: {r["kinesis"]["partitionKey"] for r in e["Records"]} == {"user-7"},
        ),
        (
            "stream",
            "clickstream.v2",
            lambda e: e["Records"][0]["eventSourceARN"].endswith(":stream/clickstream.v2"),
        ),
        ("shard_id", 42, lambda e: e["Records"][0]["eventID"].startswith("shardId-000000000042:")),
        ("encrypted", True, lambda e: kin(e).get("encryptionType") == "KMS"),
        ("data", "x", lambda e: decoded(e) == b"x"),
        ("datas", ["p", "q"], lambda e: len(e["Records"]) == 2 and decoded(e, 1) == b"q"),
        ("data_schema", ORDER_SCHEMA, lambda e: "orderId" in json.loads(decoded(e))),
        ("region", "ca-central-1", lambda e: e["Records"][0]["awsRegion"] == "ca-central-1"),
        (
            "account_id",
            "999988887777",
            lambda e: ":999988887777:" in e["Records"][0]["eventSourceARN"],
        ),
    ],
)
def test_every_parameter_has_its_effect(param: str, value: Any, check: Any) -> None:
    assert check(events.kinesis(seed=8, **{param: value}))
    assert not check(events.kinesis(seed=8))


def test_default_partition_keys_differ_per_record() -> None:
    event = events.kinesis(seed=2, records=5)
    assert len({r["kinesis"]["partitionKey"] for r in event["Records"]}) == 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"records": 0}, "records=0: a Kinesis batch holds 1 to 10000 records"),
        ({"records": 10_001}, "records=10001: a Kinesis batch holds 1 to 10000"),
        ({"data": "a", "datas": ["b"]}, "data and datas given together"),
        ({"data": "a", "data_schema": ORDER_SCHEMA}, "data and data_schema given together"),
        ({"datas": []}, "datas=[]: expected a non-empty list"),
        ({"datas": "abc"}, "datas='abc': expected a non-empty list"),
        ({"datas": ["a", "b"], "records": 3}, "records=3 but datas has 2 payloads"),
        ({"data": {1, 2}}, "data={1, 2}: expected bytes, str or a JSON-serialisable value"),
        ({"datas": ["ok", object()]}, "datas[1]=<object object"),
        ({"partition_key": ""}, "partition_key='': a partition key has 1 to 256 characters"),
        ({"partition_key": "k" * 257}, "a partition key has 1 to 256 characters"),
        ({"partition_key": 5}, "partition_key=5: a partition key"),
        ({"stream": "my stream"}, "stream='my stream': a stream name has 1 to 128 characters"),
        ({"stream": "s" * 129}, "a stream name has 1 to 128"),
        ({"shard_id": -1}, "shard_id=-1: expected a shard index"),
        (
            {"shard_id": "shard-6"},
            "shard_id='shard-6': expected a shard index (int >= 0) or 'shardId-'",
        ),
        ({"shard_id": True}, "shard_id=True"),
        ({"encrypted": "yes"}, "encrypted='yes': expected True or False"),
        ({"data": b"x" * 4_000_000, "records": 2}, "exceed the 6 MB Lambda invocation payload"),
        ({"data": b"x" * (10 * 1024 * 1024)}, "exceed the largest Kinesis record"),
    ],
)
def test_bad_parameters_raise_invalid_event_spec_naming_them(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.kinesis(seed=1, **params)
    assert message in str(info.value)


def test_large_single_record_within_limits_is_fine() -> None:
    event = events.kinesis(seed=1, data=b"x" * 4_000_000)
    assert len(decoded(event)) == 4_000_000


def test_unknown_parameter_lists_valid_ones() -> None:
    with pytest.raises(
        TypeError,
        match=r"kinesis\(\) got unexpected parameter\(s\) 'body_schema'; valid parameters: .*data_schema",
    ):
        events.kinesis(seed=1, body_schema={})


# -- invariants, one test each -------------------------------------------------------------------


def test_invariant_event_id_is_shard_plus_sequence_number() -> None:
    found = broken({"Records.1.eventID": "shardId-000000000001:123"}, shard_id=1)
    assert any(
        m.startswith("Records[1].eventID is 'shardId-000000000001:123' but the shard id + ':'")
        for m in found
    )
    found = broken({"Records.*.eventID": "shard-1:1"})
    assert any("does not start with a shard id 'shardId-' + 12 digits" in m for m in found)


def test_invariant_one_shard_per_batch() -> None:
    event = events.kinesis(seed=5, records=3, shard_id=1)
    seq = kin(event, 2)["sequenceNumber"]
    event["Records"][2]["eventID"] = f"shardId-000000000002:{seq}"
    assert events.check_invariants(event, "kinesis") == [
        "Records[2] has shard id 'shardId-000000000002' but Records[0] has 'shardId-000000000001'; "
        "one batch comes from one shard of one stream"
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("eventSourceARN", "arn:aws:kinesis:us-east-1:123456789012:stream/other"),
        ("invokeIdentityArn", "arn:aws:iam::123456789012:role/other"),
    ],
)
def test_invariant_one_stream_and_role_per_batch(field: str, value: str) -> None:
    event = events.kinesis(seed=5, records=3, region="us-east-1")
    event["Records"][1][field] = value
    found = events.check_invariants(event, "kinesis")
    assert found == [
        f"Records[1] has {field} {value!r} but Records[0] has {event['Records'][0][field]!r}; "
        "one batch comes from one shard of one stream"
    ]


def test_invariant_one_region_per_batch_and_arn_region_matches() -> None:
    event = events.kinesis(seed=5, records=2, region="us-east-1")
    event["Records"][1]["awsRegion"] = "us-west-2"
    found = events.check_invariants(event, "kinesis")
    assert (
        "Records[1].eventSourceARN is in region 'us-east-1' but awsRegion is 'us-west-2'" in found
    )
    assert any(
        m.startswith("Records[1] has awsRegion 'us-west-2' but Records[0] has 'us-east-1'")
        for m in found
    )


def test_invariant_sequence_numbers_strictly_increase() -> None:
    event = events.kinesis(seed=5, records=3)
    first, second = kin(event, 0)["sequenceNumber"], kin(event, 1)["sequenceNumber"]
    swapped = events.kinesis(
        seed=5,
        records=3,
        overrides={
            "Records.0.kinesis.sequenceNumber": second,
            "Records.1.kinesis.sequenceNumber": first,
        },
    )
    assert events.check_invariants(swapped, "kinesis") == [
        f"Records[1].kinesis.sequenceNumber {first} is below Records[0]'s; records of a shard "
        "arrive in increasing sequence"
    ]


def test_invariant_no_duplicate_sequence_number_in_a_batch() -> None:
    event = events.kinesis(seed=5, records=3)
    dup = events.kinesis(
        seed=5,
        records=3,
        overrides={"Records.2.kinesis.sequenceNumber": kin(event, 1)["sequenceNumber"]},
    )
    assert events.check_invariants(dup, "kinesis") == [
        "Records[2].kinesis.sequenceNumber repeats Records[1]'s; a batch never holds a record twice"
    ]


def test_invariant_arrival_timestamps_do_not_decrease_and_have_ms_precision() -> None:
    found = broken({"Records.2.kinesis.approximateArrivalTimestamp": 1.0})
    assert len(found) == 1
    assert found[0].startswith(
        "Records[2].kinesis.approximateArrivalTimestamp 1.0 is before Records[1]'s"
    )
    found = broken({"Records.*.kinesis.approximateArrivalTimestamp": 1545084650.98765})
    assert found == [
        f"Records[{i}].kinesis.approximateArrivalTimestamp 1545084650.98765 has more than 3 decimals (milliseconds)"
        for i in range(3)
    ]


def test_invariant_data_is_base64() -> None:
    found = broken({"Records.0.kinesis.data": "not base64!"})
    assert found == [
        "Records[0].kinesis.data is not valid base64 (Kinesis sends the record blob base64-encoded)"
    ]


def test_invariants_tolerate_malformed_events() -> None:
    assert events.check_invariants({"Records": "x"}, "kinesis") == []
    assert events.check_invariants({"Records": [3]}, "kinesis") == []
    assert events.check_invariants({"Records": [{"kinesis": 1}, {}]}, "kinesis") == []


# -- overrides and derive ---------------------------------------------------------------------------


def test_sequence_number_override_recomputes_event_id_unless_event_id_overridden() -> None:
    event = events.kinesis(
        seed=1, shard_id=2, overrides={"Records.0.kinesis.sequenceNumber": "123"}
    )
    assert event["Records"][0]["eventID"] == "shardId-000000000002:123"
    event = events.kinesis(
        seed=1,
        overrides={
            "Records.0.kinesis.sequenceNumber": "123",
            "Records.0.eventID": "shardId-000000000009:5",
        },
        validate=False,
    )
    assert event["Records"][0]["eventID"] == "shardId-000000000009:5"


def test_nested_override_merges_and_region_override_moves_the_arn() -> None:
    event = events.kinesis(seed=1, records=2, overrides={"Records.*.awsRegion": "ap-northeast-1"})
    for record in event["Records"]:
        assert record["eventSourceARN"].startswith("arn:aws:kinesis:ap-northeast-1:")
    assert events.check_invariants(event) == []
    event = events.kinesis(seed=1, overrides={"Records.0.kinesis": {"partitionKey": "pk"}})
    assert kin(event)["partitionKey"] == "pk"
    assert kin(event)["data"] == kin(events.kinesis(seed=1))["data"]
    arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    event = events.kinesis(
        seed=1, overrides={"Records.0.eventSourceARN": arn, "Records.0.awsRegion": "eu-west-1"}
    )
    assert event["Records"][0]["eventSourceARN"] == arn


def test_bad_override_raises_with_the_path_and_validate_false_allows_it() -> None:
    with pytest.raises(
        EventValidationError,
        match=r"^kinesis event invalid at Records\[0\]\.kinesis\.data: 'not base64!' does not match",
    ):
        events.kinesis(seed=1, overrides={"Records.0.kinesis.data": "not base64!"})
    with pytest.raises(
        EventValidationError,
        match=r"Records\[0\]\.kinesis\.approximateArrivalTimestamp: '1' is not of type 'number'",
    ):
        events.kinesis(seed=1, overrides={"Records.0.kinesis.approximateArrivalTimestamp": "1"})
    event = events.kinesis(seed=1, overrides={"Records.0.eventName": "x"}, validate=False)
    assert event["Records"][0]["eventName"] == "x"


def test_derive_tolerates_malformed_overrides() -> None:
    for overrides in (
        {"Records.0.kinesis": "x"},
        {"Records.0": 7},
        {"Records": events.DELETE},
        {"Records.0.eventID": 5},
        {"Records.0.eventSourceARN": None},
        {"Records.0.kinesis.sequenceNumber": 5},
    ):
        events.kinesis(seed=1, records=2, overrides=overrides, validate=False)


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("Records.0.eventID", "shardId-6:1", "does not match"),
        ("Records.0.kinesis.kinesisSchemaVersion", "2.0", "'1.0' was expected"),
        ("Records.0.kinesis.partitionKey", "", "should be non-empty"),
        (
            "Records.0.invokeIdentityArn",
            "arn:aws:iam:us-east-1:123456789012:role/r",
            "does not match",
        ),
        (
            "Records.0.eventSourceARN",
            "arn:aws:kinesis:us-east-1:12345678901:stream/s",
            "does not match",
        ),
        ("Records.0.kinesis.encryptionType", "AES", "is not one of"),
        ("Records.0.eventName", "aws:kinesis:put", "'aws:kinesis:record' was expected"),
    ],
)
def test_schema_is_strict_on_known_values(path: str, value: str, fragment: str) -> None:
    event = events.kinesis(seed=1, overrides={path: value}, validate=False)
    with pytest.raises(EventValidationError) as info:
        events.validate(event, "kinesis")
    assert fragment in str(info.value)
    assert info.value.path == re.sub(r"\.(\d+)", r"[\1]", path)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"records": "3"}, "records='3': a Kinesis batch holds"),
        ({"records": True}, "records=True: a Kinesis batch holds"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_an_argument_type_error(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ArgumentTypeError) as info:
        events.kinesis(seed=1, **params)
    assert isinstance(info.value, TypeError)
    assert str(info.value).startswith(message)
