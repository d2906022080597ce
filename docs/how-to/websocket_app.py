"""WebSocket API handler: $connect checks a token, messages echo, $disconnect forgets."""

from __future__ import annotations

import json
from typing import Any

CONNECTIONS: dict[str, str] = {}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx = event["requestContext"]
    connection = ctx["connectionId"]
    if ctx["eventType"] == "CONNECT":
        token = (event.get("queryStringParameters") or {}).get("token")
        if token is None:
            return {"statusCode": 401}  # the client's upgrade request is refused
        CONNECTIONS[connection] = token
        return {"statusCode": 200}
    if ctx["eventType"] == "DISCONNECT":
        CONNECTIONS.pop(connection, None)
        return {"statusCode": 200}
    try:
        message = json.loads(event.get("body") or "")
    except ValueError:
        return {"statusCode": 400, "body": "send JSON"}
    return {"statusCode": 200, "body": json.dumps({"echo": message, "route": ctx["routeKey"]})}
