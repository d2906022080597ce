"""The real-capture regression corpus (issues 18 and 21): events other projects captured from AWS.

``tests/data/real/index.json`` lists every file with its kind, its provenance and whether it is a
*genuine* capture (looks like the service produced it) or a *hand-edited* sample, with the evidence.
See ``tests/data/real/README.md``.

What is guarded:

- every genuine capture of a kind we support is detected as that kind, passes ``validate`` and
  breaks no invariant: a rule that a real capture contradicts is wrong, whoever wrote it;
- an event of a source we do not support (authorizers, DynamoDB Streams, EventBridge, CloudWatch
  Logs, Firehose, S3 Object Lambda) is never detected as one of the kinds we support, and
  authorizer requests are detected as nothing (issue 18: ``detect`` called ALB events
  ``apigw_v1``);
- every ALB, Function URL and WebSocket sample, genuine or hand-edited, is named its own source;
- the corpus stays what its index says: same bytes as upstream (sha256), every file indexed.

Today's disagreements are ``xfail(strict=True)`` per capture with the cause, so that each fix in
the generator/validator flips exactly the captures it concerns (and the strict xfail then fails,
asking for the mark to be removed).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import events

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
SUPPORTED = (
    "apigw_v1",
    "apigw_v2",
    "s3",
    "sns",
    "sqs",
    "kinesis",
    "dynamodb",
    "alb",
    "lambda_url",
    "websocket",
    "eventbridge",
    "firehose",
    "cloudwatch_logs",
    "kafka",
)
#: The corpus folder of a kind, where it is not the kind's name.
KIND_OF = {"lambda_url": "function_url"}
#: Authorizer requests: never one of our kinds (issue 18: detect() returns None for them).
AUTHORIZERS = ("apigw_v1_authorizer", "apigw_v2_authorizer")
#: Kinds added by issue 21 whose hand-edited samples must still be detected and pass the schema.
ISSUE_21_KINDS = ("eventbridge", "firehose", "cloudwatch_logs", "kafka")


def _index() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((REAL / "index.json").read_text("utf-8"))
    return entries


def _load(path: str) -> Any:
    # Some upstream files (aws-lambda-dotnet) start with a UTF-8 byte-order mark; they are kept
    # byte for byte, so decode with utf-8-sig.
    return json.loads((REAL / path).read_bytes().decode("utf-8-sig"))


INDEX = _index()
GENUINE_SUPPORTED = [e for e in INDEX if e["genuine"] and e["kind"] in SUPPORTED]
ISSUE18_KINDS = [e for e in INDEX if e["kind"] in ("alb", "lambda_url", "websocket")]


def _kind(entry: dict[str, Any]) -> str:
    kind: str = entry["kind"]
    return KIND_OF.get(kind, kind)


OTHER_SOURCES = [e for e in INDEX if e["kind"] not in SUPPORTED]
HAND_EDITED_21 = [e for e in INDEX if not e["genuine"] and e["kind"] in ISSUE_21_KINDS]

# ---- causes of today's failures (see the README's "Known disagreements") -------------------------

# The apigw fidelity fixes of issue 18 (bodyless HTTP API requests, version-1 request ids, the
# pre-November-2018 REST shape) made every genuine API Gateway capture pass: no xfail left here.
XFAIL_VALIDATE: dict[str, str] = {}

XFAIL_INVARIANTS: dict[str, str] = {}

XFAIL_DETECT_OTHER: dict[str, str] = {}


def _params(entries: list[dict[str, Any]], xfails: dict[str, str]) -> list[Any]:
    out = []
    for entry in entries:
        reason = xfails.get(entry["path"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(entry, id=entry["path"], marks=marks))
    return out


# ---- genuine captures of the supported kinds -----------------------------------------------------


@pytest.mark.parametrize("entry", _params(GENUINE_SUPPORTED, {}))
def test_genuine_capture_is_detected_as_its_kind(entry: dict[str, Any]) -> None:
    """``detect`` names a real event of a supported kind correctly."""
    assert events.detect(_load(entry["path"])) == _kind(entry)


@pytest.mark.parametrize("entry", _params(GENUINE_SUPPORTED, XFAIL_VALIDATE))
def test_genuine_capture_passes_the_schema(entry: dict[str, Any]) -> None:
    """The kind's JSON Schema accepts every real event of that kind (raises otherwise)."""
    assert events.validate(_load(entry["path"]), _kind(entry)) == _kind(entry)


@pytest.mark.parametrize("entry", _params(GENUINE_SUPPORTED, XFAIL_INVARIANTS))
def test_genuine_capture_breaks_no_invariant(entry: dict[str, Any]) -> None:
    """No cross-field rule of ``check_invariants`` is contradicted by a real event."""
    assert events.check_invariants(_load(entry["path"]), _kind(entry)) == []


# ---- hand-edited DynamoDB Streams samples (issue 21) --------------------------------------------
# No genuine DynamoDB Streams capture was found: the corpus holds SDK test samples that were
# edited by hand. They must be detected as dynamodb and (the schema being the shape AWS sends)
# pass the schema, unless a hand edit broke the shape itself; each breaks an invariant, named here.

HANDMADE_DYNAMODB = [e for e in INDEX if e["kind"] == "dynamodb" and not e["genuine"]]
_DDB_NOT_AN_EVENT = (
    "a single stream record, not an event: no Records array (a Rust unit-test sample)"
)
_DDB_EMPTY_SET = "hand edit: an empty SS set ([]); DynamoDB never stores an empty set"
_DDB_FAKE_ARN = "hand edit: eventSourceARN 'eventsource_arn' / 'source_arn' is a placeholder"
XFAIL_DDB_DETECT = {
    "dynamodb/rust-example-dynamodb-event-record-with-optional-fields.json": _DDB_NOT_AN_EVENT
}
XFAIL_DDB_SCHEMA = {
    **XFAIL_DDB_DETECT,
    "dynamodb/go-dynamodb-event.json": _DDB_EMPTY_SET,
    "dynamodb/ptpy-dynamostreamevent.json": _DDB_FAKE_ARN,
    "dynamodb/ptts-dynamodb-base.json": _DDB_FAKE_ARN,
}
#: The first invariant each hand-edited sample breaks (its index evidence names the edit).
DDB_FIRST_BROKEN = {
    "dynamodb/dotnet-dynamodb-event.json": "Records[0].dynamodb.SizeBytes is 54 but Keys and images measure 188 bytes",
    "dynamodb/dotnet-dynamodb-with-ms-event.json": "Records[0].dynamodb.SizeBytes is 54 but Keys and images measure 188 bytes",
    "dynamodb/go-dynamodb-event.json": "Records[0].userIdentity is present on a INSERT record",
    "dynamodb/java-dynamo-event.json": "Records[0].eventSourceARN's stream label 2015-06-27T00:48:05.899 is after",
    "dynamodb/ptpy-dynamostreamevent.json": "Records[1] has eventSourceARN 'source_arn' but Records[0] has 'eventsource_arn'",
    "dynamodb/ptts-dynamodb-base.json": "Records[1] has eventSourceARN 'source_arn' but Records[0] has 'eventsource_arn'",
}


@pytest.mark.parametrize("entry", _params(HANDMADE_DYNAMODB, XFAIL_DDB_DETECT))
def test_handmade_dynamodb_sample_is_detected(entry: dict[str, Any]) -> None:
    assert events.detect(_load(entry["path"])) == "dynamodb"


@pytest.mark.parametrize("entry", _params(HANDMADE_DYNAMODB, XFAIL_DDB_SCHEMA))
def test_handmade_dynamodb_sample_passes_the_schema(entry: dict[str, Any]) -> None:
    assert events.validate(_load(entry["path"]), "dynamodb") == "dynamodb"


@pytest.mark.parametrize("entry", _params(HANDMADE_DYNAMODB, XFAIL_DDB_DETECT))
def test_handmade_dynamodb_sample_breaks_the_named_invariant(entry: dict[str, Any]) -> None:
    broken = events.check_invariants(_load(entry["path"]), "dynamodb")
    assert broken
    assert broken[0].startswith(DDB_FIRST_BROKEN[entry["path"]])


# ---- hand-edited samples of the issue-21 kinds: detected, and the schema accepts them ------------

XFAIL_HAND_EDITED_SCHEMA: dict[str, str] = {
    "eventbridge/rust-example-eventbridge-event-obj.json": (
        "hand-written: no 'version' key, which every event EventBridge delivers has"
    ),
    "firehose/dotnet-kinesis-firehose-event.json": (
        "redacted by hand: account 'AAAAAAAAAAAA' in deliveryStreamArn is not 12 digits"
    ),
    "firehose/go-kinesis-firehose-event.json": (
        "placeholder deliveryStreamArn 'aws:lambda:events' is not a delivery stream ARN"
    ),
    "firehose/java-firehose-event.json": (
        "placeholder deliveryStreamArn 'arn:aws:kinesis:EXAMPLE' is not a delivery stream ARN"
    ),
    "kafka/ptpy-kafkaeventmsk.json": (
        "hand edit: 13-digit account 0123456789019 in the cluster ARN"
    ),
    "kafka/ptpy-kafkaeventselfmanaged.json": (
        "hand edit: eventSource 'aws:SelfManagedKafka'; AWS's self-managed Kafka example and "
        "Powertools' own KafkaSelfManagedEventModel say 'SelfManagedKafka'"
    ),
}

#: The invariant each hand-edited Kafka sample breaks (its index evidence names the edit); the
#: two Powertools samples break the schema instead (above).
KAFKA_FIRST_BROKEN = {
    "kafka/dotnet-kafka-event.json": "records['mytopic-0'][0] is topic 'mytopic' partition 12 but sits under 'mytopic-0'",
    "kafka/go-kafka-event.json": "bootstrapServers host 'b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com' is in us-east-1 but the cluster ARN is in us-west-2",
    "kafka/java-kafka-event.json": "records['mytopic-01'][0] is topic 'mytopic' partition 0 but sits under 'mytopic-01'",
    "kafka/rust-example-kafka-event.json": "bootstrapServers host 'b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com' is in us-east-1 but the cluster ARN is in us-west-2",
}


@pytest.mark.parametrize("path", sorted(KAFKA_FIRST_BROKEN))
def test_handmade_kafka_sample_breaks_the_named_invariant(path: str) -> None:
    broken = events.check_invariants(_load(path), "kafka")
    assert broken
    assert broken[0].startswith(KAFKA_FIRST_BROKEN[path])


@pytest.mark.parametrize("entry", _params(HAND_EDITED_21, {}))
def test_hand_edited_capture_is_detected(entry: dict[str, Any]) -> None:
    assert events.detect(_load(entry["path"])) == entry["kind"]


@pytest.mark.parametrize("entry", _params(HAND_EDITED_21, XFAIL_HAND_EDITED_SCHEMA))
def test_hand_edited_capture_passes_the_schema(entry: dict[str, Any]) -> None:
    assert events.validate(_load(entry["path"]), entry["kind"]) == entry["kind"]


# ---- events of sources we do not support ---------------------------------------------------------


@pytest.mark.parametrize("entry", _params(OTHER_SOURCES, XFAIL_DETECT_OTHER))
def test_other_source_is_not_taken_for_a_supported_kind(entry: dict[str, Any]) -> None:
    """``detect`` never names one of our kinds for an event of another source (it may name the
    source once that kind exists, or return ``None``)."""
    assert events.detect(_load(entry["path"])) not in SUPPORTED


@pytest.mark.parametrize(
    "entry", [e for e in INDEX if e["kind"] in AUTHORIZERS], ids=lambda e: e["path"]
)
def test_authorizer_request_is_no_kind_of_ours(entry: dict[str, Any]) -> None:
    """REST TOKEN/REQUEST and HTTP API authorizer requests reach an authorizer, not an
    integration: ``detect`` returns ``None`` for them (issue 18), and ``validate`` without a kind
    says it cannot tell the kind."""
    event = _load(entry["path"])
    assert events.detect(event) is None
    with pytest.raises(events.EventValidationError) as exc:
        events.validate(event)
    assert str(exc.value).startswith("cannot tell the event kind of an object with keys ")
    assert (
        ": it is an API Gateway Lambda authorizer request (type/methodArn/routeArn), which is "
        in str(exc.value)
    )


@pytest.mark.parametrize("entry", ISSUE18_KINDS, ids=lambda e: e["path"])
def test_every_sample_of_the_new_kinds_is_named_its_source(entry: dict[str, Any]) -> None:
    """Even a hand-edited ALB, Function URL or WebSocket sample is never called another source;
    the one WebSocket sample that is really a $connect *authorizer* request (``methodArn``) is
    None."""
    event = _load(entry["path"])
    expected = None if "methodArn" in event else _kind(entry)
    assert events.detect(event) == expected


# ---- the corpus itself ---------------------------------------------------------------------------


def test_every_file_is_indexed_and_every_entry_exists() -> None:
    """The index and the folder list the same files."""
    on_disk = {p.relative_to(REAL).as_posix() for p in REAL.glob("*/*.json")}
    indexed = [e["path"] for e in INDEX]
    assert len(indexed) == len(set(indexed))
    assert on_disk == set(indexed)


@pytest.mark.parametrize("entry", INDEX, ids=[e["path"] for e in INDEX])
def test_capture_is_byte_for_byte_upstream_with_provenance(entry: dict[str, Any]) -> None:
    """Files are stored exactly as upstream has them (sha256 recorded when copied), each with a
    repository, a path and a 40-hex commit, a kind that matches its folder and written evidence."""
    assert hashlib.sha256((REAL / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    source = entry["source"]
    assert re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", source["repo"])
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
    assert re.fullmatch(r"[0-9a-f]{40}", source["last_changed"])
    assert source["path"].endswith(".json")
    assert entry["path"].split("/")[0] == entry["kind"]
    assert isinstance(entry["genuine"], bool)
    assert len(entry["evidence"]) > 20
    assert isinstance(_load(entry["path"]), dict)


def test_corpus_size() -> None:
    """At least 40 events of the supported kinds, and the issue-18/21 kinds are all present."""
    kinds = [e["kind"] for e in INDEX]
    assert sum(k in SUPPORTED for k in kinds) >= 40
    for kind in (
        "alb",
        "lambda_url",
        "websocket",
        "apigw_v1_authorizer",
        "apigw_v2_authorizer",
        "dynamodb",
        "eventbridge",
        "cloudwatch_logs",
        "firehose",
        "kafka",
    ):
        assert kind in kinds
