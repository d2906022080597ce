"""S3 handler: returns the decoded keys of the objects it was told about."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # S3 form-encodes keys in events: a space arrives as '+', a '+' as '%2B'
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in event["Records"]]
    return {"keys": keys}
