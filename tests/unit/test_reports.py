"""The checks' reports share one base: ok, errors, warnings, str(), assert_ok, one plural()."""

from __future__ import annotations

import pytest

from pytest_lambda import IdempotencyReport, LeakReport, NotIdempotentError, StateLeakError
from pytest_lambda._checks.idempotency.report import DUPLICATE, Finding, ScenarioOutcome
from pytest_lambda._checks.leaks.report import GLOBAL_GROWTH, TMP_FILE, LeakFinding
from pytest_lambda._checks.report import Report, plural


def _leaks() -> LeakReport:
    return LeakReport(
        findings=(
            LeakFinding(GLOBAL_GROWTH, "error", "app._seen", "grew", before="[]", after="[1]"),
            LeakFinding(TMP_FILE, "warning", "/tmp/x", "left behind"),
        ),
        handler_runs=4,
        events=1,
        replays=1,
        reproduce="pytest -k leak",
    )


def _idempotency(severity: str = "error") -> IdempotencyReport:
    finding = Finding(DUPLICATE, severity, "the order was stored twice")  # type: ignore[arg-type]
    return IdempotencyReport(
        kind="sqs",
        findings=(finding,),
        scenarios=(ScenarioOutcome(DUPLICATE, "failed" if severity == "error" else "passed"),),
        handler_runs=2,
        handler="app.handler",
        reproduce="pytest -k idem",
    )


def test_plural() -> None:
    assert [plural(n, "finding") for n in (0, 1, 2)] == ["0 findings", "1 finding", "2 findings"]


def test_both_reports_derive_from_the_base() -> None:
    leaks, idem = _leaks(), _idempotency()
    assert isinstance(leaks, Report)
    assert isinstance(idem, Report)
    assert (leaks.ok, idem.ok) == (False, False)
    assert [f.where for f in leaks.errors] == ["app._seen"]
    assert [f.where for f in leaks.warnings] == ["/tmp/x"]
    assert [f.message for f in idem.errors] == ["the order was stored twice"]
    assert idem.warnings == ()
    assert _idempotency("warning").ok
    assert [f.message for f in _idempotency("warning").warnings] == ["the order was stored twice"]


def test_str_is_verdict_evidence_summary_reproduce() -> None:
    assert str(_leaks()).splitlines() == [
        "state leaks across warm invocations: 1 error (global-growth)",
        "  [global-growth] app._seen: grew",
        "    before : []",
        "    after  : [1]",
        "  warning: [tmp-file] /tmp/x: left behind",
        "handler runs: 4 (1 warm + 1 replayed, 2 cold)",
        "reproduce: pytest -k leak",
    ]
    assert str(_idempotency()).splitlines() == [
        "not idempotent: 1 finding in duplicate delivery (sqs event)",
        "  [duplicate delivery] the order was stored twice",
        "scenarios:",
        "  duplicate delivery: failed",
        "side-effect points (0): none seen",
        "handler runs: 2",
        "reproduce: pytest -k idem",
    ]


def test_assert_ok_raises_the_checks_error_with_its_failure_message() -> None:
    with pytest.raises(StateLeakError) as leak:
        _leaks().assert_ok()
    assert str(leak.value) == _leaks().failure_message()
    assert str(leak.value).splitlines()[-3:] == [
        "handler runs: 4 (1 warm + 1 replayed, 2 cold)",
        "see https://pytest-lambda-toolkit.readthedocs.io/en/latest/how-to/warm-reuse/",
        "reproduce: pytest -k leak",
    ]
    with pytest.raises(NotIdempotentError) as idem:
        _idempotency().assert_ok()
    assert str(idem.value) == _idempotency().failure_message()
    _idempotency("warning").assert_ok()  # warnings do not fail


def test_leak_finding_kind_is_a_deprecated_alias_of_category() -> None:
    finding = _leaks().findings[0]
    assert finding.category == "global-growth"
    with pytest.warns(DeprecationWarning, match="LeakFinding.kind is deprecated") as record:
        assert finding.kind == "global-growth"
    assert [str(w.message) for w in record] == [
        "LeakFinding.kind is deprecated, use LeakFinding.category (the old name goes away in 0.2)"
    ]
    assert record[0].filename == __file__


def test_by_kind_is_a_deprecated_alias_of_by_category() -> None:
    report = _leaks()
    assert [f.where for f in report.by_category(TMP_FILE)] == ["/tmp/x"]
    with pytest.warns(DeprecationWarning, match=r"LeakReport\.by_kind\(\) is deprecated") as rec:
        assert report.by_kind(TMP_FILE) == report.by_category(TMP_FILE)
    assert [str(w.message) for w in rec] == [
        "LeakReport.by_kind() is deprecated, use LeakReport.by_category() "
        "(the old name goes away in 0.2)"
    ]
