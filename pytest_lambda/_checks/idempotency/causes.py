"""Evidence and likely causes: compare two settled deliveries and name the fix.

:func:`compare` turns two settled deliveries (and their snapshots) into a
:class:`Mismatch` (state diff, responses, whether a delivery never succeeded), or
``None`` when they agree. :func:`duplicate_finding` and :func:`crash_finding` read the
evidence to say what went wrong and how to fix it: a blind insert, a counter, a dedup
keyed on a per-delivery field (found by experiment), an in-memory dedup, a write and a
marker that are not one conditional write, a whole batch retried for one failure, a
handler that swallowed a failure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from pytest_lambda._checks.faults import Call, Fault
from pytest_lambda._checks.idempotency.fields import ID_HINT as _ID_HINT
from pytest_lambda._checks.idempotency.fields import field_fix
from pytest_lambda._checks.idempotency.report import CRASH, DUPLICATE, Finding, Severity
from pytest_lambda._checks.report import plural
from pytest_lambda._checks.statediff import Change, diff, mask, time_shifted
from pytest_lambda._runtime.invocation import Invocation

__all__ = [
    "Mismatch",
    "Run",
    "compare",
    "crash_finding",
    "duplicate_finding",
    "identity",
    "state_changes",
]

_READ_PREFIXES: Final = ("Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Select")
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


def _varying(kind: str, event: Mapping[str, Any]) -> list[tuple[object, str]]:
    """Values of ``event`` that are new on every delivery, with their names."""
    out: list[tuple[object, str]] = []
    if kind == "sqs":
        out += [(r.get("receiptHandle"), "receiptHandle") for r in event.get("Records", ())]
    if kind.startswith("apigw"):
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

    def base(self, scenario: str, environment: str, deliveries: int) -> Finding:
        return Finding(
            scenario=scenario,
            severity=self.severity,
            message="",
            environment=environment,
            state_diff=self.state_diff,
            deliveries=deliveries,
            responses=self.responses,
        )


def state_changes(
    kind: str, first: Run, state1: object, other: Run, state2: object, ignored: set[str],
    slack: float = 0.0,
) -> tuple[Change, ...]:  # fmt: skip
    """The diff of two snapshots once per-delivery values (in values, not keys) are masked.

    ``slack``: seconds the check's clock moved between the two deliveries; epoch timestamps
    that moved by no more than that are the clock's doing, not a repeated side effect.
    """
    names = first.mask_names(kind) + other.mask_names(kind)
    m1, used1 = mask(state1, names)
    m2, used2 = mask(state2, names)
    if state1 != state2:
        ignored.update(used1 | used2)
    changes = diff(m1, m2)
    kept = tuple(c for c in changes if not time_shifted(c, slack))
    if len(kept) < len(changes):
        ignored.add("epoch timestamps moved on by the redelivery delay")
    return kept


def compare(
    kind: str, clean: Run, state1: object, other: Run, state2: object, ignored: set[str],
    slack: float = 0.0,
) -> Mismatch | None:  # fmt: skip
    """The mismatch between a clean settled delivery and another, or None."""
    changes = state_changes(kind, clean, state1, other, state2, ignored, slack)
    r1, r2 = clean.final.response, other.final.response
    names = clean.mask_names(kind) + other.mask_names(kind)
    m1, used1 = mask(r1, names)
    m2, used2 = mask(r2, names)
    if r1 != r2:
        ignored.update(used1 | used2)
    responses_differ = m1 != m2 and any(not time_shifted(c, slack) for c in diff(m1, m2))
    gave_up = clean.succeeded and not other.succeeded
    if not changes and not responses_differ and not gave_up:
        return None
    severity: Severity = "error"
    if not changes and not gave_up and kind in _ASYNC_OR_BATCH:
        severity = "warning"  # the source discards the response (SQS/Kinesis read only failures)
    return Mismatch(changes, (r1, r2) if responses_differ else None, gave_up, other, severity)


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
    if kind.startswith("apigw"):
        ctx = event.get("requestContext") or {}
        method = event.get("httpMethod") or (ctx.get("http") or {}).get("method")
        path = event.get("path") or event.get("rawPath")
        return f"{kind} {method} {path}, requestId {ctx.get('requestId')!r}"
    return "direct invoke, keys " + ", ".join(map(str, list(event)[:6]))


# -- findings ---------------------------------------------------------------------------


def _shape(changes: Sequence[Change]) -> tuple[int, int, int, bool]:
    added = sum(c.kind == "added" for c in changes)
    removed = sum(c.kind == "removed" for c in changes)
    changed = [c for c in changes if c.kind == "changed"]
    counter = any(
        isinstance(c.before, (int, float))
        and isinstance(c.after, (int, float))
        and not isinstance(c.before, bool)
        and c.after > c.before
        for c in changed
    )
    return added, removed, len(changed), counter


def _state_words(changes: Sequence[Change]) -> str:
    added, removed, changed, _ = _shape(changes)
    parts = [(added, "added"), (removed, "removed"), (changed, "changed")]
    return ", ".join(f"{n} {w}" for n, w in parts if n)


def duplicate_finding(
    kind: str,
    mismatch: Mismatch,
    environment: str,
    deliveries: int,
    *,
    warm_passed: bool,
    field_cause: str | None,
) -> Finding:
    """The finding of a duplicate delivery that did not leave the state as one delivery did."""
    base = mismatch.base(DUPLICATE, environment, deliveries)
    hint = _ID_HINT.get(kind, _ID_HINT["direct"])
    changes = mismatch.state_diff
    if mismatch.gave_up:
        return replace(
            base,
            message=f"the duplicate delivery failed on every attempt ({mismatch.run.final_error()})",
            fix="treat an event you already processed as a success: return the stored result instead of raising",
        )
    if not changes:
        return replace(
            base,
            message="the duplicate delivery returned a different response (the state is the same)"
            + (
                f"; a warning only: the {kind} source discards the response"
                if mismatch.severity == "warning"
                else ""
            ),
            fix="return the first delivery's response again: store it with your dedup record, as Powertools' idempotency utility does",
        )
    what = f"a duplicate delivery changed the state ({_state_words(changes)})"
    if field_cause is not None:
        return replace(
            base,
            message=f"{what}: the handler dedups on {field_cause}, which changes on every redelivery "
            f"(an exact copy was idempotent, a copy differing only in {field_cause} was not)",
            fix=field_fix(kind, field_cause),
        )
    if environment == "cold" and warm_passed:
        return replace(
            base,
            message=f"{what} on a new environment, though not on the warm one: the handler "
            "remembers processed events in memory (a module global)",
            fix=f"keep the dedup record in durable storage (a conditional write keyed on {hint}): "
            "a redelivery may land on a new environment",
        )
    added, _, _, counter = _shape(changes)
    if counter:
        return replace(
            base,
            message=f"{what}: a counter grew again",
            fix=f"record {hint} and the increment in one conditional write (e.g. DynamoDB "
            "TransactWriteItems with attribute_not_exists on the dedup item), so a redelivery "
            "cannot count twice",
        )
    if added:
        return replace(
            base,
            message=f"{what}: a blind insert wrote the same data again",
            fix=f"make the write conditional on {hint}: e.g. DynamoDB put_item with "
            "ConditionExpression='attribute_not_exists(pk)', treating ConditionalCheckFailed "
            "as done, or an upsert keyed by it",
        )
    return replace(
        base,
        message=what,
        fix=f"derive what you write from the event alone and skip events already processed, keyed on {hint}",
    )


def _is_read(call: Call) -> bool:
    op = call.point.rsplit(".", 1)[-1]
    return "." in call.point and op.startswith(_READ_PREFIXES)


def _call_key(call: Call) -> tuple[str, str]:
    return call.point, call.target


def _duplicated(clean: Run, run: Run, changes: Sequence[Change] = ()) -> Call | None:
    """The call that ran more often than in a clean delivery, preferring a write to a
    resource whose state differs (two tables' ``UpdateItem`` calls are told apart)."""
    extra = Counter(map(_call_key, run.calls)) - Counter(map(_call_key, clean.calls))
    candidates = [c for c in reversed(run.calls) if extra.get(_call_key(c))]
    changed = [
        c for c in candidates if c.target and any(f"[{c.target!r}]" in ch.path for ch in changes)
    ]
    pool = changed or candidates
    writes = [c for c in pool if not _is_read(c)]
    found = writes or pool
    return found[0] if found else None


def crash_finding(
    kind: str, clean: Run, mismatch: Mismatch, fault: Fault, environment: str
) -> Finding:
    """The finding of a faulted delivery whose settled result is not the clean one."""
    run = mismatch.run
    base = replace(mismatch.base(CRASH, environment, 2), fault_point=fault.describe())
    hint = _ID_HINT.get(kind, _ID_HINT["direct"])
    dup = _duplicated(clean, run, mismatch.state_diff)
    if dup is not None:
        base = replace(
            base, duplicated_call=f"{dup.describe()} (ran more often than in one clean delivery)"
        )
    where = fault.describe()
    if mismatch.gave_up:
        return replace(
            base,
            message=f"when {where}, every retry failed too ({run.final_error()}) and the source gave up",
            fix="a retry after a partial run must succeed: treat 'already exists' as done in each "
            "conditional step instead of failing on what the first attempt left behind",
        )
    swallowed = run.fired is not None and len(run.invocations) == 1 and run.first.ok
    if swallowed and mismatch.state_diff:
        return replace(
            base,
            message=f"when {where}, the handler caught the failure and returned success, so the "
            "source never retried and the state is incomplete",
            fix="let the exception propagate (or report the item in batchItemFailures) so the source redelivers it",
        )
    if not mismatch.state_diff:
        return replace(
            base,
            message=f"when {where}, the retry returned a different response than a clean delivery",
            fix="return the same response for a retry: store the first result with your dedup record and return it",
        )
    records = len(clean.events[0].get("Records", ())) if clean.events else 0
    if (
        kind in ("sqs", "kinesis", "dynamodb")
        and run.whole_batch_retry
        and records > 1
        and dup is not None
    ):
        ident = {"sqs": "messageId", "kinesis": "sequenceNumber"}.get(kind, "SequenceNumber")
        return replace(
            base,
            message=f"when {where}, the whole batch was redelivered and records that had "
            "succeeded were processed again",
            fix=f"report only the failed records in batchItemFailures (their {ident}, with "
            "ReportBatchItemFailures on) so records that succeeded are not redelivered, and make "
            f"each record's processing idempotent (a conditional write keyed on {hint})",
        )
    one_write = (
        "make the write and the marker one conditional write (e.g. DynamoDB TransactWriteItems, "
        "or one put_item with ConditionExpression='attribute_not_exists(pk)'), so a retry finds "
        "both done or neither"
    )
    if dup is not None and fault.mode == "after" and dup.point == fault.point:
        later = any(c.index > fault.index and not _is_read(c) for c in clean.first_calls)
        conditional = (
            f"make {dup.point} a conditional write keyed on {hint} (treat 'already exists' as done)"
        )
        return replace(
            base,
            message=f"when {where}, the retry repeated {dup.point}",
            fix=f"{one_write}; or {conditional}" if later else conditional,
        )
    if dup is not None:
        return replace(
            base,
            message=f"when {where}, the retry repeated {dup.point}, which had already succeeded",
            fix=one_write,
        )
    return replace(
        base,
        message=f"when {where}, the retry left a different state than one clean delivery "
        f"({_state_words(mismatch.state_diff)})",
        fix=f"make every write conditional on {hint}, so a retry after a partial run completes "
        "the work without repeating it",
    )
