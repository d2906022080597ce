"""``pytest-lambda check --template FILE [FUNCTION...]``: the checks of every function of a template.

The template (SAM, CloudFormation, CDK's ``cdk.out/*.template.json`` or ``serverless.yml``)
gives each function's handler, code folder, timeout, memory, environment, layers and
triggers (:mod:`pytest_lambda._suite.from_template`); ``--events`` narrows the kinds,
``--moto`` creates the template's resources in moto before each check. The output is the
failures' reports, then one summary table: a row per function and kind, a line per
function or trigger that was skipped (not Python, inline code, a trigger no kind models)
or could not be configured. Exit code 1 when a check fails or a function cannot be
configured, 2 on a usage error (a template that cannot be read, an unknown function).
``--env`` (over each function's variables), ``--layer`` and ``--path`` apply to every
function; ``--parameter NAME=VALUE`` gives the template's parameters values; each mapping's
``FilterCriteria`` comes from the template (``--filter`` is refused); ``--json`` prints one
document instead. A kind's set-up problem is reported once, and a note shared by several
functions once.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_lambda._cli.util import CLIError

if TYPE_CHECKING:
    from pytest_lambda._suite.engine import CheckResult

__all__ = ["add_template_flags", "check_template", "template_table"]


def add_template_flags(p: argparse.ArgumentParser) -> None:
    """``--template FILE`` and the function ids after HANDLER (check's parser)."""
    p.add_argument(
        "--template",
        metavar="FILE",
        help="a SAM, CloudFormation or CDK template (or serverless.yml): check every Python "
        "function of it, or the FUNCTIONs named (logical ids) in place of HANDLER",
    )
    p.add_argument(
        "--parameter",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="a value for the template's parameter NAME (repeatable; a parameter without a "
        "Default needs one when a function uses it)",
    )
    p.add_argument("functions", metavar="FUNCTION", nargs="*", help=argparse.SUPPRESS)


def _parameters(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CLIError(f"--parameter {pair}: expected NAME=VALUE, e.g. --parameter Stage=dev")
        out[name] = value
    return out


def template_table(rows: list[tuple[str, str, dict[str, str], int]], notes: list[str]) -> list[str]:
    """The summary: ``function  kind  invokes  idempotent  warm-reuse  robust  invocations``."""
    from pytest_lambda._suite.engine import CHECKS

    fw = max([8, *(len(r[0]) for r in rows)])
    kw = max([8, *(len(r[1]) for r in rows)])
    head = ["function".ljust(fw), "kind".ljust(kw), *(c.ljust(10) for c in CHECKS)]
    lines = ["  " + "  ".join(head) + "  invocations"]
    for function, kind, cells, runs in rows:
        body = [function.ljust(fw), kind.ljust(kw), *(cells.get(c, "-").ljust(10) for c in CHECKS)]
        lines.append("  " + "  ".join(body) + f"  {runs}")
    return lines + notes


def _json_row(r: CheckResult) -> dict[str, object]:
    """A result as ``check --json`` shows it (the same fields as without --template)."""
    found = [{"code": f.code, "severity": f.severity, "message": f.message} for f in r.findings]
    if r.outcome == "failed" and not any(f["severity"] == "error" for f in found):
        first = r.report.splitlines()[0] if r.report else r.outcome
        found.append({"code": f"{r.check}.failed", "severity": "error", "message": first})
    not_run = r.outcome == "skipped" and r.report.startswith("not run: ")
    return {"kind": r.kind, "check": r.check, "verdict": "not-run" if not_run else r.outcome,
            "findings": found, "note": r.note}  # fmt: skip


def check_template(ns: argparse.Namespace) -> int:
    """Run the checks of the template's functions; print failures, then the table."""
    from pytest_lambda._checks.moto_setup import check_cli_moto
    from pytest_lambda._cli.util import checked_env, ignored_state, import_entries
    from pytest_lambda._core.errors import InvalidOption
    from pytest_lambda._suite.config import load_event_params, parse_kinds
    from pytest_lambda._suite.engine import SuiteOptions, run_checks
    from pytest_lambda._suite.from_template import suite_plan, with_template_filter
    from pytest_lambda._template.app import load_app
    from pytest_lambda._template.intrinsics import Stack

    root = Path(ns.root if ns.root is not None else os.getcwd())
    only = [f for f in [ns.handler, *ns.functions] if f]
    if ns.filter is not None:
        raise CLIError("--filter does not apply with --template: each event source mapping's "
                       "FilterCriteria in the template is used")  # fmt: skip
    user_env = checked_env(ns.env)  # over the template's variables, key by key
    entries = import_entries(ns.layer, ns.path)
    path_args = tuple(("path", os.path.abspath(d)) for d in ns.path) + tuple(
        ("layer", os.path.abspath(d)) for d in ns.layer
    )
    try:
        check_cli_moto(ns.moto, ns.moto_setup, ns.isolation)
        kinds = parse_kinds(ns.events, "--events") if ns.events else []
        stack = Stack(region=ns.region, parameters=_parameters(ns.parameter))
        app = load_app(ns.template, stack=stack)
        known = app.resolver.parameters
        unknown = [name for name in stack.parameters if name not in known]
        if unknown:  # a typo would silently leave the default in force
            raise CLIError(
                f"--parameter {unknown[0]}: {ns.template} has no such parameter; its "
                f"parameters: {', '.join(known) or 'none'}"
            )
        for name in only:
            if name not in app.functions:
                app.function(name)  # raises: not a function / no such resource
        params = load_event_params(root / "pyproject.toml")
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
    seed = ns.seed if ns.seed is not None else random.SystemRandom().randrange(10**6, 10**7)
    base = SuiteOptions(
        seed=seed, region=ns.region, isolation=ns.isolation, moto=ns.moto,
        moto_setup=ns.moto_setup, root=str(root), params_by_kind=params,
        ignore_state=ignored_state(ns.ignore_state, ns.moto or bool(ns.moto_setup)),
        import_paths=entries, path_args=path_args, template_parameters=stack.parameters,
    )  # fmt: skip
    out = sys.stdout
    rows: list[tuple[str, str, dict[str, str], int]] = []
    notes: list[str] = []
    starred: dict[tuple[str, str], list[str]] = {}
    shared: dict[str, list[str]] = {}
    json_rows: list[dict[str, object]] = []
    failed = 0
    if ns.json:
        out = io.StringIO()  # the reports are in the findings; only the document is printed
    plan = suite_plan(app, base, only=only, kinds=kinds)
    if not any(p.kinds or p.problem for p in plan):  # nothing would be checked: not a pass
        why = "; ".join(f"{p.logical_id}: {p.skip_reason}" for p in plan) or "no function"
        raise CLIError(f"nothing to check in {app.file}: {why}")
    for planned in plan:
        if planned.options is None:
            if planned.problem is not None:
                failed += 1
                out.write(f"FAILED {planned.logical_id}\n{planned.problem}\n\n")
                json_rows.append({"function": planned.logical_id, "verdict": "not configured",
                                  "findings": [{"code": "template.function", "severity": "error",
                                                "message": planned.problem}]})  # fmt: skip
                notes.append(f"{planned.logical_id}: not configured (see above)")
            else:
                notes.append(f"{planned.logical_id}: skipped: {planned.skip_reason}")
            continue
        notes += [f"{planned.logical_id}: trigger {t} skipped: {why}"
                  for t, why in planned.skipped_triggers]  # fmt: skip
        fn = app.functions[planned.logical_id]
        for note in fn.notes:  # one line per note, naming every function it applies to
            shared.setdefault(note, []).append(planned.logical_id)
        results: list[CheckResult] = []
        for kind in planned.kinds:  # one run per kind: each mapping has its own FilterCriteria
            try:
                options = with_template_filter(planned.options, fn.filter_criteria(kind), kind)
            except InvalidOption as exc:
                failed += 1
                out.write(f"FAILED {planned.logical_id}::{kind}\n{exc}\n\n")
                continue
            options = dataclasses.replace(options, env={**options.env, **user_env})
            results += run_checks(planned.handler, [kind], options)
        json_rows += [{"function": planned.logical_id, **_json_row(r)} for r in results]
        for kind in planned.kinds:
            mine = [r for r in results if r.kind == kind]
            cells = {r.check: r.outcome + "*" * bool(r.note) for r in mine}
            rows.append((planned.logical_id, kind, cells, sum(r.invocations for r in mine)))
            for r in mine:
                if r.note:  # one line per note, naming where it applies
                    starred.setdefault((r.check, r.note), []).append(f"{planned.logical_id} {kind}")
        told: set[tuple[str, str]] = set()  # a kind's set-up problem is shown once
        for r in results:
            if r.outcome == "failed":
                failed += 1
                setup = next((f.code for f in r.findings if f.code.startswith("setup.")), None)
                if setup is not None and (r.kind, setup) in told:
                    continue
                if setup is not None:
                    told.add((r.kind, setup))
                    out.write(f"FAILED {planned.logical_id}::{r.kind} (every check: {setup})\n"
                              f"{r.report.rstrip()}\n\n")  # fmt: skip
                    continue
                out.write(
                    f"FAILED {planned.logical_id}::{r.kind}::{r.check}\n{r.report.rstrip()}\n\n"
                )
    notes += [f"{', '.join(ids)}: {note}" for note, ids in shared.items()]
    notes += [f"* {check} ({', '.join(where)}): {note}" for (check, note), where in starred.items()]
    if ns.json:
        doc = {"template": app.file, "seed": seed, "results": json_rows, "notes": notes}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 1 if failed else 0
    out.write(f"{app.file} (seed {seed})\n")
    for line in template_table(rows, notes):
        out.write(line + "\n")
    return 1 if failed else 0
