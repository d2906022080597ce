"""Golden test: ``events generate`` output, byte for byte, for a fixed seed per kind.

The expected files live in tests/data/golden/. After an intended change to a
generator, regenerate them and review the diff:

    PYTEST_LAMBDA_UPDATE_GOLDEN=1 python -m pytest tests/unit/test_cli_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_lambda.cli import main

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
UPDATE = os.environ.get("PYTEST_LAMBDA_UPDATE_GOLDEN") == "1"
_TIME = ["--time", "2026-05-04T12:30:00Z"]

CASES: dict[str, list[str]] = {
    "generate_apigw_v1.json": [
        "apigw_v1", "--seed", "20261122", *_TIME, "--method", "POST", "--path", "/orders",
        "--query", "tag=a", "--query", "tag=b", "--header", "X-Request-Id=r-1",
        "--body", '{"sku": "A1", "quantity": 2}',
    ],
    "generate_apigw_v2.json": [
        "apigw_v2", "--seed", "20261122", *_TIME, "--method", "GET", "--path", "/cart",
        "--cookie", "session=abc", "--query", "currency=EUR",
    ],
    "generate_s3.json": [
        "s3", "--seed", "20261122", *_TIME, "--bucket", "invoices-archive", "--key",
        "2026/05/report 1.pdf",
    ],
    "generate_sns.json": [
        "sns", "--seed", "20261122", *_TIME, "--subject", "Order update", "--message", "shipped",
    ],
    "generate_sqs.json": [
        "sqs", "--seed", "20261122", *_TIME, "--records", "2", "--body", '{"orderId": 42}',
    ],
    "generate_kinesis.json": [
        "kinesis", "--seed", "20261122", *_TIME, "--records", "2", "--partition-key", "pk-7",
    ],
    "generate_sqs_compact.json": ["sqs", "--seed", "7", "--compact"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_generate_matches_golden(capsys, name):
    assert main(["events", "generate", *CASES[name]]) == 0
    out = capsys.readouterr().out
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(out, "utf-8", newline="\n")
    if not path.exists():
        pytest.fail(
            f"golden file {path} is missing; create it with "
            "`PYTEST_LAMBDA_UPDATE_GOLDEN=1 python -m pytest tests/unit/test_cli_golden.py`"
        )
    expected = path.read_text("utf-8")
    assert out == expected, (
        f"`pytest-lambda events generate {' '.join(CASES[name])}` no longer matches {path}. "
        "If the generator changed on purpose, regenerate with "
        "`PYTEST_LAMBDA_UPDATE_GOLDEN=1 python -m pytest tests/unit/test_cli_golden.py` "
        "and review the diff."
    )


def test_every_golden_file_has_a_case():
    assert sorted(p.name for p in GOLDEN.glob("*.json")) == sorted(CASES)
