"""EventBridge Scheduler targets: the no-input envelope and ``events.scheduler_input``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_lambda import ArgumentTypeError, InvalidEventSpec, events, redeliver
from pytest_lambda._checks.redeliver import same_request_id

ARN = "arn:aws:scheduler:eu-west-1:111122223333:schedule/jobs/nightly"
ALL = {
    "arn": "<aws.scheduler.schedule-arn>",
    "at": "<aws.scheduler.scheduled-time>",
    "run": "<aws.scheduler.execution-id>",
    "n": "<aws.scheduler.attempt-number>",
}


def test_the_no_input_envelope() -> None:
    event = events.eventbridge(seed=1, variant="scheduler", schedule="nightly",
                               schedule_group="jobs", region="eu-west-1",
                               account_id="111122223333", time="2026-11-22T02:00:41Z")  # fmt: skip
    assert event == {
        "version": "0",
        "id": event["id"],
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": "111122223333",
        "time": "2026-11-22T02:00:00Z",
        "region": "eu-west-1",
        "resources": [ARN],
        "detail": "{}",
    }
    assert events.detect(event) == "eventbridge"
    assert events.check_invariants(event) == []
    assert redeliver(event) == event  # asynchronous: Lambda retries the same event
    assert same_request_id("eventbridge") is True


def test_the_envelope_as_users_captured_it_passes() -> None:
    captured = {  # aws/aws-lambda-dotnet#1864 with a 12-digit account in place of the redacted one
        "version": "0", "id": "49672d39-8c3a-4cc6-8de5-c57b0acf718f",
        "detail-type": "Scheduled Event", "source": "aws.scheduler", "account": "123456789012",
        "time": "2024-11-07T22:05:00Z", "region": "eu-central-1",
        "resources": ["arn:aws:scheduler:eu-central-1:123456789012:schedule/default/test-schedule"],
        "detail": "{}",
    }  # fmt: skip
    assert events.validate(captured) == "eventbridge"
    assert events.check_invariants(captured) == []
    captured["detail"] = "\n{}\n"  # aws/aws-lambda-java-libs#479
    assert events.check_invariants(captured) == []


@pytest.mark.parametrize(
    ("change", "broken"),
    [
        ({"detail": "not json"}, "an EventBridge Scheduler event has detail '{}' (JSON text, a string), not 'not json'"),
        ({"resources": []}, "a Scheduler event has exactly one resource (its schedule's ARN), not []"),
        ({"resources": ["arn:aws:events:eu-west-1:111122223333:rule/x"]}, "resources[0] 'arn:aws:events:eu-west-1:111122223333:rule/x' is not an EventBridge Scheduler schedule ARN"),
        ({"account": "999999999999"}, f"resources[0] {ARN!r} is not in the event's region 'eu-west-1' and account '999999999999'"),
    ],
)  # fmt: skip
def test_scheduler_invariants(change: dict[str, Any], broken: str) -> None:
    event = events.eventbridge(seed=2, variant="scheduler", schedule="nightly",
                               schedule_group="jobs", region="eu-west-1", account_id="111122223333")  # fmt: skip
    event.update(change)
    assert events.check_invariants(event) == [broken]


def test_a_string_detail_belongs_to_scheduler_events_only() -> None:
    event = events.eventbridge(seed=3, variant="scheduled")
    event["detail"] = "{}"
    assert events.check_invariants(event) == [
        "a Scheduled Event has detail {}, not '{}'",
        "detail is a string; only EventBridge Scheduler events (source aws.scheduler) carry detail "
        "as text, 'aws.events' events carry an object",
    ]


def test_an_overridden_region_moves_the_schedule_arn() -> None:
    event = events.eventbridge(seed=4, variant="scheduler", schedule="nightly",
                               schedule_group="jobs", account_id="111122223333",
                               overrides={"region": "eu-west-1"})  # fmt: skip
    assert event["resources"] == [ARN]


def test_bad_schedule_names() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.eventbridge(seed=1, variant="scheduler", schedule="a b")
    assert str(info.value) == (
        "schedule='a b': a schedule name is 1-64 characters of letters, digits, '.', '-', '_'"
    )
    with pytest.raises(InvalidEventSpec) as info:
        events.eventbridge(seed=1, variant="scheduler", rule="x")
    assert str(info.value) == (
        "rule does not apply to variant='scheduler'; it takes schedule, schedule_group (and replay_name)"
    )


# -- the schedule's own input -------------------------------------------------------------


def test_every_context_attribute_is_replaced() -> None:
    payload = events.scheduler_input(ALL, schedule_arn=ARN, scheduled_time="2026-11-22T02:00:00Z",
                                     seed=5)  # fmt: skip
    assert payload["arn"] == ARN
    assert payload["at"] == "2026-11-22T02:00:00Z"
    assert payload["n"] == "1"
    assert len(payload["run"]) == 16
    assert payload["run"].isalnum()
    assert payload["run"] == payload["run"].lower()


def test_keywords_inside_text_and_json_text_input() -> None:
    text = '{"message": "run <aws.scheduler.attempt-number> of <aws.scheduler.schedule-arn>"}'
    assert events.scheduler_input(text, schedule_arn=ARN, attempt=3) == {
        "message": f"run 3 of {ARN}"
    }
    assert events.scheduler_input({"plain": [1, None]}) == {"plain": [1, None]}


def test_each_attempt_has_its_own_execution_id_and_the_same_run() -> None:
    runs = [events.scheduler_input(ALL, schedule_arn=ARN, seed=6, attempt=n) for n in (1, 2, 3)]
    assert len({r["run"] for r in runs}) == 3
    assert [r["n"] for r in runs] == ["1", "2", "3"]
    assert len({r["at"] for r in runs}) == 1
    assert runs[0] == events.scheduler_input(ALL, schedule_arn=ARN, seed=6)  # deterministic
    assert runs[0]["at"].endswith(":00Z")  # a drawn scheduled time is on the minute


def test_a_drawn_schedule_arn_is_in_the_given_region_and_account() -> None:
    payload = events.scheduler_input(
        ALL, seed=7, region="ap-southeast-2", account_id="210987654321"
    )
    assert payload["arn"].startswith(
        "arn:aws:scheduler:ap-southeast-2:210987654321:schedule/default/"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attempt": 0}, "attempt=0: a schedule makes at most 186 attempts (MaximumRetryAttempts is 0..185); expected 1..186"),
        ({"attempt": 187}, "attempt=187: a schedule makes at most 186 attempts (MaximumRetryAttempts is 0..185); expected 1..186"),
        ({"schedule_arn": "arn:aws:events:x"}, "schedule_arn='arn:aws:events:x': expected arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME"),
    ],
)  # fmt: skip
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.scheduler_input(ALL, **kwargs)
    assert str(info.value) == message


def test_bad_inputs() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.scheduler_input({"t": "<aws.scheduler.scheduled-tme>"})
    assert str(info.value) == (
        "input uses <aws.scheduler.scheduled-tme>: EventBridge Scheduler replaces only "
        "<aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>, "
        "<aws.scheduler.execution-id>, <aws.scheduler.attempt-number>"
    )
    with pytest.raises(InvalidEventSpec) as info:
        events.scheduler_input('{"n": <aws.scheduler.attempt-number>, }')
    assert str(info.value).startswith(
        "input is not JSON once the context attributes are replaced ("
    )
    with pytest.raises(InvalidEventSpec) as info:
        events.scheduler_input({1j})
    assert str(info.value).startswith("input={1j}: not JSON-serialisable (")
    with pytest.raises(ArgumentTypeError) as type_info:
        events.scheduler_input(ALL, attempt="2")  # type: ignore[arg-type]
    assert str(type_info.value) == "attempt='2': expected an int 1..186"


def test_a_number_keyword_outside_quotes_becomes_a_number() -> None:
    assert events.scheduler_input('{"n": <aws.scheduler.attempt-number>}', attempt=2) == {"n": 2}
    assert json.dumps(events.scheduler_input("[]")) == "[]"
