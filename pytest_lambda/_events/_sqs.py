"""The ``sqs`` event kind: a batch of messages from one standard or FIFO queue.

Field tree, key order and invariants: event-spec.md §1 (and §2.4 for the SNS envelope).
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

from ._overrides import Path
from ._sns_envelope import (
    COMPACT,
    MAX_MESSAGE_BYTES,
    SnsEnvelopes,
    envelope_problems,
    partition,
    text_payload,
)
from ._sqs_attrs import md5_of_message_attributes, sqs_to_sns_attributes
from ._sqs_params import MAX_BODY_BYTES, SqsSpec
from ._world import World

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
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_TWO_64: Final = 2**64
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


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def _sns_sender(region: str) -> str:
    """The SNS-owned IAM user id that sends envelopes in ``region`` (stable, as in reality)."""
    digest = hashlib.sha256(f"sns-sender:{region}".encode()).digest()
    return "AIDA" + "".join(_IAM_ALPHABET[b % 32] for b in digest[:17])


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
    encode = COMPACT.encode
    return [encode(world.json_payload()) for _ in range(n)]


def _times(world: World, n: int, receive_count: int) -> tuple[list[int], list[int]]:
    """SentTimestamp and ApproximateFirstReceiveTimestamp of ``n`` records, in send order."""
    randint = world.rng.randint
    redelivery = 0 if receive_count == 1 else (receive_count - 1) * randint(30, 300) * 1000
    last = world.now_ms - redelivery - randint(45, 400)
    if n == 1:
        return [last], [last + randint(0, 40)]
    sent = [last] * n
    for i in range(n - 2, -1, -1):
        sent[i] = sent[i + 1] - randint(0, 25)
    return sent, [s + randint(0, 40) for s in sent]


def _sender(world: World, spec: SqsSpec) -> str:
    """SenderId: an IAM user id, or a role id + session (e.g. the sending function's name).

    IAM unique ids use the letters A-Z and digits 2-7 after their 4-letter prefix.
    """
    if spec.envelope is not None:
        return _sns_sender(world.region)
    rng = world.rng
    unique = base64.b32encode(rng.randbytes(11)).decode("ascii")[:17]
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
                a["MessageDeduplicationId"] = _sha256(body)
            elif spec.dedup == "message_id":
                a["MessageDeduplicationId"] = message_id
            else:
                a["MessageDeduplicationId"] = world.uuid4()
        a["ApproximateFirstReceiveTimestamp"] = str(first[i])
        digest = md5_cache.get(body)
        if digest is None:
            digest = md5_cache[body] = _md5(body)
        record: dict[str, Any] = {
            "messageId": message_id,
            "receiptHandle": "AQEB" + world.b64(rng.randint(110, 290)),
            "body": body,
            "attributes": a,
            "messageAttributes": {
                k: {**v, "stringListValues": [], "binaryListValues": []} for k, v in attrs.items()
            },
        }
        if attrs_md5 is not None:
            record["md5OfMessageAttributes"] = attrs_md5
        record["md5OfBody"] = digest
        record["eventSource"] = "aws:sqs"
        record["eventSourceARN"] = arn
        record["awsRegion"] = region
        records.append(record)
    return {"Records": records}


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
            _set_in_order(rec, "md5OfBody", _md5(body))
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
                sys_attrs["MessageDeduplicationId"] = _sha256(body)
        arn = rec.get("eventSourceARN")
        if isinstance(arn, str) and not is_protected(("Records", i, "awsRegion")):
            parts = arn.split(":")
            if len(parts) == 6 and parts[2] == "sqs" and parts[3]:
                _set_in_order(rec, "awsRegion", parts[3])


# -- invariants -------------------------------------------------------------------------------
def _int(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _record_problems(rec: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    body = rec.get("body")
    md5 = rec.get("md5OfBody")
    if isinstance(body, str) and isinstance(md5, str) and md5 != _md5(body):
        out.append(f"{where}.md5OfBody is {md5!r} but md5(body) is {_md5(body)!r}")
    attrs = rec.get("messageAttributes")
    amd5 = rec.get("md5OfMessageAttributes")
    if isinstance(attrs, dict):
        if attrs and amd5 is None:
            out.append(
                f"{where}.md5OfMessageAttributes is missing but messageAttributes is not empty"
            )
        elif not attrs and amd5 is not None:
            out.append(
                f"{where}.md5OfMessageAttributes is {amd5!r} but messageAttributes is empty (SQS omits it)"
            )
        elif attrs:
            try:
                expected = md5_of_message_attributes(attrs)
            except (KeyError, TypeError, ValueError, AttributeError):
                out.append(f"{where}.messageAttributes are malformed: the md5 cannot be computed")
            else:
                if amd5 != expected:
                    out.append(
                        f"{where}.md5OfMessageAttributes is {amd5!r} but the SQS digest of "
                        f"messageAttributes is {expected!r}"
                    )
    arn = rec.get("eventSourceARN")
    region = rec.get("awsRegion")
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) == 6 and isinstance(region, str) and parts[3] != region:
        out.append(f"{where}.eventSourceARN is in {parts[3]} but awsRegion is {region!r}")
    a = rec.get("attributes")
    if not isinstance(a, dict):
        return out
    sent, first = _int(a.get("SentTimestamp")), _int(a.get("ApproximateFirstReceiveTimestamp"))
    if sent is not None and first is not None and first < sent:
        out.append(
            f"{where}.attributes.ApproximateFirstReceiveTimestamp {first} is before SentTimestamp {sent}"
        )
    count = _int(a.get("ApproximateReceiveCount"))
    if count is not None and count < 1:
        out.append(f"{where}.attributes.ApproximateReceiveCount is {count}; it starts at 1")
    if len(parts) == 6:
        if parts[5].endswith(".fifo"):
            missing = [
                k
                for k in ("SequenceNumber", "MessageGroupId", "MessageDeduplicationId")
                if k not in a
            ]
            if missing:
                out.append(
                    f"{where}.attributes lacks {', '.join(missing)}, which every FIFO message has"
                )
        else:
            extra = [k for k in ("SequenceNumber", "MessageDeduplicationId") if k in a]
            if extra:
                out.append(
                    f"{where}.attributes has {', '.join(extra)} but queue {parts[5]!r} is not FIFO "
                    "(its name does not end in .fifo)"
                )
    out.extend(envelope_problems(body, f"{where}.body", sent))
    return out


def _fifo_order_problems(records: list[Any]) -> list[str]:
    out: list[str] = []
    last: dict[str, tuple[int, int, int]] = {}  # group -> (index, sequence, sent)
    for i, rec in enumerate(records):
        a = rec.get("attributes") if isinstance(rec, dict) else None
        if not isinstance(a, dict):
            continue
        group, seq, sent = (
            a.get("MessageGroupId"),
            _int(a.get("SequenceNumber")),
            _int(a.get("SentTimestamp")),
        )
        if not isinstance(group, str) or seq is None or sent is None:
            continue
        if group in last:
            j, pseq, psent = last[group]
            if seq <= pseq:
                out.append(
                    f"Records[{i}].attributes.SequenceNumber {seq} does not increase after Records[{j}]'s "
                    f"{pseq} in group {group!r} (FIFO groups arrive in send order)"
                )
            if sent < psent:
                out.append(
                    f"Records[{i}].attributes.SentTimestamp {sent} is before Records[{j}]'s {psent} "
                    f"in group {group!r} (FIFO groups arrive in send order)"
                )
        last[group] = (i, seq, sent)
    return out


def invariants(event: dict[str, Any]) -> list[str]:
    ev: Any = event
    records = ev.get("Records") if isinstance(ev, dict) else None
    if not isinstance(records, list):
        return []
    out: list[str] = []
    arns: dict[str, int] = {}
    handles: dict[str, int] = {}
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        out.extend(_record_problems(rec, f"Records[{i}]"))
        arn = rec.get("eventSourceARN")
        if isinstance(arn, str):
            arns.setdefault(arn, i)
        handle = rec.get("receiptHandle")
        if isinstance(handle, str):
            if handle in handles:
                out.append(
                    f"Records[{i}].receiptHandle repeats Records[{handles[handle]}]'s; every receive "
                    "gets its own handle"
                )
            handles.setdefault(handle, i)
    if len(arns) > 1:
        out.append(
            f"Records come from {len(arns)} queues ({', '.join(sorted(arns))}); a batch comes from one queue"
        )
    regions = {r.get("awsRegion") for r in records if isinstance(r, dict)}
    if len(regions) > 1:
        out.append(f"Records have {len(regions)} awsRegion values; a batch comes from one region")
    out.extend(_fifo_order_problems(records))
    return out
