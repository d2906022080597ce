"""The idempotency check on the corpus cases of tests/corpus/idem_* (issue 17, part 17a).

Each case is run as ``pytest-lambda check --moto-setup`` would run it: inside moto with the
case's set-up, ``moto_state()`` for observe/reset, an event of the case's kind and seed; the
error codes must include ``expect``, the warning codes ``expect_warnings``, and no
error-level code may be in ``must_not`` (a case with ``expect: []`` must pass).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto")

from pytest_lambda import LambdaRunner, events
from pytest_lambda._checks.idempotency.check import check_idempotency
from pytest_lambda._checks.idempotency.report import IdempotencyReport

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CASES = sorted(p.parent.name for p in CORPUS.glob("idem_*/case.json"))


def _arg(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


def run_case(name: str) -> tuple[dict[str, Any], IdempotencyReport]:
    from datetime import datetime, timezone

    from pytest_lambda import LambdaClock
    from pytest_lambda._checks.moto import moto_state
    from pytest_lambda._checks.moto_setup import mocked_aws

    folder = CORPUS / name
    case = json.loads((folder / "case.json").read_text())
    args = case["args"]
    kind, seed = _arg(args, "--events"), int(_arg(args, "--seed"))
    event = getattr(events, kind)(seed=seed)
    with mocked_aws(_arg(args, "--moto-setup"), "us-east-1", str(folder)):
        observe, reset = moto_state()
        with LambdaClock() as clock:
            clock.move_to(datetime(2026, 1, 1, tzinfo=timezone.utc))  # messages word for word
            with LambdaRunner(args[0], root=folder, clock=clock) as runner:
                report = check_idempotency(runner, event, observe=observe, reset=reset, seed=seed)
    return case, report


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[dict[str, Any], IdempotencyReport]]:
    return {name: run_case(name) for name in CASES}


def test_the_corpus_has_the_cases_of_the_brief() -> None:
    assert len(CASES) >= 9


@pytest.mark.parametrize("name", CASES)
def test_case_labels(
    name: str, reports: dict[str, tuple[dict[str, Any], IdempotencyReport]]
) -> None:
    case, report = reports[name]
    errors = {f.code for f in report.errors}
    warnings = {f.code for f in report.warnings}
    assert set(case["expect"]) <= errors, str(report)
    assert set(case["expect_warnings"]) <= warnings, str(report)
    assert not errors & set(case["must_not"]), str(report)
    if not case["expect"]:
        assert report.ok, str(report)
