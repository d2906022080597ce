"""Function URL handler: POST /orders with IAM auth reads the signed caller."""

from __future__ import annotations

import base64
import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    caller = event["requestContext"].get("authorizer", {}).get("iam", {}).get("userArn")
    if caller is None:
        return {"statusCode": 401, "body": "sign the request (AuthType AWS_IAM)"}
    raw = event.get("body", "")
    text = base64.b64decode(raw).decode() if event["isBase64Encoded"] else raw
    order = json.loads(text)
    # a response without statusCode is fine for a Function URL: 200 and JSON are inferred
    return {"order": order["sku"], "by": caller}
