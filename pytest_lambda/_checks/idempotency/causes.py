"""Evidence: compare two settled deliveries.

:func:`compare` turns two settled deliveries (and their snapshots) into a
:class:`Mismatch` (state diff, time-derived item pairs, the differing response fields,
whether a delivery never succeeded), or ``None`` when they agree. The findings built
from it are in :mod:`pytest_lambda._checks.idempotency.findings`.

Severity of a mismatch: ``info`` when the states differ only in items derived from the
invocation time or request id (:mod:`~pytest_lambda._checks.idempotency.derived`);
``warning`` when only the responses differ and either the source discards responses
(SQS, Kinesis, S3 …) or every differing field is a per-request random value (a new
session cookie, a request id, a timestamp); ``error`` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pytest_lambda._checks.faults import Call
from pytest_lambda._checks.idempotency.derived import derived_pairs, per_request, response_changes
from pytest_lambda._checks.idempotency.report import Finding, Severity
from pytest_lambda._checks.report import plural
from pytest_lambda._checks.statediff import Change, diff, mask, time_shifted
from pytest_lambda._runtime.invocation import Invocation

__all__ = ["Mismatch", "Run", "compare", "identity", "state_changes", "state_delta"]

_ASYNC_OR_BATCH: Final = frozenset(
    {"sqs", "kinesis", "dynamodb", "s3", "sns", "eventbridge", "cloudwatch_logs", "kafka"}
)


@dataclass(frozen=True)
class Run:
    """One settled delivery: every attempt, the calls made, and how it ended."""

    invocations: tuple[Invocation, ...]
    events: tuple[dict[str, Any], ...]
    calls: tuple[Call, ...]
    first_calls: tuple[Call, ...]
    fired: Call | None = None
    whole_batch_retry: bool = False
    gave_up: bool = False

    @property
    def first(self) -> Invocation:
        return self.invocations[0]

    @property
    def final(self) -> Invocation:
        return self.invocations[-1]

    @property
    def succeeded(self) -> bool:
        return not self.gave_up and self.final.ok

    def final_error(self) -> str:
        err = self.final.error
        if err is not None:
            return f"{err.type}: {err.message}" if err.message else err.type
        return f"the response still reported failures: {self.final.response!r}"

    def mask_names(self, kind: str) -> list[tuple[object, str]]:
        names: list[tuple[object, str]] = [
            (i.request_id, "aws_request_id") for i in self.invocations
        ]
        for event in self.events:
            names.extend(_varying(kind, event))
        return names


_HTTP_LIKE: Final = frozenset({"function_url", "alb", "websocket"})


def _varying(kind: str, event: Mapping[str, Any]) -> list[tuple[object, str]]:
    """Values of ``event`` that are new on every delivery, with their names."""
    out: list[tuple[object, str]] = []
    if kind == "sqs":
        out += [(r.get("receiptHandle"), "receiptHandle") for r in event.get("Records", ())]
    if kind.startswith("apigw") or kind in _HTTP_LIKE:
        ctx = event.get("requestContext") or {}
        for key in ("requestId", "extendedRequestId", "requestTimeEpoch", "timeEpoch"):
            if key in ctx:
                out.append((ctx[key], f"requestContext.{key}"))
        for name, value in (event.get("headers") or {}).items():
            if name.lower() in ("x-amzn-trace-id", "x-amz-cf-id"):
                out.append((value, f"headers.{name}"))
    return out


@dataclass(frozen=True)
class Mismatch:
    """How a delivery disagreed with the clean one."""

    state_diff: tuple[Change, ...]
    responses: tuple[object, object] | None
    gave_up: bool
    run: Run
    severity: Severity = "error"
    derived: tuple[tuple[Change, Change], ...] = ()  # (removed, added) time-derived items
    derived_from: tuple[str, ...] = ()  # "the invocation time", "the request id"
    response_diff: tuple[Change, ...] = ()
    per_request: bool = False  # every differing response field is a random id or a time
    observed: bool = True  # the state was observed (an observe= was given)

    def base(self, scenario: str, environment: str, deliveries: int) -> Finding:
        return Finding(
            scenario=scenario,
            severity=self.severity,
            message="",
            environment=environment,
            state_diff=self.state_diff,
            deliveries=deliveries,
            responses=self.responses,
            response_diff=self.response_diff,
        )


def state_delta(
    kind: str, first: Run, state1: object, other: Run, state2: object, ignored: set[str],
    slack: float = 0.0, around: float | None = None,
) -> tuple[tuple[Change, ...], list[tuple[Change, Change]], set[str]]:  # fmt: skip
    """The diff of two snapshots once per-delivery values (in values, not keys) are masked,
    without time-derived item pairs; and those pairs, and what they derive from.

    ``slack``: seconds the check's clock moved between the two deliveries; epoch timestamps
    that moved by no more than that are the clock's doing, not a repeated side effect.
    ``around``: the check clock's epoch seconds (epochs near it read as times, whatever the
    year the clock was frozen at: ``statediff.epoch_units``).
    """
    names = first.mask_names(kind) + other.mask_names(kind)
    m1, used1 = mask(state1, names)
    m2, used2 = mask(state2, names)
    if state1 != state2:
        ignored.update(used1 | used2)
    changes = diff(m1, m2)
    kept = [c for c in changes if not time_shifted(c, slack, around)]
    if len(kept) < len(changes):
        ignored.add("epoch timestamps moved on by the redelivery delay")
    ids = [i.request_id for i in (*first.invocations, *other.invocations)]
    rest, pairs, kinds = derived_pairs(kept, ids, around)
    return tuple(rest), pairs, kinds


def state_changes(
    kind: str, first: Run, state1: object, other: Run, state2: object, ignored: set[str],
    slack: float = 0.0, around: float | None = None,
) -> tuple[Change, ...]:  # fmt: skip
    """:func:`state_delta`'s changes only: what a repeated side effect left."""
    return state_delta(kind, first, state1, other, state2, ignored, slack, around)[0]


def compare(
    kind: str, clean: Run, state1: object, other: Run, state2: object, ignored: set[str],
    slack: float = 0.0, *, observed: bool = True, around: float | None = None,
) -> Mismatch | None:  # fmt: skip
    """The mismatch between a clean settled delivery and another, or None (``observed``:
    the states are snapshots of an ``observe()``, not ``None`` for want of one)."""
    changes, pairs, kinds = state_delta(kind, clean, state1, other, state2, ignored, slack, around)
    r1, r2 = clean.final.response, other.final.response
    names = clean.mask_names(kind) + other.mask_names(kind)
    m1, used1 = mask(r1, names)
    m2, used2 = mask(r2, names)
    if r1 != r2:
        ignored.update(used1 | used2)
    fields = response_changes(m1, m2, slack, around) if m1 != m2 else ()
    gave_up = clean.succeeded and not other.succeeded
    derived = tuple(pairs)
    order = ("the invocation time", "the request id", "a random id (a new uuid on every run)")
    derived_from = tuple(k for k in order if k in kinds)
    if not changes and not fields and not gave_up:
        if not derived:
            return None
        return Mismatch((), None, False, other, "info", derived, derived_from)
    random_only = bool(fields) and all(per_request(c) for c in fields)
    severity: Severity = "error"
    if not changes and not gave_up and (kind in _ASYNC_OR_BATCH or random_only):
        # the source discards the response (SQS/Kinesis read only failures), or the
        # responses differ only in per-request random values: not a repeated side effect
        severity = "warning"
    return Mismatch(
        changes, (r1, r2) if fields else None, gave_up, other, severity, derived, derived_from,
        fields, random_only, observed,
    )  # fmt: skip


def identity(kind: str, event: Mapping[str, Any]) -> str:
    """A short description of which event this is (for the reproduce line)."""
    records = event.get("Records") or [{}]
    first = records[0] if isinstance(records, list) and records else {}
    if kind == "sqs":
        return f"sqs, {plural(len(records), 'message')}, first messageId {first.get('messageId')!r}"
    if kind == "dynamodb":
        return f"dynamodb, {plural(len(records), 'record')}, first eventID {first.get('eventID')!r}"
    if kind == "kinesis":
        return f"kinesis, {plural(len(records), 'record')}, first eventID {first.get('eventID')!r}"
    if kind == "s3":
        s3 = first.get("s3", {})
        return f"s3 {first.get('eventName')} s3://{s3.get('bucket', {}).get('name')}/{s3.get('object', {}).get('key')}"
    if kind == "sns":
        return f"sns MessageId {first.get('Sns', {}).get('MessageId')!r}"
    if kind == "kafka":
        groups = event.get("records") or {}
        count = sum(len(b) for b in groups.values() if isinstance(b, list))
        return f"kafka, {plural(count, 'record')} from {', '.join(map(str, list(groups)[:4]))}"
    if kind == "cloudwatch_logs":
        return "cloudwatch_logs subscription delivery (awslogs.data)"
    if kind == "firehose":
        recs = event.get("records") or [{}]
        return (
            f"firehose, {plural(len(recs), 'record')}, invocationId {event.get('invocationId')!r}"
        )
    if kind == "eventbridge":
        return f"eventbridge {event.get('source')} {event.get('detail-type')!r}, id {event.get('id')!r}"
    if kind == "websocket":
        ctx = event.get("requestContext") or {}
        return f"websocket {ctx.get('routeKey')}, connectionId {ctx.get('connectionId')!r}"
    if kind.startswith("apigw") or kind in _HTTP_LIKE:
        ctx = event.get("requestContext") or {}
        method = event.get("httpMethod") or (ctx.get("http") or {}).get("method")
        path = event.get("path") or event.get("rawPath")
        rid = ctx.get("requestId")
        return f"{kind} {method} {path}" + (f", requestId {rid!r}" if rid else "")
    return "direct invoke, keys " + ", ".join(map(str, list(event)[:6]))
