"""The built-in conformance checks of the ``--lambda-handler`` suite.

Shared by the pytest items (:mod:`pytest_lambda._plugin.suite`) and ``pytest-lambda check``.
Each check runs against a fresh :class:`~pytest_lambda.LambdaRunner` with events seeded from
``derive_seed(seed, "<handler>::<kind>::<check>", n)``, so the pytest items and the command
see the same events for the same seed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from pytest_lambda._checks.server_error import server_error
from pytest_lambda._checks.setup import env_var_read, some_events_env_fix
from pytest_lambda._core import facts
from pytest_lambda._core.docs import doc_url
from pytest_lambda._events._factory import derive_seed
from pytest_lambda._suite.config import param_sets
from pytest_lambda._suite.finding import Finding
from pytest_lambda._suite.load import load_problem
from pytest_lambda._suite.replay import replay_settings, reproduce_line
from pytest_lambda._suite.robust import check_robust, no_route_note
from pytest_lambda._suite.runners import _moto_available, aws_for, runner_for_suite
from pytest_lambda._suite.setup_probe import as_finding, setup_outcome
from pytest_lambda._suite.variants import contract_problem

__all__ = [
    "CHECKS",
    "DOCS_SUITE",
    "CheckResult",
    "Finding",
    "SuiteOptions",
    "replay_settings",
    "reproduce_line",
    "run_check",
    "run_checks",
    "summary_table",
]

CHECKS: Final[tuple[str, ...]] = ("invokes", "idempotent", "warm-reuse", "robust")
DOCS_SUITE: Final = doc_url("how-to/conformance-suite")
_BATCH: Final = 5  # events per `invokes` check
_IDEMPOTENT_EVENTS: Final = 2
_WARM_EVENTS: Final = 3
Outcome = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class SuiteOptions:
    """How the checks run: the session settings of the suite."""

    seed: int
    timeout: float = facts.DEFAULT_TIMEOUT
    memory_mb: int = facts.DEFAULT_MEMORY_MB
    region: str = facts.DEFAULT_REGION
    isolation: str = facts.DEFAULT_ISOLATION
    moto: bool = False
    moto_setup: str | None = None
    #: parts of the moto state the idempotency check leaves out (``dynamodb.access_log``)
    ignore_state: tuple[str, ...] = ()
    root: str | None = None
    params_by_kind: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: A template's function (_suite/from_template): environment, name, layers (on the path),
    #: its resources' moto set-up, where moto_setup imports from, the reproduce line's names.
    env: Mapping[str, str] = field(default_factory=dict)
    function_name: str | None = None
    layers: tuple[str, ...] = ()
    aws_setup: Callable[[], object] | None = None
    setup_root: str | None = None
    template: str | None = None
    function_id: str | None = None
    #: Values given for the template's parameters (``--lambda-template-parameters``), to replay.
    template_parameters: Mapping[str, str] = field(default_factory=dict)
    #: Per kind, check_idempotency's partial_batch/retries from the template's trigger.
    idempotency_by_kind: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: FilterCriteria patterns (OR'ed) of the sqs/kinesis/dynamodb mapping: the checks send
    #: only records that pass them; ``filter_arg`` is how they were given (for replay).
    filters: tuple[Mapping[str, Any], ...] = ()
    filter_arg: str | None = None
    #: Import path entries after the root (``--path`` folders, ``--layer`` python/ folders);
    #: ``path_args`` are the flags as given, ``("layer", DIR)`` / ``("path", DIR)``, to replay.
    import_paths: tuple[str, ...] = ()
    path_args: tuple[tuple[str, str], ...] = ()

    @property
    def uses_moto(self) -> bool:
        """Whether the checks run inside moto: asked for, or implied by a moto set-up."""
        return self.moto or bool(self.moto_setup)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``report`` is the verdict, evidence, fix and reproduce line."""

    handler: str
    kind: str
    check: str
    outcome: Outcome
    report: str
    invocations: int
    seed: int
    note: str = ""
    #: The check's findings with their codes (the robust check's; empty for the others).
    findings: tuple[Finding, ...] = ()

    @property
    def nodeid(self) -> str:
        return f"{self.handler}::{self.kind}::{self.check}"

    def row(self) -> dict[str, Any]:
        """The fields the summary table needs (plain values: xdist sends them to the controller)."""
        return {
            "handler": self.handler,
            "kind": self.kind,
            "check": self.check,
            "outcome": self.outcome,
            "invocations": self.invocations,
            "seed": self.seed,
            "note": self.note,
        }


def summary_table(kinds: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Lines of the per-kind table: check → passed/failed/skipped (``-``: not run)."""
    by_kind: dict[str, dict[str, Mapping[str, Any]]] = {}
    for given in rows:
        by_kind.setdefault(given["kind"], {})[given["check"]] = given
    widths = [max(8, *(len(k) for k in kinds))] + [max(10, len(c)) for c in CHECKS]
    head = ["kind", *CHECKS]
    lines = [
        "  " + "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + "invocations"
    ]
    notes: list[str] = []
    for kind in kinds:
        if kind not in by_kind:
            continue
        cells = [kind.ljust(widths[0])]
        total = 0
        for check, width in zip(CHECKS, widths[1:], strict=True):
            row = by_kind[kind].get(check)
            cell = "-" if row is None else str(row["outcome"])
            if row is not None:
                total += int(row["invocations"])
                if row["note"]:
                    cell += "*"
                    notes.append(f"* {check}: {row['note']}")
            cells.append(cell.ljust(width))
        lines.append("  " + "  ".join(cells) + str(total))
    return lines + list(dict.fromkeys(notes))


def _events(
    handler: str, kind: str, check: str, opts: SuiteOptions, count: int
) -> list[tuple[int, dict[str, Any]]]:
    from pytest_lambda._suite.filtering import FILTERABLE, generate_matching

    sets = param_sets(opts.params_by_kind, kind)
    patterns = list(opts.filters) if kind in FILTERABLE else []
    out = []
    for n in range(max(count, len(sets))):  # every set at least once
        params = sets[n % len(sets)]
        params.setdefault("region", opts.region)
        seed = derive_seed(opts.seed, f"{handler}::{kind}::{check}", n)
        out.append((seed, generate_matching(kind, seed, params, patterns)))
    return out


def _message(verdict: str, evidence: Sequence[str], fix: str, repro: str) -> str:
    lines = [verdict, ""]
    lines += [f"  {e}" for e in evidence]
    return "\n".join([*lines, "", fix, repro])


def _invoke_code(inv: Any) -> str:
    """The finding code of a failed invocation (see docs/explanation/checks.md)."""
    if inv.timed_out:
        return "invokes.timeout"
    if inv.error.type.startswith("Runtime.") or inv.error.kind == "init":
        return "invokes.runtime-failure"
    return "invokes.handler-error"


def _check_invokes(
    handler: str, kind: str, opts: SuiteOptions
) -> tuple[Outcome, str, int, str, list[Finding]]:
    events = _events(handler, kind, "invokes", opts, _BATCH)
    errors: dict[str, list[int]] = {}  # first line of the error → seeds of the events
    codes: dict[str, str] = {}  # first line of the error → its finding code
    env_names: dict[str, None] = {}  # variables read with os.environ[...] and not set
    tried = 0
    by_set: list[set[object]] = [set() for _ in param_sets(opts.params_by_kind, kind)]
    answered_5xx: dict[int, list[int]] = {}  # status → seeds of the requests answered with it
    rejected = 0  # batches whose every record the handler reported failed
    stubbed: dict[str, None] = {}  # functions whose Invoke got {} in a failed invocation
    with aws_for(opts, [e for _, e in events]), runner_for_suite(handler, opts) as runner:
        for n, (seed, event) in enumerate(events):
            tried += 1
            inv = runner.invoke(event)
            if isinstance(inv.response, dict):
                by_set[n % len(by_set)].add(inv.response.get("statusCode"))
            if inv.error is not None:
                line = str(inv.error).splitlines()[0]
                errors.setdefault(line, []).append(seed)
                codes.setdefault(line, _invoke_code(inv))
                stubbed.update(dict.fromkeys(_STUBBED.findall(inv.logs)))
                if (name := env_var_read(inv.error)) is not None:
                    env_names.setdefault(name, None)
                if inv.timed_out:
                    break  # every further event would wait for the whole timeout too
            broken = contract_problem(kind, event, inv)
            if broken is not None:
                errors.setdefault(broken, []).append(seed)
                codes.setdefault(broken, "invokes.response-contract")
            rejected += _every_record_failed(kind, event, inv)
            status = server_error(inv, event)
            if status is not None:  # as an unhandled exception would be (a 502 from REST)
                answered_5xx.setdefault(status, []).append(seed)
                line = f"answered HTTP {status}: the handler caught its own failure"
                errors.setdefault(line, []).append(seed)
                codes.setdefault(line, "invokes.server-error")
    if tried and sum(map(len, answered_5xx.values())) == tried:
        # every request answered a server error: the handler caught its own failure each time
        return _all_server_errors(handler, kind, tried, answered_5xx)
    if not errors:
        note = no_route_note(kind, by_set)
        if tried and rejected == tried:
            note = (
                f"every record of the {tried} batches was reported in batchItemFailures: the "
                "handler refused the generated records, so their handling was not tested; "
                f"set the payload in [tool.pytest_lambda.events.{kind}] (body, data or item)"
            )
        text = f"{handler} handled {tried} seeded {kind} events"
        return "passed", text + (f"\n{note}" if note else ""), tried, note, []
    found = [
        Finding(codes[line], "error", f"{len(seeds)} of {tried} {kind} events: {line}")
        for line, seeds in errors.items()
    ]
    failed = sum(len(seeds) for seeds in errors.values())
    skipped = f" (stopped at the timeout; {len(events) - tried} not tried)" * (tried < len(events))
    verdict = (
        f"{handler} failed on {failed} of {tried} seeded {kind} events{skipped}: "
        + (
            "an unhandled exception, a timeout, a response Lambda cannot marshal or an HTTP "
            "5xx answer"
            if answered_5xx
            else "an unhandled exception, a timeout or a response Lambda cannot marshal"
        )
        + (" or Firehose rejects" if kind == "firehose" else "")
    )
    evidence = [
        f"event seed{'s' * (len(seeds) > 1)} {', '.join(map(str, seeds))}: {line}"
        for line, seeds in errors.items()
    ]
    fix = "".join(f"Fix: {some_events_env_fix(name)}\n" for name in env_names)
    if stubbed:
        names = ", ".join(stubbed)
        answers = ", ".join(f"{name}: ..." for name in stubbed)
        fix += (
            f"Note: lambda.Invoke of {names} was answered with {{}} without running the "
            "function (moto cannot run it), in the failed invocations; if the handler reads "
            f"the answer, give one: pytest_lambda.invoke_answers({{{answers}}}) in the moto "
            "set-up function\n"
        )
    fix += (
        "Fix: handle these events or return an error response on purpose (a 4xx for an API); "
        f"if the events do not look like your traffic, set [tool.pytest_lambda.events.{kind}] "
        f"parameters, see {DOCS_SUITE}#configuration"
    )
    return "failed", _message(verdict, evidence, fix, ""), tried, "", found


_STUBBED: Final = re.compile(r"pytest-lambda: lambda\.Invoke of ('[^']*') was answered with \{\}")


def _every_record_failed(kind: str, event: Mapping[str, Any], inv: Any) -> int:
    """1 when ``inv`` reported every record of ``event`` in ``batchItemFailures``, else 0."""
    if kind not in ("sqs", "kinesis", "dynamodb") or inv.error is not None:
        return 0
    response = inv.response
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    records = event.get("Records")
    if not isinstance(failures, list) or not isinstance(records, list) or not records:
        return 0
    return int(len(failures) >= len(records))


def _all_server_errors(
    handler: str, kind: str, tried: int, answered: dict[int, list[int]]
) -> tuple[Outcome, str, int, str, list[Finding]]:
    statuses = "/".join(str(s) for s in sorted(answered))
    verdict = (
        f"{handler} answered HTTP {statuses} to every one of the {tried} seeded {kind} "
        "requests: it failed on each of them and answered the error itself, so nothing it "
        "does was shown to work"
    )
    evidence = [
        f"event seed{'s' * (len(seeds) > 1)} {', '.join(map(str, seeds))}: answered {status}"
        for status, seeds in sorted(answered.items())
    ]
    fix = (
        "Fix: the invocations' logs say what the handler caught (a missing environment "
        "variable, table or permission is the usual cause: give it with --env, or run inside "
        f"moto with a set-up); if these requests should fail, answer a 4xx; see {DOCS_SUITE}"
    )
    found = [Finding("invokes.server-error", "error", f"{tried} of {tried} {kind} requests "
                     f"answered HTTP {statuses}")]  # fmt: skip
    return "failed", _message(verdict, evidence, fix, ""), tried, "", found


def _check_idempotent(
    handler: str, kind: str, opts: SuiteOptions
) -> tuple[Outcome, str, int, str, list[Finding]]:
    events = _events(handler, kind, "idempotent", opts, _IDEMPOTENT_EVENTS)
    note = ""
    from pytest_lambda._runtime.runner import backend_class

    if not backend_class(opts.isolation).supports_moto:
        note = (
            "state not observed (responses and errors only): moto's mock cannot reach the "
            "runtime subprocess; run with --lambda-isolation=module --lambda-moto to compare "
            "DynamoDB, S3, SQS, SNS and SES state and Lambda Invoke calls"
        )
    elif not opts.uses_moto:
        note = (
            "state not observed (responses, errors and repeated sends only): pass --lambda-moto "
            "(pytest-lambda check --moto), with moto installed, to compare DynamoDB, S3, SQS, "
            "SNS and SES state and Lambda Invoke calls"
        )
    elif not _moto_available():
        note = (
            "state not observed: --lambda-moto was given but moto is not installed "
            "(pip install 'pytest-lambda-toolkit[moto]')"
        )
    runs = 0
    failures: list[str] = []
    found: list[Finding] = []
    never_succeeded = False
    refusals: list[str] = []
    sent = [e for _, e in events]
    with aws_for(opts, sent) as state, runner_for_suite(handler, opts) as runner:
        observe, reset = state if state is not None else (None, None)
        for seed, event in events:
            report = runner.check_idempotency(
                event, kind=kind, observe=observe, reset=reset, seed=seed,
                **opts.idempotency_by_kind.get(kind, {}),
            )  # fmt: skip
            runs += report.handler_runs
            refusals += [n for n in report.notes if n.startswith("every answer was ")]
            found += [
                Finding(f.code, f.severity, f"[{f.scenario}] {f.message}".splitlines()[0])
                for f in report.findings
                if f.severity != "info" and not any(g.code == f.code for g in found)
            ]
            if not report.ok:
                never_succeeded = report.scenarios[0].detail == "the first delivery never succeeded"
                failures.append(f"event seed {seed}:\n{report}")
                break  # one report is enough evidence; the others say the same
    if not failures:
        text = f"{handler} answered {len(events)} redelivered {kind} events the same way"
        if refusals and len(refusals) == len(events):  # only refusals were compared
            note = "; ".join([refusals[0], *([note] if note else [])])
        return "passed", text + (f"\n{note}" if note else ""), runs, note, found
    verdict = f"{handler} is not idempotent for {kind} events"
    if never_succeeded:
        verdict = (
            f"{handler} could not be checked for idempotency on {kind} events: the first "
            "delivery never succeeded (it raised, answered an HTTP 5xx, or its response "
            "reported failed records, on every attempt)"
        )
    body = "\n\n".join(failures)
    fix = f"Fix: see {doc_url('how-to/idempotency')}"
    text = f"{verdict}\n\n{body}\n\n{fix}" + (f"\n{note}" if note else "")
    return "failed", text, runs, note, found


class _Skip(Exception):
    pass


def _check_warm_reuse(
    handler: str, kind: str, opts: SuiteOptions
) -> tuple[Outcome, str, int, str, list[Finding]]:
    try:
        from pytest_lambda._checks.leaks.check import check_warm_reuse  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise _Skip(
            "warm-reuse: the warm-reuse check (pytest_lambda._checks.leaks.check) is not available "
            "in this version"
        ) from None
    events = [e for _, e in _events(handler, kind, "warm-reuse", opts, _WARM_EVENTS)]
    seed = derive_seed(opts.seed, f"{handler}::{kind}::warm-reuse", _WARM_EVENTS)
    with aws_for(opts, events) as state, runner_for_suite(handler, opts) as runner:
        reset = state[1] if state is not None else None
        report = check_warm_reuse(runner, events, reset=reset, seed=seed)
    runs = int(report.handler_runs)
    found = [Finding(f.code, f.severity, f.head()) for f in report.findings if f.severity != "info"]
    if report.ok:
        text = f"{handler}: no state leaked between warm {kind} invocations"
        if report.not_compared:  # say which outputs were not compared (cold runs differed)
            text = f"{handler}: {report.verdict()}"
        refused = next((n for n in report.notes if n.startswith("every answer was ")), "")
        return "passed", text + (f"\n{refused}" if refused else ""), runs, refused, found
    # the suite's reproduce line follows; the check's own names only its event list
    return "failed", str(replace(report, reproduce="")), runs, "", found


_CHECK_FUNCS: Final[dict[str, Callable[[str, str, SuiteOptions], tuple[Any, ...]]]] = {
    "invokes": _check_invokes,
    "idempotent": _check_idempotent,
    "warm-reuse": _check_warm_reuse,
    "robust": check_robust,
}


def run_check(handler: str, kind: str, check: str, opts: SuiteOptions) -> CheckResult:
    """Run one check; errors of the configuration become a failed result with the message."""
    from pytest_lambda._core.errors import (
        ArgumentTypeError,
        HandlerConfigError,
        InvalidEventSpec,
        InvalidOption,
    )
    from pytest_lambda._suite.filtering import NoMatchingEvents

    repro = reproduce_line(handler, kind, check, opts.seed, opts)
    findings: tuple[Finding, ...] = ()
    try:
        problem = load_problem(handler, opts)
        if problem is not None and problem.setup is not None and check != "invokes":
            # a set-up problem at import (a variable read with os.environ[...]): reported
            # once, by invokes; the kind's other checks did not run (as pytest-lambda check)
            why = (
                f"not run: a set-up problem ({problem.setup.code}), reported by "
                f"{handler}::{kind}::invokes"
            )
            return CheckResult(handler, kind, check, "skipped", why, 0, opts.seed)
        if problem is not None:
            text = problem.report(f"the {check} check on {kind} events")
            coded = () if problem.setup is None else (as_finding(problem.setup),)
            return CheckResult(handler, kind, check, "failed", text, 0, opts.seed, findings=coded)
        if (setup := setup_outcome(handler, kind, check, opts)) is not None:
            status, text, runs, findings = setup  # a set-up problem: invokes fails, others skip
            text += f"\n{repro}" * (status == "failed")
            return CheckResult(
                handler, kind, check, status, text, runs, opts.seed, findings=findings
            )
        outcome, text, runs, note, *more = _CHECK_FUNCS[check](handler, kind, opts)
        findings = tuple(more[0]) if more else ()
    except NoMatchingEvents as exc:
        text = f"{check} could not run: {exc}; see {DOCS_SUITE}#filters"
        found = Finding("suite.filter-matches-nothing", "error", str(exc))
        return CheckResult(
            handler, kind, check, "failed", f"{text}\n{repro}", 0, opts.seed, findings=(found,)
        )
    except _Skip as exc:
        return CheckResult(handler, kind, check, "skipped", str(exc), 0, opts.seed)
    except (ArgumentTypeError, InvalidEventSpec, InvalidOption, HandlerConfigError) as exc:
        if str(exc).startswith("moto setup "):
            fix = (
                "Fix: check --lambda-moto-setup (pytest-lambda check --moto-setup): the module "
                "must import from the root directory or the current one, and the function must "
                "run inside moto"
            )
        else:
            fix = f"Fix: check [tool.pytest_lambda.events.{kind}] and the lambda options"
        text = (
            f"{check} could not run: {type(exc).__name__}: {exc}\n\n"
            f"{fix}, see {DOCS_SUITE}#configuration"
        )
        coded = (Finding("suite.config-error", "error", text.splitlines()[0]),)
        return CheckResult(
            handler, kind, check, "failed", f"{text}\n{repro}", 0, opts.seed, findings=coded
        )
    if outcome == "failed" or findings:
        text = f"{text.rstrip()}\n{repro}"
    if outcome == "passed" and findings:  # warnings only: the note names them and the replay
        unnamed = [f for f in findings if f.code not in note]
        said = [f"warning {f.code}: {f.message.removeprefix('warning: ')}" for f in unnamed[:2]]
        said += [f"and {len(unnamed) - 2} more"] * (len(unnamed) > 2)
        note = "; ".join([*([note] if note else []), *said, repro])
    return CheckResult(handler, kind, check, outcome, text, runs, opts.seed, note, findings)


def run_checks(
    handler: str,
    kinds: Sequence[str],
    opts: SuiteOptions,
    *,
    checks: Sequence[str] = CHECKS,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Every check for every kind, in order; ``on_result`` sees each result as it ends."""
    results = []
    for kind in kinds:
        for check in checks:
            result = run_check(handler, kind, check, opts)
            if on_result is not None:
                on_result(result)
            results.append(result)
    return results
