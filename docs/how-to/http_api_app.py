"""HTTP API (API Gateway v2) handler: GET /me reads a JWT claim and a cookie."""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    jwt = event["requestContext"].get("authorizer", {}).get("jwt", {})
    if "profile:read" not in jwt.get("scopes", []):
        return {"statusCode": 403, "body": "missing scope profile:read"}
    cookies = dict(c.split("=", 1) for c in event.get("cookies", []))
    theme = cookies.get("theme", "light")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "cookies": [f"theme={theme}; Path=/; Secure"],
        "body": json.dumps({"user": jwt["claims"]["sub"], "theme": theme}),
    }
