"""Kafka recipes: records grouped by topic-partition, a failed batch comes back whole."""

from __future__ import annotations

import base64
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pytest_lambda import check_idempotency, events, redeliver

HERE = Path(__file__).parent
pytestmark = pytest.mark.lambda_handler("kafka_app.handler", root=HERE)
ORDER = {"customer": "c-7", "status": "PAID", "total": 20.0}


class TotalsDb:
    """The store the handler writes to: snapshot() reads it, restore() empties it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE totals (customer TEXT PRIMARY KEY, total REAL)")
            db.execute(
                "CREATE TABLE applied (partition TEXT, offset INTEGER, UNIQUE(partition, offset))"
            )

    def snapshot(self) -> dict[str, float]:
        with closing(sqlite3.connect(self.path)) as db:
            return dict(db.execute("SELECT customer, total FROM totals").fetchall())

    def restore(self) -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute("DELETE FROM totals")
            db.execute("DELETE FROM applied")


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("TOTALS_DB", str(tmp_path / "totals.db"))  # where the handler writes
    return TotalsDb(tmp_path / "totals.db")


def test_records_are_grouped_by_topic_partition(lambda_event):
    event = lambda_event.kafka(topic="orders", partitions=2, records=3, value=ORDER)

    assert list(event["records"]) == ["orders-0", "orders-1"]
    offsets = [r["offset"] for r in event["records"]["orders-1"]]
    assert offsets == sorted(offsets)
    value = event["records"]["orders-0"][0]["value"]
    assert json.loads(base64.b64decode(value)) == ORDER
    assert events.check_invariants(event) == []


def test_a_failed_batch_comes_back_whole(db, lambda_event, lambda_runner):
    event = lambda_event.kafka(topic="orders", records=2, value=ORDER)
    assert lambda_runner.invoke(event).response == {"applied": 2}

    retry = redeliver(event, failed=True)  # the handler raised: Lambda retries the batch

    assert retry == event
    assert lambda_runner.invoke(retry).response == {"applied": 0}
    assert db.snapshot() == {"c-7": 40.0}


def test_the_handler_is_idempotent(db, lambda_event, lambda_runner):
    event = lambda_event.kafka(source="self_managed", records=3, value=ORDER)

    report = check_idempotency(lambda_runner, event, observe=db.snapshot, reset=db.restore)

    assert report.ok, report


@pytest.mark.lambda_handler("kafka_app.counts_every_delivery", root=HERE)
def test_the_check_catches_a_handler_that_counts_a_retried_batch_again(
    db, lambda_event, lambda_runner
):
    event = lambda_event.kafka(records=2, value=ORDER)

    report = check_idempotency(lambda_runner, event, observe=db.snapshot, reset=db.restore)

    assert not report.ok
    assert "a duplicate delivery changed the state" in str(report)
