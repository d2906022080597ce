"""Which per-delivery field a handler keys its dedup on, found by experiment.

A dedup keyed on ``receiptHandle`` or API Gateway's ``requestId`` passes an exact duplicate
and fails a real redelivery. :func:`find_field_cause` replays the event from the starting
state with one changed field at a time to name the field; :func:`field_fix` says what to
key on instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

__all__ = ["ID_HINT", "changed_fields", "field_fix", "find_field_cause", "with_fields"]

#: What a handler should key its dedup on, per event kind.
ID_HINT: Final = {
    "sqs": "messageId",
    "kinesis": "eventID",
    "dynamodb": "eventID (or dynamodb.SequenceNumber)",
    "s3": "the bucket, key and sequencer",
    "sns": "Sns.MessageId",
    "eventbridge": "the event id",
    "firehose": "recordId",
    "cloudwatch_logs": "the logEvents ids",
    "kafka": "each record's topic, partition and offset",
    "apigw_v1": "a client-supplied idempotency key (an Idempotency-Key header or an id in the body)",
    "apigw_v2": "a client-supplied idempotency key (an Idempotency-Key header or an id in the body)",
    "alb": "a client-supplied idempotency key (an Idempotency-Key header or an id in the body)",
    "function_url": "a client-supplied idempotency key (an Idempotency-Key header or an id in the body)",
    "websocket": "an id in the message body (a client resends a frame with a new messageId)",
    "direct": "an id carried by the event",
}
_IDENTITY_FIELDS: Final = (
    "receiptHandle",
    "requestContext.requestId",
    "requestContext.extendedRequestId",
)


Path = tuple[str | int, ...]


def _leaves(a: object, b: object, path: Path = ()) -> list[tuple[Path, object]]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out: list[tuple[Path, object]] = []
        for key in b:
            if key in a:
                out += _leaves(a[key], b[key], (*path, key))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [leaf for i in range(len(a)) for leaf in _leaves(a[i], b[i], (*path, i))]
    return [] if a == b else [(path, b)]


def _group(path: Path) -> str:
    named = [str(p) for p in path if not isinstance(p, int)]
    if named[:1] == ["Records"]:
        named = named[1:]
    return ".".join(named)


def changed_fields(
    a: Mapping[str, Any], b: Mapping[str, Any]
) -> dict[str, list[tuple[Path, object]]]:
    """Field name (``receiptHandle``, ``requestContext.requestId`` …) → the leaves that differ."""
    groups: dict[str, list[tuple[Path, object]]] = {}
    for path, value in _leaves(a, b):
        groups.setdefault(_group(path), []).append((path, value))
    return groups


def with_fields(event: Mapping[str, Any], leaves: Sequence[tuple[Path, object]]) -> dict[str, Any]:
    out: dict[str, Any] = copy.deepcopy(dict(event))
    for path, value in leaves:
        node: Any = out
        for seg in path[:-1]:
            node = node[seg]
        node[path[-1]] = copy.deepcopy(value)
    return out


def field_fix(kind: str, name: str) -> str:
    hint = ID_HINT.get(kind, ID_HINT["direct"])
    if name == "receiptHandle":
        return "key your dedup on messageId, not receiptHandle: SQS issues a new receiptHandle on every receive"
    if name.startswith("requestContext.") and name.endswith(("requestId", "extendedRequestId")):
        return (
            f"key your dedup on {hint}, not {name}: "
            "API Gateway gives every client retry a new request id"
        )
    if name == "context.aws_request_id":
        return (
            f"key your dedup on {hint}, not context.aws_request_id: every {kind} redelivery "
            "is a new invocation with a new request id"
        )
    return f"key your dedup on {hint}, not {name}: it changes on every redelivery"


Experiment = Callable[[Mapping[str, Any], Mapping[str, Any], bool], bool]


def find_field_cause(
    kind: str, event: Mapping[str, Any], duplicate: Mapping[str, Any], idempotent: Experiment
) -> str | None:
    """The per-delivery field a handler keys its dedup on, found by experiment.

    ``idempotent(a, b, same_request_id)`` delivers ``a`` then ``b`` from the starting
    state and says whether the second left the state unchanged. An exact copy
    (same request id) must be idempotent; then the first field whose change alone
    breaks it is the cause.
    """
    if not idempotent(event, event, True):
        return None
    fields = changed_fields(event, duplicate)
    first = [n for n in fields if n in _IDENTITY_FIELDS]
    for name in first:
        if not idempotent(event, with_fields(event, fields[name]), True):
            return name
    if kind not in ("s3", "sns", "eventbridge", "cloudwatch_logs") and not idempotent(
        event, event, False
    ):
        return "context.aws_request_id"
    for name, leaves in fields.items():
        if name not in first and not idempotent(event, with_fields(event, leaves), True):
            return name
    return None
