"""The cross-field rules of real Kafka events (event-spec.md §4B), as ``invariants(event)``.

The JSON Schema checks each field's shape; these rules relate fields to each other:

- each ``records`` list holds the records of ONE partition: every record's ``topic`` +
  ``-`` + ``partition`` is the list's key;
- offsets strictly increase within a partition (Lambda reads a partition in order);
- one ``timestampType`` per topic (the topic's ``message.timestamp.type`` decides it);
- ``aws:kafka`` (Amazon MSK) events carry the cluster ARN, ``SelfManagedKafka`` events do not;
- ``bootstrapServers`` lists each ``host:port`` once, ports 1..65535; MSK broker hosts
  (``b-N.{cluster}.{id}.cN.kafka.{region}.amazonaws.com``) are in the ARN's region and name one
  cluster.

Assumes the event passed the schema. Cost: linear in the number of records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

__all__ = ["ARN_RE", "MSK_HOST_RE", "invariants"]

ARN_RE: Final = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):kafka:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"cluster/(?P<name>[A-Za-z0-9-]{1,64})/(?P<uuid>[0-9a-f-]+)-(?P<n>s?\d+)"
)
MSK_HOST_RE: Final = re.compile(
    r"b-\d+\.(?P<cluster>[a-z0-9-]+)\.(?P<id>[a-z0-9]+)\.c\d+\.kafka(?:-serverless)?\."
    r"(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?:\d+"
)


def _servers(event: Mapping[str, Any]) -> Iterator[str]:
    servers = event.get("bootstrapServers")
    if not isinstance(servers, str):
        return
    seen: set[str] = set()
    for hp in servers.split(","):
        host, _, port = hp.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            yield f"bootstrapServers entry {hp!r} is not host:port with a port 1..65535"
        elif hp in seen:
            yield f"bootstrapServers lists {hp!r} twice"
        seen.add(hp)
    arn = event.get("eventSourceArn")
    m = ARN_RE.fullmatch(arn) if isinstance(arn, str) else None
    if m is None:
        return
    clusters = set()
    for hp in servers.split(","):
        h = MSK_HOST_RE.fullmatch(hp)
        if h is None:
            continue
        clusters.add((h["cluster"], h["id"]))
        if h["region"] != m["region"]:
            yield (
                f"bootstrapServers host {hp.rpartition(':')[0]!r} is in {h['region']} but the "
                f"cluster ARN is in {m['region']}"
            )
    if len(clusters) > 1:
        names = ", ".join(sorted(f"{c}.{i}" for c, i in clusters))
        yield f"bootstrapServers name brokers of {len(clusters)} MSK clusters ({names}); one is read"


def invariants(event: Mapping[str, Any]) -> Iterator[str]:
    """Every cross-field rule ``event`` breaks, as one line each."""
    source = event.get("eventSource")
    has_arn = "eventSourceArn" in event
    if source == "aws:kafka" and not has_arn:
        yield "eventSource is aws:kafka (Amazon MSK) but the event has no eventSourceArn"
    if source != "aws:kafka" and has_arn:
        yield f"eventSource is {source!r} but the event has an eventSourceArn (only MSK events do)"
    yield from _servers(event)
    records = event.get("records")
    if not isinstance(records, Mapping):
        return
    types: dict[str, tuple[str, str]] = {}
    for key, batch in records.items():
        if not isinstance(batch, list):
            continue
        last: int | None = None
        for i, rec in enumerate(batch):
            if not isinstance(rec, Mapping):
                continue
            where = f"records[{key!r}][{i}]"
            expected = f"{rec.get('topic')}-{rec.get('partition')}"
            if expected != key:
                yield (
                    f"{where} is topic {rec.get('topic')!r} partition {rec.get('partition')!r} "
                    f"but sits under {key!r}; a list holds the records of partition {expected!r}"
                )
            offset = rec.get("offset")
            if isinstance(offset, int) and last is not None and offset <= last:
                yield (
                    f"{where}.offset {offset} does not follow {last}: offsets strictly increase "
                    "within a partition"
                )
            if isinstance(offset, int):
                last = offset
            topic, ts_type = rec.get("topic"), rec.get("timestampType")
            if isinstance(topic, str) and isinstance(ts_type, str):
                first = types.setdefault(topic, (ts_type, where))
                if first[0] != ts_type:
                    yield (
                        f"{where}.timestampType is {ts_type} but {first[1]} of the same topic "
                        f"{topic!r} is {first[0]}; a topic has one timestamp type"
                    )
