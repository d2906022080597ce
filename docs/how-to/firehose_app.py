"""Firehose transformation: keep JSON click events, drop bots, mark the rest failed."""

from __future__ import annotations

import base64
import json
from typing import Any


def transform(event: dict[str, Any], context: Any) -> dict[str, Any]:
    out = []
    for record in event["records"]:
        try:
            click = json.loads(base64.b64decode(record["data"]))
        except ValueError:  # not UTF-8 or not JSON: Firehose writes it to the error output
            out.append({"recordId": record["recordId"], "result": "ProcessingFailed",
                        "data": record["data"]})  # fmt: skip
            continue
        if click.get("bot"):
            out.append(
                {"recordId": record["recordId"], "result": "Dropped", "data": record["data"]}
            )
            continue
        line = json.dumps({"page": click.get("page"), "ms": click.get("ms")}) + "\n"
        data = base64.b64encode(line.encode()).decode()
        out.append({"recordId": record["recordId"], "result": "Ok", "data": data})
    return {"records": out}
