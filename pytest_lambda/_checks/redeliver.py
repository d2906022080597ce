"""Redelivery as each event source really does it (docs/internals/runtime.md §7).

>>> again = redeliver(sqs_event)                       # at-least-once duplicate
>>> retry = redeliver(sqs_event, response={"batchItemFailures": [{"itemIdentifier": mid}]})

What stays and what changes, per source:

* **SQS**: ``messageId``, ``body``, the md5s, ``messageAttributes``, ``SentTimestamp``,
  ``ApproximateFirstReceiveTimestamp`` and the FIFO fields stay; every message gets a
  new ``receiptHandle`` and ``ApproximateReceiveCount`` grows by ``attempt``.
* **S3, SNS, EventBridge, CloudWatch Logs** (asynchronous invocation): the identical event, and the retry keeps
  the invocation's request id (:func:`same_request_id`). EventBridge also delivers at least
  once: a duplicate carries the same ``id`` (and is a new invocation). An EventBridge Scheduler
  envelope (``variant="scheduler"``) follows the same rule.
* **Kinesis, DynamoDB Streams**: the same records, byte for byte (there is no receive
  counter); with ``bisect=True`` a failed batch comes back halved
  (``BisectBatchOnFunctionError``).
* **Kafka** (Amazon MSK, self-managed): the Kafka event source mapping retries a failed batch
  (an exception or a timeout): the same records, byte for byte, under the same
  topic-partition keys; with ``bisect=True`` the first half of the batch (in partition order;
  "split batch on error"). Lambda also reads at least once, so a duplicate is the same batch.
  Partial batch responses are not modelled for Kafka (event-spec.md §4B: AWS documents
  ``ReportBatchItemFailures`` for Kafka but not, in the pages found, the identifier's format):
  :func:`redeliver` refuses a ``batchItemFailures`` response to a Kafka event.
* **Firehose**: after a failed invocation (an exception or a timeout) the whole buffer again,
  the same ``recordId`` values and data, under a new ``invocationId``. An answered buffer is
  not retried: records answered ``ProcessingFailed``, and every record of an answer that breaks
  the transformation contract, go to the error output.
* **API Gateway** (v1, v2): a client retry is a new request: new ``requestId``
  (v1 also ``extendedRequestId``) and a later request time, with the CLF time and the
  ``X-Amzn-Trace-Id`` root epoch kept consistent.
* **Function URL**: a client retry, as for an HTTP API: a new UUID ``requestId``, a later
  ``timeEpoch``/``time`` and trace root.
* **ALB**: a client retry: the same request with a new ``X-Amzn-Trace-Id`` (a later
  root); ALB events carry no request id or time field.
* **WebSocket**: the client sends the frame again: new ``requestId`` =
  ``extendedRequestId``, a new ``messageId`` for a message, a later ``requestTimeEpoch``;
  the ``connectionId`` and ``connectedAt`` stay (same connection).

Partial batch responses (``{"batchItemFailures": [{"itemIdentifier": ...}]}``) decide
what a batch source redelivers: for SQS only the failed messages (FIFO: in each
message group, the first failed message and every later message of that group); for
Kinesis and DynamoDB Streams every record from the lowest failed sequence number on
(``kinesis.sequenceNumber`` / ``dynamodb.SequenceNumber``: the shard keeps its order). An exception
(``failed=True``) or an invalid response (an empty or null ``itemIdentifier``, a wrong
key name, or an SQS id not in the batch) redelivers the whole batch. A response that
reports success redelivers nothing, and :func:`redeliver` refuses it.

Every result is deterministic: the same event, ``attempt`` and ``seed`` give the same
receipt handles, request ids and times.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

from pytest_lambda._core import facts
from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec
from pytest_lambda._events._world import World, clf_time

__all__ = ["BATCH_KINDS", "failed_items", "next_delivery", "redeliver", "same_request_id"]

#: Kinds whose source honours partial batch responses.
BATCH_KINDS: Final[frozenset[str]] = frozenset({"sqs", "kinesis", "dynamodb"})
_STREAM_KINDS: Final[frozenset[str]] = frozenset({"kinesis", "dynamodb"})
_ASYNC_KINDS: Final[frozenset[str]] = frozenset({"s3", "sns", "eventbridge", "cloudwatch_logs"})
_ALL_KINDS: Final[tuple[str, ...]] = facts.EVENT_KINDS

#: ``failed_items`` result meaning "the whole batch failed".
WHOLE_BATCH: Final = "whole batch"


def same_request_id(kind: str) -> bool:
    """Whether the source's retry keeps the invocation's ``aws_request_id``.

    True for asynchronous sources (S3, SNS): Lambda retries the same invoke, so
    the retry has the same request id. Every other retry is a new invocation.
    """
    return kind in _ASYNC_KINDS


def _kind_of(event: Mapping[str, Any], kind: str | None) -> str:
    if kind is not None:
        if kind not in _ALL_KINDS:
            given: object = kind  # typed str, but a caller may pass anything
            raise (InvalidEventSpec if isinstance(given, str) else ArgumentTypeError)(
                f"unknown event kind {kind!r}; valid kinds: {', '.join(_ALL_KINDS)}"
            )
        return kind
    from pytest_lambda._events._validate import detect

    found = detect(event)
    if found is None:
        raise InvalidEventSpec(
            "cannot tell which source delivered this event; pass kind= one of "
            + ", ".join(_ALL_KINDS)
        )
    return found


def _world(event: Mapping[str, Any], attempt: int, seed: int | None) -> World:
    text = json.dumps(event, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{seed}|{attempt}|{text}".encode()).digest()
    return World(
        int.from_bytes(digest[:8], "big"), region="us-east-1", account_id="000000000000", time=0
    )


def failed_items(kind: str, event: Mapping[str, Any], response: object) -> frozenset[str] | str:
    """What a batch source reads from ``response`` (the partial batch response contract).

    Returns the reported item identifiers (empty when the batch succeeded) or
    :data:`WHOLE_BATCH` when the response makes the whole batch fail. Only an
    object's ``batchItemFailures`` is read: ``None``, an object without that key, or
    any other value is a success, as for a mapping without ``ReportBatchItemFailures``.
    """
    if not isinstance(response, Mapping):
        return frozenset()
    failures = response.get("batchItemFailures")
    if failures is None:
        return frozenset()
    if not isinstance(failures, list):
        return WHOLE_BATCH
    ids: set[str] = set()
    for item in failures:
        if not isinstance(item, Mapping) or "itemIdentifier" not in item:
            return WHOLE_BATCH  # wrong key name
        ident = item["itemIdentifier"]
        if not isinstance(ident, str) or not ident:
            return WHOLE_BATCH  # empty or null id
        ids.add(ident)
    if kind == "sqs":
        known = {r.get("messageId") for r in event.get("Records", ())}
        if not ids <= known:
            return WHOLE_BATCH  # a message id that is not in the batch
    if kind in _STREAM_KINDS and not all(i.isdigit() for i in ids):
        return WHOLE_BATCH
    return frozenset(ids)


def _sequence(kind: str, record: Mapping[str, Any]) -> int:
    inner = (
        record["kinesis"]["sequenceNumber"]
        if kind == "kinesis"
        else record["dynamodb"]["SequenceNumber"]
    )
    return int(inner)


def _records_to_redeliver(
    kind: str, event: Mapping[str, Any], response: object, failed: bool, bisect: bool = False
) -> list[dict[str, Any]] | None:
    records: list[dict[str, Any]] = list(event.get("Records", ()))
    if failed and bisect and kind in _STREAM_KINDS:
        # BisectBatchOnFunctionError: the failed batch is split in two and the first
        # half retried (the second follows once it succeeds); one record stays whole.
        return records[: max(1, (len(records) + 1) // 2)]
    ids = WHOLE_BATCH if failed or response is None else failed_items(kind, event, response)
    if ids == WHOLE_BATCH:
        return records
    assert not isinstance(ids, str)
    if not ids:
        return None
    if kind in _STREAM_KINDS:
        lowest = min(int(i) for i in ids)
        return [r for r in records if _sequence(kind, r) >= lowest]
    # SQS; FIFO: per message group, the first failure and every later message of the group
    fifo = any(str(r.get("eventSourceARN", "")).endswith(".fifo") for r in records)
    if not fifo:
        return [r for r in records if r.get("messageId") in ids]
    blocked: set[object] = set()
    out = []
    for record in records:
        group = record.get("attributes", {}).get("MessageGroupId")
        if record.get("messageId") in ids:
            blocked.add(group)
        if group in blocked:
            out.append(record)
    return out


def _new_receipt_handle(world: World, old: object) -> str:
    length = len(old) if isinstance(old, str) and old.startswith("AQEB") else 380
    length = max(length, 64)
    body = world.b64(length)  # 4 chars per 3 bytes: more than enough
    return ("AQEB" + body)[:length]


def _sqs(records: list[dict[str, Any]], world: World, attempt: int) -> None:
    for record in records:
        record["receiptHandle"] = _new_receipt_handle(world, record.get("receiptHandle"))
        attrs = record.get("attributes")
        if isinstance(attrs, dict):
            try:
                count = int(attrs.get("ApproximateReceiveCount", "1"))
            except (TypeError, ValueError):
                count = 1
            attrs["ApproximateReceiveCount"] = str(count + attempt)


def _header_key(headers: object, name: str) -> str | None:
    if isinstance(headers, Mapping):
        for key in headers:
            if isinstance(key, str) and key.lower() == name:
                return key
    return None


def _retrace(event: dict[str, Any], epoch_ms: int, world: World) -> None:
    """A new ``X-Amzn-Trace-Id`` whose root carries the new request's epoch seconds."""
    root = f"Root=1-{epoch_ms // 1000:08x}-{world.hex(24)}"
    for field in ("headers", "multiValueHeaders"):
        headers = event.get(field)
        key = _header_key(headers, "x-amzn-trace-id")
        if key is None or not isinstance(headers, dict):
            continue
        headers[key] = [root] if field == "multiValueHeaders" else root


def _later(old: object, attempt: int, world: World) -> int:
    base = old if isinstance(old, int) and not isinstance(old, bool) else 0
    # a client backs off about a second per attempt (plus jitter) before retrying
    return base + attempt * 1000 + world.rng.randrange(1, 1000)


def _alb(event: dict[str, Any], world: World, attempt: int) -> None:
    """A client retry through ALB: the same request with a new X-Ray trace (ALB has no
    request id or time field; the trace root carries the new second)."""
    old = None
    for field in ("headers", "multiValueHeaders"):
        key = _header_key(event.get(field), "x-amzn-trace-id")
        if key is not None:
            value = event[field][key]
            old = value[-1] if isinstance(value, list) and value else value
    seconds = (
        int(old[7:15], 16)
        if isinstance(old, str) and old.startswith("Root=1-") and len(old) >= 15
        else 0
    )
    _retrace(event, _later(seconds * 1000, attempt, world), world)


def _apigw(event: dict[str, Any], kind: str, world: World, attempt: int) -> None:
    if kind == "alb":
        _alb(event, world, attempt)
        return
    ctx = event.get("requestContext")
    if not isinstance(ctx, dict):
        raise InvalidEventSpec(f"{kind} event has no requestContext object; cannot redeliver it")
    if kind == "apigw_v1":
        ctx["requestId"] = world.uuid4()
        if "extendedRequestId" in ctx:
            ctx["extendedRequestId"] = world.b64url(15) + "="
        epoch = _later(ctx.get("requestTimeEpoch"), attempt, world)
        ctx["requestTimeEpoch"] = epoch
        ctx["requestTime"] = clf_time(epoch)
        cf = _header_key(event.get("headers"), "x-amz-cf-id")
        if cf is not None:
            new_cf = (world.b64(42)[:54] + "==").replace("+", "-").replace("/", "_")
            event["headers"][cf] = new_cf
            mv = event.get("multiValueHeaders")
            mv_key = _header_key(mv, "x-amz-cf-id")
            if mv_key is not None and isinstance(mv, dict):
                mv[mv_key] = [new_cf]
    elif kind == "websocket":  # the client sends the frame again: a new request and message
        ctx["requestId"] = ctx["extendedRequestId"] = world.b64url(15) + "="
        if "messageId" in ctx:
            ctx["messageId"] = world.b64url(15) + "="
        epoch = _later(ctx.get("requestTimeEpoch"), attempt, world)
        ctx["requestTimeEpoch"] = epoch
        ctx["requestTime"] = clf_time(epoch)
    elif kind == "function_url":
        ctx["requestId"] = world.uuid4()
        epoch = _later(ctx.get("timeEpoch"), attempt, world)
        ctx["timeEpoch"] = epoch
        ctx["time"] = clf_time(epoch)
    else:
        ctx["requestId"] = world.b64url(15) + "="
        epoch = _later(ctx.get("timeEpoch"), attempt, world)
        ctx["timeEpoch"] = epoch
        ctx["time"] = clf_time(epoch)
    _retrace(event, epoch, world)


def _kafka(
    event: dict[str, Any], response: object, failed: bool, bisect: bool
) -> dict[str, Any] | None:
    """The Kafka event source mapping's next delivery (see the module docs)."""
    if not failed and isinstance(response, Mapping) and response.get("batchItemFailures"):
        raise InvalidEventSpec(
            "a partial batch response (batchItemFailures) to a Kafka event is not modelled: AWS "
            "documents ReportBatchItemFailures for Kafka event source mappings but not the item "
            "identifier's format (docs/internals/event-spec.md §4B); pass failed=True for the "
            "whole-batch retry Lambda makes after an error"
        )
    if not failed and response is not None:
        return None  # the batch succeeded: the mapping commits its offsets
    if failed and bisect:
        groups = event.get("records")
        if isinstance(groups, Mapping):
            flat = [(k, r) for k, batch in groups.items() if isinstance(batch, list) for r in batch]
            keep = flat[: max(1, (len(flat) + 1) // 2)]
            half: dict[str, list[Any]] = {}
            for key, record in keep:
                half.setdefault(key, []).append(record)
            event["records"] = half
    return event


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def next_delivery(
    event: Mapping[str, Any],
    kind: str | None = None,
    attempt: int = 1,
    *,
    response: object = None,
    failed: bool = False,
    seed: int | None = None,
    bisect: bool = False,
) -> dict[str, Any] | None:
    """The event the source delivers next, or ``None`` when it redelivers nothing.

    Like :func:`redeliver`, but a batch response reporting success gives ``None``
    (``response=None`` still means an at-least-once duplicate of the whole batch).
    """
    if not isinstance(event, Mapping):
        raise ArgumentTypeError(f"redeliver() needs an event object, got {type(event).__name__}")
    if isinstance(attempt, bool) or not isinstance(attempt, int):
        raise ArgumentTypeError(f"attempt={attempt!r}: expected an int >= 1 (1 = first redelivery)")
    if not _positive_int(attempt):
        raise InvalidEventSpec(f"attempt={attempt!r}: expected an int >= 1 (1 = first redelivery)")
    kind = _kind_of(event, kind)
    out: dict[str, Any] = copy.deepcopy(dict(event))
    if kind in _ASYNC_KINDS:
        return out
    world = _world(event, attempt, seed)
    if kind == "kafka":
        return _kafka(out, response, failed, bisect)
    if kind == "firehose":
        if response is not None and not failed:
            return None  # an answered buffer is not retried; failed records go to the error output
        out["invocationId"] = world.uuid4()
        return out
    if kind in BATCH_KINDS:
        records = _records_to_redeliver(kind, out, response, failed, bisect)
        if records is None:
            return None
        out["Records"] = records
        if kind == "sqs":
            _sqs(records, world, attempt)
        return out
    _apigw(out, kind, world, attempt)
    return out


def redeliver(
    event: Mapping[str, Any],
    kind: str | None = None,
    attempt: int = 1,
    *,
    response: object = None,
    seed: int | None = None,
    failed: bool = False,
    bisect: bool = False,
) -> dict[str, Any]:
    """The event as its source delivers it again (see the module docs for the rules).

    ``kind`` is detected from the event when omitted. ``attempt`` counts
    redeliveries (1 = the first): SQS adds it to ``ApproximateReceiveCount``, API
    Gateway moves the request time later by about that many seconds. ``response`` is
    the handler's response to the delivery being retried: for SQS and Kinesis it
    selects the failed items to redeliver. ``failed=True`` means the invocation
    raised or timed out (the whole batch comes back). With neither, the whole
    event comes back: an at-least-once duplicate. ``seed`` varies the new receipt
    handles, request ids and times; results are deterministic either way.
    ``bisect=True`` with ``failed=True`` (Kinesis, DynamoDB Streams, Kafka) models
    ``BisectBatchOnFunctionError``: the first half of the batch comes back.
    """
    __tracebackhide__ = True
    out = next_delivery(
        event, kind, attempt, response=response, failed=failed, seed=seed, bisect=bisect
    )
    if out is None and _kind_of(event, kind) == "firehose":
        raise InvalidEventSpec(
            "Firehose does not retry a buffer its function answered (ProcessingFailed records and "
            "the records of a rejected answer go to the error output); pass failed=True for the "
            "retry of an invocation that raised or timed out"
        )
    if out is None:
        raise InvalidEventSpec(
            f"response {response!r} reports that every item succeeded, so the source "
            "redelivers nothing; pass response=None for an at-least-once duplicate of the "
            "whole batch"
        )
    return out
