"""The checks' corpus: a test per case and label (``tests/corpus/<case>/case.json``).

Each case runs once (cached for its labels) through ``pytest-lambda check --json``:
every ``expect`` code is an error-level finding, every ``expect_warnings`` code a
warning, no ``must_not`` code appears at all, and a correct handler (``"expect": []``) gets
no error-level finding. A case this version cannot run yet is skipped with the reason.
Precision and recall over the corpus: ``python benchmarks/checks_precision.py``.
"""

from __future__ import annotations

import pytest
from corpus_run import CannotRun, Case, Outcome, load_cases, run_case

CASES = load_cases()
_RESULTS: dict[str, Outcome | CannotRun] = {}


def _outcome(case: Case) -> Outcome:
    if case.name not in _RESULTS:
        try:
            _RESULTS[case.name] = run_case(case)
        except CannotRun as exc:
            _RESULTS[case.name] = exc
    got = _RESULTS[case.name]
    if isinstance(got, CannotRun):
        pytest.skip(f"{case.name}: {got}")
    return got


@pytest.mark.parametrize(
    ("case", "label", "code"),
    [
        pytest.param(case, label, code, id=f"{case.name}-{label}-{code}")
        for case in CASES
        for label, code in case.labels()
    ],
)
def test_label(case: Case, label: str, code: str) -> None:
    got = _outcome(case)
    if label == "expect":
        assert code in got.errors, (
            f"{case.name}: expected the error {code} ({case.why}); errors found: "
            f"{sorted(got.errors)}\n{got.failing('*')}"
        )
    elif label == "expect_warnings":
        assert code in got.warnings, (
            f"{case.name}: expected the warning {code} ({case.why}); warnings found: "
            f"{sorted(got.warnings)}\n{got.failing('*')}"
        )
    elif label == "must_not":
        assert code not in got.errors | got.warnings, (
            f"{case.name}: {code} is a false alarm here ({case.why}):\n{got.failing(code)}"
        )
    else:
        assert not got.errors, (
            f"{case.name}: a correct handler got error-level findings ({case.why}):\n"
            f"{got.failing('*')}"
        )


def test_the_corpus_has_cases_with_findings_and_correct_handlers() -> None:
    assert any(c.expect for c in CASES)
    assert any(not c.expect for c in CASES)
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_every_failing_check_carries_its_own_codes(case: Case) -> None:
    """``--json`` names each failure by a real code: never the ``<check>.failed`` fallback,
    and a failed verdict always has an error-level finding."""
    got = _outcome(case)
    for result in got.document["results"]:
        codes = [f["code"] for f in result["findings"]]
        assert not [c for c in codes if c.endswith(".failed")], (case.name, result)
        if result["verdict"] == "failed":
            assert any(f["severity"] == "error" for f in result["findings"]), (case.name, result)
