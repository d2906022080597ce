"""What the three API handlers share: the JSON reply and the new item from a request body."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any


def _reply(status: int, body: object) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body, default=str)}  # fmt: skip


def _new_item(event: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The request's JSON object (numbers as Decimal, as DynamoDB wants), with a new id
    under key unless it names one; None when the body is not a JSON object."""
    try:
        body = json.loads(event.get("body") or "{}", parse_float=Decimal)
    except ValueError:
        return None
    return {key: str(uuid.uuid4()), **body} if isinstance(body, dict) else None
