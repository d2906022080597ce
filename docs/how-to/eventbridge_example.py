"""EventBridge recipe: schedules, custom events, at-least-once delivery and failure records."""

from __future__ import annotations

from pathlib import Path

from pytest_lambda import LambdaRunner, events, failure_destination_record, redeliver

HERE = Path(__file__).parent


def test_schedule_rule_target():
    event = events.eventbridge(seed=1, variant="scheduled", rule="nightly-report",
                               time="2026-11-22T02:00:07Z")  # fmt: skip
    assert event["time"] == "2026-11-22T02:00:00Z"  # schedules fire on the minute
    assert event["detail"] == {}
    with LambdaRunner("eventbridge_app.nightly", root=HERE) as runner:
        assert runner.invoke(event).response == "nightly-report at 2026-11-22T02:00:00Z"


def test_a_redelivered_event_is_handled_once(lambda_event):
    event = lambda_event.eventbridge(source="com.example.orders", detail_type="OrderPlaced",
                                     detail={"orderId": "o-7"})  # fmt: skip
    with LambdaRunner("eventbridge_app.on_order", root=HERE) as runner:
        assert runner.invoke(event).response == "handled"
        # EventBridge delivers at least once, and Lambda retries a failed async invoke:
        # both bring the same event, with the same id, again.
        assert runner.invoke(redeliver(event)).response == "duplicate"


def test_what_the_on_failure_destination_receives(lambda_event):
    event = lambda_event.eventbridge(detail={"orderId": "o-8"})
    error = {"errorMessage": "payment service down", "errorType": "RuntimeError"}
    record = failure_destination_record(event, error)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3  # the invoke + 2 retries
    assert record["requestPayload"] == event
    assert record["responsePayload"] == error


SCHEDULE_INPUT = {"job": "report", "for": "<aws.scheduler.scheduled-time>",
                  "run": "<aws.scheduler.execution-id>"}  # fmt: skip
SCHEDULE = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/daily-report"


def test_eventbridge_scheduler_delivers_the_schedule_input():
    payload = events.scheduler_input(SCHEDULE_INPUT, schedule_arn=SCHEDULE, seed=3,
                                     scheduled_time="2026-11-22T02:00:00Z")  # fmt: skip
    assert payload["for"] == "2026-11-22T02:00:00Z"
    assert len(payload["run"]) == 16  # the execution id of this attempt
    # Scheduler's retry after a failed Invoke: a new execution id, the same scheduled time
    retry = events.scheduler_input(SCHEDULE_INPUT, schedule_arn=SCHEDULE, seed=3, attempt=2,
                                   scheduled_time="2026-11-22T02:00:00Z")  # fmt: skip
    assert retry["for"] == payload["for"]
    assert retry["run"] != payload["run"]
    with LambdaRunner("eventbridge_app.scheduled_report", root=HERE) as runner:
        assert runner.invoke(payload).response == "report for 2026-11-22T02:00:00Z"
        assert runner.invoke(retry).response == "already done"  # keyed on the scheduled time


def test_a_schedule_without_input_sends_an_envelope():
    event = events.eventbridge(seed=2, variant="scheduler", schedule="daily-report")
    assert event["source"] == "aws.scheduler"
    assert event["detail"] == "{}"  # the text, not an object
    assert event["resources"][0].endswith(":schedule/default/daily-report")
