"""Idempotency recipes: prove a handler idempotent over your own store, read the report."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pytest_lambda import assert_idempotent, check_idempotency, events

HERE = Path(__file__).parent
pytestmark = pytest.mark.lambda_handler("idempotency_app.handler", root=HERE)


class OrdersDb:
    """The store the handler writes to: snapshot() reads it, restore() empties it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE orders (key TEXT PRIMARY KEY, order_id TEXT)")

    def snapshot(self) -> list[tuple[str, str]]:
        with closing(sqlite3.connect(self.path)) as db:
            return db.execute("SELECT key, order_id FROM orders ORDER BY key").fetchall()

    def restore(self) -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute("DELETE FROM orders")


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERS_DB", str(tmp_path / "orders.db"))  # where the handler writes
    return OrdersDb(tmp_path / "orders.db")


def test_orders_handler_is_idempotent(db, lambda_runner):
    event = events.sqs(seed=1, body={"order": "o-1"})

    report = assert_idempotent(
        lambda_runner,
        event,
        observe=db.snapshot,
        reset=db.restore,
        fault_points=["idempotency_app.save_order"],  # not an AWS call, so name it
    )

    assert report.side_effect_points == ("idempotency_app.save_order",)
    assert report.handler_runs == 3 + 8 * 1  # one point: see "Cost" below


@pytest.mark.lambda_handler("idempotency_app.keyed_on_receipt", root=HERE)
def test_report_names_the_bug(db, lambda_runner):
    event = events.sqs(seed=1, body={"order": "o-1"})

    report = check_idempotency(lambda_runner, event, observe=db.snapshot, reset=db.restore)

    assert not report.ok
    (finding,) = report.findings
    assert "the handler dedups on receiptHandle" in finding.message
    assert finding.fix.startswith("key your dedup on messageId")
