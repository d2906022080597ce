"""Catch state that leaks across warm invocations (``check_warm_reuse``, ``assert_no_state_leak``).

The check runs the events in order in one warm environment, ``reset()`` (when given)
restoring external state before each of them as before each cold run, then replays the first few
of them (a container or ``/tmp`` file that grows on a repeated event grows without
bound; one that grows only with new events is a cache). A snapshot of the environment is
taken after init and after every warm invocation (:mod:`pytest_lambda._checks.leaks.inspect`)
and the series is classified (:mod:`pytest_lambda._checks.leaks.classify`). Then each event runs
again in a fresh (cold) environment, with ``reset()`` called first when given: a warm
output that differs from the cold one is an error; a diverging event is run cold a second
time, and when the two cold outputs differ the output is not deterministic and is not
compared. A divergence is blamed on what differed before it
(:func:`pytest_lambda._checks.leaks.compare.attribute`): module globals, ``/tmp``, process
settings, external state that could not be reset, or "cannot tell".

Modules: :mod:`.args` (arguments), :mod:`.compare` (outputs, cold runs, attribution),
:mod:`.environment` (process state the runner cannot undo), :mod:`.classify` (snapshots to
findings), :mod:`.report` (findings, codes and the report).

Cost: ``n + min(n, 3) + n`` handler runs for ``n`` events (two replays for one event),
plus one per diverging event, a snapshot between warm invocations, and (given ``reset``)
one ``reset()`` before each handler run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._checks.clock import CheckClock, check_clock
from pytest_lambda._checks.leaks.args import (
    allowed as allowed_by,
)
from pytest_lambda._checks.leaks.args import (
    allowed_name,
    check_args,
    event_list,
    identity,
)
from pytest_lambda._checks.leaks.classify import classify
from pytest_lambda._checks.leaks.compare import (
    attribute,
    cold,
    divergence,
    failed_everywhere,
    output,
    same,
)
from pytest_lambda._checks.leaks.environment import machine_tmp_note, unrestorable
from pytest_lambda._checks.leaks.inspect import Snapshot, own_modules, snapshot
from pytest_lambda._checks.leaks.report import LeakFinding, LeakReport
from pytest_lambda._checks.runner_arg import runner_for
from pytest_lambda._checks.server_error import client_error, server_error
from pytest_lambda._core.errors import ArgumentTypeError
from pytest_lambda._runtime.machine_tmp import machine_tmp_entries

if TYPE_CHECKING:
    from types import ModuleType

    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._runtime.invocation import Invocation
    from pytest_lambda._runtime.state import EnvironmentState

__all__ = ["LeakReport", "assert_no_state_leak", "check_warm_reuse"]

_MAX_REPLAYS: Final = 3
Events = Sequence[Any] | tuple[str, int]


class _Recorder:
    """A runner hook: a snapshot after every warm invocation of the check."""

    def __init__(self) -> None:
        self.snaps: list[Snapshot] = []
        self.modules: dict[str, ModuleType] = {}
        self.discarded: int | None = None
        self.active = False

    def start(self, state: EnvironmentState) -> None:
        self.modules = own_modules(state)
        self.snaps = [snapshot(state, self.modules)]
        self.active = True

    def after_invoke(self, state: EnvironmentState | None, invocation: Invocation) -> None:
        if not self.active:
            return
        if state is None:
            self.discarded = len(self.snaps)
            self.active = False
            return
        self.snaps.append(snapshot(state, self.modules))


def check_warm_reuse(
    runner: LambdaRunner | str | Callable[..., Any],
    events: Events,
    *,
    reset: Callable[[], object] | None = None,
    allow: Iterable[str] = (),
    strict: bool = False,
    seed: int | None = None,
) -> LeakReport:
    """Run ``events`` warm and cold and inspect the state between warm invocations.

    ``events`` is a list of events, or ``(kind, count)`` for ``count`` seeded events of a
    kind (``seed`` drives them; a random one is drawn and reported when None). ``reset()``
    restores external state before every warm invocation and every cold run, so that each
    starts from the same external state (a later event seeing rows written by an earlier
    one is not blamed on the process).
    ``allow`` silences named globals (``"app.cache"``) or other ``where`` names;
    ``strict=True`` makes warnings errors. The runner gets a new environment at the end.
    """
    __tracebackhide__ = True
    names = check_args(reset, allow)
    seed_given: object = seed
    if seed_given is not None and (isinstance(seed, bool) or not isinstance(seed_given, int)):
        raise ArgumentTypeError(f"seed={seed!r}: expected an int or None")
    listed, seed, kind = event_list(events, seed)
    with runner_for(runner) as run, check_clock(run) as clock:
        return _check(run, listed, seed, kind, reset, names, strict, clock)


def _check(
    runner: LambdaRunner, listed: list[Any], seed: int | None, kind: str | None,
    reset: Callable[[], object] | None, names: tuple[str, ...], strict: bool, clock: CheckClock,
) -> LeakReport:  # fmt: skip
    n = len(listed)
    replays = listed[:_MAX_REPLAYS] if n > 1 else [listed[0], listed[0]]
    sequence = listed + replays
    recorder = _Recorder()
    runs = 0
    warm: list[Invocation] = []
    machine_tmp = machine_tmp_entries()
    runner.new_environment()
    runner.load()
    state = runner._environment_state()
    assert state is not None
    recorder.start(state)
    runner._hooks.append(recorder)
    try:
        for event in sequence:
            clock.rewind()  # every run of an event at one instant: time-dependent output agrees
            if reset is not None:
                reset()  # the same external state as the event's cold run
            warm.append(runner.invoke(event))
            runs += 1
    finally:
        recorder.active = False
        runner._hooks.remove(recorder)
    unrestorable_findings = unrestorable(state)
    seen_ids: set[str] = set()
    seen: list[bool] = []
    for event in sequence:
        ident = identity(event)
        seen.append(ident in seen_ids)
        seen_ids.add(ident)
    notes: list[str] = [clock.note] if clock.note else []
    notes.extend(runner.backend.blind_spots)
    if recorder.discarded is not None:
        notes.append(
            f"the environment was discarded by invocation {recorder.discarded} (timeout or "
            "crash); state was inspected up to there only"
        )
    # Cold runs: the first warm invocation was itself a cold start of event 1.
    findings: list[LeakFinding] = []
    not_compared: list[int] = []
    for i, event in enumerate(listed):
        warm_outputs = [
            (j, warm[j]) for j in range(len(sequence)) if j > 0 and sequence[j] is event
        ]
        if not warm_outputs:
            continue
        if i == 0:
            cold_out = output(warm[0])
        else:
            cold_out, ran = cold(runner, event, reset, clock)
            runs += ran
        for j, inv in warm_outputs:
            warm_out = output(inv)
            if same(warm_out, cold_out):
                continue
            again, ran = cold(runner, event, reset, clock)
            runs += ran
            if not same(again, cold_out):
                notes.append(
                    f"event {i + 1}: two cold runs gave different outputs (not deterministic); "
                    "its warm output was not compared"
                )
                not_compared.append(i + 1)
                break
            findings.append(divergence(i, j, cold_out, warm_out))
            break
    runner.new_environment()
    notes.extend(machine_tmp_note(machine_tmp))
    findings.sort(key=lambda f: f.invocation or 0)
    diverged = bool(findings)
    snaps = recorder.snaps
    state_findings = classify(snaps, seen[: len(snaps) - 1], diverged)
    inspectable = runner.backend.exposes_modules
    findings = [
        attribute(f, snaps, state_findings, reset_given=reset is not None, inspectable=inspectable)
        for f in findings
    ]
    findings.extend(state_findings)
    findings.extend(unrestorable_findings)
    failing = _failing_events(listed, sequence, warm)
    http = [(inv, sent) for inv, sent in zip(warm, sequence, strict=False) if _is_http(sent)]
    refused = (
        _refused([inv for inv, sent in http if not _failure(inv, sent)])
        if len(http) == len(warm)
        else ""
    )
    if refused and not failing:
        notes.append(
            f"every answer was {refused}: the requests were refused, so the state the handler "
            "keeps once it does its work was not exercised; check it with requests it accepts"
        )
    if failing and (len(failing) == n or refused):  # no invocation did its work
        findings.append(failed_everywhere(list(failing.values()), n, refused))
    elif failing:
        numbers = ", ".join(str(i + 1) for i in failing)
        notes.append(
            f"event{'s' * (len(failing) > 1)} {numbers} failed in every invocation "
            f"({next(iter(failing.values()))}): compared as errors only, which says nothing "
            "of the state the handler keeps when it succeeds"
        )
    powertools = [name for name, value in snaps[0].globals.items() if value.powertools]
    if powertools:
        notes.append(
            "Powertools objects keep state across invocations by design and were not "
            f"inspected: {', '.join(powertools)}"
        )
    allowed: list[str] = []
    kept: list[LeakFinding] = []
    for finding in findings:
        name = allowed_by(finding, names)
        if name is not None:
            allowed.append(finding.where)
            continue
        if strict and finding.severity == "warning":
            finding = replace(finding, severity="error", message=finding.message + " (strict)")
        kept.append(finding)
    unused = [a for a in names if not any(allowed_name(w, a) for w in allowed)]
    if unused:
        notes.append(f"allow= names that matched nothing: {', '.join(unused)}")
    return LeakReport(
        findings=tuple(kept),
        handler_runs=runs,
        events=n,
        replays=len(replays),
        allowed=tuple(allowed),
        notes=tuple(notes),
        reproduce=_reproduce(kind, n, seed, strict),
        seed=seed,
        not_compared=tuple(sorted(not_compared)),
    )


def _failing_events(
    listed: list[Any], sequence: list[Any], warm: list[Invocation]
) -> dict[int, str]:
    """Events (from 0) that failed in every warm invocation of theirs, with the first error."""
    out: dict[int, str] = {}
    for i, event in enumerate(listed):
        runs = [inv for inv, sent in zip(warm, sequence, strict=False) if sent is event]
        texts = [_failure(inv, event) for inv in runs]
        if texts and all(texts):
            text = texts[0]
            out[i] = text if len(text) <= 120 else text[:119] + "…"
    return out


def _is_http(event: object) -> bool:
    from pytest_lambda._runtime.http_source import http_source

    return http_source(event) is not None


def _refused(warm: list[Invocation]) -> str:
    """``"400/404"`` when every invocation answered an HTTP 4xx, else ``""``."""
    codes: set[int] = set()
    if not warm:
        return ""
    for inv in warm:
        status = client_error(inv)
        if status is None:
            return ""
        codes.add(status)
    return "/".join(map(str, sorted(codes)))


def _failure(inv: Invocation, event: object = None) -> str:
    """How ``inv`` failed ("" if it did not): its error, or the 5xx an HTTP handler answered."""
    error = inv.error
    if error is not None:
        return f"{error.type}: {error.message}" if error.message else error.type
    status = server_error(inv, event)
    return "" if status is None else f"answered HTTP {status}"


def _reproduce(kind: str | None, n: int, seed: int | None, strict: bool) -> str:
    extra = ", strict=True" if strict else ""
    if kind is not None:
        return f"check_warm_reuse(runner, ({kind!r}, {n}), seed={seed}{extra})"
    return (
        "run the check again with the same events (it is deterministic for a deterministic handler)"
    )


def assert_no_state_leak(
    handler_or_runner: LambdaRunner | str | Callable[..., Any],
    events: Events,
    **keywords: Any,
) -> LeakReport:
    """Check ``events`` and raise :class:`~pytest_lambda.StateLeakError` on an error-level finding.

    ``handler_or_runner`` is a :class:`~pytest_lambda.LambdaRunner` or a handler (string
    or callable) for a runner built for the check and closed after it. Takes the
    keywords of ``check_warm_reuse`` (``reset``, ``allow``, ``strict``, ``seed``);
    returns the report when it passes.
    """
    __tracebackhide__ = True
    report = check_warm_reuse(handler_or_runner, events, **keywords)
    report.assert_ok()
    return report
