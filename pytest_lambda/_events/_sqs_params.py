"""Parameters of the ``sqs`` kind: checked, defaulted and resolved into a :class:`SqsSpec`.

Every bad value raises :class:`InvalidEventSpec` naming the parameter, the value and
what is valid. Limits come from docs/internals/event-spec.md §1.5 (batch sizes, names, attributes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec

from ._sns_envelope import MAX_MESSAGE_BYTES, check_subject, check_topic_name, text_payload
from ._sqs_attrs import sqs_attributes
from ._world import World

__all__ = ["MAX_BODY_BYTES", "MAX_FIFO_BATCH", "MAX_STANDARD_BATCH", "SqsSpec", "check_queue_name"]

MAX_FIFO_BATCH: Final = 10
MAX_STANDARD_BATCH: Final = 10_000
#: SQS message size limit (1 MiB since 2025, docs/internals/event-spec.md §1.5).
MAX_BODY_BYTES: Final = 1_048_576

_QUEUE = re.compile(r"[A-Za-z0-9_-]{1,80}")
_GROUP = re.compile(r"[!-~]{1,128}")
_ENVELOPE_KEYS: Final = ("topic", "subject", "signature_version")


def check_queue_name(name: object, param: str = "queue") -> str:
    if not isinstance(name, str):
        raise InvalidEventSpec(
            f"{param}={name!r}: a queue name is a str such as 'orders' or 'orders.fifo'"
        )
    if name.startswith(("arn:", "https:", "http:")):
        raise InvalidEventSpec(
            f"{param}={name!r}: pass the queue name only (e.g. 'orders'); region= and "
            "account_id= build the ARN"
        )
    base = name[:-5] if name.endswith(".fifo") else name
    if len(name) > 80 or not _QUEUE.fullmatch(base):
        raise InvalidEventSpec(
            f"{param}={name!r}: queue names have 1-80 characters from A-Z a-z 0-9 _ - "
            "(a FIFO name ends in .fifo, which counts toward the 80)"
        )
    return name


def _flag(params: Mapping[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value is not None and not isinstance(value, bool):
        raise ArgumentTypeError(f"{name}={value!r}: expected True or False")
    return value


def _positive_int(params: Mapping[str, Any], name: str, hint: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"{name}={value!r}: expected an int; {hint}")
    if value < 1:
        raise InvalidEventSpec(f"{name}={value!r}: {hint}")
    return value


def _group_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not _GROUP.fullmatch(value):
        raise InvalidEventSpec(
            f"{where}={value!r}: a MessageGroupId has 1-128 printable ASCII characters "
            "(letters, digits, punctuation; no spaces)"
        )
    return value


class SqsSpec:
    """The resolved parameters of one ``sqs`` event."""

    __slots__ = (
        "attrs",
        "bodies",
        "count",
        "dedup",
        "dlq_source",
        "envelope",
        "fifo",
        "groups",
        "queue",
        "receive_count",
        "schema",
        "trace",
    )

    attrs: dict[str, dict[str, Any]]
    bodies: list[str] | None
    count: int
    dedup: str  # "content" (sha256 of the body), "random", or "message_id" (FIFO DLQ)
    dlq_source: str | None
    envelope: dict[str, Any] | None
    fifo: bool
    groups: list[str] | None
    queue: str
    receive_count: int
    schema: Any
    trace: bool

    def __init__(self, world: World, params: Mapping[str, Any]) -> None:
        if not params:  # the default event: same draws as the general path, less checking
            self.trace = False
            self.attrs = {}
            self.fifo = False
            self.dlq_source = None
            self.queue = world.slug(2)
            self.schema = None
            self.bodies = None
            self.count = 1
            self.groups = None
            self.dedup = "content"
            self.receive_count = 1
            self.envelope = None
            return
        self.trace = bool(_flag(params, "trace_header"))
        self.attrs = sqs_attributes(params.get("message_attributes"))
        self._resolve_queue(world, params)
        self._resolve_bodies(params)
        self._resolve_count(params)
        self._resolve_groups(params)
        self._resolve_dedup(params)
        rc = _positive_int(
            params, "receive_count", "ApproximateReceiveCount starts at 1 (first delivery)"
        )
        if rc is None:
            rc = world.rng.randint(2, 5) if self.dlq_source else 1
        self.receive_count = rc
        self.envelope = self._resolve_envelope(world, params.get("sns_envelope"))

    # -- queue, FIFO, dead-letter source -------------------------------------------------
    def _resolve_queue(self, world: World, params: Mapping[str, Any]) -> None:
        fifo = _flag(params, "fifo")
        queue = params.get("queue")
        dlq = params.get("dlq_source")
        if queue is not None:
            queue = check_queue_name(queue)
            if queue.endswith(".fifo"):
                if fifo is False:
                    raise InvalidEventSpec(
                        f"fifo=False but queue={queue!r} ends in .fifo, which makes it a FIFO "
                        "queue; drop fifo= or the .fifo suffix"
                    )
                fifo = True
            elif fifo:
                queue = check_queue_name(
                    queue + ".fifo", "queue (with the .fifo suffix fifo=True adds)"
                )
        self.fifo = bool(fifo)
        suffix = ".fifo" if self.fifo else ""
        self.dlq_source = None
        if dlq is not None and dlq is not False:
            if dlq is True:
                source = world.slug(2) + suffix
            elif isinstance(dlq, str) and dlq.startswith("arn:"):
                source = self._source_from_arn(world, dlq)
            elif isinstance(dlq, str):
                source = check_queue_name(dlq, "dlq_source")
            else:
                raise InvalidEventSpec(
                    f"dlq_source={dlq!r}: expected True, the source queue's name or its ARN"
                )
            if source.endswith(".fifo") != self.fifo:
                src_kind = "a FIFO" if source.endswith(".fifo") else "a standard"
                raise InvalidEventSpec(
                    f"dlq_source={dlq!r} is {src_kind} queue but this event's queue is "
                    f"{'FIFO' if self.fifo else 'standard'}; a dead-letter queue has the type of "
                    "its source queue"
                )
            self.dlq_source = source
        if queue is None:
            if self.dlq_source is not None:
                base = self.dlq_source[:-5] if self.fifo else self.dlq_source
                queue = base[: (75 if self.fifo else 80) - 4] + "-dlq" + suffix
            else:
                queue = world.slug(2) + suffix
        self.queue = queue

    @staticmethod
    def _source_from_arn(world: World, arn: str) -> str:
        parts = arn.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            raise InvalidEventSpec(
                f"dlq_source={arn!r} is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)"
            )
        if parts[3] != world.region or parts[4] != world.account_id:
            raise InvalidEventSpec(
                f"dlq_source={arn!r}: a dead-letter queue is in the same region and account as "
                f"its source queue, and this event's are {world.region} / {world.account_id}; "
                "pass region= and account_id= to match, or just the queue name"
            )
        return check_queue_name(parts[5], "dlq_source")

    # -- bodies and the record count -------------------------------------------------------
    def _resolve_bodies(self, params: Mapping[str, Any]) -> None:
        body, bodies, schema = params.get("body"), params.get("bodies"), params.get("body_schema")
        given = [
            n
            for n, v in (("body", body), ("bodies", bodies), ("body_schema", schema))
            if v is not None
        ]
        if len(given) > 1:
            raise InvalidEventSpec(
                f"{' and '.join(given)} given together; pass one: body (the same body for every "
                "record), bodies (one per record) or body_schema (generated bodies)"
            )
        limit = MAX_MESSAGE_BYTES if params.get("sns_envelope") else MAX_BODY_BYTES
        self.schema = schema
        self.bodies = None
        if body is not None:
            self.bodies = [text_payload(body, "body", limit)]
        elif bodies is not None:
            if isinstance(bodies, (str, bytes, Mapping)) or not isinstance(bodies, Sequence):
                raise InvalidEventSpec(
                    f"bodies: expected a list with one body per record, got {type(bodies).__name__}; "
                    "for one body on every record use body="
                )
            if not bodies:
                raise InvalidEventSpec("bodies=[]: an SQS event has at least one record")
            self.bodies = [text_payload(b, f"bodies[{i}]", limit) for i, b in enumerate(bodies)]

    def _resolve_count(self, params: Mapping[str, Any]) -> None:
        records = _positive_int(params, "records", "an SQS event has at least 1 record")
        per_record = params.get("bodies") is not None
        if per_record:
            assert self.bodies is not None
            if records is not None and records != len(self.bodies):
                raise InvalidEventSpec(
                    f"records={records} but bodies has {len(self.bodies)} items; bodies sets the "
                    "record count, so drop records="
                )
            records = len(self.bodies)
        count = 1 if records is None else records
        limit = MAX_FIFO_BATCH if self.fifo else MAX_STANDARD_BATCH
        if count > limit:
            name = "bodies" if per_record else "records"
            raise InvalidEventSpec(
                f"{name}: {count} records; Lambda delivers at most {limit} messages per batch from a "
                f"{'FIFO' if self.fifo else 'standard'} queue"
            )
        self.count = count

    # -- FIFO group ids and deduplication ----------------------------------------------------
    def _resolve_groups(self, params: Mapping[str, Any]) -> None:
        value = params.get("group_id")
        self.groups = None
        if value is None:
            return
        if isinstance(value, str):
            self.groups = [_group_id(value, "group_id")] * self.count
            return
        if not isinstance(value, Sequence) or len(value) != self.count:
            raise InvalidEventSpec(
                f"group_id={value!r}: expected a str (one group for every record) or a list of "
                f"{self.count} str (one per record)"
            )
        self.groups = [_group_id(g, f"group_id[{i}]") for i, g in enumerate(value)]

    def _resolve_dedup(self, params: Mapping[str, Any]) -> None:
        cbd = _flag(params, "content_based_dedup")
        if cbd is not None and not self.fifo and cbd:
            raise InvalidEventSpec(
                "content_based_dedup=True on a standard queue: only FIFO queues deduplicate; "
                "pass fifo=True or a .fifo queue name"
            )
        # "content": sha256(body); "random": an opaque id; "message_id": a FIFO DLQ's.
        if cbd is None:
            self.dedup = "message_id" if self.dlq_source else "content"
        else:
            self.dedup = "content" if cbd else "random"

    # -- SNS envelope ------------------------------------------------------------------------
    def _resolve_envelope(self, world: World, value: object) -> dict[str, Any] | None:
        if value is None or value is False:
            return None
        options: Mapping[str, Any]
        if value is True:
            options = {}
        elif isinstance(value, Mapping):
            options = value
            unknown = [k for k in options if k not in _ENVELOPE_KEYS]
            if unknown:
                raise InvalidEventSpec(
                    f"sns_envelope: unknown option(s) {unknown}; valid: {', '.join(_ENVELOPE_KEYS)}"
                )
        else:
            raise InvalidEventSpec(
                f"sns_envelope={value!r}: expected True or a dict of {', '.join(_ENVELOPE_KEYS)}"
            )
        topic = options.get("topic")
        if topic is None:
            topic = world.slug(2) + (".fifo" if self.fifo else "")
        else:
            topic = check_topic_name(topic, "sns_envelope['topic']")
            if topic.endswith(".fifo") != self.fifo:
                raise InvalidEventSpec(
                    f"sns_envelope['topic']={topic!r}: FIFO topics deliver only to FIFO queues and "
                    f"FIFO queues subscribe only to FIFO topics, but queue {self.queue!r} is "
                    f"{'FIFO' if self.fifo else 'standard'}"
                )
        version = options.get("signature_version", "1")
        if isinstance(version, bool) or str(version) not in ("1", "2"):
            raise InvalidEventSpec(
                f"sns_envelope['signature_version']={version!r}: expected '1' or '2'"
            )
        return {
            "topic": topic,
            "subject": check_subject(options.get("subject"), "sns_envelope['subject']"),
            "signature_version": str(version),
        }
