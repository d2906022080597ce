"""An HTTP API handler keeping an in-memory audit log of request ids at module level, meant
to be flushed "later" (it never is): the list grows with every warm invocation, a memory
leak that ends in an out-of-memory error on a busy function."""

from __future__ import annotations

import json
from typing import Any

AUDIT: list[dict[str, Any]] = []


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    AUDIT.append({"request": context.aws_request_id, "path": event.get("rawPath")})
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
