"""The suite's checks driven directly (``run_check``/``run_checks``), without pytest items."""

from __future__ import annotations

import sys

import pytest

from pytest_lambda._suite import CHECKS, SuiteOptions, run_check, run_checks


@pytest.fixture
def root(tmp_path):
    def write(source: str) -> str:
        (tmp_path / "app.py").write_text(source)
        return str(tmp_path)

    return write


def test_warm_reuse_is_skipped_with_a_reason_without_the_leak_module(root, monkeypatch):
    monkeypatch.setitem(sys.modules, "pytest_lambda._leaks", None)
    opts = SuiteOptions(seed=1, root=root("def handler(e, c):\n    return {}\n"))
    result = run_check("app.handler", "sqs", "warm-reuse", opts)
    assert result.outcome == "skipped"
    assert result.report == (
        "warm-reuse: the warm-reuse check (pytest_lambda._leaks) is not available in this version"
    )
    assert result.invocations == 0


def test_rest_api_answer_without_status_code_is_not_robust(root):
    opts = SuiteOptions(seed=4, root=root("def handler(e, c):\n    return 'ok'\n"))
    result = run_check("app.handler", "apigw_v1", "robust", opts)
    assert result.outcome == "failed"
    assert result.report.splitlines()[:3] == [
        "app.handler is not robust to malformed apigw_v1 events: it must answer with a status "
        "code (a 4xx for a bad request) and never time out",
        "",
        "  body is invalid JSON: answered without a statusCode: 'ok'",
    ]
    assert result.report.splitlines()[-1].startswith("reproduce with --lambda-seed=4: ")


def test_non_api_kinds_may_raise_on_malformed_events(root):
    source = "def handler(e, c):\n    return [r['body'].upper() for r in e['Records']]\n"
    result = run_check("app.handler", "sqs", "robust", SuiteOptions(seed=2, root=root(source)))
    assert result.outcome == "passed"


def test_bad_generator_params_fail_the_check_with_the_message(root):
    opts = SuiteOptions(
        seed=1,
        root=root("def handler(e, c):\n    return {}\n"),
        params_by_kind={"sqs": {"records": "many"}},
    )
    result = run_check("app.handler", "sqs", "invokes", opts)
    assert result.outcome == "failed"
    assert result.report.startswith("invokes could not run: InvalidEventSpec: ")
    assert "[tool.pytest_lambda.events.sqs]" in result.report


def test_run_checks_order_and_progress(root):
    seen = []
    results = run_checks(
        "app.handler",
        ["s3", "sns"],
        seed=5,
        root=root("def handler(e, c):\n    return {}\n"),
        on_result=seen.append,
    )
    assert [r.nodeid for r in results] == [
        f"app.handler::{kind}::{check}" for kind in ("s3", "sns") for check in CHECKS
    ]
    assert seen == results
    assert {r.seed for r in results} == {5}
