"""The ``firehose`` event kind: an Amazon Data Firehose data-transformation invocation.

Field tree and invariants: docs/internals/event-spec.md §12. Firehose invokes the transform
function synchronously with a buffer of records: ``invocationId`` (UUID), ``deliveryStreamArn``,
``region`` (the delivery stream's), ``records`` each with a numeric ``recordId``,
``approximateArrivalTimestamp`` (epoch ms) and base64 ``data``. When the delivery stream reads
a Kinesis data stream (``source="kinesis"``), the event carries ``sourceKinesisStreamArn`` and
every record a ``kinesisRecordMetadata`` (shard, partition key, sequence number, subsequence
number, arrival time).

The handler must answer every record (:func:`response_problems`, the response contract).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._fastdraw import between, json_order
from ._kinesis import _payloads
from ._overrides import Path
from ._sns_envelope import partition
from ._world import World

__all__ = ["PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "records": "number of records in the buffer, 1..10000 (default 1; set by datas)",
    "data": "payload of every record: bytes, str (UTF-8) or JSON-able (JSON); base64 in the event "
    "(default: a small JSON object per record)",
    "datas": "list of payloads, one record each (same types as data); sets the record count",
    "data_schema": "JSON Schema (dict, or path of a .json file) each record's payload is generated from",
    "stream": "delivery stream name, 1..64 of [A-Za-z0-9_.-] (default: drawn)",
    "source": "'direct_put' (default) or 'kinesis' (a Kinesis data stream as the source)",
    "source_stream": "source=kinesis: the Kinesis stream name (default: drawn)",
}

_STREAM: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_DS_ARN: Final = re.compile(r"arn:(aws[a-z-]*):firehose:([a-z0-9-]+):(\d{12}):deliverystream/(.+)")
_KS_ARN: Final = re.compile(r"arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):(\d{12}):stream/(.+)")
_B64: Final = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
#: Lambda's synchronous invocation payload and response limit.
MAX_RESPONSE_BYTES: Final = 6 * 1024 * 1024
RESULTS: Final = ("Ok", "Dropped", "ProcessingFailed")


def _name(world: World, value: object, param: str, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or not _STREAM.fullmatch(value):
        raise InvalidEventSpec(
            f"{param}={value!r}: a stream name has 1 to 64 characters of [A-Za-z0-9_.-]"
        )
    return value


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    rng = world.rng
    source = params.get("source") or "direct_put"
    if source not in ("direct_put", "kinesis"):
        raise InvalidEventSpec(f"source={source!r}; valid sources: direct_put, kinesis")
    if source == "direct_put" and params.get("source_stream") is not None:
        raise InvalidEventSpec("source_stream applies to source='kinesis' only")
    try:
        blobs = _payloads(world, params) if params else [json_order(rng, world.uuid4())]
    except InvalidEventSpec as exc:  # shared with kinesis: name this source in the message
        raise InvalidEventSpec(str(exc).replace("a Kinesis batch", "a Firehose buffer")) from None
    region, account, part = world.region, world.account_id, partition(world.region)
    stream = _name(
        world,
        params.get("stream"),
        "stream",
        f"{world.word()}-{world.pick(('to-s3', 'delivery', 'logs', 'archive'))}",
    )
    event: dict[str, Any] = {"invocationId": world.uuid4()}
    kinesis_arn = None
    if source == "kinesis":
        src = _name(world, params.get("source_stream"), "source_stream", f"{world.word()}-stream")
        kinesis_arn = f"arn:{part}:kinesis:{region}:{account}:stream/{src}"
        event["sourceKinesisStreamArn"] = kinesis_arn
    event["deliveryStreamArn"] = f"arn:{part}:firehose:{region}:{account}:deliverystream/{stream}"
    event["region"] = region
    n = len(blobs)
    arrival = world.now_ms - between(rng, 200, 60_000)  # the buffer filled before the call
    arrivals = []
    for _ in range(n):
        arrivals.append(arrival)
        arrival += between(rng, 0, 40)
    # record ids: 56-digit sequence-like numbers + 6 digits, increasing (real: 62 digits)
    base = 49 * 10**54 + rng.getrandbits(170) % (10**54)
    shard_prefix = f"49{10**24 + rng.getrandbits(83) % (9 * 10**24)}"
    counter = 10**27 + rng.getrandbits(95)
    records: list[dict[str, Any]] = []
    total = 0
    for i, blob in enumerate(blobs):
        data = base64.b64encode(blob).decode("ascii")
        total += len(data) + 200
        if total > MAX_RESPONSE_BYTES:
            raise InvalidEventSpec(
                f"{n} records with these payloads exceed the 6 MB Lambda invocation payload "
                "(after base64); use fewer records or smaller data"
            )
        base += 1 + rng.getrandbits(60)
        record: dict[str, Any] = {
            "recordId": f"{base}000000",
            "approximateArrivalTimestamp": arrivals[i],
            "data": data,
        }
        if kinesis_arn is not None:
            seq = f"{shard_prefix}{counter:029d}"
            counter += 10**20 + rng.getrandbits(79)
            record["recordId"] = f"{seq}000000"
            record["kinesisRecordMetadata"] = {
                "shardId": "shardId-000000000000",
                "partitionKey": world.uuid4(),
                "approximateArrivalTimestamp": arrivals[i],
                "sequenceNumber": seq,
                "subsequenceNumber": 0,
            }
        records.append(record)
    event["records"] = records
    return event


def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """``region`` follows the delivery stream ARN unless set."""
    m = _DS_ARN.fullmatch(str(event.get("deliveryStreamArn")))
    if m and not is_protected(("region",)):
        event["region"] = m[2]


def invariants(event: dict[str, Any]) -> list[str]:
    ev: Any = event
    if not isinstance(ev, dict):
        return []
    out: list[str] = []
    ds = _DS_ARN.fullmatch(str(ev.get("deliveryStreamArn")))
    if ds and ev.get("region") != ds[2]:
        out.append(f"region {ev.get('region')!r} is not the delivery stream's region {ds[2]!r}")
    src = ev.get("sourceKinesisStreamArn")
    ks = _KS_ARN.fullmatch(str(src)) if src is not None else None
    if ds and ks and (ks[2], ks[3]) != (ds[2], ds[3]):
        out.append(
            f"sourceKinesisStreamArn is in {ks[2]}/{ks[3]} but the delivery stream in "
            f"{ds[2]}/{ds[3]}; a Kinesis source is in the delivery stream's region and account"
        )
    records = ev.get("records")
    if not isinstance(records, list):
        return out
    seen: set[str] = set()
    last_seq: dict[str, int] = {}
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        rid = rec.get("recordId")
        if isinstance(rid, str):
            if rid in seen:
                out.append(f"records[{i}].recordId {rid!r} repeats an earlier record's")
            seen.add(rid)
        meta = rec.get("kinesisRecordMetadata")
        if (meta is not None) != (src is not None):
            out.append(
                f"records[{i}] has {'a' if meta is not None else 'no'} kinesisRecordMetadata but "
                f"the event {'has' if src is not None else 'has no'} sourceKinesisStreamArn"
            )
        if isinstance(meta, dict):
            shard, seq = str(meta.get("shardId")), str(meta.get("sequenceNumber"))
            if seq.isdigit():
                if shard in last_seq and int(seq) <= last_seq[shard]:
                    out.append(
                        f"records[{i}].kinesisRecordMetadata.sequenceNumber {seq} does not follow "
                        f"the previous record of {shard}"
                    )
                last_seq[shard] = int(seq)
    return out


def response_problems(event: object, response: object) -> list[str]:
    """What is wrong with a transformation function's ``response`` to ``event`` ([] if nothing).

    Firehose requires ``{"records": [...]}`` with every ``recordId`` of the event exactly once,
    each with ``result`` ``Ok``, ``Dropped`` or ``ProcessingFailed`` and base64 ``data``, and
    the response within Lambda's 6 MB limit; otherwise it fails the whole batch.
    """
    import json

    ids = (
        [r.get("recordId") for r in (event.get("records") or []) if isinstance(r, dict)]
        if isinstance(event, dict)
        else []
    )
    if not isinstance(response, dict) or not isinstance(response.get("records"), list):
        return [f"the response is not an object with a 'records' list: {str(response)[:80]!r}"]
    out: list[str] = []
    answered: dict[object, int] = {}
    for i, rec in enumerate(response["records"]):
        if not isinstance(rec, dict):
            out.append(f"records[{i}] is not an object")
            continue
        rid = rec.get("recordId")
        answered[rid] = answered.get(rid, 0) + 1
        if rid not in ids:
            out.append(f"records[{i}].recordId {rid!r} is not a recordId of the event")
        if rec.get("result") not in RESULTS:
            out.append(
                f"records[{i}].result {rec.get('result')!r} is not one of Ok, Dropped, ProcessingFailed"
            )
        data = rec.get("data")
        if (rec.get("result") != "Dropped" or data is not None) and (
            not isinstance(data, str) or not _B64.fullmatch(data)
        ):
            out.append(f"records[{i}].data {str(data)[:40]!r} is not base64")
    for rid in ids:
        if answered.get(rid, 0) == 0:
            out.append(f"recordId {rid!r} is missing from the response")
        elif answered[rid] > 1:
            out.append(f"recordId {rid!r} is answered {answered[rid]} times")
    try:
        size = len(json.dumps(response).encode())
    except (TypeError, ValueError):
        size = 0
    if size > MAX_RESPONSE_BYTES:
        out.append(f"the response is {size} bytes; Lambda returns at most {MAX_RESPONSE_BYTES}")
    return out
