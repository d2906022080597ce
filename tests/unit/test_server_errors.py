"""A handler answering HTTP 5xx failed, though Lambda saw a success: no check passes on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import check_idempotency, check_warm_reuse, events
from pytest_lambda.cli import main

ALWAYS_500 = """
def handler(event, context):
    try:
        raise KeyError("SECRET_ARN")
    except KeyError:
        return {"statusCode": 500, "body": "Internal Server Error"}
"""

POST_500 = """
def handler(event, context):
    if event["requestContext"]["http"]["method"] == "POST":
        return {"statusCode": 500, "body": "Internal Server Error"}
    return {"statusCode": 200, "body": "ok"}
"""

ALWAYS_400 = """
def handler(event, context):
    return {"statusCode": 400, "body": "Unsupported content-type"}
"""


def _check(tmp_path: Path, source: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    (tmp_path / "app.py").write_text(source)
    argv = ["check", "app.handler", "--root", str(tmp_path), "--events", "function_url",
            "--seed", "5", "--json"]  # fmt: skip
    main(argv)
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return {r["check"]: r for r in doc["results"]}


def test_a_handler_answering_500_to_everything_fails_every_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = _check(tmp_path, ALWAYS_500, capsys)
    assert {c: r["verdict"] for c, r in results.items()} == {
        "invokes": "failed", "idempotent": "failed", "warm-reuse": "failed", "robust": "failed",
    }  # fmt: skip
    assert [f["code"] for f in results["invokes"]["findings"]] == ["invokes.server-error"]
    codes = {f["code"] for f in results["warm-reuse"]["findings"]}
    assert "leaks.invocations-failed" in codes


def test_a_500_to_some_requests_fails_invokes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = _check(tmp_path, POST_500, capsys)
    invokes = results["invokes"]
    assert invokes["verdict"] == "failed"
    assert any("answered HTTP 500" in f["message"] for f in invokes["findings"])


def test_refused_requests_are_not_a_plain_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(ALWAYS_400)
    argv = ["check", "app.handler", "--root", str(tmp_path), "--events", "function_url",
            "--seed", "5"]  # fmt: skip
    main(argv)
    out = capsys.readouterr().out
    assert "every answer was 400: the handler refused the generated requests" in out


def test_the_checks_themselves_count_a_500_as_a_failure(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    runner = app_runners(ALWAYS_500)("app.handler")
    event = events.function_url(seed=1)
    report = check_idempotency(runner, event, faults=False)
    assert [f.code for f in report.errors] == ["idempotency.first-delivery-failed"]
    assert "it answered HTTP 500" in report.errors[0].message
    leaks = check_warm_reuse(runner, [event, events.function_url(seed=2)])
    assert leaks.verdict().startswith("not shown free of state leaks")
    assert "answered HTTP 500" in leaks.verdict()


def test_warm_reuse_on_refused_requests_only_says_nothing_was_exercised(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    make = app_runners(ALWAYS_400)
    report = check_warm_reuse(make("app.handler"), [events.function_url(seed=n) for n in range(3)])
    assert report.ok
    assert any(
        n.startswith("every answer was 400: the requests were refused") for n in report.notes
    )

    mixed = app_runners(POST_500)("app.handler")
    sent = [events.function_url(seed=1, method="POST"), events.function_url(seed=2, method="GET")]
    assert check_warm_reuse(mixed, sent).ok  # the GET did its work: compared


BAD_JSON_500 = """
import json


def handler(event, context):
    try:
        json.loads(event.get("body") or "{}")
    except ValueError:
        return {"statusCode": 500, "body": "Internal Server Error"}
    return {"statusCode": 200, "body": "{}"}
"""


def test_robust_fails_a_5xx_answer_to_a_malformed_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(BAD_JSON_500)
    argv = ["check", "app.handler", "--root", str(tmp_path), "--events", "apigw_v1",
            "--seed", "3", "--json"]  # fmt: skip
    main(argv)
    doc = json.loads(capsys.readouterr().out)
    robust = next(r for r in doc["results"] if r["check"] == "robust")
    assert robust["verdict"] == "failed"
    assert "robust.server-error" in {f["code"] for f in robust["findings"]}


def test_a_non_http_handler_returning_status_500_is_not_an_http_answer(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    make = app_runners("def handler(event, context):\n    return {'statusCode': 500}\n")
    report = check_warm_reuse(make("app.handler"), ("sqs", 2), seed=1)
    assert not any(f.code == "leaks.invocations-failed" for f in report.findings)


def test_an_idempotency_check_of_a_refused_request_says_only_a_refusal_was_compared(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    runner = app_runners(ALWAYS_400)("app.handler")
    report = check_idempotency(runner, events.function_url(seed=1), faults=False)
    assert report.ok
    assert any(n.startswith("every answer was 400: the request was refused") for n in report.notes)


REJECTS_ALL = """
def handler(event, context):
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}
"""


def test_a_consumer_rejecting_every_record_is_a_starred_pass_of_invokes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(REJECTS_ALL)
    argv = ["check", "app.handler", "--root", str(tmp_path), "--events", "sqs", "--seed", "3",
            "--json"]  # fmt: skip
    main(argv)
    doc = json.loads(capsys.readouterr().out)
    invokes = next(r for r in doc["results"] if r["check"] == "invokes")
    assert invokes["verdict"] == "passed"
    assert invokes["note"].startswith(
        "every record of the 5 batches was reported in batchItemFailures"
    )
