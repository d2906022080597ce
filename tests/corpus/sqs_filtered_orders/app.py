"""Order router behind an SQS event source mapping filtered on {"body": {"type": ["order"]}}.

Only order messages reach it (the mapping drops the rest), so it does not handle others.
"""

from __future__ import annotations

import json


def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["body"])
        if message["type"] != "order":
            raise ValueError(f"unexpected message type {message['type']!r}")
        total = sum(
            float(line.get("price", 0)) * int(line.get("quantity", 1))
            for line in message.get("items", [])
            if isinstance(line, dict)
        )
        print(json.dumps({"routed": record["messageId"], "total": round(total, 2)}))
    return {}
