"""ALB target handler: GET /search reads the query, answers in the target group's header mode."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    multi = "multiValueHeaders" in event
    if multi:
        query = {k: v[-1] for k, v in event["multiValueQueryStringParameters"].items()}
        agent = event["multiValueHeaders"].get("user-agent", [""])[-1]
    else:
        query = event["queryStringParameters"]
        agent = event["headers"].get("user-agent", "")
    if agent.startswith("ELB-HealthChecker/"):
        body, status = "ok", 200
    else:
        # ALB passes the query string undecoded: decode it yourself
        body, status = json.dumps({"q": unquote_plus(query.get("q", ""))}), 200
    response: dict[str, Any] = {
        "statusCode": status,
        "statusDescription": f"{status} OK",
        "isBase64Encoded": False,
        "body": body,
    }
    content_type = "application/json" if body != "ok" else "text/plain"
    # the response must use the header field of the target group's mode
    if multi:
        response["multiValueHeaders"] = {"content-type": [content_type]}
    else:
        response["headers"] = {"content-type": content_type}
    return response
