"""The ``kafka`` event kind: a batch from an Amazon MSK or self-managed Kafka event source mapping.

Field tree and invariants: docs/internals/event-spec.md §4B. Independent facts: the source
(``msk``: ``eventSource`` ``aws:kafka`` with the cluster ARN; ``self_managed``:
``SelfManagedKafka``, no ARN), the topics, the partitions read, the records per partition and
each record's key, value and headers. Built from them: ``records``, an object keyed
``{topic}-{partition}`` (topic-major, partitions ascending) whose lists hold that partition's
records with strictly increasing ``offset``s (a gap now and then: transaction markers and
compaction), epoch-ms ``timestamp``s that never decrease within a partition and end just
before the invocation, one ``timestampType`` per topic (a topic's ``message.timestamp.type``),
base64 ``key`` (absent for a record without one) and ``value`` (absent for a tombstone), and
``headers`` as a list of
one-key objects whose value is the header's bytes as integers. MSK ``bootstrapServers`` name
the cluster's brokers in the ARN's region (``b-N.{cluster}.{id}.cN.kafka.{region}.amazonaws.com``).
Cost: linear in the number of records.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec

from ._fastdraw import between, json_order, lower_alnum, pick, word
from ._kafka_checks import ARN_RE, MSK_HOST_RE, invariants
from ._kinesis import _blob
from ._overrides import Path
from ._world import World

__all__ = ["PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "source": "'msk' (Amazon MSK, eventSource aws:kafka, default) or 'self_managed' "
    "(eventSource SelfManagedKafka)",
    "topic": "topic name, or a list of topic names (default: one drawn name); "
    "1..249 of [A-Za-z0-9._-]",
    "partitions": "partitions read per topic: a count 1..100 (partitions 0..n-1) or a list of "
    "partition numbers (default 1)",
    "records": "records per partition, 1..10000 (default 1; set by values)",
    "key": "key of every record: str or bytes; None for records without a key "
    "(default: a drawn key per record)",
    "value": "value of every record: bytes, str (UTF-8) or JSON-able (JSON); base64 in the event "
    "(default: a small JSON object per record)",
    "values": "list of values, one per record of each partition (same types as value); sets records",
    "value_schema": "JSON Schema (dict, or path of a .json file) each record's value is generated from",
    "tombstone": "True: every record is a tombstone, a key and no value (the 'value' field absent, "
    "as users report Lambda delivers them); default False",
    "headers": "headers of every record: {name: str, bytes or a list of them} or a list of "
    "(name, value) pairs (default: content-type and a trace header)",
    "timestamp_type": "CREATE_TIME (the producer's clock, default) or LOG_APPEND_TIME (the broker's)",
    "cluster": "source=msk: the MSK cluster name, 1..64 of [A-Za-z0-9-] (default: drawn)",
    "bootstrap_servers": "the brokers, 'host:port,host:port' or a list "
    "(default: the MSK cluster's brokers, or drawn self-managed hosts)",
}

_MAX_RECORDS: Final = 10_000
_TOPIC_RE: Final = re.compile(r"[A-Za-z0-9._-]{1,249}")
_CLUSTER_RE: Final = re.compile(r"[A-Za-z0-9-]{1,64}")
_HOST_PORT_RE: Final = re.compile(r"[A-Za-z0-9.-]+:\d{1,5}")
_TYPES: Final = ("CREATE_TIME", "LOG_APPEND_TIME")
_SOURCES: Final = {"msk": "aws:kafka", "self_managed": "SelfManagedKafka"}
#: MSK broker ports: plaintext, TLS, SASL/SCRAM, IAM.
_MSK_PORTS: Final = (9092, 9094, 9096, 9098)
_TOPICS: Final = ("orders", "payments", "user-events", "inventory.updates", "clickstream")


# -- parameters ----------------------------------------------------------------------
def _int(value: object, name: str, lo: int, hi: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ArgumentTypeError(f"{name}={value!r}: {what} (an int)")
    if not lo <= value <= hi:
        raise InvalidEventSpec(f"{name}={value!r}: {what} (an int)")
    return value


def _topics(world: World, value: object) -> list[str]:
    if value is None:
        return [pick(world.rng, _TOPICS)]
    names = list(value) if isinstance(value, (list, tuple)) else [value]
    if not names or len(set(map(str, names))) != len(names):
        raise InvalidEventSpec(
            f"topic={value!r:.80}: expected one name or a list of distinct names"
        )
    out: list[str] = []
    for name in names:
        if not isinstance(name, str) or not _TOPIC_RE.fullmatch(name) or name in (".", ".."):
            raise InvalidEventSpec(
                f"topic={name!r}: a Kafka topic name has 1 to 249 characters of [A-Za-z0-9._-]"
            )
        out.append(name)
    return out


def _partitions(value: object) -> list[int]:
    if value is None:
        return [0]
    if isinstance(value, (list, tuple)):
        if not value or len(set(value)) != len(value):
            raise InvalidEventSpec(
                f"partitions={value!r:.80}: expected a non-empty list of distinct partition numbers"
            )
        return sorted(
            _int(p, f"partitions[{i}]", 0, 99_999, "a partition number 0..99999")
            for i, p in enumerate(value)
        )
    return list(range(_int(value, "partitions", 1, 100, "a count of partitions 1..100")))


def _values(world: World, params: dict[str, Any], per: int | None, total: int) -> list[bytes]:
    given = [n for n in ("value", "values", "value_schema") if params.get(n) is not None]
    if len(given) > 1:
        raise InvalidEventSpec(
            f"{' and '.join(given)} given together: pass one value (value), one per record "
            "(values) or a schema to generate them from (value_schema)"
        )
    if "values" in given:
        values = params["values"]
        if not isinstance(values, (list, tuple)) or not values:
            raise InvalidEventSpec(
                f"values={values!r:.80}: expected a non-empty list, one value per record"
            )
        if per is not None and per != len(values):
            raise InvalidEventSpec(
                f"records={per} but values has {len(values)} values; drop records= or make them agree"
            )
        blobs = [_blob(v, f"values[{i}]") for i, v in enumerate(values)]
        return blobs * (total // len(blobs))
    if "value" in given:
        return [_blob(params["value"], "value")] * total
    if "value_schema" in given:
        from ._payload import payload_from_schema

        schema = params["value_schema"]
        return [
            _blob(payload_from_schema(schema, world), "value_schema value") for _ in range(total)
        ]
    return [json_order(world.rng, world.uuid4()) for _ in range(total)]


def _headers(value: object) -> list[tuple[str, bytes]] | None:
    """The headers given (None: draw per record)."""
    if value is None:
        return None
    pairs: object = value
    if isinstance(value, Mapping):  # {name: value or [values]}: a name may repeat in Kafka
        pairs = [(k, one) for k, v in value.items() for one in (v if isinstance(v, list) else [v])]
    if not isinstance(pairs, (list, tuple)):
        raise InvalidEventSpec(
            f"headers={value!r:.80}: expected {{name: str or bytes}} or a list of (name, value) pairs"
        )
    out = []
    for i, pair in enumerate(pairs):
        if (
            not isinstance(pair, (list, tuple))
            or len(pair) != 2
            or not isinstance(pair[0], str)
            or not pair[0]
            or not isinstance(pair[1], (str, bytes))
        ):
            raise InvalidEventSpec(
                f"headers[{i}]={pair!r:.80}: a header is a (name, value) pair: a non-empty str "
                "name and a str or bytes value"
            )
        out.append((pair[0], pair[1].encode() if isinstance(pair[1], str) else bytes(pair[1])))
    return out


def _servers(world: World, params: dict[str, Any], cluster: str, msk: bool) -> str:
    value = params.get("bootstrap_servers")
    if value is not None:
        hosts = value.split(",") if isinstance(value, str) else value
        if (
            not isinstance(hosts, (list, tuple))
            or not hosts
            or not all(isinstance(h, str) and _HOST_PORT_RE.fullmatch(h) for h in hosts)
        ):
            raise InvalidEventSpec(
                f"bootstrap_servers={value!r:.80}: expected 'host:port,host:port' or a list of "
                "'host:port' strings"
            )
        return ",".join(hosts)
    rng = world.rng
    n = between(rng, 2, 3)
    if msk:
        cid, c, port = lower_alnum(rng, 6), between(rng, 1, 25), pick(rng, _MSK_PORTS)
        host = cluster.lower()
        return ",".join(
            f"b-{b}.{host}.{cid}.c{c}.kafka.{world.region}.amazonaws.com:{port}"
            for b in rng.sample(range(1, n + 1), n)
        )
    domain = f"{word(rng)}.internal"
    return ",".join(f"broker-{b}.kafka.{domain}:9092" for b in range(1, n + 1))


# -- build ---------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """One invocation's records, grouped by topic-partition, offsets increasing in each."""
    rng = world.rng
    source = params.get("source", "msk")
    if source not in _SOURCES:
        raise InvalidEventSpec(f"source={source!r}: expected one of msk, self_managed")
    msk = source == "msk"
    ts_type = params.get("timestamp_type", "CREATE_TIME")
    if ts_type not in _TYPES:
        raise InvalidEventSpec(f"timestamp_type={ts_type!r}: expected one of {', '.join(_TYPES)}")
    topics = _topics(world, params.get("topic"))
    parts = _partitions(params.get("partitions"))
    per = params.get("records")
    if per is not None:
        per = _int(
            per, "records", 1, _MAX_RECORDS, f"records per partition are 1 to {_MAX_RECORDS}"
        )
    values_given = params.get("values")
    count = per or (
        len(values_given) if isinstance(values_given, (list, tuple)) and values_given else 1
    )
    total = count * len(parts) * len(topics)
    if total > _MAX_RECORDS:
        raise InvalidEventSpec(
            f"{len(topics)} topic(s) x {len(parts)} partition(s) x {count} record(s) = {total} "
            f"records; a Kafka batch holds at most {_MAX_RECORDS}"
        )
    tombstone = params.get("tombstone", False)
    if not isinstance(tombstone, bool):
        raise InvalidEventSpec(f"tombstone={tombstone!r}: expected True or False")
    if tombstone and any(params.get(n) is not None for n in ("value", "values", "value_schema")):
        raise InvalidEventSpec(
            "tombstone=True: a tombstone has no value; drop value/values/value_schema"
        )
    values = _values(world, params, per, total) if not tombstone else []
    has_key = "key" not in params or params["key"] is not None
    key = params.get("key")
    if key is not None and not isinstance(key, (str, bytes)):
        raise InvalidEventSpec(f"key={key!r:.80}: expected str, bytes or None (no key)")
    given_headers = _headers(params.get("headers"))
    cluster = params.get("cluster")
    if cluster is None:
        cluster = f"{word(rng)}-cluster-{between(rng, 1, 9)}"
    elif not isinstance(cluster, str) or not _CLUSTER_RE.fullmatch(cluster):
        raise InvalidEventSpec(
            f"cluster={cluster!r}: an MSK cluster name has 1 to 64 characters of [A-Za-z0-9-]"
        )
    event: dict[str, Any] = {"eventSource": _SOURCES[source]}
    if msk:
        event["eventSourceArn"] = (
            f"arn:aws:kafka:{world.region}:{world.account_id}:cluster/{cluster}/"
            f"{world.uuid4()}-{between(rng, 1, 25)}"
        )
    event["bootstrapServers"] = _servers(world, params, cluster, msk)
    records: dict[str, list[dict[str, Any]]] = {}
    i = 0
    for topic in topics:
        for part in parts:
            offset = between(rng, 0, 5_000_000)
            stamp = world.now_ms - between(rng, 50, 3_000) - count * between(rng, 0, 40)
            batch = []
            for _ in range(count):
                rec: dict[str, Any] = {
                    "topic": topic,
                    "partition": part,
                    "offset": offset,
                    "timestamp": stamp,
                    "timestampType": ts_type,
                }
                if has_key:
                    k = (
                        key
                        if key is not None
                        else f"{topic.split('.')[0]}-{between(rng, 1, 99_999)}"
                    )
                    rec["key"] = _b64(k.encode() if isinstance(k, str) else k)
                if not tombstone:
                    rec["value"] = _b64(values[i])
                heads = (
                    given_headers if given_headers is not None else _draw_headers(world, tombstone)
                )
                rec["headers"] = [{name: list(data)} for name, data in heads]
                batch.append(rec)
                i += 1
                offset += 1 if rng.random() < 0.9 else 2  # a transaction marker takes an offset
                stamp += between(rng, 0, 40)
            records[f"{topic}-{part}"] = batch
    event["records"] = records
    return event


def _draw_headers(world: World, tombstone: bool) -> list[tuple[str, bytes]]:
    rng = world.rng
    heads = [] if tombstone else [("content-type", b"application/json")]
    if rng.random() < 0.6:
        heads.append(("traceparent", f"00-{world.hex(32)}-{world.hex(16)}-01".encode()))
    return heads


# -- derive --------------------------------------------------------------------------
def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Follow an overridden cluster ARN's region in MSK broker hosts (unless set too)."""
    arn, servers = event.get("eventSourceArn"), event.get("bootstrapServers")
    m = ARN_RE.fullmatch(arn) if isinstance(arn, str) else None
    if m is None or not isinstance(servers, str) or is_protected(("bootstrapServers",)):
        return
    hosts = []
    for hp in servers.split(","):
        h = MSK_HOST_RE.fullmatch(hp)
        hosts.append(f"{hp[: h.start('region')]}{m['region']}{hp[h.end('region') :]}" if h else hp)
    event["bootstrapServers"] = ",".join(hosts)
