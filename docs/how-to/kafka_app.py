"""A Kafka (Amazon MSK or self-managed) handler for the recipes: it totals paid orders.

Each record's value is an order as JSON, base64 in the event. ``handler`` records the
topic-partition and offset of every record it applies in the same transaction as the total,
so a batch the event source mapping retries after an error is not counted twice;
``counts_every_delivery`` forgets that and is what the idempotency check catches.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from contextlib import closing
from typing import Any


def _orders(event: dict[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    return [
        (partition, record["offset"], json.loads(base64.b64decode(record["value"])))
        for partition, records in event["records"].items()
        for record in records
    ]


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    applied = 0
    with closing(sqlite3.connect(os.environ["TOTALS_DB"])) as db, db:
        for partition, offset, order in _orders(event):
            marker = db.execute("INSERT OR IGNORE INTO applied VALUES (?, ?)", (partition, offset))
            if marker.rowcount == 0:
                continue  # a retried batch: this record was applied before
            if order["status"] == "PAID":
                db.execute(
                    "INSERT INTO totals VALUES (?, ?) ON CONFLICT(customer) "
                    "DO UPDATE SET total = total + excluded.total",
                    (order["customer"], order["total"]),
                )
            applied += 1
    return {"applied": applied}


def counts_every_delivery(event: dict[str, Any], context: Any) -> dict[str, int]:
    with closing(sqlite3.connect(os.environ["TOTALS_DB"])) as db, db:
        for _, _, order in _orders(event):
            if order["status"] == "PAID":
                db.execute(
                    "INSERT INTO totals VALUES (?, ?) ON CONFLICT(customer) "
                    "DO UPDATE SET total = total + excluded.total",
                    (order["customer"], order["total"]),
                )
    return {"applied": len(_orders(event))}
