"""The real-capture regression corpus (issues 18 and 21): events other projects captured from AWS.

``tests/data/real/index.json`` lists every file with its kind, its provenance and whether it is a
*genuine* capture (looks like the service produced it) or a *hand-edited* sample, with the evidence.
See ``tests/data/real/README.md``.

What is guarded:

- every genuine capture of a kind we support is detected as that kind, passes ``validate`` and
  breaks no invariant: a rule that a real capture contradicts is wrong, whoever wrote it;
- an event of a source we do not support (ALB, Function URL, WebSocket, authorizers, DynamoDB
  Streams, EventBridge, CloudWatch Logs, Firehose, Kafka, S3 Object Lambda) is never detected as one
  of the six kinds we support (issue 18: ``detect`` calls ALB events ``apigw_v1``...);
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
SUPPORTED = ("apigw_v1", "apigw_v2", "s3", "sns", "sqs", "kinesis", "eventbridge", "firehose",
             "cloudwatch_logs")  # fmt: skip
#: Kinds added by issue 21 whose hand-edited samples must still be detected and pass the schema.
ISSUE_21_KINDS = ("eventbridge", "firehose", "cloudwatch_logs")


def _index() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((REAL / "index.json").read_text("utf-8"))
    return entries


def _load(path: str) -> Any:
    # Some upstream files (aws-lambda-dotnet) start with a UTF-8 byte-order mark; they are kept
    # byte for byte, so decode with utf-8-sig.
    return json.loads((REAL / path).read_bytes().decode("utf-8-sig"))


INDEX = _index()
GENUINE_SUPPORTED = [e for e in INDEX if e["genuine"] and e["kind"] in SUPPORTED]
OTHER_SOURCES = [e for e in INDEX if e["kind"] not in SUPPORTED]
HAND_EDITED_21 = [e for e in INDEX if not e["genuine"] and e["kind"] in ISSUE_21_KINDS]

# ---- causes of today's failures (see the README's "Known disagreements") -------------------------

_B64_BODYLESS = (
    "issue 18: an HTTP API request without a body has no body key and isBase64Encoded false in "
    "every real capture; check_invariants demands true when there is no Content-Type"
)
_PRE_2018_SCHEMA = (
    "a Jan 2018 REST capture predates multiValueHeaders/multiValueQueryStringParameters (Nov 2018) "
    "and requestContext.domainName/domainPrefix/extendedRequestId; the apigw_v1 schema requires them"
)
_PRE_2018_INVARIANTS = (
    "issue 18: REST requestId is a version-1 UUID (time = requestTimeEpoch) and the invariants "
    "demand a v4 UUID; also 'headers is dict but multiValueHeaders is null' on a pre-Nov-2018 event"
)
_V1_UUID = (
    "issue 18: REST requestId is a version-1 UUID whose time equals requestTimeEpoch (2018-2019 "
    "captures); check_invariants demands a v4 UUID"
)
_DETECT_ALB = "issue 18: detect() calls an ALB target event apigw_v1"
_DETECT_WS = "issue 18: detect() calls an API Gateway WebSocket event apigw_v1"
_DETECT_V1_AUTH = "issue 18: detect() calls a REST API REQUEST authorizer event apigw_v1"
_DETECT_V2_AUTH = (
    "issue 18: detect() calls an HTTP API Lambda authorizer (payload 2.0) event apigw_v2"
)
_DETECT_URL = "issue 18: detect() calls a Lambda Function URL event apigw_v2"

XFAIL_VALIDATE: dict[str, str] = {
    "apigw_v1/aspnet-mtls-request.json": _PRE_2018_SCHEMA,
}

XFAIL_INVARIANTS: dict[str, str] = {
    "apigw_v1/aspnet-mtls-request.json": _PRE_2018_INVARIANTS,
    "apigw_v1/aspnet-encode-slash-in-resource-path.json": _V1_UUID,
    **{
        f"apigw_v2/{name}.json": _B64_BODYLESS
        for name in (
            "aspnet-encode-slash-in-resource-path-httpapi-v2",
            "aspnet-encode-space-in-resource-path-httpapi-v2",
            "aspnet-swagger-get-httpapi-v2-request",
            "aspnet-traceid-get-httpapi-v2-request",
            "aspnet-trailing-slash-in-path-httpapi-v2",
            "aspnet-values-get-aggregateerror-httpapi-v2-request",
            "aspnet-values-get-all-httpapi-v2-with-stage",
            "aspnet-values-get-error-httpapi-v2-request",
            "aspnet-values-get-querystring-httpapi-v2-mv-request",
            "aspnet-values-get-typeloaderror-httpapi-v2-request",
            "ddjs-api-gateway-traced-authorizer-request-v2",
            "ddjs-api-gateway-traced-authorizer-request-v2-cached",
            "ddpy-api-gateway-v2-parametrized",
        )
    },
    "apigw_v2/go-apigw-v2-request-no-authorizer.json": _B64_BODYLESS,
    "apigw_v2/ptts-apigw-http-iam-auth.json": _B64_BODYLESS,
    "apigw_v2/ptts-apigw-http-jwt-authorizer-auth.json": _B64_BODYLESS,
    "apigw_v2/ptts-apigw-http-no-auth.json": _B64_BODYLESS,
}

XFAIL_DETECT_OTHER: dict[str, str] = {
    **{
        f"alb/{name}.json": _DETECT_ALB
        for name in (
            "aspnet-values-get-all-alb-request",
            "aspnet-values-get-querystring-alb-mv-request",
            "dotnet-alb-request-multi-value",
            "dotnet-alb-request-single-value",
            "go-alb-lambda-target-request-headers-only",
            "go-alb-lambda-target-request-multivalue-headers",
            "java-elb-event",
            "ptpy-albevent",
            "ptpy-albmultivalueheadersevent",
            "ptpy-albmultivaluequerystringevent",
            "ptts-alb-multi-fields",
        )
    },
    **{
        f"websocket/{name}.json": _DETECT_WS
        for name in (
            "aspnet-values-post-withbody-websocketapi-request",
            "go-apigw-websocket-request",
            "java-apigw-websocket-event",
            "ptts-apigw-rest-websocket",
            "rust-example-apigw-websocket-request",
        )
    },
    **{
        f"apigw_v1_authorizer/{name}.json": _DETECT_V1_AUTH
        for name in (
            "go-apigw-custom-auth-request-type-request",
            "go-apigw-v2-custom-authorizer-v1-request",
            "java-apigw-auth",
            "ptpy-apigatewayauthorizerrequestevent",
            "ptts-apigw-rest-authorizer-request",
        )
    },
    **{
        f"apigw_v2_authorizer/{name}.json": _DETECT_V2_AUTH
        for name in (
            "go-apigw-v2-custom-authorizer-v2-request",
            "java-apigw-auth-v2",
            "ptpy-apigatewayauthorizerv2event",
            "ptts-apigw-http-authorizer-request",
            "rust-example-apigw-v2-custom-authorizer-v2-request-without-cookies",
            "rust-example-apigw-v2-custom-authorizer-v2-request-without-identity-source",
        )
    },
    **{
        f"lambda_url/{name}.json": _DETECT_URL
        for name in (
            "ddpy-lambda-url",
            "ptpy-lambdafunctionurlevent",
            "ptpy-lambdafunctionurleventwithheaders",
            "ptpy-lambdafunctionurliamevent",
            "ptts-lambda-base",
        )
    },
}


def _params(entries: list[dict[str, Any]], xfails: dict[str, str]) -> list[Any]:
    out = []
    for entry in entries:
        reason = xfails.get(entry["path"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(entry, id=entry["path"], marks=marks))
    return out


# ---- genuine captures of the six supported kinds -------------------------------------------------


@pytest.mark.parametrize("entry", _params(GENUINE_SUPPORTED, {}))
def test_genuine_capture_is_detected_as_its_kind(entry: dict[str, Any]) -> None:
    """``detect`` names a real event of a supported kind correctly."""
    assert events.detect(_load(entry["path"])) == entry["kind"]


@pytest.mark.parametrize("entry", _params(GENUINE_SUPPORTED, XFAIL_VALIDATE))
def test_genuine_capture_passes_the_schema(entry: dict[str, Any]) -> None:
    """The kind's JSON Schema accepts every real event of that kind (raises otherwise)."""
    assert events.validate(_load(entry["path"]), entry["kind"]) == entry["kind"]


@pytest.mark.parametrize("entry", _params(GENUINE_SUPPORTED, XFAIL_INVARIANTS))
def test_genuine_capture_breaks_no_invariant(entry: dict[str, Any]) -> None:
    """No cross-field rule of ``check_invariants`` is contradicted by a real event."""
    assert events.check_invariants(_load(entry["path"]), entry["kind"]) == []


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
}


@pytest.mark.parametrize("entry", _params(HAND_EDITED_21, {}))
def test_hand_edited_capture_is_detected(entry: dict[str, Any]) -> None:
    assert events.detect(_load(entry["path"])) == entry["kind"]


@pytest.mark.parametrize("entry", _params(HAND_EDITED_21, XFAIL_HAND_EDITED_SCHEMA))
def test_hand_edited_capture_passes_the_schema(entry: dict[str, Any]) -> None:
    assert events.validate(_load(entry["path"]), entry["kind"]) == entry["kind"]


# ---- events of sources we do not support ---------------------------------------------------------


@pytest.mark.parametrize("entry", _params(OTHER_SOURCES, XFAIL_DETECT_OTHER))
def test_other_source_is_not_taken_for_a_supported_kind(entry: dict[str, Any]) -> None:
    """``detect`` never names one of the six kinds for an event of another source (it may name the
    source once that kind exists, or return ``None``)."""
    assert events.detect(_load(entry["path"])) not in SUPPORTED


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
    """At least 40 events of the six supported kinds, and the issue-18/21 kinds are all present."""
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
