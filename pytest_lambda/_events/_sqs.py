"""The ``sqs`` event kind: a batch of messages from one standard or FIFO queue.

Field tree, key order and invariants: docs/internals/event-spec.md §1 (and §2.4 for the SNS envelope).
Dependent fields are built from independent ones: ``md5OfBody`` from ``body``,
``md5OfMessageAttributes`` from ``messageAttributes`` (the SQS algorithm,
:func:`md5_of_message_attributes`), a content-based ``MessageDeduplicationId`` from the
body, the FIFO ``SequenceNumber`` from ``SentTimestamp`` (real ones are
``2**64 + SentTimestamp * 256000 + k * 256``), and every timestamp flows forward:
SNS ``Timestamp`` ≤ ``SentTimestamp`` ≤ ``ApproximateFirstReceiveTimestamp`` ≤ invocation.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._overrides import Path
from ._sns_envelope import (
    MAX_MESSAGE_BYTES,
    SnsEnvelopes,
    default_message,
    partition,
    text_payload,
)
from ._sqs_attrs import md5_of_message_attributes, sqs_to_sns_attributes
from ._sqs_checks import invariants, md5_hex, sha256_hex
from ._sqs_params import MAX_BODY_BYTES, SqsSpec
from ._world import MAX_EVENT_BYTES, World

__all__ = ["PARAMS", "build", "derive", "invariants", "md5_of_message_attributes"]

PARAMS: Final[dict[str, str]] = {
    "records": "int ≥ 1: number of messages (default 1; at most 10 for FIFO, 10000 for standard)",
    "body": "str, or a JSON-able value sent as compact JSON: the body of every record (default: random JSON per record)",
    "bodies": "list: one body per record (sets the record count; excludes body)",
    "body_schema": "JSON Schema (dict, or path of a .json file) every body is generated from",
    "queue": "queue name, 1-80 chars of [A-Za-z0-9_-]; a .fifo suffix makes a FIFO event (default: drawn)",
    "fifo": "bool: FIFO queue, adds .fifo to the queue name (default: from the queue name)",
    "group_id": "FIFO MessageGroupId: a str for every record or a list, one per record (default: a few groups drawn)",
    "message_attributes": (
        "dict name → str / int / float / bytes, or {'dataType': ..., 'stringValue'|'binaryValue': ...} "
        "(≤ 10; with sns_envelope they are the SNS message's attributes)"
    ),
    "receive_count": "int ≥ 1: ApproximateReceiveCount (default 1; 2-5 with dlq_source)",
    "sns_envelope": (
        "True, or a dict of topic/subject/signature_version: each body is the SNS notification "
        "envelope of the message (raw delivery off)"
    ),
    "content_based_dedup": "bool, FIFO only: MessageDeduplicationId = sha256(body) (default) or an opaque id",
    "trace_header": "bool: add attributes.AWSTraceHeader, as when X-Ray tracing is active (default False)",
    "dlq_source": "True, or the source queue's name or ARN: the event comes from a dead-letter queue",
}

_IAM_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#: byte -> IAM id character (256 = 8 x 32, so every character is equally likely)
_IAM_TABLE: Final = (_IAM_ALPHABET * 8).encode("ascii")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_TWO_64: Final = 2**64
#: Messages live at most 14 days in a queue: the first receive is no older than that.
_MAX_RETENTION_MS: Final = 14 * 86_400_000 - 3_600_000
_RECORD_ORDER: Final = (
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfMessageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
)


@functools.cache
def _sns_sender(region: str) -> str:
    """The SNS-owned IAM user id that sends envelopes in ``region`` (stable, as in reality)."""
    digest = hashlib.sha256(f"sns-sender:{region}".encode()).digest()
    return "AIDA" + digest[:17].translate(_IAM_TABLE).decode("ascii")


def _messages(world: World, spec: SqsSpec) -> list[str]:
    n = spec.count
    if spec.bodies is not None:
        return spec.bodies * n if len(spec.bodies) == 1 and n > 1 else list(spec.bodies)
    if spec.schema is not None:
        from ._payload import payload_from_schema

        limit = MAX_MESSAGE_BYTES if spec.envelope else MAX_BODY_BYTES
        return [
            text_payload(payload_from_schema(spec.schema, world), "body_schema", limit)
            for _ in range(n)
        ]
    return [default_message(world) for _ in range(n)]


def _times(world: World, n: int, receive_count: int) -> tuple[list[int], list[int]]:
    """SentTimestamp and ApproximateFirstReceiveTimestamp of ``n`` records, in send order."""
    rand = world.rng.random  # int(rand() * k) is a cheap draw from range(k)
    redelivery = 0
    if receive_count > 1:  # earlier receives, one visibility timeout apart, within retention
        visibility_ms = (30 + int(rand() * 271)) * 1000
        redelivery = min((receive_count - 1) * visibility_ms, _MAX_RETENTION_MS)
    last = world.now_ms - redelivery - 45 - int(rand() * 356)
    if n == 1:
        return [last], [last + int(rand() * 41)]
    sent = [last] * n
    for i in range(n - 2, -1, -1):
        sent[i] = sent[i + 1] - int(rand() * 26)
    return sent, [s + int(rand() * 41) for s in sent]


def _sender(world: World, spec: SqsSpec) -> str:
    """SenderId: an IAM user id, or a role id + session (e.g. the sending function's name).

    IAM unique ids use the letters A-Z and digits 2-7 after their 4-letter prefix.
    """
    if spec.envelope is not None:
        return _sns_sender(world.region)
    rng = world.rng
    unique = rng.randbytes(17).translate(_IAM_TABLE).decode("ascii")
    if rng.random() < 0.5:
        return "AIDA" + unique
    return f"AROA{unique}:{world.slug(2)}"


def _groups(world: World, spec: SqsSpec) -> list[str] | None:
    if spec.groups is not None:
        return spec.groups
    if not spec.fifo:
        return None
    n, rng = spec.count, world.rng
    ngroups = 1 if n == 1 else rng.randint(1, min(3, n))
    names: list[str] = []
    while len(names) < ngroups:
        name = f"{world.word()}-{rng.randrange(1000, 10000)}"
        if name not in names:
            names.append(name)
    if ngroups == 1:
        return names * n
    return [names[rng.randrange(ngroups)] for _ in range(n)]


def _sequence_numbers(world: World, sent: list[int]) -> list[str]:
    """FIFO SequenceNumbers: strictly increasing in send order, derived from SentTimestamp."""
    out: list[str] = []
    prev = 0
    randrange = world.rng.randrange
    for ms in sent:
        seq = _TWO_64 + ms * 256_000 + randrange(4) * 256
        if seq <= prev:
            seq = prev + 256
        out.append(str(seq))
        prev = seq
    return out


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    spec = SqsSpec(world, params)
    rng = world.rng
    n = spec.count
    region = world.region
    arn = f"arn:{partition(region)}:sqs:{region}:{world.account_id}:{spec.queue}"
    dlq_arn = (
        f"arn:{partition(region)}:sqs:{region}:{world.account_id}:{spec.dlq_source}"
        if spec.dlq_source
        else None
    )
    messages = _messages(world, spec)
    sent, first = _times(world, n, spec.receive_count)
    sender = _sender(world, spec)
    groups = _groups(world, spec)
    seqs = _sequence_numbers(world, sent) if spec.fifo else None
    attrs = spec.attrs
    if spec.envelope is not None:
        env = spec.envelope
        maker = SnsEnvelopes(
            world,
            topic=env["topic"],
            subject=env["subject"],
            attributes=sqs_to_sns_attributes(attrs),
            signature_version=env["signature_version"],
        )
        sns_seq = 10**19 + rng.randrange(1, 10**6) * 1000
        bodies = []
        for i in range(n):
            sns_seq += rng.randint(1, 50) * 1000
            bodies.append(maker.body(messages[i], sent[i] - rng.randint(5, 60), str(sns_seq)))
        attrs = {}
    else:
        bodies = messages
    attrs_md5 = md5_of_message_attributes(attrs) if attrs else None
    rc = str(spec.receive_count)
    md5_cache: dict[str, str] = {}
    rand, randbytes, b64encode = rng.random, rng.randbytes, base64.b64encode
    records: list[dict[str, Any]] = []
    for i in range(n):
        body = bodies[i]
        message_id = world.uuid4()
        a: dict[str, str] = {}
        if dlq_arn:
            a["DeadLetterQueueSourceArn"] = dlq_arn
        a["ApproximateReceiveCount"] = rc
        if spec.trace:
            a["AWSTraceHeader"] = world.trace_header(sent[i] - rng.randint(0, 800), parent=True)
        a["SentTimestamp"] = str(sent[i])
        if seqs is not None:
            a["SequenceNumber"] = seqs[i]
        if groups is not None:
            a["MessageGroupId"] = groups[i]
        a["SenderId"] = sender
        if spec.fifo:
            if spec.dedup == "content":
                a["MessageDeduplicationId"] = sha256_hex(body)
            elif spec.dedup == "message_id":
                a["MessageDeduplicationId"] = message_id
            else:
                a["MessageDeduplicationId"] = world.uuid4()
        a["ApproximateFirstReceiveTimestamp"] = str(first[i])
        digest = md5_cache.get(body)
        if digest is None:
            digest = md5_cache[body] = md5_hex(body)
        record: dict[str, Any] = {
            "messageId": message_id,
            "receiptHandle": "AQEB" + b64encode(randbytes(110 + int(rand() * 181))).decode(),
            "body": body,
            "attributes": a,
            "messageAttributes": {
                k: {**v, "stringListValues": [], "binaryListValues": []} for k, v in attrs.items()
            }
            if attrs
            else {},
        }
        if attrs_md5 is not None:
            record["md5OfMessageAttributes"] = attrs_md5
        record["md5OfBody"] = digest
        record["eventSource"] = "aws:sqs"
        record["eventSourceARN"] = arn
        record["awsRegion"] = region
        records.append(record)
    event = {"Records": records}
    _check_size(event, bodies)
    return event


_RECORD_JSON: Final = 1200  # a generous bound on one record's JSON besides its body


def _check_size(event: dict[str, Any], bodies: list[str]) -> None:
    """Lambda's poller never sends more than 6 MB: refuse a batch that could not be delivered.

    Serialising is the exact measure; it only runs when a rough upper bound could pass the limit.
    """
    bound = sum(map(len, bodies)) * 2 + len(bodies) * _RECORD_JSON
    if bound <= MAX_EVENT_BYTES:
        return
    import json

    size = len(json.dumps(event, separators=(",", ":")).encode("utf-8"))
    if size > MAX_EVENT_BYTES:
        raise InvalidEventSpec(
            f"{len(bodies)} messages with these bodies make a {size:,}-byte event, over the 6 MB "
            "Lambda invocation payload (the poller sends smaller batches); use fewer records "
            "or smaller bodies"
        )


# -- after overrides ----------------------------------------------------------------------------
def _set_in_order(record: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``, placing a new key where real events have it."""
    if key in record:
        record[key] = value
        return
    record[key] = value
    order = {k: i for i, k in enumerate(_RECORD_ORDER)}
    items = sorted(record.items(), key=lambda kv: order.get(kv[0], len(order)))
    record.clear()
    record.update(items)


def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Recompute md5s, a content-based dedup id and awsRegion from what the user set."""
    records = event.get("Records")
    if not isinstance(records, list):
        return
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        body = rec.get("body")
        if isinstance(body, str) and not is_protected(("Records", i, "md5OfBody")):
            _set_in_order(rec, "md5OfBody", md5_hex(body))
        attrs = rec.get("messageAttributes")
        if isinstance(attrs, dict) and not is_protected(("Records", i, "md5OfMessageAttributes")):
            if not attrs:
                rec.pop("md5OfMessageAttributes", None)
            else:
                try:
                    digest = md5_of_message_attributes(attrs)
                except (KeyError, TypeError, ValueError, AttributeError):
                    pass  # malformed attributes (validate=False): leave the md5 alone
                else:
                    _set_in_order(rec, "md5OfMessageAttributes", digest)
        sys_attrs = rec.get("attributes")
        if isinstance(sys_attrs, dict) and isinstance(body, str):
            dedup = sys_attrs.get("MessageDeduplicationId")
            path: Path = ("Records", i, "attributes", "MessageDeduplicationId")
            if isinstance(dedup, str) and _SHA256_HEX.fullmatch(dedup) and not is_protected(path):
                sys_attrs["MessageDeduplicationId"] = sha256_hex(body)
        arn = rec.get("eventSourceARN")
        if isinstance(arn, str) and not is_protected(("Records", i, "awsRegion")):
            parts = arn.split(":")
            if len(parts) == 6 and parts[2] == "sqs" and parts[3]:
                _set_in_order(rec, "awsRegion", parts[3])
