"""S3 event notifications: schema, invariants (docs/internals/event-spec.md §3.2), parameters, overrides,
Powertools compatibility, AWS sample events and the Appendix A key vector."""

from __future__ import annotations

import calendar
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from aws_lambda_powertools.utilities.parser.models import S3Model

from pytest_lambda import events
from pytest_lambda._core.errors import ArgumentTypeError, EventValidationError, InvalidEventSpec
from pytest_lambda._events._s3_names import EVENT_TYPES, bucket_name_problem, key_problem

SAMPLES = Path(__file__).parent.parent / "data" / "aws_samples"
DELETES = [n for n, t in EVENT_TYPES.items() if t.deleted]
MARKERS = [n for n, t in EVENT_TYPES.items() if t.marker]
BLOCKS = {
    "ObjectRestore:Completed": "glacierEventData",
    "Replication:OperationFailedReplication": "replicationEventData",
    "Replication:OperationMissedThreshold": "replicationEventData",
    "Replication:OperationReplicatedAfterThreshold": "replicationEventData",
    "Replication:OperationNotTracked": "replicationEventData",
    "LifecycleTransition": "lifecycleEventData",
    "IntelligentTiering": "intelligentTieringEventData",
}
ALL_BLOCKS = set(BLOCKS.values())


def rec(event: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = event["Records"][0]
    return record


def epoch_ms(iso: str) -> int:
    return calendar.timegm(time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S")) * 1000 + int(iso[20:23])


def broken(overrides: dict[str, Any], **params: Any) -> list[str]:
    """The invariants an event with these (raw, unvalidated) overrides breaks."""
    return events.check_invariants(
        events.s3(seed=5, overrides=overrides, validate=False, **params), "s3"
    )


# -- thousands of seeds ------------------------------------------------------------------


def test_default_events_validate_and_keep_every_invariant_over_2000_seeds() -> None:
    for seed in range(2000):
        event = events.s3(seed=seed)
        assert events.validate(event, "s3") == "s3"
        assert events.check_invariants(event, "s3") == [], seed


@pytest.mark.parametrize("event_name", list(EVENT_TYPES))
def test_every_event_type_validates_and_keeps_invariants(event_name: str) -> None:
    for seed in range(120):
        event = events.s3(seed=seed, event_name=event_name)
        events.validate(event, "s3")
        assert events.check_invariants(event, "s3") == [], (event_name, seed)
        assert rec(event)["eventName"] == event_name


@pytest.mark.parametrize(
    "params",
    [
        {"versioned": True},
        {"key": "photos/été 2024/red flower+1 = ok?.jpg", "size": 0},
        {"event_name": "ObjectCreated:CompleteMultipartUpload", "size": 3 * 1024**3},
        {"etag": "0123456789abcdef0123456789abcdef-12"},
        {"region": "eu-central-1", "account_id": "123456789012", "time": "2026-03-01T12:00:00Z"},
    ],
    ids=["versioned", "tricky-key", "multipart-size", "multipart-etag", "common"],
)
def test_parameter_combinations_validate_and_keep_invariants(params: dict[str, Any]) -> None:
    for seed in range(300):
        event = events.s3(seed=seed, **params)
        events.validate(event, "s3")
        assert events.check_invariants(event, "s3") == [], (params, seed)


def test_powertools_s3_model_parses_every_generated_event() -> None:
    names = list(EVENT_TYPES)
    for seed in range(1050):
        params: dict[str, Any] = {"event_name": names[seed % len(names)]}
        if seed % 3 == 0:
            params["versioned"] = True
        event = events.s3(seed=seed, **params)
        model = S3Model.model_validate(event)
        assert model.Records[0].s3.bucket.name == rec(event)["s3"]["bucket"]["name"]


# -- determinism ---------------------------------------------------------------------------


def test_same_seed_and_params_give_identical_json() -> None:
    params = {"event_name": "ObjectRestore:Completed", "versioned": True}
    assert json.dumps(events.s3(seed=9, **params)) == json.dumps(events.s3(seed=9, **params))
    assert json.dumps(events.s3(seed=9, **params)) != json.dumps(events.s3(seed=10, **params))


def test_exactly_one_record_and_real_key_order() -> None:
    event = events.s3(seed=1, versioned=True)
    assert len(event["Records"]) == 1
    assert list(rec(event)) == [
        "eventVersion", "eventSource", "awsRegion", "eventTime", "eventName", "userIdentity",
        "requestParameters", "responseElements", "s3",
    ]  # fmt: skip
    assert list(rec(event)["s3"]) == ["s3SchemaVersion", "configurationId", "bucket", "object"]
    assert list(rec(event)["s3"]["bucket"]) == ["name", "ownerIdentity", "arn"]
    assert list(rec(event)["s3"]["object"]) == ["key", "size", "eTag", "versionId", "sequencer"]


# -- key encoding (§3.2 #4, Appendix A) ----------------------------------------------------


def test_appendix_a_key_vector() -> None:
    event = events.s3(seed=1, key="this im + age blah.txt")
    assert rec(event)["s3"]["object"]["key"] == "this+im+%2B+age+blah.txt"


@pytest.mark.parametrize(
    ("decoded", "encoded"),
    [
        ("red flower.jpg", "red+flower.jpg"),
        ("a/b/c.txt", "a/b/c.txt"),
        ("1+1=2.txt", "1%2B1%3D2.txt"),
        ("logs/12:30:00.log", "logs/12%3A30%3A00.log"),
        ("photos/été/ü.png", "photos/%C3%A9t%C3%A9/%C3%BC.png"),
        ("dt=2024-01-01/part-0.parquet", "dt%3D2024-01-01/part-0.parquet"),
    ],
)
def test_key_is_form_encoded_slash_kept(decoded: str, encoded: str) -> None:
    key = rec(events.s3(seed=1, key=decoded))["s3"]["object"]["key"]
    assert key == encoded
    assert unquote_plus(key) == decoded


def test_default_keys_are_encoded_round_trip_and_avoid_tilde_and_star() -> None:
    seen_encoded = set()
    for seed in range(1500):
        key = rec(events.s3(seed=seed))["s3"]["object"]["key"]
        decoded = unquote_plus(key)
        assert "~" not in decoded
        assert "*" not in decoded
        assert events.s3(seed=0, key=decoded)["Records"][0]["s3"]["object"]["key"] == key
        assert key_problem(key) is None
        seen_encoded |= set(re.findall(r"%[0-9A-F]{2}|\+", key))
    # The defaults exercise the encoding: spaces, '+' and '=' occur.
    assert {"+", "%2B", "%3D"} <= seen_encoded


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("red flower.jpg", "raw ' '"),
        ("été.jpg", "non-ASCII"),
        ("a=b.txt", "raw '='"),
        ("100%.txt", "'%' that does not start"),
        ("bad%FF.txt", "not UTF-8"),
    ],
)
def test_invariants_report_keys_that_were_not_form_encoded(key: str, fragment: str) -> None:
    found = broken({"Records.0.s3.object.key": key})
    assert len(found) == 1
    assert found[0].startswith("Records[0].s3.object.key")
    assert fragment in found[0]


def test_key_rule_accepts_encodings_of_real_events() -> None:
    # AWS's replication example escapes '-' (%2D); Java-style encoders keep '*'.
    for key in ("replication%2Dtest.png", "a*b.txt", "x~y.txt", "a+b", "%2B"):
        assert key_problem(key) is None, key


def test_key_longer_than_1024_bytes_rejected() -> None:
    assert rec(events.s3(seed=1, key="é" * 512))["s3"]["object"]["key"].count("%") == 1024
    with pytest.raises(InvalidEventSpec, match=r"key of 1026 UTF-8 bytes: .* 1 to 1024 bytes"):
        events.s3(seed=1, key="é" * 513)
    with pytest.raises(InvalidEventSpec, match="key of 0 UTF-8 bytes"):
        events.s3(seed=1, key="")
    with pytest.raises(ArgumentTypeError, match=r"key=b'x': expected the decoded object key"):
        events.s3(seed=1, key=b"x")


# -- invariants, one test each ----------------------------------------------------------------


def test_invariant_event_name_without_s3_prefix() -> None:
    found = broken({"Records.0.eventName": "s3:ObjectCreated:Put"})
    assert found == [
        "Records[0].eventName is 's3:ObjectCreated:Put': S3 omits the 's3:' prefix in events "
        "('ObjectCreated:Put')"
    ]


def test_invariant_bucket_arn_matches_name() -> None:
    event = events.s3(seed=2, bucket="my-photos")
    assert rec(event)["s3"]["bucket"]["arn"] == "arn:aws:s3:::my-photos"
    found = broken({"Records.0.s3.bucket.arn": "arn:aws:s3:::mybucket"}, bucket="sourcebucket")
    assert found == [
        "Records[0].s3.bucket.arn is 'arn:aws:s3:::mybucket' but s3.bucket.name is "
        "'sourcebucket'; the ARN is 'arn:aws:s3:::' + name ('arn:aws:s3:::sourcebucket')"
    ]


def test_invariant_etag_format_and_multipart_size() -> None:
    assert "neither 32 lower-case hex" in broken({"Records.0.s3.object.eTag": "ABC"})[0]
    found = broken({"Records.0.s3.object.size": 10}, etag="0123456789abcdef0123456789abcdef-3")
    assert found == [
        "Records[0].s3.object.eTag '0123456789abcdef0123456789abcdef-3' is a 3-part upload, but "
        "size 10 is below the 2 x 5 MiB its parts need"
    ]


@pytest.mark.parametrize("event_name", DELETES)
def test_invariant_deletes_have_no_size_or_etag(event_name: str) -> None:
    obj = rec(events.s3(seed=3, event_name=event_name))["s3"]["object"]
    assert "size" not in obj
    assert "eTag" not in obj
    found = broken(
        {"Records.0.s3.object.size": 1, "Records.0.s3.object.eTag": "0" * 32},
        event_name=event_name,
    )
    assert found == [
        f"Records[0].s3.object has size and eTag, but {event_name} events carry neither"
    ]


@pytest.mark.parametrize("event_name", MARKERS)
def test_invariant_delete_marker_carries_version_id(event_name: str) -> None:
    assert rec(events.s3(seed=3, event_name=event_name))["s3"]["object"]["versionId"]
    found = broken({"Records.0.s3.object.versionId": events.DELETE}, event_name=event_name)
    assert found == [
        f"Records[0].s3.object has no versionId, but {event_name} carries the delete marker's versionId"
    ]


def test_invariant_sequencer_format_and_time() -> None:
    assert broken({"Records.0.s3.object.sequencer": "Happy Sequencer"}) == [
        "Records[0].s3.object.sequencer 'Happy Sequencer' is not 16-18 upper-case hex digits"
    ]
    event_time = rec(events.s3(seed=5))["eventTime"]
    later = f"00{epoch_ms(event_time) // 1000 + 1:08X}ABCDEF01"
    found = broken({"Records.0.s3.object.sequencer": later})
    assert len(found) == 1
    assert "after eventTime" in found[0]
    assert "time must flow forward" in found[0]


@pytest.mark.parametrize("block", sorted(ALL_BLOCKS))
def test_invariant_type_specific_blocks_only_on_their_event_types(block: str) -> None:
    owner = next(n for n, b in BLOCKS.items() if b == block)
    content = rec(events.s3(seed=5, event_name=owner))[block]
    found = broken({f"Records.0.{block}": content}, event_name="ObjectCreated:Put")
    assert len(found) == 1
    assert found[0].startswith(f"Records[0].{block} appears on a 'ObjectCreated:Put' event")


@pytest.mark.parametrize(("event_name", "block"), list(BLOCKS.items()))
def test_type_specific_block_generated_for_its_type_only(event_name: str, block: str) -> None:
    record = rec(events.s3(seed=6, event_name=event_name))
    assert set(record) & ALL_BLOCKS == {block}
    assert not set(rec(events.s3(seed=6))) & ALL_BLOCKS


def test_invariant_event_version_at_least_what_s3_writes_for_the_type() -> None:
    found = broken({"Records.0.eventVersion": "2.1"}, event_name="IntelligentTiering")
    assert found == [
        "Records[0].eventVersion is '2.1', but S3 writes IntelligentTiering events as 2.3 or later"
    ]
    assert broken({"Records.0.eventVersion": "2.4"}, event_name="IntelligentTiering") == []


def test_invariant_one_record_per_event() -> None:
    event = events.s3(seed=1)
    event["Records"].append(dict(rec(event)))
    assert events.check_invariants(event, "s3") == [
        "Records has 2 records; S3 sends exactly one record per event"
    ]


def test_invariant_replication_request_and_restore_expiry_times() -> None:
    found = broken(
        {"Records.0.replicationEventData.requestTime": "2099-01-01T00:00:00.000Z"},
        event_name="Replication:OperationFailedReplication",
    )
    assert len(found) == 1
    assert found[0].startswith("Records[0].replicationEventData.requestTime '2099-01-01")
    found = broken(
        {
            "Records.0.glacierEventData.restoreEventData.lifecycleRestorationExpiryTime": (
                "2000-01-01T00:00:00.000Z"
            )
        },
        event_name="ObjectRestore:Completed",
    )
    assert len(found) == 1
    assert "expires later" in found[0]


def test_invariants_tolerate_malformed_events() -> None:
    assert events.check_invariants({"Records": "x"}, "s3") == []
    assert events.check_invariants({"Records": [1, {"s3": 5}]}, "s3") == [
        "Records has 2 records; S3 sends exactly one record per event"
    ]


# -- realism: time, sequencer, versions, principals -------------------------------------------


def test_time_flows_forward_sequencer_then_event_time_then_invocation() -> None:
    now = "2026-03-01T12:00:00Z"
    now_ms = epoch_ms("2026-03-01T12:00:00.000Z")
    for seed in range(300):
        for name in (
            "ObjectCreated:Put",
            "Replication:OperationMissedThreshold",
            "LifecycleTransition",
        ):
            record = rec(events.s3(seed=seed, time=now, event_name=name))
            event_ms = epoch_ms(record["eventTime"])
            assert event_ms <= now_ms
            seq = record["s3"]["object"]["sequencer"]
            assert re.fullmatch(r"00[0-9A-F]{16}", seq)
            assert int(seq[2:10], 16) <= event_ms // 1000
            if name == "ObjectCreated:Put":
                assert event_ms // 1000 - int(seq[2:10], 16) <= 1
            repl = record.get("replicationEventData")
            if repl:
                assert int(seq[2:10], 16) == epoch_ms(repl["requestTime"]) // 1000
                assert event_ms - epoch_ms(repl["requestTime"]) >= 15 * 60_000


@pytest.mark.parametrize(
    ("event_name", "version"),
    [
        ("ObjectCreated:Put", "2.1"),
        ("ObjectRestore:Completed", "2.1"),
        ("Replication:OperationNotTracked", "2.2"),
        ("LifecycleExpiration:Delete", "2.3"),
        ("IntelligentTiering", "2.3"),
        ("ObjectAcl:Put", "2.3"),
        ("ObjectTagging:Delete", "2.3"),
        ("ObjectRestore:Delete", "2.3"),
    ],
)
def test_event_version_per_type(event_name: str, version: str) -> None:
    assert rec(events.s3(seed=1, event_name=event_name))["eventVersion"] == version


def test_service_events_come_from_s3_itself_requests_from_a_requester() -> None:
    record = rec(events.s3(seed=1, event_name="LifecycleTransition"))
    assert record["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    assert record["requestParameters"] == {"sourceIPAddress": "s3.amazonaws.com"}
    for seed in range(200):
        record = rec(events.s3(seed=seed))
        principal = record["userIdentity"]["principalId"]
        owner = record["s3"]["bucket"]["ownerIdentity"]["principalId"]
        assert re.fullmatch(
            r"AWS:AIDA[A-Z0-9]{17}|AWS:AROA[A-Z0-9]{17}:[\w.-]+|A[A-Z0-9]{12,13}", principal
        )
        assert re.fullmatch(r"A[A-Z0-9]{12,13}", owner)
        assert record["requestParameters"]["sourceIPAddress"] != "s3.amazonaws.com"
        assert re.fullmatch(r"[A-Z0-9]{16}", record["responseElements"]["x-amz-request-id"])


def test_versioning_and_version_id() -> None:
    assert "versionId" not in rec(events.s3(seed=1))["s3"]["object"]
    vid = rec(events.s3(seed=1, versioned=True))["s3"]["object"]["versionId"]
    assert re.fullmatch(r"[A-Za-z0-9._]{32}", vid)
    assert rec(events.s3(seed=1, version_id="null"))["s3"]["object"]["versionId"] == "null"
    assert (
        "versionId"
        in rec(events.s3(seed=1, event_name="Replication:OperationNotTracked"))["s3"]["object"]
    )


def test_empty_object_has_the_md5_of_nothing() -> None:
    assert (
        rec(events.s3(seed=1, size=0))["s3"]["object"]["eTag"] == "d41d8cd98f00b204e9800998ecf8427e"
    )


def test_multipart_upload_etag_and_size_agree() -> None:
    for seed in range(100):
        obj = rec(events.s3(seed=seed, event_name="ObjectCreated:CompleteMultipartUpload"))["s3"][
            "object"
        ]
        parts = int(obj["eTag"].split("-")[1])
        assert parts >= 2
        assert obj["size"] >= (parts - 1) * 5 * 1024 * 1024
    obj = rec(events.s3(seed=1, etag="0" * 32 + "-4"))["s3"]["object"]
    assert obj["size"] >= 3 * 5 * 1024 * 1024


# -- parameters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value", "path", "expected"),
    [
        ("bucket", "orders-archive", ("s3", "bucket", "name"), "orders-archive"),
        ("event_name", "ObjectRemoved:Delete", ("eventName",), "ObjectRemoved:Delete"),
        ("size", 42, ("s3", "object", "size"), 42),
        (
            "etag",
            "0123456789abcdef0123456789abcdef",
            ("s3", "object", "eTag"),
            "0123456789abcdef0123456789abcdef",
        ),
        (
            "version_id",
            "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
            ("s3", "object", "versionId"),
            "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
        ),
        ("source_ip", "2001:db8::1", ("requestParameters", "sourceIPAddress"), "2001:db8::1"),
        ("principal_id", "AWS:AIDAEXAMPLE", ("userIdentity", "principalId"), "AWS:AIDAEXAMPLE"),
        ("configuration_id", "thumbnailer", ("s3", "configurationId"), "thumbnailer"),
        ("sequencer", "0055AED6DCD90281E5", ("s3", "object", "sequencer"), "0055AED6DCD90281E5"),
        ("key", "a b", ("s3", "object", "key"), "a+b"),
        ("region", "ap-south-1", ("awsRegion",), "ap-south-1"),
    ],
)
def test_every_parameter_has_its_effect(
    param: str, value: Any, path: tuple[str, ...], expected: Any
) -> None:
    node: Any = rec(events.s3(seed=8, **{param: value}))
    for part in path:
        node = node[part]
    assert node == expected
    default: Any = rec(events.s3(seed=8))
    for part in path:
        default = default.get(part) if isinstance(default, dict) else None
    assert default != expected


def test_versioned_parameter_has_its_effect() -> None:
    assert "versionId" in rec(events.s3(seed=8, versioned=True))["s3"]["object"]
    assert "versionId" not in rec(events.s3(seed=8, versioned=False))["s3"]["object"]


def test_time_parameter_sets_event_time() -> None:
    record = rec(events.s3(seed=8, time="2026-01-02T03:04:05Z"))
    assert record["eventTime"].startswith("2026-01-02T03:0")


def test_body_schema_is_not_a_parameter_of_s3() -> None:
    assert "body_schema" not in events.params("s3")
    with pytest.raises(
        TypeError, match=r"unexpected parameter\(s\) 'body_schema'; valid parameters: .*bucket"
    ):
        events.s3(seed=1, body_schema={"type": "object"})


def test_unknown_parameter_lists_valid_ones() -> None:
    with pytest.raises(
        TypeError,
        match=r"s3\(\) got unexpected parameter\(s\) 'bukket'; valid parameters: .*bucket.*event_name",
    ):
        events.s3(seed=1, bukket="x")


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("ab", "3 to 63 characters"),
        ("a" * 64, "3 to 63 characters"),
        ("My-Bucket", "only lower-case letters, digits"),
        ("my_bucket", "only lower-case letters, digits"),
        ("-bucket", "start and end with a letter or a digit"),
        ("bucket.", "start and end with a letter or a digit"),
        ("my..bucket", "two adjacent periods"),
        ("192.168.5.4", "formatted as an IP address"),
        ("xn--bucket", "prefix 'xn--'"),
        ("photos-s3alias", "suffix '-s3alias'"),
        ("photos--ol-s3", "suffix '--ol-s3'"),
    ],
)
def test_bucket_naming_rules_each_with_its_message(name: str, rule: str) -> None:
    with pytest.raises(
        InvalidEventSpec, match=rf"^bucket={re.escape(repr(name))}: .*{re.escape(rule)}"
    ):
        events.s3(seed=1, bucket=name)


def test_default_buckets_follow_the_naming_rules() -> None:
    for seed in range(500):
        assert bucket_name_problem(rec(events.s3(seed=seed))["s3"]["bucket"]["name"]) is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"event_name": "s3:ObjectCreated:Put"},
            "WITHOUT the 's3:' prefix (the prefix exists only in bucket configuration); use 'ObjectCreated:Put'",
        ),
        ({"event_name": "ObjectCreated:*"}, "wildcards exist only in notification configuration"),
        ({"event_name": "ObjectCreated"}, "is not an S3 event type; valid: ObjectCreated:Put"),
        ({"size": -1}, "size=-1: expected an int from 0"),
        ({"size": 6 * 1024**4}, "size=6597069766656: expected an int from 0 to"),
        (
            {"size": 6 * 1024**3},
            "a single PUT, POST or copy stores at most 5 GiB; use event_name='ObjectCreated:CompleteMultipartUpload'",
        ),
        ({"etag": "XYZ"}, "etag='XYZ': expected 32 lower-case hex digits"),
        ({"etag": '"' + "0" * 32 + '"'}, "without quotes"),
        ({"etag": "0" * 32 + "-10001"}, "(1..10000)"),
        ({"etag": "0" * 32 + "-3", "size": 5}, "a 3-part upload has at least 2 parts of 5 MiB"),
        (
            {"event_name": "ObjectRemoved:Delete", "size": 5},
            "size=5 with event_name='ObjectRemoved:Delete': S3 sends no size or eTag",
        ),
        ({"event_name": "LifecycleExpiration:Delete", "etag": "0" * 32}, "etag="),
        ({"versioned": "yes"}, "versioned='yes': expected True or False"),
        ({"versioned": False, "version_id": "abc"}, "version_id implies a versioned bucket"),
        (
            {"versioned": False, "event_name": "ObjectRemoved:DeleteMarkerCreated"},
            "only happen in versioned buckets",
        ),
        ({"version_id": "a b"}, "version_id='a b': a version id has no whitespace"),
        ({"version_id": ""}, "version_id='': expected a non-empty string"),
        ({"sequencer": "00abc"}, "sequencer='00abc': expected 16 to 18 upper-case hex"),
        ({"source_ip": "localhost"}, "source_ip='localhost': expected an IPv4/IPv6 address"),
        ({"principal_id": 5}, "principal_id=5: expected a non-empty string"),
        ({"configuration_id": ""}, "configuration_id='': expected a non-empty string"),
        ({"bucket": 5}, "bucket=5: expected a non-empty string"),
    ],
)
def test_bad_parameters_raise_invalid_event_spec_naming_them(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.s3(seed=1, **params)
    assert message in str(info.value)
    assert str(info.value).startswith(tuple(f"{p}=" for p in params))


def test_service_principal_accepted_as_source_ip() -> None:
    record = rec(events.s3(seed=1, source_ip="s3.amazonaws.com"))
    assert record["requestParameters"]["sourceIPAddress"] == "s3.amazonaws.com"


# -- overrides and derive --------------------------------------------------------------------------


def test_nested_and_dotted_overrides_win() -> None:
    event = events.s3(seed=1, overrides={"Records.0.s3": {"configurationId": "cfg"}})
    assert rec(event)["s3"]["configurationId"] == "cfg"
    assert (
        rec(event)["s3"]["bucket"] == rec(events.s3(seed=1))["s3"]["bucket"]
    )  # merged, not replaced
    event = events.s3(seed=1, overrides={"Records[0].awsRegion": "eu-west-3"})
    assert rec(event)["awsRegion"] == "eu-west-3"
    event = events.s3(seed=1, overrides={"Records.*.userIdentity.principalId": "AWS:AIDAX"})
    assert rec(event)["userIdentity"]["principalId"] == "AWS:AIDAX"


def test_key_override_is_the_raw_wire_form() -> None:
    event = events.s3(seed=1, overrides={"Records.0.s3.object.key": "a%20b"})
    assert rec(event)["s3"]["object"]["key"] == "a%20b"


def test_bucket_name_override_recomputes_arn_unless_arn_overridden() -> None:
    event = events.s3(seed=1, overrides={"Records.0.s3.bucket.name": "other-bucket"})
    assert rec(event)["s3"]["bucket"]["arn"] == "arn:aws:s3:::other-bucket"
    event = events.s3(
        seed=1,
        overrides={
            "Records.0.s3.bucket.name": "other-bucket",
            "Records.0.s3.bucket.arn": "arn:aws:s3:::x-y-z",
        },
    )
    assert rec(event)["s3"]["bucket"]["arn"] == "arn:aws:s3:::x-y-z"
    event = events.s3(seed=1, overrides={"Records.0.s3.bucket": {"name": "nested-bucket"}})
    assert rec(event)["s3"]["bucket"]["arn"] == "arn:aws:s3:::nested-bucket"


def test_event_name_override_recomputes_version_and_delete_shape() -> None:
    event = events.s3(seed=1, overrides={"Records.0.eventName": "ObjectRemoved:Delete"})
    assert "size" not in rec(event)["s3"]["object"]
    assert "eTag" not in rec(event)["s3"]["object"]
    assert events.check_invariants(event) == []
    event = events.s3(seed=1, overrides={"Records.0.eventName": "ObjectAcl:Put"})
    assert rec(event)["eventVersion"] == "2.3"
    event = events.s3(
        seed=1,
        overrides={"Records.0.eventName": "ObjectAcl:Put", "Records.0.eventVersion": "2.1"},
    )
    assert rec(event)["eventVersion"] == "2.1"
    event = events.s3(
        seed=1,
        event_name="LifecycleTransition",
        overrides={"Records.0.eventName": "ObjectCreated:Copy"},
    )
    assert "lifecycleEventData" not in rec(event)
    event = events.s3(
        seed=1,
        overrides={"Records.0.eventName": "ObjectRemoved:Delete", "Records.0.s3.object.size": 7},
    )
    assert rec(event)["s3"]["object"]["size"] == 7
    assert "eTag" not in rec(event)["s3"]["object"]


def test_bad_override_raises_with_the_path_and_validate_false_allows_it() -> None:
    with pytest.raises(
        EventValidationError,
        match=r"^s3 event invalid at Records\[0\]\.eventName: 's3:ObjectCreated:Put'",
    ):
        events.s3(seed=1, overrides={"Records.0.eventName": "s3:ObjectCreated:Put"})
    with pytest.raises(
        EventValidationError, match=r"Records\[0\]\.s3\.object\.size: -1 is less than"
    ):
        events.s3(seed=1, overrides={"Records.0.s3.object.size": -1})
    event = events.s3(seed=1, overrides={"Records.0.s3.object.size": -1}, validate=False)
    assert rec(event)["s3"]["object"]["size"] == -1


def test_derive_tolerates_malformed_overrides() -> None:
    for overrides in (
        {"Records.0.s3": "x"},
        {"Records.0.s3.bucket": 3},
        {"Records.0": 7},
        {"Records": events.DELETE},
        {"Records.0.eventName": 12},
        {"Records.0.s3.object": None},
    ):
        events.s3(seed=1, overrides=overrides, validate=False)


# -- schema accepts real events -----------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("s3_*.json")), ids=lambda p: p.stem)
def test_aws_documentation_samples_validate(path: Path) -> None:
    event = json.loads(path.read_text("utf-8"))
    assert events.validate(event) == "s3"
    S3Model.model_validate(event)


def test_aws_samples_keep_invariants_except_the_placeholder_time() -> None:
    assert (
        events.check_invariants(
            json.loads((SAMPLES / "s3_lambda_guide_put.json").read_text()), "s3"
        )
        == []
    )
    assert (
        events.check_invariants(
            json.loads((SAMPLES / "s3_replication_failed.json").read_text()), "s3"
        )
        == []
    )
    # The S3 User Guide example pairs a 2015 sequencer with the placeholder eventTime 1970-01-01.
    found = events.check_invariants(
        json.loads((SAMPLES / "s3_put_notification_structure.json").read_text()), "s3"
    )
    assert len(found) == 1
    assert "sequencer '0055AED6DCD90281E5' encodes write time 1437521628" in found[0]


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("Records.0.eventName", "ObjectCreated:*", "is not one of"),
        ("Records.0.s3.object.eTag", '"abc"', "does not match"),
        ("Records.0.eventTime", "2019-09-03T19:37:27Z", "does not match"),
        ("Records.0.s3.object.key", "a b", "does not match"),
        ("Records.0.requestParameters.sourceIPAddress", "my laptop", "is not valid under any"),
        ("Records.0.s3.bucket.arn", "arn:aws:s3:us-east-1::b", "does not match"),
        ("Records.0.s3.object.sequencer", "Happy Sequencer", "does not match"),
        ("Records.0.eventSource", "aws:sqs", "'aws:s3' was expected"),
    ],
)
def test_schema_is_strict_on_known_values(path: str, value: str, fragment: str) -> None:
    event = events.s3(seed=1, overrides={path: value}, validate=False)
    with pytest.raises(EventValidationError) as info:
        events.validate(event, "s3")
    assert fragment in str(info.value)
    assert info.value.path == re.sub(r"\.(\d+)", r"[\1]", path)


def test_schema_requires_exactly_one_record() -> None:
    event = events.s3(seed=1)
    event["Records"].append(dict(rec(event)))
    with pytest.raises(EventValidationError, match="is too long"):
        events.validate(event, "s3")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"event_name": 3}, "event_name=3: expected a string"),
        ({"size": True}, "size=True: expected an int"),
        ({"size": 1.5}, "size=1.5: expected an int"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_an_argument_type_error(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ArgumentTypeError) as info:
        events.s3(seed=1, **params)
    assert isinstance(info.value, TypeError)
    assert str(info.value).startswith(message)
