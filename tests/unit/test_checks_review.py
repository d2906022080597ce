"""The checks on handlers written as teams write them (review of issue 17's first wave).

Each test fails on the code before the fix it names: SES sends were not compared, per-run
uuids in overwritten values and ISO 8601 basic timestamps were taken for repeated writes,
a lazily filled config dict was called a cache, a failing ``invokes`` check carried no
code, the robust check overwrote the set-up's S3 object with sample bytes and repeated one
error per variant, a warning's note was empty, and observe() was called blind without
naming the calls it cannot see.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda._checks.idempotency.derived import derived_pairs
from pytest_lambda._checks.statediff import Change
from pytest_lambda.cli import main


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(textwrap.dedent(source))


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    main(["check", *argv, "--json"])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _findings(document: dict[str, Any], check: str) -> list[dict[str, str]]:
    return [f for r in document["results"] if r["check"] == check for f in r["findings"]]


# -- derived values: per-run uuids and compact timestamps ------------------------------


def test_a_value_overwritten_with_a_new_uuid_is_one_write() -> None:
    before = {"payment_id": "p-1", "receipt": "740ec14f-221d-4ddd-9c05-46431e2376c3"}
    after = {"payment_id": "p-1", "receipt": "be62afe2-1c9e-41c0-85f8-62378325239f"}
    change = Change("state['payments']['payment_id=p-1']['receipt']", "changed",
                    before["receipt"], after["receipt"])  # fmt: skip
    rest, pairs, kinds = derived_pairs([change], [])
    assert rest == []
    assert pairs == [(change, change)]
    assert kinds == {"a random id (a new uuid on every run)"}


def test_a_new_uuid_whose_last_group_holds_ten_digits_is_still_one_write() -> None:
    """'…-fc1032280959' holds digits that read as epoch seconds: blanked as a time first, the
    uuid went unrecognised and a correct handler got a duplicate-write (an intermittent false
    alarm on Powertools' receipt ids, about one run in twenty)."""
    change = Change("state['payments']['payment_id=p-1']['receipt']", "changed",
                    "7a1ee8c4-b1f0-4ab8-aa7a-ebd9a4448ce5",
                    "a5a60eca-1b34-479e-a316-fc1032280959")  # fmt: skip
    wrapped = Change("state['idempotency']['id=x']['data']", "changed",
                     '{"receipt": "7a1ee8c4-b1f0-4ab8-aa7a-ebd9a4448ce5"}',
                     '{"receipt": "a5a60eca-1b34-479e-a316-fc1032280959"}')  # fmt: skip
    rest, _, kinds = derived_pairs([change, wrapped], [])
    assert rest == []
    assert kinds == {"a random id (a new uuid on every run)"}


@pytest.mark.parametrize("frozen_at", ["1999-06-01T00:00:00Z", "2026-12-08T00:00:00Z"])
def test_expiries_of_a_clock_frozen_in_any_year_are_time_derived(frozen_at: str) -> None:
    """Epochs before 2001-09-09 have nine digits: near the check's clock they are times too
    (a test that froze its clock in 1999 got a duplicate-write on Powertools' expiries)."""
    from datetime import datetime

    now = datetime.fromisoformat(frozen_at.replace("Z", "+00:00")).timestamp()
    before = {"expiration": int(now) + 3600, "in_progress_expiration": int(now * 1000) + 3000}
    after = {"expiration": int(now) + 3690, "in_progress_expiration": int(now * 1000) + 93000}
    changes = [
        Change(f"state['idempotency']['id=x']['{k}']", "changed", before[k], after[k])
        for k in before
    ]
    rest, _, kinds = derived_pairs(changes, [], now)
    assert rest == []
    assert kinds == {"the invocation time"}
    # without the clock's time a nine-digit number is no time: a counter stays a counter
    if frozen_at.startswith("1999"):
        assert derived_pairs(changes[:1], [])[0] == changes[:1]


def test_a_counter_is_never_a_derived_value() -> None:
    change = Change("state['views']['page=a']['n']", "changed", 1, 2)
    assert derived_pairs([change], []) == ([change], [], set())


def test_an_iso_8601_basic_timestamp_in_an_s3_key_is_time_derived() -> None:
    removed = Change("state['s3']['out']['json/20261207T050938000000.jsonl']", "removed", "68ff")
    added = Change("state['s3']['out']['json/20261207T051038000000.jsonl']", "added", None, "68ff")
    rest, pairs, kinds = derived_pairs([removed, added], [])
    assert (rest, pairs, kinds) == ([], [(removed, added)], {"the invocation time"})


# -- invokes: real codes ---------------------------------------------------------------

SOME_EVENTS_FAIL = """
import os

def handler(event, context):
    if event["httpMethod"] == "DELETE":
        return {"statusCode": 202, "body": os.environ["REFUND_TOPIC_ARN"]}
    return {"statusCode": 200, "body": "ok"}
"""


def test_a_failing_invokes_check_carries_handler_error_not_invokes_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, monkeypatch, SOME_EVENTS_FAIL)
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.pytest_lambda.events.apigw_v1]]\nmethod = "GET"\n'
        '[[tool.pytest_lambda.events.apigw_v1]]\nmethod = "DELETE"\n'
    )
    document = _json(capsys, ["app.handler", "--events", "apigw_v1", "--seed", "3"])
    invokes = _findings(document, "invokes")
    assert [(f["code"], f["severity"]) for f in invokes] == [("invokes.handler-error", "error")]
    assert invokes[0]["message"].endswith(" apigw_v1 events: KeyError: 'REFUND_TOPIC_ARN'")
    # only some events fail: not a set-up problem of every event
    codes = {f["code"] for r in document["results"] for f in r["findings"]}
    assert "setup.missing-env-var" not in codes
    main(["check", "app.handler", "--events", "apigw_v1", "--seed", "3"])
    out = capsys.readouterr().out
    assert (
        "\nFix: only these events read the environment variable REFUND_TOPIC_ARN "
        "(os.environ['REFUND_TOPIC_ARN']), which is not set: if the function has it, give it "
        "(pytest-lambda check --env REFUND_TOPIC_ARN=VALUE); if it may be absent, read it "
        "with os.environ.get and answer an error on purpose\nFix: handle these events" in out
    )
    robust = _findings(document, "robust")
    assert robust == [
        {
            "code": "robust.unhandled-exception",
            "severity": "error",
            "message": "set 2: every one of the 7 variants raised KeyError: 'REFUND_TOPIC_ARN' "
            "(the same error whatever the input, so its shape is not the cause: see the "
            "invokes check)",
        }
    ]


def test_a_timeout_in_invokes_is_invokes_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(
        tmp_path, monkeypatch, "import time\n\ndef handler(event, context):\n    time.sleep(5)\n"
    )
    document = _json(capsys, ["app.handler", "--events", "sqs", "--seed", "3", "--timeout", "1"])
    codes = [f["code"] for f in _findings(document, "invokes")]
    assert codes == ["invokes.timeout"]
    assert not any(
        f["code"].endswith(".failed") for r in document["results"] for f in r["findings"]
    )


# -- warm reuse: a config dict filled once is not a cache --------------------------------

LAZY_CONFIG = """
import os

_CONFIG = {}


def handler(event, context):
    if not _CONFIG:
        _CONFIG.update({"table": os.environ.get("TABLE", "t"), "currency": "EUR"})
    return {"statusCode": 200, "body": _CONFIG["currency"]}
"""

GROWING_CACHE = """
_SEEN = {}


def handler(event, context):
    _SEEN[context.aws_request_id] = 1
    return {"statusCode": 200, "body": "ok"}
"""


def test_a_config_dict_filled_once_is_not_a_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, monkeypatch, LAZY_CONFIG)
    document = _json(capsys, ["app.handler", "--events", "apigw_v2", "--seed", "3"])
    assert _findings(document, "warm-reuse") == []


def test_a_dict_growing_with_every_request_is_still_a_leak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, monkeypatch, GROWING_CACHE)
    document = _json(capsys, ["app.handler", "--events", "apigw_v2", "--seed", "3"])
    assert [f["code"] for f in _findings(document, "warm-reuse")] == ["leaks.global-growth"]


# -- idempotency: SES, blind observe, notes ---------------------------------------------

SES_SENDER = """
import boto3

SES = boto3.client("ses")


def handler(event, context):
    for record in event["Records"]:
        SES.send_email(
            Source="welcome@example.com",
            Destination={"ToAddresses": ["user@example.com"]},
            Message={"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Welcome"}}},
        )
"""

SES_SETUP = """
import boto3


def create():
    boto3.client("ses").verify_email_identity(EmailAddress="welcome@example.com")
"""

PUT_EVENTS = """
import boto3

EVENTS = boto3.client("events")


def handler(event, context):
    EVENTS.put_events(Entries=[{"Source": "shop", "DetailType": "Seen", "Detail": "{}"}])
"""


def test_a_duplicate_ses_email_is_a_duplicate_side_effect_with_ses_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("moto")
    _project(tmp_path, monkeypatch, SES_SENDER)
    (tmp_path / "ses_setup.py").write_text(textwrap.dedent(SES_SETUP))
    main(["check", "app.handler", "--events", "dynamodb", "--seed", "3",
          "--moto-setup", "ses_setup:create"])  # fmt: skip
    out = capsys.readouterr().out
    assert (
        "a duplicate delivery changed the state (1 added): the email was sent again "
        "(sender 'welcome@example.com')\n" in out
    )
    assert (
        "    fix: make the SES send happen once per event: SES has no deduplication, so record "
        "eventID (or dynamodb.SequenceNumber) in an idempotency record (a conditional put, or "
        "Powertools' idempotency utility) before sending and skip the send when the record "
        "exists\n" in out
    )


def test_blind_observe_names_the_calls_moto_state_cannot_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("moto")
    _project(tmp_path, monkeypatch, PUT_EVENTS)
    # the state cannot show the repeat (the warning says why); the repeated, answered call
    # itself does: a duplicate side effect
    assert main(["check", "app.handler", "--events", "sqs", "--seed", "3", "--moto"]) == 1
    out = capsys.readouterr().out
    assert (
        "the duplicate delivery sent again what the first one sent (events.PutEvents): each "
        "such call delivers a new message" in out
    )
    assert "observe() does not show these sends" in out


def test_a_handler_without_aws_writes_is_not_called_blind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("moto")
    _project(
        tmp_path, monkeypatch, "def handler(event, context):\n    return {'statusCode': 200}\n"
    )
    document = _json(capsys, ["app.handler", "--events", "apigw_v2", "--seed", "3", "--moto"])
    assert _findings(document, "idempotent") == []


def test_a_body_argument_shows_no_memory_address() -> None:
    import io

    from pytest_lambda._checks.statediff import short

    assert short({"Key": "a", "Body": io.BytesIO(b"x")}) == "{'Key': 'a', 'Body': <_io.BytesIO>}"
