"""Recorded RequestResponse Lambda invokes answer what ``invoke_answers`` says (else ``{}``,
and the report says so when the handler then fails)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import invoke_answers

pytest.importorskip("moto")

APP = """
import json, boto3
lam = boto3.client("lambda", region_name="us-east-1")

def handler(event, context):
    prices = []
    for record in event["Records"]:
        reply = lam.invoke(FunctionName=FUNCTION, Payload=record["body"])
        prices.append(json.loads(reply["Payload"].read())["price"])
    return {"batchItemFailures": [], "prices": prices}
"""


@pytest.fixture(autouse=True)
def no_answers() -> Iterator[None]:
    invoke_answers({})
    yield
    invoke_answers({})


def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: str, function: str) -> str:
    from pytest_lambda.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(f"FUNCTION = {function!r}\n" + APP)
    (tmp_path / "aws_setup.py").write_text(setup)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "app.handler", "--events", "sqs", "--seed", "1",
              "--moto-setup", "aws_setup:create"])  # fmt: skip
    return out.getvalue()


@pytest.mark.parametrize(
    ("answer", "function"),
    [
        ("{'price': 10}", "price-quote"),
        ("lambda payload: {'price': len(str(payload))}", "price-quote"),
        ("{'price': 10}", "arn:aws:lambda:us-east-1:123456789012:function:price-quote"),
    ],
)
def test_a_handler_reading_the_answer_gets_the_one_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, function: str
) -> None:
    setup = (
        "from pytest_lambda import invoke_answers\n\n"
        f"def create():\n    invoke_answers({{'price-quote': {answer}}})\n"
    )
    out = _check(tmp_path, monkeypatch, setup, function)
    assert "4 passed" in out.splitlines()[-1], out


def test_without_an_answer_the_failure_says_the_invoke_got_an_empty_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _check(tmp_path, monkeypatch, "def create():\n    pass\n", "price-quote")
    assert "KeyError: 'price'" in out
    assert (
        "Note: lambda.Invoke of 'price-quote' was answered with {} without running the function"
        in out
    )
    assert "pytest_lambda.invoke_answers({'price-quote': ...})" in out


@pytest.mark.parametrize(
    ("answers", "message"),
    [({"f": {1, 2}}, "the answer for 'f' is not JSON"), ({"": 1}, "function names are strings")],
)
def test_a_bad_answer_is_refused_at_once(answers: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        invoke_answers(answers)
