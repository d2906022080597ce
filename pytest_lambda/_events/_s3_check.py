"""Cross-field rules of real S3 notifications (docs/internals/event-spec.md §3.2), for ``check_invariants``.

Only true rules are checked, so real AWS events pass: e.g. the key rule is about
the form *encoding* (no raw space, valid escapes), not about one encoder's choice
of which safe characters to escape.
"""

from __future__ import annotations

import calendar
import time as _time
from typing import Any

from ._s3_names import (
    BLOCK_OWNERS,
    ETAG_RE,
    EVENT_TYPES,
    MIB,
    SEQUENCER_RE,
    as_dict,
    key_problem,
    minimum_version,
)

__all__ = ["invariants"]


def _epoch_s(iso: object) -> int | None:
    if not isinstance(iso, str) or len(iso) < 19:
        return None
    try:
        return calendar.timegm(_time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None


def _check_bucket_key(rec: dict[str, Any], p: str) -> list[str]:
    out: list[str] = []
    s3 = as_dict(rec.get("s3"))
    bucket, obj = as_dict(s3.get("bucket")), as_dict(s3.get("object"))
    bname, arn = bucket.get("name"), bucket.get("arn")
    if isinstance(bname, str) and isinstance(arn, str):
        partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
        if arn != f"arn:{partition}:s3:::{bname}":
            out.append(
                f"{p}.s3.bucket.arn is {arn!r} but s3.bucket.name is {bname!r}; "
                f"the ARN is 'arn:aws:s3:::' + name ('arn:aws:s3:::{bname}')"
            )
    key = obj.get("key")
    if isinstance(key, str):
        problem = key_problem(key)
        if problem:
            out.append(f"{p}.s3.object.key {key[:60]!r} {problem}")
    return out


def _check_object(obj: dict[str, Any], name: str | None, p: str) -> list[str]:
    out: list[str] = []
    etag, size = obj.get("eTag"), obj.get("size")
    if isinstance(etag, str):
        m = ETAG_RE.match(etag)
        if m is None:
            out.append(f"{p}.s3.object.eTag {etag!r} is neither 32 lower-case hex nor 'hex-N'")
        elif m.group(1) and isinstance(size, int) and size < (int(m.group(1)) - 1) * 5 * MIB:
            parts = int(m.group(1))
            out.append(
                f"{p}.s3.object.eTag {etag!r} is a {parts}-part upload, but size {size} is "
                f"below the {parts - 1} x 5 MiB its parts need"
            )
    kind = EVENT_TYPES.get(name) if name is not None else None
    if kind is not None and kind.deleted:
        present = [f for f in ("size", "eTag") if f in obj]
        if present:
            out.append(
                f"{p}.s3.object has {' and '.join(present)}, but {name} events carry neither"
            )
        if kind.marker and "versionId" not in obj:
            out.append(
                f"{p}.s3.object has no versionId, but {name} carries the delete marker's versionId"
            )
    return out


def _check_sequencer(rec: dict[str, Any], seq: object, p: str) -> list[str]:
    if not isinstance(seq, str):
        return []
    if not SEQUENCER_RE.match(seq):
        return [f"{p}.s3.object.sequencer {seq!r} is not 16-18 upper-case hex digits"]
    event_s = _epoch_s(rec.get("eventTime"))
    if len(seq) == 18 and seq.startswith("00") and event_s is not None:
        write_s = int(seq[2:10], 16)
        if write_s > event_s:
            return [
                f"{p}.s3.object.sequencer {seq!r} encodes write time {write_s}, after eventTime "
                f"{rec.get('eventTime')!r} ({event_s}): time must flow forward"
            ]
    return []


def _check_type(rec: dict[str, Any], name: str | None, p: str) -> list[str]:
    out: list[str] = []
    for block, owners in BLOCK_OWNERS.items():
        if block in rec and name not in owners:
            out.append(
                f"{p}.{block} appears on a {name!r} event; it belongs to {', '.join(owners)} only"
            )
    version = rec.get("eventVersion")
    wanted = minimum_version(name) if name is not None else None
    if isinstance(version, str) and wanted is not None:
        try:
            got = tuple(int(x) for x in version.split(".")[:2])
        except ValueError:
            return out
        if got < wanted:
            out.append(
                f"{p}.eventVersion is {version!r}, but S3 writes {name} events as "
                f"{wanted[0]}.{wanted[1]} or later"
            )
    return out


def _check_record(rec: dict[str, Any], p: str) -> list[str]:
    out: list[str] = []
    raw = rec.get("eventName")
    name = raw if isinstance(raw, str) else None
    if name is not None and name.startswith("s3:"):
        out.append(f"{p}.eventName is {name!r}: S3 omits the 's3:' prefix in events ({name[3:]!r})")
        name = name[3:]
    obj = as_dict(as_dict(rec.get("s3")).get("object"))
    out += _check_bucket_key(rec, p)
    out += _check_object(obj, name, p)
    out += _check_sequencer(rec, obj.get("sequencer"), p)
    out += _check_type(rec, name, p)
    return out + _check_times(rec, p)


def _check_times(rec: dict[str, Any], p: str) -> list[str]:
    out: list[str] = []
    event_s = _epoch_s(rec.get("eventTime"))
    if event_s is None:
        return out
    repl = rec.get("replicationEventData")
    if isinstance(repl, dict):
        req = _epoch_s(repl.get("requestTime"))
        if req is not None and req > event_s:
            out.append(
                f"{p}.replicationEventData.requestTime {repl.get('requestTime')!r} is after "
                f"eventTime {rec.get('eventTime')!r}: time must flow forward"
            )
    restore = as_dict(as_dict(rec.get("glacierEventData")).get("restoreEventData"))
    if restore:
        expiry = _epoch_s(restore.get("lifecycleRestorationExpiryTime"))
        if expiry is not None and expiry <= event_s:
            out.append(
                f"{p}.glacierEventData.restoreEventData.lifecycleRestorationExpiryTime is not "
                f"after eventTime {rec.get('eventTime')!r}: the restored copy expires later"
            )
    return out


def invariants(event: dict[str, Any]) -> list[str]:
    """Every cross-field rule of real S3 notifications that ``event`` breaks."""
    records = as_dict(event).get("Records")
    if not isinstance(records, list):
        return []
    out: list[str] = []
    if len(records) != 1:
        out.append(f"Records has {len(records)} records; S3 sends exactly one record per event")
    for i, rec in enumerate(records):
        if isinstance(rec, dict):
            out.extend(_check_record(rec, f"Records[{i}]"))
    return out
