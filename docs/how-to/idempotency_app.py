"""SQS handlers that record each order in SQLite: one keyed right, one keyed wrong."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from typing import Any


def save_order(db: sqlite3.Connection, key: str, order: dict[str, Any]) -> None:
    # a second insert with the same key changes nothing
    db.execute("INSERT OR IGNORE INTO orders (key, order_id) VALUES (?, ?)", (key, order["order"]))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    with closing(sqlite3.connect(os.environ["ORDERS_DB"])) as db, db:
        for record in event["Records"]:
            # SQS keeps the messageId when it delivers a message again
            save_order(db, record["messageId"], json.loads(record["body"]))
    return {"batchItemFailures": []}


def keyed_on_receipt(event: dict[str, Any], context: Any) -> dict[str, Any]:
    with closing(sqlite3.connect(os.environ["ORDERS_DB"])) as db, db:
        for record in event["Records"]:
            # a bug: SQS gives the message a new receiptHandle on every delivery
            save_order(db, record["receiptHandle"], json.loads(record["body"]))
    return {"batchItemFailures": []}
