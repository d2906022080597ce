"""Consumer of the FIFO queue that rejects every message, so each goes to the DLQ
(maxReceiveCount 1) and can be redriven.

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

from typing import Any


class Rejected(Exception):
    """Raised for every message: the pattern shows the redrive, not the processing."""


def lambda_handler(event: dict[str, Any], context: object) -> None:
    for record in event["Records"]:
        raise Rejected(f"message {record['messageId']} rejected")
