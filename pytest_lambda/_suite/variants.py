"""Hostile but real variants of events for the suite's ``robust`` check, and what counts as an answer.

Only what the source can really deliver. API Gateway passes on what a client sends, so
the API variants are client-controlled: a body that is not JSON or JSON of another shape,
no body, no query string, a large body, and (HTTP API) a JSON body without a text
Content-Type, which API Gateway base64-encodes (docs/internals/event-spec.md §5.3 rule 9). API Gateway
never drops ``httpMethod`` or ``requestContext``, so neither do we. Queue, topic, bucket
and stream payloads come from any producer, so their variants change the payload only.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._runtime.http_view import NotAnHttpEvent

__all__ = ["API_KINDS", "answer_problem", "apply", "contract_problem", "variants"]

API_KINDS: Final = ("apigw_v1", "apigw_v2", "function_url", "alb", "websocket")
_BIG: Final = 300_000
_Transform = Callable[[dict[str, Any]], None]


def _body(text: str | None) -> _Transform:
    def apply(event: dict[str, Any]) -> None:
        event["body"] = text
        event["isBase64Encoded"] = False

    return apply


def _v2_no_body(event: dict[str, Any]) -> None:
    event.pop("body", None)
    event["isBase64Encoded"] = False


def _v1_no_query(event: dict[str, Any]) -> None:
    event["queryStringParameters"] = None
    event["multiValueQueryStringParameters"] = None


def _v2_no_query(event: dict[str, Any]) -> None:
    event.pop("queryStringParameters", None)
    event["rawQueryString"] = ""


def _v2_untyped_json(event: dict[str, Any]) -> None:
    headers = event.get("headers") or {}
    for name in [h for h in headers if h.lower() == "content-type"]:
        del headers[name]
    raw = event.get("body") if not event.get("isBase64Encoded") else None
    text = raw if isinstance(raw, str) and raw else '{"id": 1}'
    event["body"] = base64.b64encode(text.encode()).decode()
    event["isBase64Encoded"] = True


def _alb_body(text: str) -> _Transform:
    def apply(event: dict[str, Any]) -> None:  # ALB always sends body, "" for none
        event["body"] = text
        event["isBase64Encoded"] = False

    return apply


def _as_message(text: str | None, binary: bool = False) -> _Transform:
    """A WebSocket frame on the $default route (a client can send any frame)."""

    def apply(event: dict[str, Any]) -> None:
        rc = event["requestContext"]
        if rc.get("eventType") != "MESSAGE":
            for key in ("headers", "multiValueHeaders", "queryStringParameters",
                        "multiValueQueryStringParameters"):  # fmt: skip
                event.pop(key, None)
            for key in ("disconnectStatusCode", "disconnectReason"):
                rc.pop(key, None)
            rc["messageId"] = rc["connectionId"][:-1][::-1] + "="
        rc["routeKey"] = "$default"
        rc["eventType"] = "MESSAGE"
        event["body"] = text
        event["isBase64Encoded"] = binary

    return apply


def _api(kind: str) -> list[tuple[str, _Transform]]:
    if kind == "websocket":
        return [
            ("frame is not JSON", _as_message("{not json")),
            ("frame is JSON without an action", _as_message('{"message": 1}')),
            ("frame is empty", _as_message("")),
            ("frame is binary (base64)", _as_message("//79/A==", binary=True)),
            ("frame is large (120 kB of text)", _as_message("x" * 120_000)),
        ]
    if kind == "alb":
        return [
            ("body is not JSON", _alb_body("{not json")),
            ("body is a JSON array, not an object", _alb_body("[]")),
            ("body is empty (as for a GET)", _alb_body("")),
            ("body is large (300 kB of text)", _alb_body("x" * _BIG)),
        ]
    out: list[tuple[str, _Transform]] = [
        ("body is not JSON", _body("{not json")),
        ("body is a JSON array, not an object", _body("[]")),
        ("body is JSON null", _body("null")),
        ("body is an empty JSON object", _body("{}")),
        ("body is large (300 kB of text)", _body("x" * _BIG)),
    ]
    if kind == "apigw_v1":
        out.append(("no body (body: null, as for a GET)", _body(None)))
        out.append(("no query string (queryStringParameters: null)", _v1_no_query))
    else:
        out.append(("no body (no body key, as for a GET)", _v2_no_body))
        out.append(("no query string (no queryStringParameters key)", _v2_no_query))
        out.append(
            ("JSON body without a Content-Type (API Gateway base64-encodes it)", _v2_untyped_json)
        )
    return out


def _set(path: str, value: object) -> _Transform:
    *parents, last = path.split(".")

    def apply(event: dict[str, Any]) -> None:
        node: Any = event
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value

    return apply


def _ddb(change: Callable[[dict[str, Any], dict[str, Any]], None]) -> _Transform:
    """Change Records[0] of a DynamoDB Streams event, keeping SizeBytes right."""

    def apply(event: dict[str, Any]) -> None:
        from pytest_lambda._events._ddb_json import item_size

        record = event["Records"][0]
        ddb = record["dynamodb"]
        change(record, ddb)
        ddb["SizeBytes"] = sum(item_size(ddb.get(f)) for f in ("Keys", "NewImage", "OldImage"))

    return apply


def _ddb_ttl_remove(record: dict[str, Any], ddb: dict[str, Any]) -> None:
    image = ddb.pop("NewImage", None) or ddb.get("OldImage")
    record["eventName"] = "REMOVE"
    record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    if ddb["StreamViewType"] in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        ddb["OldImage"] = image or dict(ddb["Keys"])


def _ddb_keys_only(record: dict[str, Any], ddb: dict[str, Any]) -> None:
    for field in ("NewImage", "OldImage"):
        if field in ddb:
            ddb[field] = dict(ddb["Keys"])


def _ddb_big_number(record: dict[str, Any], ddb: dict[str, Any]) -> None:
    for field in ("NewImage", "OldImage"):
        if field in ddb:
            ddb[field]["amount"] = {"N": "-1234567890.1234567890123456789012345678"}


def _dynamodb() -> list[tuple[str, _Transform]]:
    return [
        ("Records.0 is a TTL deletion (REMOVE by dynamodb.amazonaws.com)", _ddb(_ddb_ttl_remove)),
        ("Records.0's images hold only the key attributes", _ddb(_ddb_keys_only)),
        ("Records.0's images hold a 38-digit negative number", _ddb(_ddb_big_number)),
    ]


def _kafka_first(field: str, value: object) -> _Transform:
    """Set (or, for None, remove) ``field`` of the first record of a Kafka event."""

    def apply(event: dict[str, Any]) -> None:
        record = next(iter(event["records"].values()))[0]
        if value is None:
            record.pop(field, None)
        else:
            record[field] = value

    return apply


def _kafka() -> list[tuple[str, _Transform]]:
    return [
        ("the first record's value is empty", _kafka_first("value", "")),
        ("the first record's value is not UTF-8", _kafka_first("value", "//79/A==")),
        ("the first record's value is text that is not JSON", _kafka_first("value", "bm90IGpzb24=")),
        ("the first record has no key", _kafka_first("key", None)),
        ("the first record is a tombstone (no value)", _kafka_first("value", None)),
        ("the first record has no headers", _kafka_first("headers", [])),
    ]  # fmt: skip


def variants(kind: str) -> list[tuple[str, _Transform]]:
    """Hostile variants of an event of ``kind``: ``(description, transform in place)``."""
    if kind in API_KINDS:
        return _api(kind)
    if kind == "dynamodb":
        return _dynamodb()
    if kind == "kafka":
        return _kafka()
    if kind == "eventbridge":  # detail is whatever the emitter put there
        return [
            ("detail is empty ({})", _set("detail", {})),
            ("detail has an unexpected shape", _set("detail", {"unexpected": [None, 1, "x"]})),
            ("detail-type is one the handler does not expect", _set("detail-type", "Unknown")),
        ]
    if kind == "cloudwatch_logs":
        from pytest_lambda._events._cloudwatch_logs import CONTROL_PAYLOAD, encode

        return [
            ("a CONTROL_MESSAGE (the subscription health check)",
             _set("awslogs.data", encode(CONTROL_PAYLOAD))),
        ]  # fmt: skip
    if kind == "firehose":
        field = "records.0.data"
        return [
            (f"{field} is empty", _set(field, "")),
            (f"{field} decodes to bytes that are not UTF-8", _set(field, "//79/A==")),
            (f"{field} decodes to text that is not JSON", _set(field, "bm90IGpzb24=")),
        ]
    field = {
        "sqs": "Records.0.body",
        "sns": "Records.0.Sns.Message",
        "s3": "Records.0.s3.object.key",
        "kinesis": "Records.0.kinesis.data",
    }[kind]
    if kind == "s3":  # S3 keys are any UTF-8 up to 1,024 bytes, form-encoded in the event
        return [
            (f"{field} is 1,024 bytes long", _set(field, "k" * 1024)),
            (f"{field} has encoded spaces and unicode", _set(field, "a+b/%C3%A9t%C3%A9+%281%29.txt")),
        ]  # fmt: skip
    out: list[tuple[str, _Transform]] = [
        (f"{field} is empty", _set(field, "")),
        (f"{field} is not JSON", _set(field, "{not json")),
        (f"{field} is large (300 kB)", _set(field, "x" * _BIG)),
    ]
    if kind == "kinesis":
        out = [
            (f"{field} is empty", _set(field, "")),
            (f"{field} decodes to bytes that are not UTF-8", _set(field, "//79/A==")),
            (f"{field} decodes to text that is not JSON", _set(field, "bm90IGpzb24=")),
        ]
    return out


def apply(event: dict[str, Any], transform: _Transform) -> dict[str, Any]:
    out = copy.deepcopy(event)
    transform(out)
    return out


def answer_problem(kind: str, inv: Any, event: object = None) -> str | None:
    """What is wrong with the handler's answer to a hostile ``event``, or None.

    For an HTTP event (any source ``Invocation.http`` knows), an answer the source would
    replace with its own error (a 502 from API Gateway for a malformed proxy response) is a
    problem, with the source's reason."""
    if inv.timed_out:
        return "timed out"
    error = inv.error
    if error is not None and (error.type.startswith("Runtime.") or error.kind == "init"):
        return f"failed in the runtime ({error.type}: {error.message})"
    if kind == "dynamodb" and error is None:
        return _stream_response_problem(inv.response)
    try:
        answer = inv.http  # what the HTTP client gets, by the event's source's rules
    except NotAnHttpEvent:
        # a WebSocket client gets an error frame for a raised exception; other sources retry
        if kind == "websocket" and error is not None:
            return f"raised {error.type}: {error.message}"
        return None
    if error is not None:
        return f"raised {error.type}: {error.message}"
    if answer.gateway_error is not None:
        return f"the client would get {answer.status_code}: {answer.gateway_error}"
    return None


def _stream_response_problem(response: object) -> str | None:
    """The partial batch response contract of a stream source (docs/internals/event-spec.md
    §4A.3): an itemIdentifier that is empty, null, not a sequence number or under another key
    makes Lambda retry the whole batch."""
    from pytest_lambda._checks.redeliver import WHOLE_BATCH, failed_items

    if failed_items("dynamodb", {}, response) == WHOLE_BATCH:
        return (
            f"answered {str(response)[:120]} : an empty, null or non-numeric itemIdentifier (or "
            "another key) fails the whole batch; report each failed record as "
            '{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}'
        )
    return None


def contract_problem(kind: str, event: Any, inv: Any) -> str | None:
    """How a successful answer breaks the source's response contract (Firehose), or None."""
    if kind != "firehose" or inv.error is not None:
        return None
    from pytest_lambda._events._firehose import response_problems

    problems = response_problems(event, inv.response)
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"the response breaks the Firehose transformation contract: {problems[0]}{more}"
