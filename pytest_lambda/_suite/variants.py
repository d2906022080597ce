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
import hashlib
import json
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._runtime.http_view import NotAnHttpEvent

__all__ = [
    "API_KINDS",
    "BATCH_KINDS",
    "ID_FIELD",
    "answer_finding",
    "answer_problem",
    "apply",
    "contract_problem",
    "raise_consequence",
    "variants",
]

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


def _merge(path: str, extra: dict[str, Any]) -> _Transform:
    def apply(event: dict[str, Any]) -> None:
        node = event.get(path)
        event[path] = {**(node if isinstance(node, dict) else {}), **extra}

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


def _ddb_unicode(record: dict[str, Any], ddb: dict[str, Any]) -> None:
    for field in ("NewImage", "OldImage"):
        if field in ddb:
            ddb[field]["note"] = {"S": UNICODE_TEXT}


def _dynamodb() -> list[tuple[str, _Transform]]:
    return [
        ("Records.0 is a TTL deletion (REMOVE by dynamodb.amazonaws.com)", _ddb(_ddb_ttl_remove)),
        ("Records.0's images hold only the key attributes", _ddb(_ddb_keys_only)),
        ("Records.0's images hold a 38-digit negative number", _ddb(_ddb_big_number)),
        ("Records.0's images hold non-ASCII text (UTF-8)", _ddb(_ddb_unicode)),
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
            ("detail holds non-ASCII text", _merge("detail", {"note": UNICODE_TEXT})),
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
            (f"{field} has a space, sent as '+' (uploads/my photo.jpg)", _set(field, "uploads/my+photo.jpg")),
            (f"{field} has a literal '+', sent as '%2B' (uploads/a+b.jpg)", _set(field, "uploads/a%2Bb.jpg")),
            (f"{field} is unicode, sent URL-encoded (uploads/写真.jpg)",
             _set(field, "uploads/%E5%86%99%E7%9C%9F.jpg")),
        ]  # fmt: skip
    if kind == "kinesis":
        return [
            (f"{field} is empty", _set(field, "")),
            (f"{field} decodes to bytes that are not UTF-8", _set(field, "//79/A==")),
            (f"{field} decodes to text that is not JSON", _set(field, "bm90IGpzb24=")),
            (f"{field} decodes to JSON with non-ASCII text (UTF-8)", _kinesis_unicode),
        ]
    # SQS and SNS refuse an empty message; SNS messages are at most 256 KB, SQS 1 MiB.
    big = ("250 kB", 250_000) if kind == "sns" else ("300 kB", _BIG)
    return [
        (f"{field} is a JSON array, not an object", _set(field, '[{"id": 1}]')),
        (f"{field} is not JSON", _set(field, "{not json")),
        (f"{field} is large ({big[0]})", _set(field, "x" * big[1])),
        (f"{field} is JSON with non-ASCII text (UTF-8, not escaped)", _unicode_text(field)),
    ]


#: Text a real producer sends routinely: accents, CJK, an emoji (4 bytes in UTF-8).
UNICODE_TEXT: Final = "Zoë Ångström, 東京 🚀"


def _with_unicode(payload: object) -> dict[str, Any]:
    out = dict(payload) if isinstance(payload, dict) else {}
    out["note"] = UNICODE_TEXT
    return out


def _unicode_text(path: str) -> _Transform:
    """The payload's JSON (or a new object) with a non-ASCII ``note``, not \\u-escaped."""
    *parents, last = path.split(".")

    def apply(event: dict[str, Any]) -> None:
        node: Any = event
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        try:
            payload = json.loads(node[last])
        except (TypeError, ValueError):
            payload = None
        node[last] = json.dumps(_with_unicode(payload), ensure_ascii=False)

    return apply


def _kinesis_unicode(event: dict[str, Any]) -> None:
    inner = event["Records"][0]["kinesis"]
    try:
        payload = json.loads(base64.b64decode(inner["data"]))
    except ValueError:
        payload = None
    text = json.dumps(_with_unicode(payload), ensure_ascii=False)
    inner["data"] = base64.b64encode(text.encode("utf-8")).decode()


def apply(event: dict[str, Any], transform: _Transform) -> dict[str, Any]:
    """A changed copy of ``event``; an SQS record's ``md5OfBody`` follows its new body."""
    out = copy.deepcopy(event)
    transform(out)
    for record in out.get("Records", ()) if isinstance(out.get("Records"), list) else ():
        if isinstance(record, dict) and record.get("eventSource") == "aws:sqs":
            body = record.get("body")
            if isinstance(body, str):
                digest = hashlib.md5(body.encode("utf-8"), usedforsecurity=False)
                record["md5OfBody"] = digest.hexdigest()
    return out


#: A finding of the robust check: ``(code, what happened)``.
Found = tuple[str, str]
#: The kinds whose event source mapping reads a partial batch response.
BATCH_KINDS: Final = ("sqs", "kinesis", "dynamodb")
ID_FIELD: Final = {
    "sqs": 'record["messageId"]',
    "kinesis": 'record["kinesis"]["sequenceNumber"]',
    "dynamodb": 'record["dynamodb"]["SequenceNumber"]',
}


def answer_finding(kind: str, inv: Any, event: object = None) -> Found | None:
    """What is wrong with the handler's answer to a hostile ``event``: ``(code, text)`` or None.

    Codes: ``robust.timeout``, ``robust.runtime-failure``, ``robust.partial-batch-contract``,
    ``robust.bad-response`` (an HTTP answer the source replaces with its own error, with its
    reason), ``robust.server-error`` (an HTTP 5xx the handler answered itself) and ``robust.unhandled-exception`` (the handler raised; how grave depends on
    the source, see :func:`raise_consequence`)."""
    if inv.timed_out:
        return "robust.timeout", "timed out"
    error = inv.error
    if error is not None and (error.type.startswith("Runtime.") or error.kind == "init"):
        return "robust.runtime-failure", f"failed in the runtime ({error.type}: {error.message})"
    if kind in BATCH_KINDS and error is None:
        problem = _batch_response_problem(kind, event, inv.response)
        return None if problem is None else ("robust.partial-batch-contract", problem)
    raised = None if error is None else f"raised {error.type}: {error.message}"
    try:
        answer = inv.http  # what the HTTP client gets, by the event's source's rules
    except NotAnHttpEvent:
        return None if raised is None else ("robust.unhandled-exception", raised)
    if raised is not None:
        return "robust.unhandled-exception", raised
    if answer.gateway_error is not None:
        return (
            "robust.bad-response",
            f"the client would get {answer.status_code}: {answer.gateway_error}",
        )
    if 500 <= answer.status_code <= 599:  # the handler caught its failure: as if it raised
        return (
            "robust.server-error",
            f"answered {answer.status_code}: the handler failed on the input (a bad request "
            "is the client's error: a 4xx)",
        )
    return None


def answer_problem(kind: str, inv: Any, event: object = None) -> str | None:
    """The text of :func:`answer_finding`, or None (kept for callers of the text alone)."""
    found = answer_finding(kind, inv, event)
    return None if found is None else found[1]


#: What Lambda does when the handler raises, per source: (severity, consequence).
_ON_RAISE: Final[dict[str, tuple[str, str]]] = {
    "sqs": ("error", "Lambda retries the whole batch: the whole batch is redelivered (the "
                     "messages already handled too) until maxReceiveCount moves it to the "
                     "dead-letter queue"),
    "kinesis": ("error", "Lambda retries the whole batch from this record: the shard stalls "
                         "until the record expires (or the mapping's MaximumRetryAttempts "
                         "gives up on it)"),
    "dynamodb": ("error", "Lambda retries the whole batch from this record: the shard stalls "
                          "until the record expires (24 hours; or the mapping's "
                          "MaximumRetryAttempts gives up on it)"),
    "s3": ("warning", "S3 invokes asynchronously: Lambda retries the event twice, then the "
                      "event is dropped or goes to the on-failure destination"),
    "sns": ("warning", "SNS invokes asynchronously: Lambda retries the event twice, then the "
                       "event is dropped or goes to the on-failure destination"),
    "eventbridge": ("warning", "EventBridge invokes asynchronously: Lambda retries the event "
                               "twice, then the event is dropped or goes to the on-failure "
                               "destination"),
    "cloudwatch_logs": ("warning", "CloudWatch Logs invokes asynchronously: Lambda retries the "
                                   "event twice, then the log batch is dropped or goes to the "
                                   "on-failure destination"),
    "kafka": ("error", "Lambda retries the whole batch: the partition stalls behind this "
                       "record until it succeeds or expires (MaximumRetryAttempts and "
                       "MaximumRecordAgeInSeconds default to -1, unlimited)"),
    "firehose": ("warning", "Firehose retries the invocation, then delivers the batch "
                            "untransformed to the error output (processing-failed)"),
}  # fmt: skip


def raise_consequence(kind: str) -> tuple[str, str]:
    """``(severity, what happens)`` when a handler of ``kind`` raises; API kinds: an error."""
    if kind in API_KINDS:
        return "error", "the client gets an error answer (502/500) instead of a 4xx"
    return _ON_RAISE.get(kind, ("error", "the source retries or drops the event"))


def _batch_response_problem(kind: str, event: object, response: object) -> str | None:
    """The partial batch response contract (docs/internals/event-spec.md §4A.3): an
    itemIdentifier that is empty, null, under another key, not a sequence number (streams)
    or not a messageId of the batch (SQS) makes Lambda retry the whole batch."""
    from pytest_lambda._checks.redeliver import WHOLE_BATCH, failed_items

    if failed_items(kind, event if isinstance(event, dict) else {}, response) != WHOLE_BATCH:
        return None
    what = (
        "an itemIdentifier that is empty, null or not a messageId of the batch"
        if kind == "sqs"
        else "an empty, null or non-numeric itemIdentifier"
    )
    return (
        f"answered {str(response)[:160]} : {what} (or another key) fails the whole batch; "
        f'report each failed record as {{"itemIdentifier": {ID_FIELD[kind]}}}'
    )


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
