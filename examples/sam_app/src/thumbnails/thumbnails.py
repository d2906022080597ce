"""S3 ObjectCreated under uploads/*.jpg: the keys a thumbnail would be written for."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote_plus


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    done = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        if bucket != os.environ["BUCKET"]:
            raise ValueError(f"notification from an unexpected bucket {bucket!r}")
        key = unquote_plus(record["s3"]["object"]["key"])
        done.append("thumbnails/" + key.removeprefix("uploads/"))
    return {"thumbnails": done}
