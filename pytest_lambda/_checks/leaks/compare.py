"""Warm against cold outputs: what the caller saw, a cold run, and what a divergence is blamed on.

A warm output that differs from a cold run of the same event (both started from the same
external state when ``reset`` is given) is a divergence. :func:`attribute` names what
differed before the diverging invocation: module globals, files in ``/tmp``, process
settings (``os.environ``, the working directory, ``sys.path``), external state when it could
not be reset, or says it cannot tell; the finding's ``cause`` (and so its ``code``) follows.
Cost: one handler run per cold run; attribution compares two snapshots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._checks.leaks.classify import FIX_MOVE
from pytest_lambda._checks.leaks.report import (
    CACHE,
    CAUSE_ENVIRONMENT,
    CAUSE_EXTERNAL,
    CAUSE_GLOBAL,
    CAUSE_TMP,
    CAUSE_UNATTRIBUTED,
    DEFAULT_ARG,
    DIVERGENCE,
    FAILED,
    GLOBAL_CHANGED,
    GLOBAL_GROWTH,
    LAZY_GLOBAL,
    LeakFinding,
)
from pytest_lambda._checks.report import plural
from pytest_lambda._checks.statediff import mask, short

if TYPE_CHECKING:
    from pytest_lambda._checks.clock import CheckClock
    from pytest_lambda._checks.leaks.inspect import Snapshot
    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["attribute", "cold", "divergence", "failed_everywhere", "output", "same"]

GLOBAL_CATEGORIES: Final = (GLOBAL_CHANGED, LAZY_GLOBAL, CACHE, GLOBAL_GROWTH, DEFAULT_ARG)
_MAX_NAMED: Final = 5
_FIX_TMP: Final = (
    "do not read per-request data back from /tmp: name files after the input, or delete "
    "them in a finally: block"
)
_FIX_ENV: Final = (
    "reset what the handler sets (os.environ, the working directory, sys.path) in a finally: block"
)
_FIX_EXTERNAL: Final = (
    "give the check reset= (the suite and pytest-lambda check: --moto-setup) so that every "
    "invocation starts from the same external state; a difference that remains is then "
    "state of the process"
)


def output(inv: Invocation) -> object:
    """What the caller saw, with the invocation's request id and timestamps masked."""
    if inv.error is not None:
        masked, _ = mask(inv.error.message, [(inv.request_id, "request id")])
        return {"errorType": inv.error.type, "errorMessage": masked}
    masked, _ = mask(inv.response, [(inv.request_id, "request id")])
    return masked


def same(a: object, b: object) -> bool:
    """Equal outputs (decoded JSON; compared by repr if ``==`` raises)."""
    try:
        return bool(a == b)
    except Exception:  # outputs are decoded JSON; guard anyway
        return repr(a) == repr(b)


def cold(
    runner: LambdaRunner, event: Any, reset: Callable[[], object] | None, clock: CheckClock
) -> tuple[object, int]:
    """The output of ``event`` in a new environment (after ``reset()``), and 1 run."""
    runner.new_environment()
    clock.rewind()
    if reset is not None:
        reset()
    return output(runner.invoke(event)), 1


def divergence(i: int, j: int, cold_out: object, warm_out: object) -> LeakFinding:
    """The finding for event ``i`` (from 0) whose warm run ``j`` (from 0) differed."""
    return LeakFinding(
        DIVERGENCE,
        "error",
        f"event {i + 1}",
        f"warm invocation {j + 1} returned another output than a cold start on the same "
        "event: state left by earlier invocations changed the result (another request's "
        "data may reach this caller)",
        short(cold_out, 240),
        short(warm_out, 240),
        f"{FIX_MOVE}; reset what the handler sets in a finally: block; key any cache on the input",
        j + 1,
    )


def failed_everywhere(errors: Sequence[str | None], events: int, refused: str = "") -> LeakFinding:
    """The finding of a check none of whose warm invocations did its work: nothing it
    compared shows what the handler keeps then. ``errors``: each failing event's first
    error; ``refused``: the 4xx statuses the others answered ("" when none)."""
    first = next((e for e in errors if e), "an error")
    what = (
        f"the handler failed on every invocation, of {plural(events, 'event')} ({first})"
        if not refused
        else f"no invocation of the {plural(events, 'event')} did its work: the handler "
        f"failed on some ({first}) and refused the others ({refused})"
    )
    return LeakFinding(
        FAILED,
        "error",
        "every invocation",
        f"{what}: a handler that fails before doing its work cannot be shown free of state "
        "leaks (the same error warm and cold says nothing of the state it keeps when it "
        "succeeds)",
        fix="make the handler succeed on these events (a missing variable, table or field?), or "
        "check it with events it accepts; invocation.error says why each failed",
    )


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(f"`{s}`" for s in items[:_MAX_NAMED])
    return shown + (f" and {len(items) - _MAX_NAMED} more" if len(items) > _MAX_NAMED else "")


def _changed_files(first: Snapshot, before: Snapshot) -> list[str]:
    return [f"/tmp/{p}" for p, size in before.files.items() if first.files.get(p) != size]


def _changed_process(first: Snapshot, before: Snapshot) -> list[str]:
    keys = sorted(set(first.environ) | set(before.environ))
    out = [f"os.environ[{k!r}]" for k in keys if first.environ.get(k) != before.environ.get(k)]
    if first.cwd != before.cwd:
        out.append("the working directory")
    if first.sys_path != before.sys_path:
        out.append("sys.path")
    return out


def attribute(
    finding: LeakFinding,
    snaps: Sequence[Snapshot],
    state_findings: Sequence[LeakFinding],
    *,
    reset_given: bool,
    inspectable: bool,
) -> LeakFinding:
    """``finding`` (a divergence) with its ``cause``, the evidence for it and the fitting fix.

    What changed between the snapshot after init and the one before the diverging
    invocation is the suspect; with several, each is named and the first of globals, /tmp,
    process settings gives the cause.
    """
    j = (finding.invocation or 1) - 1  # invocations before the diverging one
    before = snaps[min(j, len(snaps) - 1)]
    suspects = [
        f.where
        for f in state_findings
        if f.category in GLOBAL_CATEGORIES and (f.invocation is None or f.invocation <= j)
    ]
    files = _changed_files(snaps[0], before)
    process = _changed_process(snaps[0], before)
    parts: list[str] = []
    causes: list[tuple[str, str]] = []
    if suspects:
        parts.append(f"globals changed by earlier invocations: {_names(suspects)}")
        causes.append((CAUSE_GLOBAL, finding.fix))
    if files:
        parts.append(f"/tmp files changed by earlier invocations: {_names(files)}")
        causes.append((CAUSE_TMP, _FIX_TMP))
    if process:
        parts.append(f"process settings changed by earlier invocations: {_names(process)}")
        causes.append((CAUSE_ENVIRONMENT, _FIX_ENV))
    if causes:
        cause, fix = causes[0]
        return replace(
            finding, message=f"{finding.message}; {'; '.join(parts)}", cause=cause, fix=fix
        )
    if not inspectable:
        why = (
            "cannot tell what carried over: module globals and the handler's files are not "
            "inspected in this isolation mode"
        )
        if not reset_given:
            why += ", and external state was not reset between invocations"
        return replace(finding, message=f"{finding.message}; {why}", cause=CAUSE_UNATTRIBUTED)
    if reset_given:
        why = (
            "external state was reset before every invocation and no module global, /tmp file "
            "or process setting changed before it: what carried over is state the check does "
            "not inspect (a class attribute, a closure, a C extension's cache)"
        )
        return replace(finding, message=f"{finding.message}; {why}", cause=CAUSE_UNATTRIBUTED)
    why = (
        "no module global, /tmp file or process setting changed before it, and external state "
        "was not reset between invocations: most likely data an earlier invocation wrote (a "
        "table row, an object, a message) changed the answer"
    )
    return replace(
        finding, message=f"{finding.message}; {why}", cause=CAUSE_EXTERNAL, fix=_FIX_EXTERNAL
    )
