"""The idempotency check on AWS Lambda Powertools' idempotency utility, under moto.

Powertools takes an INPROGRESS lock that expires at the invocation's deadline and stores
epoch-second and epoch-millisecond expiries. A correct Powertools handler must pass: the
check waits between deliveries as the source does (so the lock of a crashed attempt has
expired) and does not count clock-derived expiries as changed state. A handler whose
side effect is outside the idempotent section must still fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import LambdaRunner, events
from pytest_lambda._checks.idempotency.check import check_idempotency
from pytest_lambda._checks.moto import moto_state

pytestmark = pytest.mark.slow

pytest.importorskip("aws_lambda_powertools.utilities.idempotency")
boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

SNS_APP = """
import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer, IdempotencyConfig, idempotent,
)

persistence = DynamoDBPersistenceLayer(table_name="idem")
config = IdempotencyConfig(event_key_jmespath="Records[0].Sns.MessageId")
orders = boto3.resource("dynamodb").Table("orders")


@idempotent(config=config, persistence_store=persistence)
def handler(event, context):
    orders.put_item(Item={"pk": event["Records"][0]["Sns"]["MessageId"], "v": 1})
    return {"ok": 1}
"""

SQS_APP = """
import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor, EventType, process_partial_response,
)
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function,
)

processor = BatchProcessor(event_type=EventType.SQS)
persistence = DynamoDBPersistenceLayer(table_name="idem")
config = IdempotencyConfig(event_key_jmespath="messageId")
orders = boto3.resource("dynamodb").Table("orders")


@idempotent_function(data_keyword_argument="record", config=config, persistence_store=persistence)
def process(record):
    WRITE
    return {"id": record["messageId"]}


def record_handler(record):
    return process(record=record.raw_event)


def handler(event, context):
    config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
"""
PUT = 'orders.put_item(Item={"pk": record["messageId"], "done": True})'
ADD = (
    'orders.update_item(Key={"pk": "total"}, UpdateExpression="ADD n :one", '
    'ExpressionAttributeValues={":one": 1})'
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        ddb = boto3.client("dynamodb")
        for name, key in (("orders", "pk"), ("idem", "id")):
            ddb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield moto_state()


def _check(tmp_path: Path, name: str, source: str, event: dict[str, Any], aws: Any) -> Any:
    (tmp_path / f"{name}.py").write_text(source)
    observe, reset = aws
    with LambdaRunner(f"{name}.handler", root=str(tmp_path)) as runner:
        return check_idempotency(runner, event, observe=observe, reset=reset)


def test_powertools_idempotent_handler_passes(tmp_path: Path, aws: Any) -> None:
    report = _check(tmp_path, "pt_sns", SNS_APP, events.sns(seed=3), aws)
    assert report.ok, str(report)
    assert [s.status for s in report.scenarios] == ["passed", "passed"]
    assert len(report.side_effect_points) == 3  # lock, the order, the stored result
    assert "epoch timestamps moved on by the redelivery delay" in report.ignored


def test_powertools_batch_with_idempotent_function_passes(tmp_path: Path, aws: Any) -> None:
    source = SQS_APP.replace("WRITE", PUT)
    report = _check(tmp_path, "pt_sqs_ok", source, events.sqs(seed=3, records=1), aws)
    assert report.ok, str(report)


def test_a_counter_outside_the_lock_is_caught(tmp_path: Path, aws: Any) -> None:
    source = SQS_APP.replace("WRITE", ADD)
    report = _check(tmp_path, "pt_sqs_add", source, events.sqs(seed=3, records=1), aws)
    assert not report.ok
    text = str(report)
    assert (
        "succeeded but its acknowledgement was lost, the retry repeated dynamodb.UpdateItem" in text
    )
    assert "['orders']['pk=total']['n']: 1 → 2" in text
