"""Whether the suite's handler can run at all with the given set-up, asked once per kind.

Before the checks of a kind run, the first events of its ``invokes`` check (the same
seeds) are sent once to a fresh runner. When every one fails the same way with an error
:func:`pytest_lambda._checks.setup.diagnose` recognises (a missing environment variable,
module, AWS resource, endpoint or credentials), and, inside moto, nothing in AWS changed,
the kind's checks report that one set-up problem instead of four failures about events.
Cost: up to two handler runs per handler, kind and settings in a process (cached); none
when the first event succeeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal

from pytest_lambda._checks.setup import SetupProblem, diagnose_all
from pytest_lambda._suite.finding import Finding

if TYPE_CHECKING:
    from pytest_lambda._runtime.invocation import InvocationFailure
    from pytest_lambda._suite.engine import SuiteOptions

__all__ = ["as_finding", "setup_outcome", "setup_problem"]

_PROBES: Final = 2
_CACHE: Final[dict[tuple[object, ...], tuple[SetupProblem, int] | None]] = {}


def _key(handler: str, kind: str, opts: SuiteOptions) -> tuple[object, ...]:
    return (
        handler, kind, opts.seed, opts.root, opts.isolation, opts.timeout, opts.memory_mb,
        opts.region, opts.uses_moto, opts.moto_setup, tuple(sorted(opts.env.items())),
        repr(opts.params_by_kind.get(kind)),
    )  # fmt: skip


def setup_problem(handler: str, kind: str, opts: SuiteOptions) -> tuple[SetupProblem, int] | None:
    """``(problem, events tried)`` when every probe event fails on a set-up problem, else None."""
    key = _key(handler, kind, opts)
    if key in _CACHE:
        return _CACHE[key]
    from pytest_lambda._events._core import generate
    from pytest_lambda._events._factory import derive_seed
    from pytest_lambda._suite.config import param_sets
    from pytest_lambda._suite.runners import aws_for, runner_for_suite

    sets = param_sets(opts.params_by_kind, kind)
    failures: list[InvocationFailure | None] = []
    changed = False
    probes = []
    for n in range(_PROBES):
        params = sets[n % len(sets)]
        params.setdefault("region", opts.region)
        seed = derive_seed(opts.seed, f"{handler}::{kind}::invokes", n)
        probes.append(generate(kind, seed=seed, **params))
    from pytest_lambda._checks.faults import Recorder, botocore_hook

    recorder = Recorder()
    with (
        aws_for(opts, probes) as state,
        runner_for_suite(handler, opts) as runner,
        botocore_hook(recorder),  # clients made at import too: entered before the first invoke
    ):
        before = state[0]() if state is not None else None
        for event in probes:
            inv, caught = _probe(runner, event, recorder)
            failures.append(inv.error if inv.error is not None else caught)
            if failures[-1] is None or inv.timed_out:
                break
        if state is not None:
            changed = state[0]() != before  # a side effect: not a failure before anything
    problem = None if changed else diagnose_all(failures, handler)
    _CACHE[key] = None if problem is None else (problem, len(failures))
    return _CACHE[key]


# AWS error codes that say the function's set-up is missing (a resource, credentials)
_SETUP_CODES: Final = frozenset({
    "ResourceNotFoundException", "NoSuchBucket", "QueueDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue", "NotFoundException", "NotFound",
    "ParameterNotFound", "UnrecognizedClientException", "InvalidClientTokenId",
    "InvalidAccessKeyId",
})  # fmt: skip


def _probe(runner: Any, event: Any, recorder: Any) -> tuple[Any, InvocationFailure | None]:
    """Invoke once; and when an HTTP handler answered 5xx after an AWS call failed on a
    missing resource or credentials (it caught the error), that error as the failure."""
    from pytest_lambda._checks.server_error import server_error
    from pytest_lambda._runtime.invocation import InvocationFailure

    recorder.start()
    try:
        inv = runner.invoke(event)
    finally:
        calls = recorder.stop()
    status = server_error(inv, event)
    failed = next((c for c in calls if c.error_code in _SETUP_CODES), None)
    if status is None or failed is None:
        return inv, None
    operation = failed.point.partition(".")[2]
    caught = InvocationFailure(
        type=failed.error_code,
        message=f"An error occurred ({failed.error_code}) when calling the {operation} "
        f"operation: {failed.resource or failed.target or 'the resource'} (the handler "
        f"caught it and answered HTTP {status})",
        request_id=inv.request_id,
    )
    return inv, caught


def as_finding(problem: SetupProblem) -> Finding:
    """The problem as a suite finding (what ``--json`` prints)."""
    return Finding(problem.code, problem.severity, problem.message)


def setup_outcome(
    handler: str, kind: str, check: str, opts: SuiteOptions
) -> tuple[Literal["failed", "skipped"], str, int, tuple[Finding, ...]] | None:
    """``(outcome, text, runs, findings)`` of ``check`` when the kind has a set-up problem:
    ``invokes`` fails with the report, the other checks are skipped naming it; else None."""
    found = setup_problem(handler, kind, opts)
    if found is None:
        return None
    problem, tried = found
    if check != "invokes":
        why = f"not run: a set-up problem ({problem.code}), reported by {handler}::{kind}::invokes"
        return "skipped", why, 0, ()
    text = problem.report(handler, f"the checks on {kind} events", tried)
    return "failed", text, tried, (as_finding(problem),)
