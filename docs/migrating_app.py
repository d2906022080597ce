"""A Powertools handler (for the migration examples): stops early when time runs out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="orders")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    done = 0
    for _record in event["Records"]:
        if context.get_remaining_time_in_millis() < 1000:
            logger.warning("stopping early", extra={"left": len(event["Records"]) - done})
            break
        done += 1
    return {"done": done}
