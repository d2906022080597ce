"""The public API used as a user would, checked by mypy (see pyproject); never run as tests."""

from __future__ import annotations

from typing import Any

from pytest_lambda import (
    IdempotencyReport,
    Invocation,
    LambdaClock,
    LambdaContext,
    LambdaEventFactory,
    LambdaRunner,
    events,
    redeliver,
)


def uses_events() -> None:
    event: dict[str, Any] = events.sqs(seed=1, records=2, overrides={"Records.0.body": "x"})
    kind: str = events.validate(event)
    detected: str | None = events.detect(event)
    schema: dict[str, Any] = events.schema(kind)
    broken: list[str] = events.check_invariants(event, kind)
    again: dict[str, Any] = redeliver(event, "sqs", attempt=2)
    del detected, schema, broken, again


def uses_fixtures(
    lambda_event: LambdaEventFactory,
    lambda_runner: LambdaRunner,
    lambda_clock: LambdaClock,
    lambda_context: LambdaContext,
) -> None:
    lambda_clock.move_to("2026-11-22T10:00:00Z")
    lambda_clock.shift(1.5)
    remaining: int = lambda_context.get_remaining_time_in_millis()
    result: Invocation = lambda_runner.invoke(lambda_event.apigw_v2(method="GET"))
    ok: bool = result.ok
    report: IdempotencyReport = lambda_runner.check_idempotency(lambda_event("sqs"))
    report.assert_ok()
    with LambdaRunner("app.handler", timeout=1.0, memory_mb=256) as runner:
        runner.new_environment()
    del remaining, ok
