"""SQS consumer reporting partial batch failures: a message whose body is not JSON is
reported as failed, the others are taken.

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import json
from typing import Any


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, list[dict[str, str]]]:
    failed = []
    for record in event["Records"]:
        try:
            json.loads(record["body"])
        except ValueError:
            failed.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failed}
