"""A handler that stamps records with the time and stops early when time runs out."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    done = []
    for record in event["Records"]:
        if context.get_remaining_time_in_millis() < 1000:
            break  # leave the rest for the retry rather than be killed mid-record
        time.sleep(0.5)  # slow work; a frozen lambda_clock advances instead of sleeping
        done.append(record["messageId"])
    stamp = datetime.now(timezone.utc).isoformat()
    return {"done": len(done), "at": stamp}


def slow(event: dict[str, Any], context: Any) -> str:
    time.sleep(10)
    return "finished"
