"""check_idempotency / check_warm_reuse from the package, with handler strings; blind observe()."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import pytest_lambda
from pytest_lambda import check_idempotency, check_warm_reuse, events

STORE = "ROWS = []\n"
APP = """
import blind_store

def handler(event, context):
    for record in event["Records"]:
        blind_store.ROWS.append(record["body"])  # a blind insert into the handler's own module
    return {"batchItemFailures": []}
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "blind_store.py").write_text(STORE)
    (tmp_path / "blind_app.py").write_text(textwrap.dedent(APP))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("blind_store", None)  # the test's own import must not reach later tests


def test_both_checks_are_public_and_take_a_handler_string(root: Path) -> None:
    assert {"check_idempotency", "check_warm_reuse"} <= set(pytest_lambda.__all__)
    report = check_idempotency("blind_app.handler", events.sqs(seed=1), faults=False)
    assert report.handler == "blind_app.handler"
    leaks = check_warm_reuse("blind_app.handler", ("sqs", 3), seed=1)
    assert not leaks.ok  # blind_store.ROWS grows on every warm invocation


def test_observe_that_never_changes_is_a_warning(root: Path) -> None:
    import blind_store  # the test's copy: each environment imports its own

    report = check_idempotency(
        "blind_app.handler",
        events.sqs(seed=1),
        observe=lambda: list(blind_store.ROWS),
        reset=blind_store.ROWS.clear,
    )
    assert report.ok  # nothing the check can see changed, but it says so
    (warning,) = [f for f in report.findings if f.severity == "warning"]
    assert warning.message.startswith(
        "observe() returned the same state before and after a clean delivery"
    )
    assert "each execution environment imports its own copy" in warning.message
    assert "observe() returned the same state" in str(report)
