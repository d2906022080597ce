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
