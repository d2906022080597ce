"""ReportBatchItemFailures and MaximumRetryAttempts from a template reach the idempotency check."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner, events
from pytest_lambda._checks.idempotency.options import IdempotencyOptions
from pytest_lambda._core.errors import InvalidOption
from pytest_lambda._template.app import load_app

DATA = Path(__file__).parents[1] / "data" / "templates"

APP = """
def handler(event, context):
    return {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
"""


@pytest.fixture
def runner(tmp_path: Path):
    (tmp_path / "reports_first.py").write_text(APP)
    with LambdaRunner("reports_first.handler", root=tmp_path) as run:
        yield run


def test_without_report_batch_item_failures_the_failures_are_ignored(runner) -> None:
    event = events.sqs(records=2, seed=1)
    honoured = runner.check_idempotency(event, kind="sqs", faults=False)
    assert not honoured.ok  # the first record is reported failed on every attempt
    assert honoured.scenarios[0].detail == "the first delivery never succeeded"
    ignored = runner.check_idempotency(event, kind="sqs", faults=False, partial_batch=False)
    assert ignored.ok  # Lambda deletes the whole batch: nothing is redelivered


def test_partial_batch_must_be_a_bool() -> None:
    with pytest.raises(InvalidOption) as info:
        IdempotencyOptions(partial_batch="yes")  # type: ignore[arg-type]
    assert str(info.value) == "lambda_idempotency: partial_batch='yes': expected True or False"


def test_keywords_from_the_templates_triggers() -> None:
    worker = load_app(DATA / "sam" / "template.yaml").function("OrdersWorkerFunction")
    assert worker.idempotency_keywords("sqs") == {"partial_batch": True}
    assert worker.idempotency_keywords("dynamodb") == {"partial_batch": False, "bisect": True}
    assert worker.idempotency_keywords() == {"partial_batch": False, "bisect": True}
    clicks = load_app(DATA / "cfn" / "template.yaml").function("ClicksFunction")
    assert clicks.idempotency_keywords("kinesis") == {"partial_batch": True}
    assert clicks.idempotency_keywords("sns") == {}  # not a batch source


def test_a_low_maximum_retry_attempts_lowers_the_retries(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
        "      Handler: app.handler\n      Events:\n        K:\n          Type: Kinesis\n"
        "          Properties: {Stream: !GetAtt S.Arn, MaximumRetryAttempts: 0,"
        " FunctionResponseTypes: [ReportBatchItemFailures]}\n"
    )
    fn = load_app(path).function("Fn")
    assert fn.idempotency_keywords("kinesis") == {"partial_batch": True, "retries": 0}


def test_bisect_halves_a_failed_stream_batch(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(
        "def handler(event, context):\n"
        "    if len(event['Records']) > 1:\n"
        "        raise RuntimeError('batch too big')\n"
    )
    event = events.kinesis(records=2, seed=3)
    with LambdaRunner("big.handler", root=tmp_path) as runner:
        whole = runner.check_idempotency(event, kind="kinesis", faults=False)
        halved = runner.check_idempotency(event, kind="kinesis", faults=False, bisect=True)
    assert whole.scenarios[0].detail == "the first delivery never succeeded"
    assert halved.ok  # the first half came back alone and succeeded
    assert halved.scenarios[0].detail == "warm: passed, cold: passed"
