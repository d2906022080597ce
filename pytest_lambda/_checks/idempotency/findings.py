"""Likely causes: read a :class:`~pytest_lambda._checks.idempotency.causes.Mismatch` and name the fix.

:func:`duplicate_finding` and :func:`crash_finding` say what went wrong and how to fix it:
a blind insert, a counter, a message sent or published again, a function invoked again, a
new object version, a dedup keyed on a per-delivery field (found by experiment), an
in-memory dedup, a write and a marker that are not one conditional write, a whole batch
retried for one failure, a handler that swallowed a failure. The fix fits the kind of side
effect (:func:`~pytest_lambda._checks.idempotency.operations.advice`); repeated reads are
never blamed (:func:`~pytest_lambda._checks.idempotency.operations.is_read`).
:func:`derived_finding` explains a time-derived difference (``info``).
Every finding carries its ``code`` (docs/explanation/checks.md, "Finding codes").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from pytest_lambda._checks.faults import Call, Fault, describe_resource
from pytest_lambda._checks.idempotency.causes import Mismatch, Run
from pytest_lambda._checks.idempotency.fields import ID_HINT as _ID_HINT
from pytest_lambda._checks.idempotency.fields import field_fix
from pytest_lambda._checks.idempotency.operations import advice, is_read, service, sync_invoke
from pytest_lambda._checks.idempotency.report import CRASH, DUPLICATE, Finding
from pytest_lambda._checks.statediff import Change, short

__all__ = ["crash_finding", "derived_finding", "duplicate_finding", "resent_finding"]

WRITE: Final = "idempotency.duplicate-write"
SIDE_EFFECT: Final = "idempotency.duplicate-side-effect"
_MESSAGES: Final = frozenset({"sqs", "sns", "lambda", "ses", "sesv2"})
_SEGMENT: Final = re.compile(r"\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\d+)\]")


def _code(svc: str) -> str:
    return SIDE_EFFECT if svc in _MESSAGES else WRITE


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


def _touched(changes: Sequence[Change], run: Run) -> tuple[str, str]:
    """(service, resource) of the first change in a ``moto_state()`` snapshot, or of the
    run's only written service; ``("", "")`` for a store of your own."""
    for change in changes:
        parts = [p.strip("'\"") for p in _SEGMENT.findall(change.path)]
        if len(parts) >= 2 and parts[0] in ("dynamodb", "s3", "sqs", "sns", "lambda", "ses"):
            svc = parts[0]
            exact = {
                c.resource
                for c in run.calls
                if service(c.point) == svc and c.target == parts[1] and c.resource
                and not is_read(c.point)
            }  # fmt: skip
            if len(exact) == 1:  # the call's own description: an S3 key is not cut short
                return svc, exact.pop()
            key = parts[2] if svc == "s3" and len(parts) > 2 else ""
            return svc, describe_resource(f"{svc}.Op", parts[1], key)
    written = {service(c.point) for c in run.calls if not is_read(c.point)}
    if len(written) == 1:
        svc = written.pop()
        targets = {c.resource for c in run.calls if service(c.point) == svc and c.resource}
        return svc, targets.pop() if len(targets) == 1 else ""
    return "", ""


def _on(resource: str) -> str:
    return f" ({resource})" if resource else ""


def derived_finding(mismatch: Mismatch, scenario: str, environment: str) -> Finding:
    """An ``info`` finding: the states differ only in items keyed by the time or request id."""
    removed, added = mismatch.derived[0]
    source = " and ".join(mismatch.derived_from) or "the invocation time"
    more = len(mismatch.derived) - 1
    return Finding(
        scenario=scenario,
        severity="info",
        code="idempotency.time-derived",
        environment=environment,
        message=f"the same item apart from values derived from {source}: "
        + (
            f"{added.path} changed from {short(removed.before)} to {short(added.after)}"
            if removed is added
            else f"{added.path} replaced {removed.path}"
        )
        + (f" (and {more} more such item{'s' if more > 1 else ''})" if more else "")
        + "; "
        + (
            "the retry ran later under a new request id and wrote it once, not twice"
            if set(mismatch.derived_from) - {"a random id (a new uuid on every run)"}
            else "the retry made a new id and wrote the item once, not twice"
        ),
        state_diff=(removed, added),
        deliveries=2,
        fix="nothing to fix if one such item per event is what you want; key the item on the "
        "event's own id instead if a retry must overwrite it",
    )  # fmt: skip


def _response_finding(kind: str, mismatch: Mismatch, base: Finding, prefix: str) -> Finding:
    fields = ", ".join(c.path for c in mismatch.response_diff[:3])
    state = (
        "the state is the same" if mismatch.observed else "the state was not observed (no observe=)"
    )
    if mismatch.per_request:
        so = ", so this is not a repeated side effect" if mismatch.observed else ""
        return replace(
            base,
            code="idempotency.response-differs",
            message=f"{prefix} differs only in per-request random values ({fields}: a new id, "
            f"session cookie or timestamp on every response); {state}{so}: a warning only",
            fix="nothing to fix if clients do not rely on these values; to answer a retry "
            "exactly as the first request, store the first response with your dedup record",
        )
    return replace(
        base,
        code="idempotency.response-differs",
        message=f"{prefix} is different ({state})"
        + (
            f"; a warning only: the {kind} source discards the response"
            if mismatch.severity == "warning"
            else ""
        ),
        fix="return the first delivery's response again: store it with your dedup record, as Powertools' idempotency utility does",
    )


def resent_finding(
    kind: str,
    calls: Sequence[Call],
    environment: str,
    deliveries: int,
    *,
    observed: bool = False,
    fault: Fault | None = None,
) -> Finding:
    """The finding of a duplicate delivery that sent a message again, which the compared
    state does not show (no ``observe=``, or one that does not see it): the calls themselves
    are the evidence."""
    first = calls[0]
    named = sorted({c.label() for c in calls})
    shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
    hint = _ID_HINT.get(kind, _ID_HINT["direct"])
    what = (
        f"the duplicate delivery sent again what the first one sent ({shown})"
        if fault is None
        else f"when {fault.describe()}, the retry sent again what the failed attempt had sent "
        f"({shown})"
    )
    base = Finding(
        scenario=DUPLICATE if fault is None else CRASH,
        severity="error",
        code=SIDE_EFFECT,
        environment=environment,
        deliveries=deliveries,
        duplicated_call=first.describe(),
        fault_point=None if fault is None else fault.describe(),
        message="",
    )
    if all(sync_invoke(c) for c in calls):
        return _sync_invoke_finding(base, what)
    return replace(
        base,
        message=f"{what}: each such call delivers a new message, so its receiver gets this "
        "event's message twice "
        + (
            "(seen from the calls, which succeeded; observe() does not show these sends)"
            if observed
            else "(seen from the calls, which succeeded; no observe= was given)"
        ),
        fix=advice(service(first.point), hint),
    )


def _sync_invoke_finding(base: Finding, what: str) -> Finding:
    """A repeated synchronous Lambda invoke: a warning, as the check cannot see whether the
    called function changes anything (as often a query as a command)."""
    return replace(
        base,
        severity="warning",
        message=f"{what}: a synchronous (RequestResponse) invoke, which waits for the called "
        "function's answer; a duplicate only if that function changes state and does not "
        "dedupe (a warning: the check cannot see inside it)",
        fix="if the called function writes, pass it an idempotency key derived from the "
        "event's id in the payload and make it skip a key it has processed (e.g. Powertools' "
        "idempotency utility in the callee); if it only reads, nothing to do",
    )


def _sync_invokes(calls: Sequence[Call]) -> bool:
    """Whether the Lambda invokes among ``calls`` are all synchronous (and there is one)."""
    invokes = [c for c in calls if c.point in ("lambda.Invoke", "lambda.InvokeAsync")]
    return bool(invokes) and all(sync_invoke(c) for c in invokes)


_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
_QUOTED: Final = re.compile(r"'([^']+)'")


def _quoted(resource: str) -> str:
    """``access_log`` of ``table 'access_log'`` ("" when nothing is quoted)."""
    found = _QUOTED.search(resource)
    return found.group(1) if found else ""


def _safe_method(event: Mapping[str, Any]) -> str | None:
    """The HTTP method of an HTTP event when it is a safe one (GET, HEAD, OPTIONS), else None."""
    method = event.get("httpMethod")  # REST API, ALB
    if method is None:
        context = event.get("requestContext")
        http = context.get("http") if isinstance(context, Mapping) else None
        method = http.get("method") if isinstance(http, Mapping) else None  # HTTP API, URLs
    name = method.upper() if isinstance(method, str) else None
    return name if name in _SAFE_METHODS else None


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
            code="idempotency.redelivery-fails",
            message=f"the duplicate delivery failed on every attempt ({mismatch.run.final_error()})",
            fix="treat an event you already processed as a success: return the stored result instead of raising",
        )
    if not changes:
        return _response_finding(kind, mismatch, base, "the duplicate delivery's response")
    svc, resource = _touched(changes, mismatch.run)
    base = replace(base, code=_code(svc))
    what = f"a duplicate delivery changed the state ({_state_words(changes)})"
    method = _safe_method(mismatch.run.events[0] if mismatch.run.events else {})
    if method is not None:
        return replace(
            base,
            message=f"{what}: a repeated {method} request changed the state{_on(resource)}",
            fix=f"a {method} must not change state (RFC 9110: clients, proxies and browsers "
            f"repeat a {method} without asking): move the write to the request that changes "
            "the data; if it is an access or audit log where one row per request is what you "
            f"want, leave it out of the compared state (pytest-lambda check --ignore-state "
            f"{svc or 'SERVICE'}.{_quoted(resource) or 'NAME'}, pytest --lambda-ignore-state, "
            "or an observe() without it)",
        )
    if field_cause is not None:
        return replace(
            base,
            code="idempotency.dedup-key-changes",
            message=f"{what}: the handler dedups on {field_cause}, which changes on every redelivery "
            f"(an exact copy was idempotent, a copy differing only in {field_cause} was not)",
            fix=field_fix(kind, field_cause),
        )
    if environment == "cold" and warm_passed:
        return replace(
            base,
            code="idempotency.in-memory-dedup",
            message=f"{what} on a new environment, though not on the warm one: the handler "
            "remembers processed events in memory (a module global)",
            fix=f"keep the dedup record in durable storage (a conditional write keyed on {hint}): "
            "a redelivery may land on a new environment",
        )
    added, _, _, counter = _shape(changes)
    if counter:
        return replace(
            base,
            message=f"{what}: a counter grew again{_on(resource)}",
            fix=f"record {hint} and the increment in one conditional write (e.g. DynamoDB "
            "TransactWriteItems with attribute_not_exists on the dedup item), so a redelivery "
            "cannot count twice",
        )
    versions = svc == "s3" and any(
        c.path.endswith("]") and c.path.rsplit("[", 1)[-1][:-1].isdigit() for c in changes
    )
    again = {
        "sqs": "the message was sent again",
        "sns": "the notification was published again",
        "lambda": "the function was invoked again",
        "ses": "the email was sent again",
        "s3": "a new version of the object was written"
        if versions
        else "the object was written again",
    }.get(svc, "a blind insert wrote the same data again")
    if added and svc == "lambda" and _keyed_invokes(changes, mismatch.run.events):
        return replace(
            base,
            severity="warning",
            message=f"{what}: the function was invoked again{_on(resource)} with the same "
            f"payload, which carries the event's id: a duplicate only if the called function "
            "does not dedupe on it (a warning)",
            fix="check that the called function skips an id it has processed (e.g. Powertools' "
            "idempotency utility keyed on it)",
        )
    if added and svc == "lambda" and _sync_invokes(mismatch.run.calls):
        return _sync_invoke_finding(base, f"{what}: {again}{_on(resource)}")
    if added:
        return replace(base, message=f"{what}: {again}{_on(resource)}", fix=advice(svc, hint))
    return replace(
        base,
        message=what + _on(resource),
        fix=f"derive what you write from the event alone and skip events already processed, keyed on {hint}",
    )


def _event_ids(events: Sequence[Mapping[str, Any]]) -> set[str]:
    """The ids a delivery's records carry (SQS/SNS message ids, stream event ids, an
    EventBridge event's id): what a handler passes on as an idempotency key."""
    ids: set[str] = set()
    for event in events:
        if isinstance(event.get("id"), str):
            ids.add(event["id"])
        for record in event.get("Records") or ():
            if not isinstance(record, Mapping):
                continue
            sns = record.get("Sns")
            for value in (
                record.get("messageId"), record.get("eventID"),
                sns.get("MessageId") if isinstance(sns, Mapping) else None,
            ):  # fmt: skip
                if isinstance(value, str) and len(value) >= 8:
                    ids.add(value)
    return ids


def _keyed_invokes(changes: Sequence[Change], events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether every added Lambda invoke repeats a payload that carries an event's id."""
    ids = _event_ids(events)
    added = [c for c in changes if c.kind == "added"]
    if not ids or not added or len(added) != len(changes):
        return False
    return all(any(i in repr(c.after) for i in ids) for c in added)


def _call_key(call: Call) -> tuple[str, str]:
    return call.point, call.target


def _duplicated(clean: Run, run: Run, changes: Sequence[Change] = ()) -> Call | None:
    """The write that ran more often than in a clean delivery, preferring one to a
    resource whose state differs (two tables' ``UpdateItem`` calls are told apart).
    A repeated read (``GetItem``, ``HeadObject``, ``ReceiveMessage`` …) is never it."""
    extra = Counter(map(_call_key, run.calls)) - Counter(map(_call_key, clean.calls))
    candidates = [
        c for c in reversed(run.calls) if extra.get(_call_key(c)) and not is_read(c.point)
    ]
    changed = [
        c for c in candidates if c.target and any(f"[{c.target!r}]" in ch.path for ch in changes)
    ]
    found = changed or candidates
    return found[0] if found else None


def crash_finding(
    kind: str, clean: Run, mismatch: Mismatch, fault: Fault, environment: str
) -> Finding:
    """The finding of a faulted delivery whose settled result is not the clean one."""
    run = mismatch.run
    base = replace(mismatch.base(CRASH, environment, 2), fault_point=fault.describe())
    hint = _ID_HINT.get(kind, _ID_HINT["direct"])
    dup = _duplicated(clean, run, mismatch.state_diff)
    svc = service(dup.point) if dup is not None else _touched(mismatch.state_diff, run)[0]
    base = replace(base, code=_code(svc))
    if dup is not None:
        base = replace(
            base, duplicated_call=f"{dup.describe()} (ran more often than in one clean delivery)"
        )
    where = fault.describe()
    if mismatch.gave_up:
        return replace(
            base,
            code="idempotency.retry-fails",
            message=f"when {where}, every retry failed too ({run.final_error()}) and the source gave up",
            fix="a retry after a partial run must succeed: treat 'already exists' as done in each "
            "conditional step instead of failing on what the first attempt left behind",
        )
    swallowed = run.fired is not None and len(run.invocations) == 1 and run.first.ok
    if swallowed and mismatch.state_diff:
        return replace(
            base,
            code="idempotency.swallowed-failure",
            message=f"when {where}, the handler caught the failure and returned success, so the "
            "source never retried and the state is incomplete",
            fix="let the exception propagate (or report the item in batchItemFailures) so the source redelivers it",
        )
    if not mismatch.state_diff:
        return _response_finding(kind, mismatch, base, f"when {where}, the retry's response")
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
            code="idempotency.whole-batch-retry",
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
    lost = mismatch.state_diff
    if lost and all(c.kind == "removed" for c in lost):
        # nothing repeated: something a clean delivery does is missing after the retries
        return replace(
            base,
            code="idempotency.lost-side-effect",
            duplicated_call=None,
            message=f"when {where}, the retries did not redo what the failed attempt left "
            f"undone: {lost[0].path}{f' and {len(lost) - 1} more' if len(lost) > 1 else ''}, "
            "there after one clean delivery, is missing (the event was recorded as done "
            "before its side effects were)",
            fix="record the event as processed only after its side effects succeeded (or in "
            "one transaction with them, e.g. an outbox table), so a retry redoes what failed",
        )
    if dup is not None and svc == "lambda" and _keyed_invokes(mismatch.state_diff, run.events):
        return replace(
            base,
            severity="warning",
            message=f"when {where}, the retry repeated {dup.label()} with the same payload, "
            "which carries the event's id: a duplicate only if the called function does not "
            "dedupe on it (a warning)",
            fix="check that the called function skips an id it has processed (e.g. Powertools' "
            "idempotency utility keyed on it)",
        )
    if dup is not None and svc == "lambda" and sync_invoke(dup):
        return _sync_invoke_finding(base, f"when {where}, the retry repeated {dup.label()}")
    if dup is not None and svc in ("sqs", "sns", "s3", "lambda", "ses", "sesv2"):
        return replace(
            base,
            message=f"when {where}, the retry repeated {dup.label()}",
            fix=advice(svc, hint),
        )
    if dup is not None and fault.mode == "after" and dup.point == fault.point:
        later = any(c.index > fault.index and not is_read(c.point) for c in clean.first_calls)
        conditional = (
            f"make {dup.point} a conditional write keyed on {hint} (treat 'already exists' as done)"
        )
        return replace(
            base,
            message=f"when {where}, the retry repeated {dup.label()}",
            fix=f"{one_write}; or {conditional}" if later else conditional,
        )
    if dup is not None:
        return replace(
            base,
            message=f"when {where}, the retry repeated {dup.label()}, which had already succeeded",
            fix=one_write,
        )
    return replace(
        base,
        code="idempotency.partial-retry",
        message=f"when {where}, the retry left a different state than one clean delivery "
        f"({_state_words(mismatch.state_diff)})",
        fix=f"make every write conditional on {hint}, so a retry after a partial run completes "
        "the work without repeating it",
    )
