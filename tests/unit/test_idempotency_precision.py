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
    # this test runs the idempotency check alone: the other checks' labels are the corpus's
    expect = {c for c in case["expect"] if c.startswith("idempotency.")}
    assert expect <= errors, str(report)
    assert {c for c in case["expect_warnings"] if c.startswith("idempotency.")} <= warnings
    assert not errors & set(case["must_not"]), str(report)
    if not expect:
        assert report.ok, str(report)


# -- the messages, word for word ---------------------------------------------------------

Reports = dict[str, tuple[dict[str, Any], IdempotencyReport]]
MID = "93b05a04-cd08-4b71-ba66-76b3651c5253"  # the messageId of events.sqs(seed=3)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _lines(report: IdempotencyReport, index: int = 0) -> list[str]:
    return report.findings[index].render(indent="").splitlines()


def _fix(report: IdempotencyReport, index: int = 0) -> str:
    return report.findings[index].fix


def test_a_repeated_read_is_never_the_duplicated_call(reports: Reports) -> None:
    _, report = reports["idem_conditional_put"]
    assert report.findings == ()
    assert report.summary().splitlines()[3] == (
        "side-effect points (2): [1] dynamodb.GetItem on table 'orders' (a read: faulted, "
        "never counted as a duplicate), [2] dynamodb.PutItem on table 'orders'"
    )
    _, forwarder = reports["idem_sqs_forwarder"]
    assert [f.duplicated_call or "" for f in forwarder.findings][1].startswith(
        "sqs.SendMessage({'QueueUrl': 'https://sqs.us-east-1.amazonaws.com/123456789012/validated'"
    )


def test_sqs_duplicate_send_gets_sqs_advice_and_names_the_queue(reports: Reports) -> None:
    _, report = reports["idem_sqs_forwarder"]
    assert [(f.code, f.severity) for f in report.findings] == [
        ("idempotency.duplicate-side-effect", "error"),
        ("idempotency.duplicate-side-effect", "error"),
    ]
    sqs_fix = (
        "make the send happen once per event: on a FIFO queue pass a MessageDeduplicationId "
        "derived from messageId (SQS drops a copy sent within 5 minutes); on a standard queue "
        "record messageId in an idempotency record (a conditional put) before sending and skip "
        "the send when the record exists"
    )
    assert _lines(report)[0] == (
        "[duplicate delivery, warm] a duplicate delivery changed the state (1 added): "
        "the message was sent again (queue 'validated')"
    )
    assert _lines(report, 1)[:2] == [
        "[crash and retry, warm and cold retry] when sqs.SendMessage (point 2, queue "
        "'validated') succeeded but its acknowledgement was lost, the retry repeated "
        "sqs.SendMessage on queue 'validated'",
        "  fault: sqs.SendMessage (point 2, queue 'validated') succeeded but its "
        "acknowledgement was lost",
    ]
    assert _fix(report) == _fix(report, 1) == sqs_fix
    assert "DynamoDB" not in str(report)
    assert "ConditionExpression" not in str(report)
    assert report.summary().splitlines()[3] == (
        "side-effect points (2): [1] sqs.GetQueueUrl on queue 'validated' (a read: faulted, "
        "never counted as a duplicate), [2] sqs.SendMessage on queue 'validated'"
    )


def test_sns_duplicate_publish(reports: Reports) -> None:
    _, report = reports["idem_sns_publish"]
    assert _lines(report)[0] == (
        "[duplicate delivery, warm] a duplicate delivery changed the state (1 added): "
        "the notification was published again (topic 'order-events')"
    )
    assert _fix(report) == (
        "make the publish happen once per event: on a FIFO topic pass a MessageDeduplicationId "
        "derived from messageId; on a standard topic record messageId in an idempotency record "
        "(a conditional put) before publishing and skip the publish when it exists"
    )
    assert report.findings[0].code == "idempotency.duplicate-side-effect"


def test_lambda_invoke_is_state_and_gets_lambda_advice(reports: Reports) -> None:
    _, report = reports["idem_lambda_invoke"]
    assert _lines(report)[:3] == [
        "[duplicate delivery, warm] a duplicate delivery changed the state (1 added): "
        "the function was invoked again (function 'resize-worker')",
        "  state: - after 1 delivery, + after 2 deliveries:",
        "    + state['lambda']['resize-worker'][1]: {'job': '{\"id\":\"97524d6a-f51e-4722-821b-"
        '609228ce6f24","type":"and","customer":"fish","amount":41.64…',
    ]
    assert _fix(report) == (
        "pass an idempotency key derived from messageId in the payload and make the called "
        "function dedupe on it (e.g. Powertools' idempotency utility in the callee)"
    )
    assert _lines(report, 1)[0] == (
        "[crash and retry, warm and cold retry] when lambda.Invoke (point 1, function "
        "'resize-worker') succeeded but its acknowledgement was lost, the retry repeated "
        "lambda.Invoke on function 'resize-worker'"
    )


def test_a_new_version_on_a_versioned_bucket(reports: Reports) -> None:
    _, report = reports["idem_versioned_s3"]
    assert _lines(report)[:3] == [
        "[duplicate delivery, warm] a duplicate delivery changed the state (1 added): a new "
        f"version of the object was written (s3://archive/messages/{MID}.json)",
        "  state: - after 1 delivery, + after 2 deliveries:",
        "    + state['s3']['archive']['messages/93b05a04-cd08-4b71-ba66-76b365…'][1]: "
        "'53ce73bb6e92985dd44268b15a687bd6'",
    ]
    assert _fix(report) == (
        "derive the object key from messageId so a retry writes the same key, and make the put "
        "conditional (put_object(..., IfNoneMatch='*'), treating PreconditionFailed as done): "
        "on a versioned bucket every put adds a version"
    )
    assert report.findings[0].code == "idempotency.duplicate-write"


def test_a_counter_incremented_again(reports: Reports) -> None:
    _, report = reports["idem_sqs_counter"]
    assert _lines(report)[:3] == [
        "[duplicate delivery, warm] a duplicate delivery changed the state (1 changed): "
        "a counter grew again (table 'order_counts')",
        "  state: - after 1 delivery, + after 2 deliveries:",
        "    ~ state['dynamodb']['order_counts']['pk=customer#all']['orders']: 1 → 2",
    ]


def test_a_retried_get_writing_a_second_row(reports: Reports) -> None:
    _, report = reports["idem_get_writes_row"]
    assert not report.ok
    first = _lines(report)
    assert first[0] == (
        "[duplicate delivery, warm] a duplicate delivery changed the state (1 added): "
        "a blind insert wrote the same data again (table 'products')"
    )
    assert _fix(report) == (
        "make the write conditional on a client-supplied idempotency key (an Idempotency-Key "
        "header or an id in the body): put_item with "
        "ConditionExpression='attribute_not_exists(pk)', treating ConditionalCheckFailed as "
        "done, or Powertools' idempotency utility keyed on it"
    )
    # the GetItem before the write is never blamed; a row per attempt under a new uuid
    # after a failure before the write is one row, not "1 added, 1 removed"
    assert not any("GetItem" in f.message and f.severity == "error" for f in report.findings)
    assert [f.code for f in report.findings] == [
        "idempotency.duplicate-write",
        "idempotency.time-derived",
        "idempotency.duplicate-write",
    ]


def test_a_random_session_cookie_is_a_warning_showing_the_field(reports: Reports) -> None:
    import re

    _, report = reports["idem_cookie_get"]
    assert report.ok
    assert {(f.code, f.severity) for f in report.findings} == {
        ("idempotency.response-differs", "warning")
    }
    lines = _lines(report)
    assert lines[0] == (
        "warning: [duplicate delivery, warm] the duplicate delivery's response differs only in "
        "per-request random values (response['headers']['Set-Cookie']: a new id, session "
        "cookie or timestamp on every response); the state is the same, so this is not a "
        "repeated side effect: a warning only"
    )
    assert lines[4] == "  responses differ at:"
    cookie = f"'cartId={UUID}; Path=/; Secure; HttpOnly'"
    assert re.fullmatch(
        rf"    ~ response\['headers'\]\['Set-Cookie'\]: {cookie} → {cookie}", lines[5]
    ), lines[5]
    assert _fix(report) == (
        "nothing to fix if clients do not rely on these values; to answer a retry exactly as "
        "the first request, store the first response with your dedup record"
    )


def test_a_row_keyed_by_the_invocation_time_is_one_write(reports: Reports) -> None:
    _, report = reports["idem_timestamp_row"]
    assert report.ok
    assert [(f.code, f.severity) for f in report.findings] == [("idempotency.time-derived", "info")]
    assert _lines(report)[:2] == [
        "info: [crash and retry, warm retry] the same item apart from values derived from the "
        "invocation time and the request id: state['dynamodb']['audit']['pk=at#2026-01-01T00:00:"
        "30+00:00#93b05a0…'] replaced state['dynamodb']['audit']['pk=at#2026-01-01T00:00:00+00:00"
        "#93b05a0…']; the retry ran later under a new request id and wrote it once, not twice",
        "  fault: dynamodb.TransactWriteItems (point 1, table 'audit') failed before the call "
        "was made",
    ]
    assert report.verdict() == (
        "idempotent: idem_timestamp_row_app.handler passed duplicate delivery, crash and retry "
        "(sqs event)"
    )
