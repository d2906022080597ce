"""GET /time: returns the server time and a greeting (a health/status endpoint as in many
samples). Two responses differ only in the time: nothing was duplicated."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = datetime.now(timezone.utc).isoformat()
    return {"statusCode": 200, "body": json.dumps({"status": "ok", "serverTime": now})}
