"""Prove a handler idempotent: duplicate delivery, and crash and retry at every side effect.

A delivery *settles* when the handler succeeds or the source gives up: after an
exception or a timeout the source redelivers the whole event, after a partial batch
response only the reported items (:mod:`pytest_lambda._checks.redeliver`), up to ``retries``
times. API Gateway clients retry 429 and 5xx responses. S3 and SNS retries keep the
request id.

Scenario "duplicate delivery": reset, deliver on a new environment and settle, snapshot;
deliver a duplicate on the same (warm) environment, settle, snapshot; deliver another
on a new (cold) environment, settle, snapshot. Every snapshot must equal the first, and
the settling responses must be equivalent once per-delivery values (request ids,
request times, receipt handles, timestamps) are masked. For S3 and SNS the warm
duplicate is Lambda's retry (same request id), the cold one a duplicate notification
(new request id).

Scenario "crash and retry" (``faults=True``, needs ``reset``): each side-effect point of
the clean first attempt (every botocore API call, plus ``fault_points``) is failed before
the call and after it (a lost acknowledgement); the source then redelivers, to the same
environment and to a new one, and the settled state must equal the clean one.

Cost: ``3 + 4·P`` deliveries for ``P`` side-effect points, each one handler run plus one
per source retry: ``3 + 8·P`` handler runs for a handler whose retries succeed, plus a
few diagnosis runs when a duplicate changes the state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._checks.clock import check_clock
from pytest_lambda._checks.fault_points import fault_point_hook
from pytest_lambda._checks.faults import Call, Fault, Mode, botocore_hook
from pytest_lambda._checks.idempotency.causes import Mismatch, Run, compare, identity
from pytest_lambda._checks.idempotency.fields import find_field_cause
from pytest_lambda._checks.idempotency.findings import (
    crash_finding,
    derived_finding,
    duplicate_finding,
    resent_finding,
)
from pytest_lambda._checks.idempotency.operations import (
    SERVICE_OF_STATE,
    extra_sends,
    is_read,
    repeated_sends,
    service,
)
from pytest_lambda._checks.idempotency.report import (
    CRASH,
    DUPLICATE,
    Finding,
    IdempotencyReport,
    ScenarioOutcome,
)
from pytest_lambda._checks.idempotency.run import Check, Observe, Reset
from pytest_lambda._checks.redeliver import same_request_id
from pytest_lambda._checks.runner_arg import runner_for
from pytest_lambda._checks.server_error import client_error, server_error
from pytest_lambda._core import facts
from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption
from pytest_lambda._runtime.handler import handler_name

if TYPE_CHECKING:
    from pytest_lambda._checks.runner import LambdaRunner

__all__ = ["IdempotencyReport", "assert_idempotent", "check_idempotency"]

_KINDS: Final = facts.EVENT_KINDS
_MODES: Final[tuple[Mode, Mode]] = ("before", "after")


# -- scenarios --------------------------------------------------------------------------


def _duplicate_scenario(
    check: Check, findings: list[Finding], ignored: set[str]
) -> tuple[Run, object, ScenarioOutcome]:
    check.fresh()
    state0 = check.snapshot()
    clean = check.deliver(check.event)
    state1 = check.snapshot()
    # writes to what the user left out of the state (--ignore-state) are not looked for
    left_out = getattr(check.observe, "ignored_state", ())
    calls = [c for c in clean.calls if not _left_out(c, left_out)]
    read_only = bool(calls) and all(is_read(c.point) for c in calls)
    # moto_state() sees every AWS write it compares: a handler that made no AWS write at
    # all has nothing it could miss (a store of its own needs an observe() of its own)
    read_only |= getattr(check.observe, "sees_aws_writes", False) and not any(
        not is_read(c.point) for c in calls
    )
    if check.observe is not None and clean.succeeded and state0 == state1 and not read_only:
        findings.append(_blind_observe(clean))
    answered = server_error(clean.final, check.event) if clean.succeeded else None
    if not clean.succeeded or answered is not None:
        tries = len(clean.invocations)
        why = clean.final_error() if answered is None else f"it answered HTTP {answered}"
        findings.append(
            Finding(
                scenario=DUPLICATE,
                severity="error",
                code="idempotency.first-delivery-failed",
                message=f"the first delivery never succeeded in {tries} attempt{'s' if tries > 1 else ''} "
                f"({why}): a failing handler cannot be shown idempotent",
                fix="make the handler succeed on this event, or check it with an event it accepts",
            )
        )
        return (
            clean,
            state1,
            ScenarioOutcome(DUPLICATE, "failed", "the first delivery never succeeded"),
        )
    statuses: list[str] = []
    warm: Mismatch | None = None
    warm_judged = ""  # the warm duplicate's finding's severity
    resent_shown = False
    for attempt, env in ((1, "warm"), (2, "cold")):
        keep = None
        if env == "cold":
            check.runner.new_environment()
        elif same_request_id(check.kind):
            keep = clean.first.request_id  # Lambda's async retry keeps the request id
        dup = check.duplicate(attempt)
        check.wait(attempt)
        run = check.deliver(dup, request_id=keep)
        found = compare(
            check.kind, clean, state1, run, check.snapshot(), ignored, check.elapsed(),
            observed=check.observe is not None, around=check.around(),
        )  # fmt: skip
        resent = _unseen_sends(check, clean, run)
        if resent and (found is None or found.severity != "error"):
            # a send the state does not show: the calls themselves show it went out again
            if not resent_shown:
                findings.append(
                    resent_finding(
                        check.kind, resent, env, attempt + 1, observed=check.observe is not None
                    )
                )
            resent_shown = True
            statuses.append(f"{env}: failed")
            continue
        status = (
            "passed" if found is None else ("warning" if found.severity == "warning" else "failed")
        )
        if found is not None and found.severity == "info":
            status = "passed"
            if not any(f.code == "idempotency.time-derived" for f in findings):
                findings.append(derived_finding(found, DUPLICATE, env))
            found = None
        statuses.append(f"{env}: {status}")
        if found is None:
            continue
        if env == "warm":
            warm = found
        elif warm is not None and warm.severity == found.severity:
            if warm_judged == "warning" and statuses[-1] == f"{env}: failed":
                statuses[-1] = f"{env}: warning"  # as the warm duplicate's finding was judged
            continue  # the warm duplicate already showed it (and the state already differs)
        cause = None
        if found.state_diff and check.reset is not None and check.observe is not None:
            cause = find_field_cause(check.kind, check.event, dup, check.idempotent)
        warm_state_kept = warm is None or not warm.state_diff
        finding = duplicate_finding(
            check.kind, found, env, attempt + 1, warm_passed=warm_state_kept, field_cause=cause
        )
        findings.append(finding)
        if env == "warm":
            warm_judged = finding.severity
        if finding.severity == "warning" and statuses[-1] == f"{env}: failed":
            statuses[-1] = f"{env}: warning"  # the finding itself judged it a warning
    failed = any(s.endswith("failed") for s in statuses)
    outcome = ScenarioOutcome(DUPLICATE, "failed" if failed else "passed", ", ".join(statuses))
    return clean, state1, outcome


def _left_out(call: Call, parts: tuple[str, ...]) -> bool:
    """Whether ``call`` acts on a part of the state left out (``dynamodb.access_log``)."""
    svc = service(call.point)
    return any(p == svc or p == f"{svc}.{call.target}" for p in parts)


def _unseen_sends(check: Check, clean: Run, run: Run) -> list[Call]:
    """The sends ``run`` repeated that the state compared cannot show (see :func:`_unseen`)."""
    return _unseen(check, repeated_sends(clean.calls, run.calls))


def _unseen(check: Check, sends: list[Call]) -> list[Call]:
    """Of ``sends``, those the compared state cannot show: all of them without
    ``observe=``; with ``moto_state()``, those to services it does not compare (EventBridge,
    Kinesis, Firehose, SES v2)."""
    if sends and getattr(check.observe, "sees_aws_writes", False):
        sends = [c for c in sends if service(c.point) not in SERVICE_OF_STATE]
    return sends


def _blind_observe(clean: Run) -> Finding:
    unseen = sorted(
        {c.point for c in clean.calls if not is_read(c.point)}
        - {c.point for c in clean.calls if service(c.point) in SERVICE_OF_STATE}
    )
    if unseen and all(service(p) for p in unseen):
        calls = ", ".join(unseen[:3]) + (f" and {len(unseen) - 3} more" if len(unseen) > 3 else "")
        return Finding(
            scenario=DUPLICATE,
            severity="warning",
            code="idempotency.blind-observe",
            message=f"observe() returned the same state before and after a clean delivery, "
            f"though the handler called {calls}: moto_state() compares DynamoDB, S3, SQS, SNS "
            "and SES state and Lambda Invoke calls only, so a repeat of these calls cannot be "
            "seen",
            fix="pass an observe() that reads what these calls change, or declare them as "
            "fault_points; check yourself that a redelivery does not repeat them",
        )
    return Finding(
        scenario=DUPLICATE,
        severity="warning",
        code="idempotency.blind-observe",
        message="observe() returned the same state before and after a clean delivery, so it "
        "cannot show a repeated side effect; if it reads a module of your handler (a list or "
        "dict in store.py), each execution environment imports its own copy of that module, "
        "as each Lambda process does",
        fix="observe the store the handler really writes to (a database, or moto with "
        "moto_state()), or pass an event that changes the state",
    )


def _crash_scenario(
    check: Check,
    clean: Run,
    state1: object,
    findings: list[Finding],
    ignored: set[str],
    faults: bool,
) -> ScenarioOutcome:
    if not faults:
        return ScenarioOutcome(CRASH, "skipped", "faults=False")
    if not clean.succeeded:
        return ScenarioOutcome(CRASH, "skipped", "the first delivery never succeeded")
    if check.reset is None:
        return ScenarioOutcome(
            CRASH, "skipped", "needs reset= to restore the starting state before each faulted run"
        )
    points = clean.first_calls
    if not points:
        return ScenarioOutcome(
            CRASH,
            "skipped",
            "no side-effect point in a clean run: no AWS call through botocore, no fault_points called",
        )
    check.phase = CRASH
    failed: list[str] = []
    not_fired = 0
    for call in points:
        for mode in _MODES:
            fault = Fault(call.index, mode, call.point, call.resource)
            bad: list[tuple[str, Finding]] = []
            for env in ("warm", "cold"):
                check.fresh()
                run = check.deliver(check.event, fault=fault, cold_retry=env == "cold")
                not_fired += run.fired is None
                found = compare(
                    check.kind, clean, state1, run, check.snapshot(), ignored, check.elapsed(),
                    observed=check.observe is not None, around=check.around(),
                )  # fmt: skip
                if found is not None and found.severity == "info":
                    if not any(f.code == "idempotency.time-derived" for f in findings):
                        derived = derived_finding(found, CRASH, f"{env} retry")
                        findings.append(replace(derived, fault_point=fault.describe()))
                elif found is not None:
                    bad.append((env, crash_finding(check.kind, clean, found, fault, env)))
                if found is None or found.severity != "error":
                    # a lost acknowledgement on a send the state does not show
                    extra = _unseen(check, extra_sends(clean.calls, run.calls))
                    if extra:
                        bad.append((env, resent_finding(
                            check.kind, extra, env, 2, observed=check.observe is not None,
                            fault=fault,
                        )))  # fmt: skip
            if bad:
                envs = " and ".join(e for e, _ in bad)
                findings.append(_with_env(bad[0][1], f"{envs} retry"))
                if any(f.severity == "error" for _, f in bad):
                    failed.append(f"{mode} point {call.index + 1} ({call.point})")
    n = len(points)
    detail = (
        f"ran {n} point{'s' if n > 1 else ''}, each failed before and after, retried warm and cold"
    )
    if not_fired:
        detail += f"; {not_fired} faulted run(s) took another path and never reached their point"
    if failed:
        return ScenarioOutcome(CRASH, "failed", f"failed: {', '.join(failed)}; {detail}")
    return ScenarioOutcome(CRASH, "passed", detail)


def _with_env(finding: Finding, environment: str) -> Finding:
    return replace(finding, environment=environment)


# -- public API -------------------------------------------------------------------------


def _kind(event: Mapping[str, Any], kind: str | None) -> str:
    __tracebackhide__ = True
    if kind is not None:
        if kind not in (*_KINDS, "direct"):
            raise InvalidOption(f"kind={kind!r}; valid kinds: {', '.join(_KINDS)}, direct")
        return kind
    from pytest_lambda._events._validate import detect

    return detect(event) or "direct"


def _check_types(fault_points: object, seed: object, faults: object) -> None:
    __tracebackhide__ = True
    if isinstance(fault_points, (str, bytes)) or not isinstance(fault_points, Iterable):
        raise ArgumentTypeError(
            f"fault_points={fault_points!r}: expected a list of dotted names like "
            "['app.db.insert_order']"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ArgumentTypeError(f"seed={seed!r}: expected an int or None")
    if not isinstance(faults, bool):
        raise ArgumentTypeError(f"faults={faults!r}: expected True or False")


def _check_args(event: object, retries: object, observe: object, reset: object) -> None:
    __tracebackhide__ = True
    if not isinstance(event, Mapping):
        raise ArgumentTypeError(
            f"event must be an event object (a dict), not {type(event).__name__}"
        )
    if isinstance(retries, bool) or not isinstance(retries, int):
        raise ArgumentTypeError(f"retries={retries!r}: expected an int >= 0 (the source's retries)")
    if retries < 0:
        raise InvalidOption(f"retries={retries!r}: expected an int >= 0 (the source's retries)")
    for name, value in (("observe", observe), ("reset", reset)):
        if value is not None and not callable(value):
            raise ArgumentTypeError(f"{name}={value!r}: expected a callable taking no arguments")


def check_idempotency(
    runner: LambdaRunner | str | Callable[..., Any],
    event: Mapping[str, Any],
    *,
    kind: str | None = None,
    retries: int = 2,
    observe: Observe | None = None,
    reset: Reset | None = None,
    faults: bool = True,
    fault_points: Sequence[str] = (),
    seed: int | None = None,
    partial_batch: bool = True,
    bisect: bool = False,
) -> IdempotencyReport:
    """Run the "duplicate delivery" and "crash and retry" scenarios (see the module docs).

    ``observe()`` returns a snapshot of the external state the handler changes;
    ``reset()`` restores the starting state. ``fault_points`` are dotted callables
    (``"app.db.insert_order"``) that count as side-effect points besides AWS calls.
    ``seed`` varies the new ids of redelivered events; the check is deterministic.
    ``partial_batch=False`` is an SQS, Kinesis or DynamoDB mapping without
    ``ReportBatchItemFailures``: a response's ``batchItemFailures`` are ignored (the batch
    succeeded), as Lambda does. ``bisect=True`` is ``BisectBatchOnFunctionError`` (Kinesis,
    DynamoDB Streams): a failed batch comes back halved. The runner gets a new environment
    at the end.
    """
    __tracebackhide__ = True
    _check_types(fault_points, seed, faults)
    for name, flag in (("partial_batch", partial_batch), ("bisect", bisect)):
        if not isinstance(flag, bool):
            raise ArgumentTypeError(f"{name}={flag!r}: expected True or False")
    with runner_for(runner) as run:
        return _check_idempotency(
            run, event, kind, retries, observe, reset, faults, tuple(fault_points), seed,
            partial_batch, bisect,
        )  # fmt: skip


def _check_idempotency(
    runner: LambdaRunner, event: Mapping[str, Any], kind: str | None, retries: int,
    observe: Observe | None, reset: Reset | None, faults: bool, fault_points: Sequence[str],
    seed: int | None, partial_batch: bool = True, bisect: bool = False,
) -> IdempotencyReport:  # fmt: skip
    __tracebackhide__ = True
    _check_args(event, retries, observe, reset)
    resolved = _kind(event, kind)
    check = Check(runner, event, resolved, retries, observe, reset, seed)
    check.partial_batch, check.bisect = partial_batch, bisect
    findings: list[Finding] = []
    ignored: set[str] = set()
    hooks = (botocore_hook(check.recorder), fault_point_hook(tuple(fault_points), check.recorder))
    with check_clock(runner) as clock, hooks[0], hooks[1]:
        check.clock = clock
        clean, state1, dup = _duplicate_scenario(check, findings, ignored)
        crash = _crash_scenario(check, clean, state1, findings, ignored, faults)
    runner.new_environment()
    notes: list[str] = [clock.note] if clock.note else []
    refused = client_error(clean.final, check.event)
    if refused is not None:
        notes.append(
            f"every answer was {refused}: the request was refused, so only a refusal was "
            "compared; check it with a request the handler accepts"
        )
    if observe is None:
        notes.append(
            "no observe=: only responses, and messages sent again, were compared; pass observe= "
            "to compare state"
        )
    if resolved == "direct":
        notes.append(
            "event kind not recognised: treated as a direct invoke (duplicates are identical)"
        )
    notes.extend(runner.backend.blind_spots)
    if not runner.backend.injects_faults:
        notes.append(
            "isolation='runtime': no fault was injected (AWS calls and fault_points= run in the "
            "child process); use isolation='module' to test crashes between side effects"
        )
    elif not clean.first_calls:
        notes.append(
            "no AWS call through botocore was seen; declare your own side effects with fault_points="
        )
    called = {c.point for c in clean.calls}
    missing = [p for p in fault_points if p not in called]
    if missing:
        notes.append(f"fault_points never called in a clean delivery: {', '.join(missing)}")
    return IdempotencyReport(
        kind=resolved,
        findings=tuple(findings),
        scenarios=(dup, crash),
        handler_runs=check.runs,
        runs_by_phase=tuple(check.runs_by_phase.items()),
        side_effect_points=tuple(c.point for c in clean.first_calls),
        side_effects=tuple(
            c.label()
            + (" (a read: faulted, never counted as a duplicate)" if is_read(c.point) else "")
            for c in clean.first_calls
        ),
        ignored=tuple(sorted(ignored)),
        notes=tuple(notes),
        reproduce=_reproduce(resolved, event, seed),
        handler=handler_name(runner.handler),
    )


def _reproduce(kind: str, event: Mapping[str, Any], seed: int | None) -> str:
    again = f"run the check again on the same event ({identity(kind, event)})"
    if seed is None:
        return f"the check is deterministic: {again}"
    return f"{again} with seed={seed}"


def assert_idempotent(
    handler_or_runner: LambdaRunner | str | Callable[..., Any],
    event: Mapping[str, Any],
    **keywords: Any,
) -> IdempotencyReport:
    """Check ``event`` and raise :class:`~pytest_lambda.NotIdempotentError` unless idempotent.

    ``handler_or_runner`` is a :class:`~pytest_lambda.LambdaRunner` or a handler (string
    or callable) for a runner built for the check and closed after it. Takes the
    keywords of ``check_idempotency``; returns the report when it passes.
    """
    __tracebackhide__ = True
    report = check_idempotency(handler_or_runner, event, **keywords)
    report.assert_ok()
    return report
