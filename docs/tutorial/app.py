"""The handler of the tutorial: greets the caller of GET /hello/{name}."""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    name = event["pathParameters"]["name"]
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": f"hello, {name}", "requestId": context.aws_request_id}),
    }
