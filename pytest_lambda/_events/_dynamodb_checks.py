"""The cross-field rules of real DynamoDB Streams batches (``check_invariants``).

One batch comes from one shard of one table's stream: one ``eventSourceARN``,
``awsRegion`` and ``StreamViewType``; ``SequenceNumber``s strictly increase and
``ApproximateCreationDateTime`` never decreases. Per record: the view type decides
which images are present; ``Keys`` has the table's one or two key attributes, equal
in every image; ``SizeBytes`` is DynamoDB's item size of ``Keys`` + images; the
stream label (the stream's creation time) precedes the record; only a REMOVE carries
``userIdentity`` (a TTL deletion by the DynamoDB service); sets hold distinct values.
Cost: linear in the batch's size.
"""

from __future__ import annotations

import calendar
import re
import time
from typing import Any, Final

from ._ddb_json import attribute_problem, item_size

__all__ = ["invariants"]

_ARN_RE = re.compile(
    r"^arn:(aws[a-z-]*):dynamodb:([a-z0-9-]+):(\d{12}):table/([A-Za-z0-9_.-]{3,255})"
    r"/stream/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})$"
)
_IMAGES: Final = {
    "KEYS_ONLY": (False, False),
    "NEW_IMAGE": (True, False),
    "OLD_IMAGE": (False, True),
    "NEW_AND_OLD_IMAGES": (True, True),
}


def _d(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _label_seconds(label: str) -> float | None:
    try:
        return float(calendar.timegm(time.strptime(label, "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        return None


def _check_images(rec: dict[str, Any], ddb: dict[str, Any], p: str) -> list[str]:
    out: list[str] = []
    name, view = rec.get("eventName"), ddb.get("StreamViewType")
    if view not in _IMAGES or name not in ("INSERT", "MODIFY", "REMOVE"):
        return out
    new_view, old_view = _IMAGES[view]
    for field, wanted in (
        ("NewImage", new_view and name != "REMOVE"),
        ("OldImage", old_view and name != "INSERT"),
    ):
        present = field in ddb
        if present and not wanted:
            why = (
                f"a {view} stream carries no {field}"
                if not (new_view if field == "NewImage" else old_view)
                else f"an {name} has no {'new' if field == 'NewImage' else 'old'} item"
            )
            out.append(f"{p}.dynamodb.{field} is present but {why}")
        elif wanted and not present:
            out.append(
                f"{p}.dynamodb.{field} is missing: a {view} stream carries it on {name} records"
            )
    return out


def _check_keys(ddb: dict[str, Any], p: str) -> list[str]:
    out: list[str] = []
    keys = ddb.get("Keys")
    if not isinstance(keys, dict):
        return out
    if not 1 <= len(keys) <= 2:
        out.append(
            f"{p}.dynamodb.Keys has {len(keys)} attributes; a table key is a partition key and at most one sort key"
        )
    for name, av in keys.items():
        if not (isinstance(av, dict) and len(av) == 1 and next(iter(av)) in ("S", "N", "B")):
            out.append(f"{p}.dynamodb.Keys.{name} is {av!r:.60}; key attributes are S, N or B")
        for image in ("NewImage", "OldImage"):
            img = ddb.get(image)
            if isinstance(img, dict) and img.get(name) != av:
                out.append(
                    f"{p}.dynamodb.Keys.{name} is {av!r:.60} but {image}.{name} is {img.get(name)!r:.60}; "
                    "Keys are the item's key attributes"
                )
    for image in ("NewImage", "OldImage"):
        img = ddb.get(image)
        if isinstance(img, dict):
            for attr, av in img.items():
                found = attribute_problem(av, f"{p}.dynamodb.{image}.{attr}")
                if found:
                    out.append(found)
    return out


def _check_record(rec: dict[str, Any], p: str) -> list[str]:
    ddb = _d(rec.get("dynamodb"))
    out = _check_images(rec, ddb, p) + _check_keys(ddb, p)
    size = ddb.get("SizeBytes")
    if isinstance(size, int) and not isinstance(size, bool):
        want = sum(item_size(ddb.get(f)) for f in ("Keys", "NewImage", "OldImage"))
        if size != want:
            out.append(
                f"{p}.dynamodb.SizeBytes is {size} but Keys and images measure {want} bytes "
                "(DynamoDB item size: names + values + overheads)"
            )
    arn, region = rec.get("eventSourceARN"), rec.get("awsRegion")
    m = _ARN_RE.match(arn) if isinstance(arn, str) else None
    if m and isinstance(region, str) and m[2] != region:
        out.append(f"{p}.eventSourceARN is in region {m[2]!r} but awsRegion is {region!r}")
    created = _number(ddb.get("ApproximateCreationDateTime"))
    label = _label_seconds(m[5]) if m else None
    if m and created is not None and label is not None and label > created:
        out.append(
            f"{p}.eventSourceARN's stream label {m[5]}.{m[6]} is after the record's "
            f"ApproximateCreationDateTime {ddb.get('ApproximateCreationDateTime')}; the stream existed before its records"
        )
    if "userIdentity" in rec and rec.get("eventName") != "REMOVE":
        out.append(
            f"{p}.userIdentity is present on a {rec.get('eventName')} record; only a TTL deletion (REMOVE) carries it"
        )
    return out


def _same(records: list[dict[str, Any]], field: str, get: Any) -> list[str]:
    first = get(records[0])
    for i, rec in enumerate(records[1:], 1):
        if get(rec) != first:
            return [
                f"Records[{i}] has {field} {get(rec)!r} but Records[0] has {first!r}; one batch comes from one shard of one stream"
            ]
    return []


def _check_order(records: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    prev_seq: int | None = None
    prev_t: float | None = None
    for i, rec in enumerate(records):
        ddb = _d(rec.get("dynamodb"))
        seq_s = ddb.get("SequenceNumber")
        if isinstance(seq_s, str) and seq_s.isdigit():
            seq = int(seq_s)
            if prev_seq is not None and seq <= prev_seq:
                word = "repeats" if seq == prev_seq else "is below"
                out.append(
                    f"Records[{i}].dynamodb.SequenceNumber {seq_s} {word} Records[{i - 1}]'s; "
                    "records of a shard arrive in strictly increasing sequence"
                )
            prev_seq = seq
        t = _number(ddb.get("ApproximateCreationDateTime"))
        if t is not None:
            if prev_t is not None and t < prev_t:
                out.append(
                    f"Records[{i}].dynamodb.ApproximateCreationDateTime {t:g} is before Records[{i - 1}]'s {prev_t:g}; "
                    "creation times do not decrease within a shard"
                )
            prev_t = t
    return out


def invariants(event: dict[str, Any]) -> list[str]:
    """Every cross-field rule of real DynamoDB Streams batches that ``event`` breaks."""
    records = _d(event).get("Records")
    if not isinstance(records, list):
        return []
    recs = [r for r in records if isinstance(r, dict)]
    if not recs:
        return []
    out: list[str] = []
    for i, rec in enumerate(records):
        if isinstance(rec, dict):
            out.extend(_check_record(rec, f"Records[{i}]"))
    for field in ("eventSourceARN", "awsRegion"):
        out.extend(_same(recs, field, lambda r, f=field: r.get(f)))
    out.extend(_same(recs, "StreamViewType", lambda r: _d(r.get("dynamodb")).get("StreamViewType")))
    key_names = lambda r: sorted(_d(_d(r.get("dynamodb")).get("Keys")))  # noqa: E731
    out.extend(_same(recs, "Keys attributes", key_names))
    out.extend(_check_order(recs))
    return out
