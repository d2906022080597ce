"""Run one corpus case through ``pytest-lambda check --json`` (in-process) and score it.

Shared by ``tests/corpus/test_corpus.py`` (a test per case and label) and
``benchmarks/checks_precision.py`` (precision and recall). A case is a folder with the
handler's modules and ``case.json`` (see ``docs/explanation/checks.md``): ``args`` are
the ``pytest-lambda check`` arguments, run with ``--root <the folder> --json``; ``expect``
the error-level codes the checks must produce, ``expect_warnings`` the warning codes,
``must_not`` codes that would be false alarms. A case this version cannot run (a flag it
does not know yet, moto missing) is :class:`CannotRun` with the reason, not a crash.
Cost: the checks of the case (tens to hundreds of handler runs, about a second).
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent

__all__ = ["CORPUS", "CannotRun", "Case", "Outcome", "load_cases", "run_case"]


class CannotRun(Exception):
    """This version cannot run the case; the message says why."""


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    args: list[str]
    expect: tuple[str, ...]
    expect_warnings: tuple[str, ...]
    must_not: tuple[str, ...]
    description: str
    why: str

    def labels(self) -> list[tuple[str, str]]:
        """``(label, code)`` pairs, one test each; a correct handler gets ``no-error``."""
        out = [("expect", c) for c in self.expect]
        out += [("expect_warnings", c) for c in self.expect_warnings]
        out += [("must_not", c) for c in self.must_not]
        if not self.expect:
            out.append(("no-error", "*"))
        return out


@dataclass
class Outcome:
    """What the checks produced: error- and warning-level codes, the document and exit code."""

    errors: set[str] = field(default_factory=set)
    warnings: set[str] = field(default_factory=set)
    document: dict[str, Any] = field(default_factory=dict)
    exit_code: int = 0

    def failing(self, code: str) -> str:
        """The findings carrying ``code``, for an assertion message."""
        lines = [
            f"{r['kind']}::{r['check']}: {f['severity']} {f['code']}: {f['message']}"
            for r in self.document.get("results", [])
            for f in r["findings"]
            if code in ("*", f["code"])
        ]
        return "\n".join(lines) or "(none)"


def _strings(raw: dict[str, Any], key: str, name: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name}/case.json: {key!r} must be a list of strings")
    return tuple(value)


def load_cases(root: Path = CORPUS) -> list[Case]:
    """Every ``<root>/*/case.json``, sorted by folder name."""
    cases = []
    for path in sorted(root.glob("*/case.json")):
        raw = json.loads(path.read_text())
        name = path.parent.name
        args = raw.get("args")
        if not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args):
            raise ValueError(f"{name}/case.json: 'args' must be a non-empty list of strings")
        cases.append(
            Case(
                name=name,
                folder=path.parent,
                args=args,
                expect=_strings(raw, "expect", name),
                expect_warnings=_strings(raw, "expect_warnings", name),
                must_not=_strings(raw, "must_not", name),
                description=str(raw.get("description", "")),
                why=str(raw.get("why", "")),
            )
        )
    return cases


def _needs_moto(args: list[str]) -> bool:
    return any(a == "--moto" or a.startswith("--moto-setup") for a in args)


def run_case(case: Case) -> Outcome:
    """Run the case's checks in this process and collect the codes (CannotRun: why not)."""
    if _needs_moto(case.args):
        try:
            import boto3  # noqa: F401
            import moto  # noqa: F401
        except ImportError:
            raise CannotRun("moto and boto3 are not installed (the [moto] extra)") from None
    from pytest_lambda.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    argv = ["check", *case.args, "--root", str(case.folder), "--json"]
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    if code == 2:  # a usage error: a flag or a kind this version does not have yet
        last = (stderr.getvalue().strip().splitlines() or ["(no message)"])[-1]
        raise CannotRun(f"pytest-lambda check refused the case's arguments: {last}")
    try:
        document = json.loads(stdout.getvalue())
    except ValueError:
        raise AssertionError(
            f"{case.name}: check --json printed no JSON document (exit {code}):\n"
            f"{stdout.getvalue()}{stderr.getvalue()}"
        ) from None
    outcome = Outcome(document=document, exit_code=code)
    for result in document["results"]:
        for finding in result["findings"]:
            if finding["severity"] == "error":
                outcome.errors.add(finding["code"])
            elif finding["severity"] == "warning":
                outcome.warnings.add(finding["code"])
    return outcome
