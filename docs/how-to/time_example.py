"""Recipes for time: freeze it, move it, and test timeouts without waiting."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
pytestmark = pytest.mark.lambda_handler("time_app.handler", root=HERE, timeout=3)


@pytest.mark.lambda_clock("2026-03-01T12:00:00Z")
def test_handler_sees_the_frozen_time(lambda_event, lambda_runner):
    result = lambda_runner.invoke(lambda_event.sqs(records=1))

    assert result.response["at"].startswith("2026-03-01T12:00:00")


@pytest.mark.lambda_clock("2026-03-01T12:00:00Z")
def test_stops_before_the_deadline(lambda_event, lambda_runner):
    # 3 s timeout, 0.5 s per record, stop when < 1 s is left: records start with
    # 3.0, 2.5, 2.0, 1.5 and 1.0 s left, so 5 of the 10 are done
    result = lambda_runner.invoke(lambda_event.sqs(records=10))

    assert result.ok
    assert result.response["done"] == 5


def test_move_and_shift(lambda_clock):
    lambda_clock.move_to("2026-03-01T12:00:00Z")
    lambda_clock.shift(90)

    assert lambda_clock.now().isoformat().startswith("2026-03-01T12:01:30")


@pytest.mark.lambda_handler("time_app.slow", root=HERE, timeout=3)
@pytest.mark.lambda_clock("2026-03-01T12:00:00Z")
def test_timeout_without_waiting(lambda_runner):
    result = lambda_runner.invoke({})

    assert result.timed_out
    assert result.error_type == "Sandbox.Timedout"
    assert "Task timed out after 3.00 seconds" in result.error.message
