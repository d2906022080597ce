"""DynamoDB stream consumer that only logs what changed: it returns nothing.

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

from typing import Any


def lambda_handler(event: dict[str, Any], context: object) -> None:
    for record in event["Records"]:
        keys = record["dynamodb"].get("Keys", {})
        print(record["eventName"], keys)
