"""Clickstream consumer: counts page views per page from a Kinesis stream and logs them as EMF.

Bug: the payload is decoded as ASCII. Producers send UTF-8 JSON, so the first record with
an accented page title raises UnicodeDecodeError and, Kinesis retrying the whole batch from
that record, the shard stalls until the record expires.
"""

from __future__ import annotations

import base64
import json


def handler(event, context):
    views = {}
    for record in event["Records"]:
        text = base64.b64decode(record["kinesis"]["data"]).decode("ascii")
        try:
            click = json.loads(text)
        except json.JSONDecodeError:
            print(
                json.dumps(
                    {
                        "level": "WARN",
                        "msg": "skipping a record that is not JSON",
                        "sequenceNumber": record["kinesis"]["sequenceNumber"],
                    }
                )
            )
            continue
        page = click.get("page", "unknown") if isinstance(click, dict) else "unknown"
        views[page] = views.get(page, 0) + 1
    print(
        json.dumps(
            {
                "_aws": {
                    "CloudWatchMetrics": [
                        {
                            "Namespace": "Clickstream",
                            "Dimensions": [[]],
                            "Metrics": [{"Name": "PageViews", "Unit": "Count"}],
                        }
                    ],
                    "Timestamp": 0,
                },
                "PageViews": sum(views.values()),
            }
        )
    )
