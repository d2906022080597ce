"""Catch state that leaks across warm invocations (``check_warm_reuse``, ``assert_no_state_leak``).

The check runs the events in order in one warm environment, then replays the first few
of them (a container or ``/tmp`` file that grows on a repeated event grows without
bound; one that grows only with new events is a cache). A snapshot of the environment is
taken after init and after every warm invocation (:mod:`pytest_lambda._checks.leaks.inspect`)
and the series is classified (:mod:`pytest_lambda._checks.leaks.classify`). Then each event runs
again in a fresh (cold) environment, with ``reset()`` called first when given: a warm
output that differs from the cold one is an error; a diverging event is run cold a second
time, and when the two cold outputs differ the output is not deterministic and is not
compared.

Cost: ``n + min(n, 3) + n`` handler runs for ``n`` events (two replays for one event),
plus one per diverging event, and a snapshot between warm invocations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._checks.clock import CheckClock, check_clock
from pytest_lambda._checks.leaks.classify import FIX_MOVE, classify
from pytest_lambda._checks.leaks.inspect import Snapshot, own_modules, snapshot
from pytest_lambda._checks.leaks.report import (
    CACHE,
    DEFAULT_ARG,
    DIVERGENCE,
    GLOBAL_CHANGED,
    GLOBAL_GROWTH,
    LAZY_GLOBAL,
    PROCESS_STATE,
    LeakFinding,
    LeakReport,
)
from pytest_lambda._checks.runner_arg import runner_for
from pytest_lambda._checks.statediff import mask, short
from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption
from pytest_lambda._runtime.machine_tmp import machine_tmp_entries, own_entry, used_names

if TYPE_CHECKING:
    from types import ModuleType

    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._runtime.invocation import Invocation
    from pytest_lambda._runtime.state import EnvironmentState

__all__ = ["LeakReport", "assert_no_state_leak", "check_warm_reuse"]

_MAX_REPLAYS: Final = 3
_MAX_MACHINE_TMP: Final = 5
_GLOBAL_CATEGORIES: Final = (GLOBAL_CHANGED, LAZY_GLOBAL, CACHE, GLOBAL_GROWTH, DEFAULT_ARG)
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


def _derive(seed: int, i: int) -> int:
    digest = hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def _events(events: object, seed: int | None) -> tuple[list[Any], int | None, str | None]:
    """The event list, the seed used, and the kind when generated."""
    __tracebackhide__ = True
    if isinstance(events, tuple) and len(events) == 2 and isinstance(events[0], str):
        kind, count = events
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidOption(f"events=({kind!r}, {count!r}): the count must be an int >= 1")
        from pytest_lambda._events._core import generate
        from pytest_lambda._events._kinds import KINDS

        if kind not in KINDS:
            raise InvalidOption(f"events=({kind!r}, {count}): valid kinds: {', '.join(KINDS)}")
        if seed is None:
            import os

            seed = int.from_bytes(os.urandom(4), "big")
        return [generate(kind, seed=_derive(seed, i)) for i in range(count)], seed, kind
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise ArgumentTypeError(
            f"events={short(events)}: pass a list of events, or (kind, count) such as ('sqs', 5)"
        )
    listed = list(events)
    if not listed:
        raise InvalidOption("events=[]: pass at least one event")
    return listed, seed, None


def _identity(event: Any) -> str:
    try:
        return json.dumps(event, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return repr(event)


def _output(inv: Invocation) -> object:
    """What the caller saw, with the invocation's request id and timestamps masked."""
    if inv.error is not None:
        masked, _ = mask(inv.error.message, [(inv.request_id, "request id")])
        return {"errorType": inv.error.type, "errorMessage": masked}
    masked, _ = mask(inv.response, [(inv.request_id, "request id")])
    return masked


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except Exception:  # outputs are decoded JSON; guard anyway
        return repr(a) == repr(b)


def _check_args(reset: object, allow: object) -> tuple[str, ...]:
    __tracebackhide__ = True
    if reset is not None and not callable(reset):
        raise ArgumentTypeError(f"reset={reset!r}: expected a callable taking no arguments")
    if isinstance(allow, str) or not isinstance(allow, Iterable):
        raise ArgumentTypeError(f"allow={allow!r}: expected a list of names like ['app.cache']")
    names = tuple(allow)
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise InvalidOption(f"allow={names!r}: every entry must be a name like 'app.cache'")
    return names


def _allowed(finding: LeakFinding, allow: tuple[str, ...]) -> str | None:
    return next((name for name in allow if _allowed_name(finding.where, name)), None)


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
    restores external state before the warm sequence and before every cold run.
    ``allow`` silences named globals (``"app.cache"``) or other ``where`` names;
    ``strict=True`` makes warnings errors. The runner gets a new environment at the end.
    """
    __tracebackhide__ = True
    names = _check_args(reset, allow)
    seed_given: object = seed
    if seed_given is not None and (isinstance(seed, bool) or not isinstance(seed_given, int)):
        raise ArgumentTypeError(f"seed={seed!r}: expected an int or None")
    listed, seed, kind = _events(events, seed)
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
    if reset is not None:
        reset()
    runner.load()
    state = runner._environment_state()
    assert state is not None
    recorder.start(state)
    runner._hooks.append(recorder)
    try:
        for event in sequence:
            clock.rewind()  # every run of an event at one instant: time-dependent output agrees
            warm.append(runner.invoke(event))
            runs += 1
    finally:
        recorder.active = False
        runner._hooks.remove(recorder)
    unrestorable = _unrestorable(state)
    seen_ids: set[str] = set()
    seen: list[bool] = []
    for event in sequence:
        ident = _identity(event)
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
            cold_out = _output(warm[0])
        else:
            cold_out, ran = _cold(runner, event, reset, clock)
            runs += ran
        for j, inv in warm_outputs:
            warm_out = _output(inv)
            if _same(warm_out, cold_out):
                continue
            again, ran = _cold(runner, event, reset, clock)
            runs += ran
            if not _same(again, cold_out):
                notes.append(
                    f"event {i + 1}: two cold runs gave different outputs (not deterministic); "
                    "its warm output was not compared"
                )
                not_compared.append(i + 1)
                break
            findings.append(_divergence(i, j, cold_out, warm_out))
            break
    runner.new_environment()
    notes.extend(_machine_tmp_note(machine_tmp))
    findings.sort(key=lambda f: f.invocation or 0)
    diverged = bool(findings)
    snaps = recorder.snaps
    state_findings = classify(snaps, seen[: len(snaps) - 1], diverged)
    if diverged:
        suspects = [f.where for f in state_findings if f.category in _GLOBAL_CATEGORIES]
        if suspects:
            findings = [
                replace(
                    f,
                    message=f"{f.message}; globals changed by earlier invocations: "
                    + ", ".join(f"`{s}`" for s in suspects),
                )
                for f in findings
            ]
    findings.extend(state_findings)
    findings.extend(unrestorable)
    powertools = [name for name, value in snaps[0].globals.items() if value.powertools]
    if powertools:
        notes.append(
            "Powertools objects keep state across invocations by design and were not "
            f"inspected: {', '.join(powertools)}"
        )
    allowed: list[str] = []
    kept: list[LeakFinding] = []
    for finding in findings:
        name = _allowed(finding, names)
        if name is not None:
            allowed.append(finding.where)
            continue
        if strict and finding.severity == "warning":
            finding = replace(finding, severity="error", message=finding.message + " (strict)")
        kept.append(finding)
    unused = [a for a in names if not any(_allowed_name(w, a) for w in allowed)]
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


def _unrestorable(state: EnvironmentState) -> list[LeakFinding]:
    """Process state the warm environment changed that the runner cannot put back."""
    process = getattr(state.environment, "process", None)  # None: runtime isolation
    if process is None:
        return []
    out = [
        LeakFinding(
            PROCESS_STATE, "warning", name,
            "attribute of a third-party module set by the handler; shared modules are not "
            "reset between environments, so the test process and every later environment see it",
            fix="patch third-party code from the test (monkeypatch), or wrap it in your own "
            "module instead of replacing the library's attribute",
        )
        for name in process.shared_patches
    ]  # fmt: skip
    out.extend(
        LeakFinding(
            PROCESS_STATE, "warning", f"C environment variable {name}",
            "set by C code (setenv() through ctypes or an extension), not through os.environ; "
            "it stays set in the test process, where os.system() and os.popen() see it",
            fix="set variables through os.environ",
        )
        for name in process.c_changes()
    )  # fmt: skip
    return out


def _machine_tmp_note(before: frozenset[str] | None) -> list[str]:
    """Entries new in the machine's /tmp under names the handler used in its own /tmp.

    Only those: other processes on the machine create entries there all the time. They are
    never removed (nothing proves the handler made them).
    """
    after = machine_tmp_entries()
    if before is None or after is None:
        return []
    used = used_names()
    new = sorted(name for name in after - before if name in used and not own_entry(name))
    if not new:
        return []
    shown = ", ".join(f"/tmp/{name}" for name in new[:_MAX_MACHINE_TMP])
    more = f" and {len(new) - _MAX_MACHINE_TMP} more" if len(new) > _MAX_MACHINE_TMP else ""
    return [
        f"new in the machine's /tmp during the check, under names the handler uses in its own "
        f"/tmp: {shown}{more} (written by C code such as sqlite3 or a subprocess, which do not "
        "see the environment's /tmp; not inspected and not removed)"
    ]


def _allowed_name(where: str, name: str) -> bool:
    return where == name or where.startswith((name + ".", name + "(", name + "["))


def _cold(
    runner: LambdaRunner, event: Any, reset: Callable[[], object] | None, clock: CheckClock
) -> tuple[object, int]:
    runner.new_environment()
    clock.rewind()
    if reset is not None:
        reset()
    return _output(runner.invoke(event)), 1


def _divergence(i: int, j: int, cold: object, warm: object) -> LeakFinding:
    return LeakFinding(
        DIVERGENCE,
        "error",
        f"event {i + 1}",
        f"warm invocation {j + 1} returned another output than a cold start on the same "
        "event: state left by earlier invocations changed the result (another request's "
        "data may reach this caller)",
        short(cold, 240),
        short(warm, 240),
        f"{FIX_MOVE}; reset what the handler sets in a finally: block; key any cache on the input",
        j + 1,
    )


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
