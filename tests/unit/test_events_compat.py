"""Cross-kind compatibility: every generated event validates against our schema and parses
with the matching Powertools for AWS Lambda parser model; generation is deterministic
across processes (independent of PYTHONHASHSEED).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, ClassVar

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    AlbModel,
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
    CloudWatchLogsModel,
    DynamoDBStreamModel,
    EventBridgeModel,
    KafkaMskEventModel,
    KafkaSelfManagedEventModel,
    KinesisDataStreamModel,
    KinesisFirehoseModel,
    LambdaFunctionUrlModel,
    S3Model,
    SnsModel,
    SqsModel,
)

from pytest_lambda import events


class _WebSocketModel:
    """Powertools has one WebSocket model per event type; pick it by ``eventType``."""

    BY_TYPE: ClassVar[dict[str, Any]] = {
        "CONNECT": APIGatewayWebSocketConnectEventModel,
        "DISCONNECT": APIGatewayWebSocketDisconnectEventModel,
        "MESSAGE": APIGatewayWebSocketMessageEventModel,
    }

    @classmethod
    def model_validate(cls, event: dict[str, Any]) -> Any:
        return cls.BY_TYPE[event["requestContext"]["eventType"]].model_validate(event)


class _KafkaModel:
    """Powertools has one Kafka model per source; pick it by ``eventSource``."""

    BY_SOURCE: ClassVar[dict[str, Any]] = {
        "aws:kafka": KafkaMskEventModel,
        "SelfManagedKafka": KafkaSelfManagedEventModel,
    }

    @classmethod
    def model_validate(cls, event: dict[str, Any]) -> Any:
        return cls.BY_SOURCE[event["eventSource"]].model_validate(event)


MODELS: dict[str, Any] = {
    "apigw_v1": APIGatewayProxyEventModel,
    "apigw_v2": APIGatewayProxyEventV2Model,
    "s3": S3Model,
    "sns": SnsModel,
    "sqs": SqsModel,
    "kinesis": KinesisDataStreamModel,
    "dynamodb": DynamoDBStreamModel,
    # AlbModel requires headers/queryStringParameters: single-value mode only (the multi-value
    # shape fails it as the real capture does, see test_events_alb.py)
    "alb": AlbModel,
    "function_url": LambdaFunctionUrlModel,
    "websocket": _WebSocketModel,
    "eventbridge": EventBridgeModel,
    "firehose": KinesisFirehoseModel,
    "cloudwatch_logs": CloudWatchLogsModel,
    "kafka": _KafkaModel,
}

ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["orderId", "total", "lines"],
    "properties": {
        "orderId": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
        "total": {"type": "number", "minimum": 0, "maximum": 1000},
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {"type": "object", "properties": {"sku": {"type": "string"}}},
        },
    },
}

ATTRIBUTES: dict[str, Any] = {"source": "checkout", "retries": 3, "ratio": 0.5, "blob": b"\x00\xff"}

#: (kind, id, params): the default event plus a few parameter combinations per kind.
COMBOS: list[tuple[str, str, dict[str, Any]]] = [
    ("apigw_v1", "default", {}),
    (
        "apigw_v1",
        "post-json-cognito",
        {"method": "POST", "body": {"orderId": 1}, "authorizer": "cognito"},
    ),
    (
        "apigw_v1",
        "multi-query-headers-lambda",
        {
            "query": {"tag": ["a", "b"], "q": "x y"},
            "headers": {"X-Trace": ["1", "2"]},
            "authorizer": "lambda",
        },
    ),
    ("apigw_v1", "binary-iam", {"method": "PUT", "body": b"\x00\x01\xfe", "authorizer": "iam"}),
    ("apigw_v2", "default", {}),
    (
        "apigw_v2",
        "post-json-jwt-cookies",
        {"method": "POST", "body": {"a": 1}, "authorizer": "jwt", "cookies": ["s=1", "t=2"]},
    ),
    ("apigw_v2", "query-pairs-lambda", {"query": [("a", "1"), ("a", "2")], "authorizer": "lambda"}),
    ("apigw_v2", "binary-iam", {"body": b"\x89PNG", "authorizer": "iam"}),
    ("s3", "default", {}),
    ("s3", "delete", {"event_name": "ObjectRemoved:Delete"}),
    ("s3", "key-size-versioned", {"key": "photos/red flower+1.jpg", "size": 0, "versioned": True}),
    ("sns", "default", {}),
    (
        "sns",
        "json-subject-attributes",
        {"message": {"a": [1, 2]}, "subject": "Hello", "message_attributes": ATTRIBUTES},
    ),
    ("sns", "schema", {"message_schema": ORDER_SCHEMA}),
    ("sqs", "default", {}),
    ("sqs", "batch-attributes", {"records": 5, "message_attributes": ATTRIBUTES}),
    ("sqs", "fifo", {"queue": "orders.fifo", "records": 4}),
    ("sqs", "sns-envelope-schema", {"sns_envelope": True, "body_schema": ORDER_SCHEMA}),
    ("kinesis", "default", {}),
    ("kinesis", "batch", {"records": 5}),
    ("kinesis", "datas-schema", {"data_schema": ORDER_SCHEMA}),
    ("kinesis", "mixed-datas", {"datas": [b"\x00\x01", "plain text", {"a": 1}]}),
    ("dynamodb", "default", {}),
    ("dynamodb", "batch", {"records": 3}),
    ("dynamodb", "keys-only", {"records": 3, "view_type": "KEYS_ONLY"}),
    ("dynamodb", "new-image", {"records": 3, "view_type": "NEW_IMAGE"}),
    ("dynamodb", "old-image", {"records": 3, "view_type": "OLD_IMAGE"}),
    ("dynamodb", "ttl", {"event_name": "REMOVE", "ttl": True}),
    ("dynamodb", "item-schema", {"item_schema": ORDER_SCHEMA, "key_schema": {"id": "N"}}),
    ("alb", "default", {}),
    ("alb", "health-check", {"health_check": True}),
    ("alb", "binary-post", {"method": "POST", "body": b"\x00\xff", "content_type": "image/png"}),
    ("alb", "body-schema", {"body_schema": ORDER_SCHEMA}),
    ("function_url", "default", {}),
    ("function_url", "iam", {"auth": "iam"}),
    ("function_url", "body-schema", {"body_schema": ORDER_SCHEMA}),
    ("websocket", "default", {}),
    ("websocket", "connect-query", {"route": "$connect", "query": {"token": "t"}}),
    ("websocket", "disconnect", {"route": "$disconnect"}),
    ("websocket", "binary-frame", {"route": "$default", "body": b"\x00\xff"}),
    ("websocket", "body-schema", {"body_schema": ORDER_SCHEMA}),
    ("eventbridge", "default", {}),
    ("eventbridge", "detail-schema-replay", {"detail_schema": ORDER_SCHEMA, "replay_name": "r-1"}),
    ("eventbridge", "scheduled", {"variant": "scheduled"}),
    ("eventbridge", "s3-object-created", {"variant": "s3_object_created", "size": 0}),
    ("eventbridge", "scheduler", {"variant": "scheduler", "schedule_group": "jobs"}),
    ("firehose", "default", {}),
    ("firehose", "kinesis-source-batch", {"source": "kinesis", "records": 5}),
    ("firehose", "datas-schema", {"data_schema": ORDER_SCHEMA, "records": 3}),
    ("cloudwatch_logs", "default", {}),
    ("cloudwatch_logs", "control", {"message_type": "CONTROL_MESSAGE"}),
    (
        "cloudwatch_logs",
        "json-account-policy",
        {"log_format": "json", "log_events": 6, "policy_level": "ACCOUNT_LEVEL_POLICY"},
    ),
    ("cloudwatch_logs", "messages", {"messages": ["plain", '{"a": 1}', ""]}),
    ("kafka", "msk", {}),
    ("kafka", "msk-partitions", {"topic": ["a", "b.c"], "partitions": [0, 7], "records": 3}),
    ("kafka", "self-managed", {"source": "self_managed", "timestamp_type": "LOG_APPEND_TIME"}),
    ("kafka", "no-key-no-headers", {"source": "self_managed", "key": None, "headers": {}}),
    ("kafka", "value-schema", {"value_schema": ORDER_SCHEMA, "records": 2}),
    ("kafka", "bytes", {"key": b"\x00\xff", "value": b"plain", "headers": {"h": [b"\x01", "x"]}}),
]

FAST_SEEDS = 250  # every run: kinds x combos x 250 seeds
FULL_SEEDS = 2000  # @slow: the full sweep


def _failures(kind: str, params: dict[str, Any], seeds: range) -> list[str]:
    model = MODELS[kind]
    failures: list[str] = []
    for seed in seeds:
        event = events.generate(kind, seed=seed, **params)
        try:
            events.validate(event, kind)
            model.model_validate(event)
        except Exception as exc:  # collect, then report the first few
            failures.append(f"{kind} {params} seed {seed}: {type(exc).__name__}: {str(exc)[:300]}")
    return failures


@pytest.mark.parametrize(
    ("kind", "params"), [pytest.param(k, p, id=f"{k}-{i}") for k, i, p in COMBOS]
)
def test_events_validate_and_parse_with_powertools(kind: str, params: dict[str, Any]) -> None:
    failures = _failures(kind, params, range(FAST_SEEDS))
    assert not failures, f"{len(failures)}/{FAST_SEEDS} failed:\n" + "\n".join(failures[:3])


@pytest.mark.slow
def test_events_validate_and_parse_with_powertools_full_sweep() -> None:
    """Seeds FAST_SEEDS..FULL_SEEDS of every combination (one test: it takes ~30 s)."""
    total = 0
    failures: list[str] = []
    for kind, _id, params in COMBOS:
        # DynamoDB items are deep (every attribute type): ~8 ms per event to generate, validate
        # and parse, so its seven combinations sweep fewer seeds
        seeds = range(FAST_SEEDS, FULL_SEEDS if kind != "dynamodb" else 600)
        total += len(seeds)
        failures += _failures(kind, params, seeds)
    assert not failures, f"{len(failures)}/{total} failed:\n" + "\n".join(failures[:5])


def test_every_kind_has_combos_and_a_model() -> None:
    assert {k for k, _, _ in COMBOS} == set(events.KINDS) == set(MODELS)


_SCRIPT = """
import json, sys
from pytest_lambda import events
schema = json.loads(sys.argv[1])
out = []
for kind in events.KINDS:
    for seed in (0, 1, 7, 12345):
        out.append(events.generate(kind, seed=seed))
out.append(events.sqs(seed=3, body_schema=schema, records=3))
out.append(events.sns(seed=3, message_schema=schema))
out.append(events.kinesis(seed=3, data_schema=schema, records=2))
sys.stdout.write(json.dumps(out))
"""


def _in_process() -> str:
    out = [events.generate(kind, seed=seed) for kind in events.KINDS for seed in (0, 1, 7, 12345)]
    out.append(events.sqs(seed=3, body_schema=ORDER_SCHEMA, records=3))
    out.append(events.sns(seed=3, message_schema=ORDER_SCHEMA))
    out.append(events.kinesis(seed=3, data_schema=ORDER_SCHEMA, records=2))
    return json.dumps(out)


@pytest.mark.slow
def test_generation_is_identical_in_another_process_with_another_hash_seed() -> None:
    env = {
        **os.environ,
        "PYTHONHASHSEED": "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "7",
    }
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(ORDER_SCHEMA)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == _in_process()
