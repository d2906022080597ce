"""``pytest-lambda check``: the ``--lambda-handler`` conformance suite without pytest files.

With ``--template`` the command is :mod:`pytest_lambda._cli.check_template`'s.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_lambda._cli.util import PROG, CLIError, add_function_flags, seed_value
from pytest_lambda._core import facts

if TYPE_CHECKING:
    from pytest_lambda._suite.engine import CheckResult

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


def _reproduce(ns: argparse.Namespace, handler: str, seed: int) -> str:
    """The command line that runs the same checks on the same events again."""
    from pytest_lambda._suite.engine import SuiteOptions, replay_settings

    opts = SuiteOptions(
        seed=seed, timeout=ns.timeout, memory_mb=ns.memory, region=ns.region,
        isolation=ns.isolation, moto=ns.moto, moto_setup=ns.moto_setup, filter_arg=ns.filter,
    )  # fmt: skip
    words = [PROG, "check", handler, "--events", ns.events, "--seed", str(seed)]
    if ns.root is not None:
        words += ["--root", ns.root]
    for name, value in replay_settings(opts):
        words += [f"--{name}"] + ([value] if value else [])
    return shlex.join(words)


def _check(ns: argparse.Namespace) -> int:
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
    from pytest_lambda._checks.moto_setup import check_cli_moto
    from pytest_lambda._core.errors import InvalidOption
    from pytest_lambda._suite.config import load_event_params, parse_handler, parse_kinds
    from pytest_lambda._suite.engine import CHECKS, SuiteOptions, run_checks, summary_table
    from pytest_lambda._suite.load import load_problem

    try:
        handler = parse_handler(ns.handler, "HANDLER")
        kinds = parse_kinds(ns.events, "--events")
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
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
    seed = ns.seed if ns.seed is not None else random.SystemRandom().randrange(10**6, 10**7)
    if (bad := facts.memory_problem(ns.memory)) is not None:
        raise CLIError(f"--memory {ns.memory}: {bad}")
    from pytest_lambda._suite.filtering import load_filter

    try:  # --filter: JSON or @file (relative to the current directory)
        filters = load_filter(ns.filter, kinds, "--filter")[0] if ns.filter is not None else ()
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
    opts = SuiteOptions(
        seed=seed, timeout=ns.timeout, memory_mb=ns.memory, region=ns.region,
        isolation=ns.isolation, moto=ns.moto, moto_setup=ns.moto_setup, root=str(root),
        params_by_kind=params, filters=filters, filter_arg=ns.filter,
    )  # fmt: skip
    out = sys.stdout
    try:
        problem = load_problem(handler, opts)
    except InvalidOption as exc:  # the moto set-up failed
        raise CLIError(str(exc)) from None
    if problem is not None:
        if problem.misnamed:  # the handler string is wrong: a usage error
            raise CLIError(problem.report("the checks").replace("\n\n", "\n"))
        out.write(f"FAILED {handler}\n{problem.report('the checks')}\n")
        return 1
    on_result = _progress(len(kinds) * len(CHECKS))
    results = run_checks(handler, kinds, opts, on_result=on_result)
    failed = [r for r in results if r.outcome == "failed"]
    for r in failed:
        out.write(f"FAILED {r.nodeid}\n{r.report.rstrip()}\n\n")
    out.write(f"{handler} (seed {seed})\n")
    for line in summary_table(kinds, [r.row() for r in results]):
        out.write(line + "\n")
    counts = {o: sum(r.outcome == o for r in results) for o in ("passed", "failed", "skipped")}
    out.write(", ".join(f"{n} {o}" for o, n in counts.items() if n) + "\n")
    if failed:
        out.write(f"reproduce with: {_reproduce(ns, handler, seed)}\n")
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
        "Exit code 1 when a check fails, 2 on a usage error."
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
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
    p.add_argument(
        "--moto",
        action="store_true",
        help="run inside moto.mock_aws() and compare AWS state in the idempotency check",
    )
    p.add_argument(
        "--moto-setup",
        metavar="MODULE:FUNCTION",
        help="a callable that creates the handler's tables, buckets and queues inside moto "
        "before the checks, e.g. tests.aws:create_tables (implies --moto)",
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
    p.set_defaults(func=_check)
