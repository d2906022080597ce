"""Examples of the reference's fixture section: typed fixtures and the context's clock."""

from __future__ import annotations

import pytest

# --8<-- [start:typed]
from pytest_lambda import LambdaClock, LambdaContext, LambdaEventFactory


def test_typed(lambda_event: LambdaEventFactory) -> None:
    event = lambda_event.sqs(records=2)
    assert len(event["Records"]) == 2


# --8<-- [end:typed]


# --8<-- [start:remaining]
@pytest.mark.lambda_clock("2026-01-01T00:00:00Z")  # frozen before the context is made
def test_remaining_time(lambda_clock: LambdaClock, lambda_context: LambdaContext) -> None:
    lambda_clock.shift(1)
    assert lambda_context.get_remaining_time_in_millis() == 2000  # of the default 3 s


# --8<-- [end:remaining]
