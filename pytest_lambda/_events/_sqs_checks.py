"""Cross-field invariants of SQS events (docs/internals/event-spec.md §1.2, §2.4, §7), for real events too.

Only true rules are checked (md5s, one queue and region per batch, time order, FIFO
attributes and ordering, unique receipt handles, the SNS envelope's own rules), never
this generator's style choices, so captured AWS events pass.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ._sns_envelope import envelope_problems
from ._sqs_attrs import md5_of_message_attributes

__all__ = ["invariants", "md5_hex", "sha256_hex"]


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _record_problems(rec: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    body = rec.get("body")
    md5 = rec.get("md5OfBody")
    if isinstance(body, str) and isinstance(md5, str) and md5 != md5_hex(body):
        out.append(f"{where}.md5OfBody is {md5!r} but md5(body) is {md5_hex(body)!r}")
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
