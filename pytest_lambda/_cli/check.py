"""``pytest-lambda check``: the ``--lambda-handler`` conformance suite without pytest files.

Prints a report per failed check, the per-kind table and the whole command that reproduces
the run; ``--json`` prints one document instead (docs/reference/cli.md): ``{"handler",
"seed", "results": [{"kind", "check", "verdict": passed|failed|skipped|not-run,
"findings": [{"code", "severity", "message"}]}]}``. A set-up problem (a missing variable,
module, AWS resource or endpoint) is reported once per kind by ``invokes``; the kind's
other checks are "not-run". Exit code 1 when a check fails, 2 on a usage error.
With ``--template`` the command is :mod:`pytest_lambda._cli.check_template`'s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_lambda._cli.util import (
    PROG,
    CLIError,
    RawDescriptionHelpFormatter,
    add_env_flag,
    add_function_flags,
    add_import_flags,
    checked_env,
    ignored_state,
    import_entries,
    seed_value,
)
from pytest_lambda._core import facts

if TYPE_CHECKING:
    from pytest_lambda._suite.engine import CheckResult, SuiteOptions
    from pytest_lambda._suite.load import LoadProblem

__all__ = ["populate"]


def _progress(total: int) -> Callable[[CheckResult], None]:
    """A progress line on stderr when it is a terminal; silent otherwise."""
    done = [0]

    def on_result(result: CheckResult) -> None:
        done[0] += 1
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{PROG} check: {done[0]}/{total} {result.nodeid}\x1b[K")
            if done[0] == total:
                sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    return on_result


def _reproduce(ns: argparse.Namespace, handler: str, opts: SuiteOptions) -> str:
    """The command line that runs the same checks on the same events again (whole: root,
    variables, import paths, moto, settings)."""
    from pytest_lambda._suite.replay import check_command

    return check_command(handler, ns.events, opts.seed, opts)


def _options(ns: argparse.Namespace, handler: str, kinds: list[str]) -> SuiteOptions:
    """The checks' settings from the flags; a bad flag is a CLIError (exit 2, one line)."""
    from pytest_lambda._checks.moto_setup import check_cli_moto
    from pytest_lambda._core.errors import InvalidOption
    from pytest_lambda._suite.config import load_event_params
    from pytest_lambda._suite.engine import SuiteOptions

    try:
        check_cli_moto(ns.moto, ns.moto_setup, ns.isolation)
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
    if (bad := facts.timeout_problem(ns.timeout)) is not None:
        raise CLIError(f"--timeout {ns.timeout}: {bad}")
    root = Path(ns.root if ns.root is not None else os.getcwd())
    if not root.is_dir():
        raise CLIError(f"--root {ns.root}: not a directory")
    params = load_event_params(root / "pyproject.toml")  # InvalidOption: exit 2, one line
    if (bad := facts.memory_problem(ns.memory)) is not None:
        raise CLIError(f"--memory {ns.memory}: {bad}")
    from pytest_lambda._suite.filtering import load_filter

    try:  # --filter: JSON or @file (relative to the current directory)
        filters = load_filter(ns.filter, kinds, "--filter")[0] if ns.filter is not None else ()
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
    env = checked_env(ns.env)
    entries = import_entries(ns.layer, ns.path)
    path_args = tuple(("path", os.path.abspath(d)) for d in ns.path) + tuple(
        ("layer", os.path.abspath(d)) for d in ns.layer
    )
    seed = ns.seed if ns.seed is not None else random.SystemRandom().randrange(10**6, 10**7)
    return SuiteOptions(
        seed=seed, timeout=ns.timeout, memory_mb=ns.memory, region=ns.region,
        isolation=ns.isolation, moto=ns.moto, moto_setup=ns.moto_setup,
        root=os.path.abspath(root), params_by_kind=params, env=env, import_paths=entries,
        path_args=path_args, filters=filters, filter_arg=ns.filter,
        ignore_state=ignored_state(ns.ignore_state, ns.moto or bool(ns.moto_setup)),
    )  # fmt: skip


def _verdict(result: CheckResult) -> str:
    if result.outcome == "skipped" and result.report.startswith("not run: "):
        return "not-run"
    return result.outcome


def _findings(result: CheckResult) -> list[dict[str, str]]:
    found = [
        {"code": f.code, "severity": f.severity, "message": f.message}
        for f in getattr(result, "findings", ())
    ]
    if result.outcome == "failed" and not any(f["severity"] == "error" for f in found):
        # a check that reports no codes yet: one finding with its verdict line
        first = result.report.splitlines()[0] if result.report else result.outcome
        found.append({"code": f"{result.check}.failed", "severity": "error", "message": first})
    return found


def _json_document(handler: str, opts: SuiteOptions, results: list[dict[str, Any]]) -> str:
    return json.dumps({"handler": handler, "seed": opts.seed, "results": results}, indent=2)


def _load_failure(
    ns: argparse.Namespace, handler: str, kinds: list[str], opts: SuiteOptions, problem: LoadProblem
) -> int:
    from pytest_lambda._suite.engine import CHECKS

    out = sys.stdout
    if not ns.json:
        out.write(f"FAILED {handler}\n{problem.report('the checks')}\n")
        return 1
    if problem.setup is not None:
        first = {
            "code": problem.setup.code,
            "severity": problem.setup.severity,
            "message": problem.setup.message,
        }
    else:
        line = problem.error.splitlines()[0]
        first = {"code": "invokes.init-error", "severity": "error", "message": line}
    results = [
        {
            "kind": kind,
            "check": check,
            "verdict": "failed" if check == "invokes" else "not-run",
            "findings": [first] if check == "invokes" else [],
        }
        for kind in kinds
        for check in CHECKS
    ]
    out.write(_json_document(handler, opts, results) + "\n")
    return 1


def _check(ns: argparse.Namespace) -> int:
    from pytest_lambda._core.errors import InvalidOption
    from pytest_lambda._suite.config import parse_handler, parse_kinds
    from pytest_lambda._suite.engine import CHECKS, run_checks, summary_table
    from pytest_lambda._suite.load import load_problem

    if ns.template is not None:  # every function of a template (pytest_lambda._cli.check_template)
        from pytest_lambda._cli.check_template import check_template

        return check_template(ns)
    missing = [
        name for name, value in (("HANDLER", ns.handler), ("--events", ns.events)) if not value
    ]
    if missing or ns.functions:
        what = f"the following arguments are required: {', '.join(missing)}" if missing else (
            f"unrecognized arguments: {' '.join(ns.functions)} (function ids need --template)"
        )  # fmt: skip
        raise CLIError(f"{what} (see '{PROG} check --help')")
    try:
        handler = parse_handler(ns.handler, "HANDLER")
        kinds = parse_kinds(ns.events, "--events")
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
    opts = _options(ns, handler, kinds)
    out = sys.stdout
    try:
        problem = load_problem(handler, opts)
    except InvalidOption as exc:  # the moto set-up failed
        raise CLIError(str(exc)) from None
    if problem is not None:
        if problem.misnamed:  # the handler string is wrong: a usage error
            raise CLIError(problem.report("the checks").replace("\n\n", "\n"))
        return _load_failure(ns, handler, kinds, opts, problem)
    on_result = _progress(len(kinds) * len(CHECKS))
    results = run_checks(handler, kinds, opts, on_result=on_result)
    failed = [r for r in results if r.outcome == "failed"]
    if ns.json:
        rows = [
            {
                "kind": r.kind,
                "check": r.check,
                "verdict": _verdict(r),
                "findings": _findings(r),
                "note": r.note,
            }
            for r in results
        ]
        out.write(_json_document(handler, opts, rows) + "\n")
        return 1 if failed else 0
    for r in failed:
        out.write(f"FAILED {r.nodeid}\n{r.report.rstrip()}\n\n")
    out.write(f"{handler} (seed {opts.seed})\n")
    for line in summary_table(kinds, [r.row() for r in results]):
        out.write(line + "\n")
    counts = {o: sum(r.outcome == o for r in results) for o in ("passed", "failed", "skipped")}
    out.write(", ".join(f"{n} {o}" for o, n in counts.items() if n) + "\n")
    if failed:
        out.write(f"reproduce with: {_reproduce(ns, handler, opts)}\n")
    return 1 if failed else 0


def populate(p: argparse.ArgumentParser, tokens: list[str] | None) -> None:
    """Fill the ``check`` command's parser ``p``."""
    p.description = (
        "Run the conformance checks of the --lambda-handler suite against HANDLER: for each\n"
        "event kind, invokes, idempotent, warm-reuse and robust. Per-kind generator\n"
        "parameters come from [tool.pytest_lambda.events.<kind>] in DIR/pyproject.toml.\n"
        "With --template FILE: every Python function of a SAM/CloudFormation/CDK template\n"
        "(or the FUNCTIONs named in place of HANDLER), each with its own triggers,\n"
        "timeout and memory (--timeout and --memory do not apply).\n"
        "When every event fails on missing set-up (an environment variable, a module, an AWS\n"
        "resource, an endpoint), that one set-up problem is reported instead.\n"
        "Exit code 1 when a check fails, 2 on a usage error."
    )
    p.formatter_class = RawDescriptionHelpFormatter
    p.add_argument(
        "handler", metavar="HANDLER", nargs="?", help="module.function, e.g. app.handler"
    )
    p.add_argument(
        "--events",
        metavar="KIND[,KIND]",
        help="event kinds to check with (required without --template)",
    )
    from pytest_lambda._cli.check_template import add_template_flags

    add_template_flags(p)
    p.add_argument(
        "--seed",
        type=seed_value,
        metavar="N",
        help="seed of the generated events (an integer >= 0)",
    )
    add_function_flags(p)
    p.add_argument("--region", default=facts.DEFAULT_REGION, help="AWS region (default us-east-1)")
    p.add_argument(
        "--root", metavar="DIR", help="directory the handler is imported from (default: .)"
    )
    add_env_flag(p)
    add_import_flags(p)
    p.add_argument(
        "--moto",
        action="store_true",
        help="run inside moto.mock_aws() and compare AWS state in the idempotency check",
    )
    p.add_argument(
        "--moto-setup",
        metavar="MODULE:FUNCTION",
        help="a callable that creates the handler's tables, buckets and queues inside moto "
        "before the checks, e.g. tests.aws:create_tables, imported from --root, then the current "
        "directory (implies --moto)",
    )
    p.add_argument(
        "--ignore-state",
        metavar="SERVICE.NAME",
        help="with moto: a part of the AWS state the idempotent check does not compare, e.g. "
        "dynamodb.access_log (a table written once per request on purpose); comma-separated",
    )
    p.add_argument(
        "--filter",
        metavar="PATTERN",
        help="FilterCriteria of the sqs/kinesis/dynamodb mapping (JSON, or @file): only "
        "records that pass it are sent",
    )
    p.add_argument(
        "--isolation",
        choices=facts.ISOLATIONS,
        default=facts.DEFAULT_ISOLATION,
        help="module: in this process (default); runtime: under the real awslambdaric runtime "
        "client in a subprocess (Linux, the [runtime] extra)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document (handler, seed, and per kind and check the verdict and "
        "the findings with their codes) instead of the reports and the table",
    )
    p.set_defaults(func=_check)
