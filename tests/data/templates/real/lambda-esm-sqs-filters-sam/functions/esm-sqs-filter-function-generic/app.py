"""One handler for every filtered mapping: it reports how many messages got through.

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

from typing import Any


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, int]:
    return {"received": len(event["Records"])}
