"""Kinesis Data Streams batches (``eventSource`` ``aws:kinesis``): records of ONE shard.

Independent facts: stream, shard, execution role, each record's payload and
partition key. Built from them: base64 ``data``, 56-digit sequence numbers that
strictly increase and share the shard's long prefix, ``eventID`` =
``shardId-NNNNNNNNNNNN:`` + sequence number, arrival timestamps (epoch seconds
with milliseconds) that never decrease and never pass the invocation time.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec

from ._fastdraw import between, json_order, lower_alnum, pick, slug, word
from ._overrides import Path
from ._world import MAX_EVENT_BYTES, World

__all__ = ["PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "records": "number of records in the batch, 1..10000 (default 1; set by datas)",
    "data": "payload of every record: bytes (sent as is), str (UTF-8) or JSON-able (JSON); "
    "the event carries it base64-encoded (default: a small JSON object per record)",
    "datas": "list of payloads, one record each (same types as data); sets the record count",
    "partition_key": "partition key of every record, 1..256 characters (default: a UUID per record)",
    "stream": "stream name, 1..128 of [A-Za-z0-9_.-] (default: a realistic name)",
    "shard_id": "shard: an int index or 'shardId-000000000006' (default: drawn)",
    "encrypted": "bool: the stream uses SSE-KMS, records carry encryptionType 'KMS' (default False)",
    "data_schema": "JSON Schema (dict, or path of a .json file) the payload of each record is "
    "generated from (default: none)",
}

_MAX_RECORDS: Final = 10_000
_MAX_RECORD_BYTES: Final = 10 * 1024 * 1024  # blob + partition key, largest configurable stream
_RECORD_OVERHEAD: Final = 520  # JSON of one record besides data and partition key
_SHARD_RE = re.compile(r"^shardId-(\d{12})$")
_STREAM_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_SEQ_RE = re.compile(r"^(0|[1-9]\d{0,128})$")
_ARN_RE = re.compile(r"^arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):(\d{12}):stream/(.+)$")
_B64_RE = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


# -- parameters ----------------------------------------------------------------------
def _blob(value: Any, name: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    try:
        return json.dumps(value).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise InvalidEventSpec(
            f"{name}={value!r:.80}: expected bytes, str or a JSON-serialisable value ({exc})"
        ) from None


def _payloads(world: World, params: dict[str, Any]) -> list[bytes]:
    if not params:  # the default event: one drawn record, nothing to check
        return [json_order(world.rng, world.uuid4())]
    records = params.get("records")
    if records is not None and (not isinstance(records, int) or isinstance(records, bool)):
        raise ArgumentTypeError(
            f"records={records!r}: a Kinesis batch holds 1 to {_MAX_RECORDS} records (an int)"
        )
    if records is not None and not 1 <= records <= _MAX_RECORDS:
        raise InvalidEventSpec(
            f"records={records!r}: a Kinesis batch holds 1 to {_MAX_RECORDS} records (an int)"
        )
    given = [n for n in ("data", "datas", "data_schema") if params.get(n) is not None]
    if len(given) > 1:
        raise InvalidEventSpec(
            f"{' and '.join(given)} given together: pass one payload (data), one per record "
            "(datas) or a schema to generate them from (data_schema)"
        )
    if "datas" in given:
        datas = params["datas"]
        if not isinstance(datas, (list, tuple)) or not datas:
            raise InvalidEventSpec(
                f"datas={datas!r:.80}: expected a non-empty list, one payload per record"
            )
        if records is not None and records != len(datas):
            raise InvalidEventSpec(
                f"records={records} but datas has {len(datas)} payloads; drop records= or make them agree"
            )
        if len(datas) > _MAX_RECORDS:
            raise InvalidEventSpec(
                f"datas has {len(datas)} payloads; a Kinesis batch holds at most {_MAX_RECORDS}"
            )
        return [_blob(d, f"datas[{i}]") for i, d in enumerate(datas)]
    count = records or 1
    if "data" in given:
        return [_blob(params["data"], "data")] * count
    if "data_schema" in given:
        from ._payload import payload_from_schema

        schema = params["data_schema"]
        return [
            _blob(payload_from_schema(schema, world), "data_schema payload") for _ in range(count)
        ]
    return [json_order(world.rng, world.uuid4()) for _ in range(count)]


def _shard(world: World, params: dict[str, Any]) -> str:
    shard = params.get("shard_id")
    if shard is None:
        return f"shardId-{pick(world.rng, (0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 11, 23)):012d}"
    if isinstance(shard, int) and not isinstance(shard, bool) and 0 <= shard < 10**12:
        return f"shardId-{shard:012d}"
    if isinstance(shard, str) and _SHARD_RE.match(shard):
        return shard
    raise InvalidEventSpec(
        f"shard_id={shard!r}: expected a shard index (int >= 0) or 'shardId-' + 12 digits, "
        "e.g. 'shardId-000000000006'"
    )


def _stream(world: World, params: dict[str, Any]) -> str:
    stream = params.get("stream")
    if stream is None:
        return f"{word(world.rng).lower()}-{pick(world.rng, ('stream', 'events', 'ingest', 'clicks', 'telemetry'))}"
    if not isinstance(stream, str) or not _STREAM_RE.match(stream):
        raise InvalidEventSpec(
            f"stream={stream!r}: a stream name has 1 to 128 characters of [A-Za-z0-9_.-]"
        )
    return stream


def _partition_key(params: dict[str, Any]) -> str | None:
    key = params.get("partition_key")
    if key is None:
        return None
    if not isinstance(key, str) or not 1 <= len(key) <= 256:
        raise InvalidEventSpec(
            f"partition_key={key!r:.80}: a partition key has 1 to 256 characters"
        )
    return key


def _encrypted(params: dict[str, Any]) -> bool:
    value = params.get("encrypted", False)
    if not isinstance(value, bool):
        raise InvalidEventSpec(f"encrypted={value!r}: expected True or False")
    return value


# -- build ---------------------------------------------------------------------------
def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """A batch of records from one shard of one stream, in shard order."""
    rng = world.rng
    blobs = _payloads(world, params)
    shard = _shard(world, params)
    stream = _stream(world, params)
    fixed_key = _partition_key(params)
    kms = _encrypted(params)
    arn = f"arn:aws:kinesis:{world.region}:{world.account_id}:stream/{stream}"
    role = f"arn:aws:iam::{world.account_id}:role/{slug(world.rng)}-role-{lower_alnum(rng, 8)}"
    n = len(blobs)

    # Arrival times, newest last: the newest arrived shortly before the invocation.
    arrival = world.now_ms - between(rng, 5, 3_000)
    arrivals = [0] * n
    for i in range(n - 1, -1, -1):
        arrivals[i] = arrival
        arrival -= between(rng, 0, 250)
    # 56 digits: "49" + 25 digits fixed for the shard, then a 29-digit counter that
    # starts below 4.1e28 and grows < 6.1e23 per record, so 10,000 records never carry.
    prefix = f"49{10**24 + rng.getrandbits(83) % (9 * 10**24)}"
    counter = 10**27 + rng.getrandbits(95)

    total = 0
    records: list[dict[str, Any]] = []
    for i, blob in enumerate(blobs):
        key = fixed_key if fixed_key is not None else world.uuid4()
        size = len(blob) + len(key.encode("utf-8"))
        if size > _MAX_RECORD_BYTES:
            raise InvalidEventSpec(
                f"record {i}: data of {len(blob)} bytes + partition key exceed the largest Kinesis "
                f"record ({_MAX_RECORD_BYTES} bytes, 1 MiB unless the stream is configured higher)"
            )
        data = base64.b64encode(blob).decode("ascii")
        total += len(data) + len(key) + _RECORD_OVERHEAD
        if total > MAX_EVENT_BYTES:
            raise InvalidEventSpec(
                f"{n} records with these payloads exceed the 6 MB Lambda invocation payload "
                "(after base64); use fewer records or smaller data"
            )
        seq = f"{prefix}{counter:029d}"
        counter += 10**20 + rng.getrandbits(79)
        kinesis: dict[str, Any] = {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": key,
            "sequenceNumber": seq,
            "data": data,
            "approximateArrivalTimestamp": arrivals[i] / 1000,
        }
        if kms:
            kinesis["encryptionType"] = "KMS"
        records.append(
            {
                "kinesis": kinesis,
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard}:{seq}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": role,
                "awsRegion": world.region,
                "eventSourceARN": arn,
            }
        )
    return {"Records": records}


# -- derive --------------------------------------------------------------------------
def _shard_of(event_id: object) -> str | None:
    if isinstance(event_id, str) and ":" in event_id:
        return event_id.split(":", 1)[0]
    return None


def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Recompute eventID (shard + sequence number) and the ARN's region from awsRegion."""
    records = event.get("Records")
    if not isinstance(records, list):
        return
    first = next((_shard_of(r.get("eventID")) for r in records if isinstance(r, dict)), None)
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        kin = rec.get("kinesis")
        seq = kin.get("sequenceNumber") if isinstance(kin, dict) else None
        shard = _shard_of(rec.get("eventID")) or first
        if isinstance(seq, str) and shard and not is_protected(("Records", i, "eventID")):
            rec["eventID"] = f"{shard}:{seq}"
        arn, region = rec.get("eventSourceARN"), rec.get("awsRegion")
        m = _ARN_RE.match(arn) if isinstance(arn, str) else None
        if m and isinstance(region, str) and not is_protected(("Records", i, "eventSourceARN")):
            rec["eventSourceARN"] = f"arn:{m[1]}:kinesis:{region}:{m[3]}:stream/{m[4]}"


# -- invariants ----------------------------------------------------------------------
def _d(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _check_data(kin: dict[str, Any], p: str) -> list[str]:
    data = kin.get("data")
    if not isinstance(data, str):
        return []
    if not _B64_RE.match(data):
        return [
            f"{p}.kinesis.data is not valid base64 (Kinesis sends the record blob base64-encoded)"
        ]
    blob_len = len(data) // 4 * 3 - data[-2:].count("=")
    key = kin.get("partitionKey")
    key_len = len(key.encode("utf-8")) if isinstance(key, str) else 0
    if blob_len + key_len > _MAX_RECORD_BYTES:
        return [
            f"{p}.kinesis.data decodes to {blob_len} bytes: with the partition key that exceeds the largest Kinesis record ({_MAX_RECORD_BYTES} bytes)"
        ]
    return []


def _check_record(rec: dict[str, Any], p: str) -> list[str]:
    out: list[str] = []
    kin = _d(rec.get("kinesis"))
    seq, event_id = kin.get("sequenceNumber"), rec.get("eventID")
    if isinstance(event_id, str):
        shard, _, tail = event_id.partition(":")
        if not _SHARD_RE.match(shard):
            out.append(
                f"{p}.eventID {event_id!r} does not start with a shard id 'shardId-' + 12 digits"
            )
        if isinstance(seq, str) and tail != seq:
            out.append(
                f"{p}.eventID is {event_id!r} but the shard id + ':' + kinesis.sequenceNumber is {shard + ':' + seq!r}"
            )
    ts = kin.get("approximateArrivalTimestamp")
    if (
        isinstance(ts, (int, float))
        and not isinstance(ts, bool)
        and abs(ts * 1000 - round(ts * 1000)) > 1e-3
    ):
        out.append(
            f"{p}.kinesis.approximateArrivalTimestamp {ts!r} has more than 3 decimals (milliseconds)"
        )
    out.extend(_check_data(kin, p))
    arn, region = rec.get("eventSourceARN"), rec.get("awsRegion")
    m = _ARN_RE.match(arn) if isinstance(arn, str) else None
    if m and isinstance(region, str) and m[2] != region:
        out.append(f"{p}.eventSourceARN is in region {m[2]!r} but awsRegion is {region!r}")
    return out


def _same(
    records: list[dict[str, Any]], field: str, value: Callable[[dict[str, Any]], object]
) -> list[str]:
    first = value(records[0])
    for i, rec in enumerate(records[1:], 1):
        v = value(rec)
        if v != first:
            return [
                f"Records[{i}] has {field} {v!r} but Records[0] has {first!r}; one batch comes from one shard of one stream"
            ]
    return []


def _get(rec: dict[str, Any], field: str) -> object:
    return rec.get(field)


def _check_order(records: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    seen: dict[int, int] = {}
    prev_seq: int | None = None
    prev_ts: float | None = None
    for i, rec in enumerate(records):
        kin = _d(rec.get("kinesis"))
        seq_s, ts = kin.get("sequenceNumber"), kin.get("approximateArrivalTimestamp")
        if isinstance(seq_s, str) and _SEQ_RE.match(seq_s):
            seq = int(seq_s)
            if seq in seen:
                out.append(
                    f"Records[{i}].kinesis.sequenceNumber repeats Records[{seen[seq]}]'s; a batch never holds a record twice"
                )
            elif prev_seq is not None and seq < prev_seq:
                out.append(
                    f"Records[{i}].kinesis.sequenceNumber {seq_s} is below Records[{i - 1}]'s; records of a shard arrive in increasing sequence"
                )
            seen.setdefault(seq, i)
            prev_seq = seq
        if isinstance(ts, (int, float)) and not isinstance(ts, bool):
            if prev_ts is not None and ts < prev_ts:
                out.append(
                    f"Records[{i}].kinesis.approximateArrivalTimestamp {ts} is before Records[{i - 1}]'s {prev_ts}; arrival times do not decrease within a shard"
                )
            prev_ts = ts
    return out


def invariants(event: dict[str, Any]) -> list[str]:
    """Every cross-field rule of real Kinesis batches that ``event`` breaks."""
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
    out.extend(_same(recs, "shard id", lambda r: _shard_of(r.get("eventID"))))
    for field in ("eventSourceARN", "awsRegion", "invokeIdentityArn"):
        out.extend(_same(recs, field, functools.partial(_get, field=field)))
    out.extend(_check_order(recs))
    return out
