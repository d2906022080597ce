"""Realistic, seeded, schema-validated Lambda events.

>>> from pytest_lambda import events
>>> event = events.sqs(seed=7, body={"orderId": 42})
>>> events.validate(event)
'sqs'

Every function takes the same keywords: ``seed`` (same seed and parameters give
byte-identical JSON), ``overrides`` (explicit values that always win: a nested
dict whose lists of dicts merge item by item, e.g. ``{"Records": [{"body": "x"}]}``,
or dotted paths such as ``{"Records.0.body": "x"}``), ``validate``
(``False`` allows deliberately malformed events) and the kind's parameters
(:func:`params` lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_lambda._core.errors import EventValidationError, InvalidEventSpec
from pytest_lambda._events._kinds import KINDS

from ._events._core import COMMON_PARAMS, generate, kind_params
from ._events._overrides import DELETE
from ._events._validate import check_invariants, detect, schema, validate

__all__ = [
    "COMMON_PARAMS",
    "DELETE",
    "KINDS",
    "EventValidationError",
    "InvalidEventSpec",
    "alb",
    "apigw_v1",
    "apigw_v2",
    "check_firehose_response",
    "check_invariants",
    "cloudwatch_logs",
    "decode_cloudwatch_logs",
    "detect",
    "dynamodb",
    "eventbridge",
    "firehose",
    "function_url",
    "generate",
    "kafka",
    "kinesis",
    "matches_filter",
    "params",
    "s3",
    "scheduler_input",
    "schema",
    "sns",
    "sqs",
    "validate",
    "websocket",
]


def params(kind: str) -> dict[str, str]:
    """The parameters ``kind`` accepts, name → help line."""
    return kind_params(kind)


def apigw_v1(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """API Gateway REST API proxy event (payload 1.0). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("apigw_v1", seed=seed, overrides=overrides, validate=validate, **params)


def apigw_v2(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """API Gateway HTTP API event (payload 2.0). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("apigw_v2", seed=seed, overrides=overrides, validate=validate, **params)


def s3(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """S3 event notification (one record). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("s3", seed=seed, overrides=overrides, validate=validate, **params)


def sns(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """SNS notification (one record). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("sns", seed=seed, overrides=overrides, validate=validate, **params)


def sqs(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """SQS batch (standard or FIFO). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("sqs", seed=seed, overrides=overrides, validate=validate, **params)


def kinesis(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """Kinesis Data Streams batch from one shard. See :func:`generate`."""
    __tracebackhide__ = True
    return generate("kinesis", seed=seed, overrides=overrides, validate=validate, **params)


def dynamodb(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """DynamoDB Streams batch from one shard. See :func:`generate`."""
    __tracebackhide__ = True
    return generate("dynamodb", seed=seed, overrides=overrides, validate=validate, **params)


def alb(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """Application Load Balancer target event (single- or multi-value headers). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("alb", seed=seed, overrides=overrides, validate=validate, **params)


def function_url(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """Lambda Function URL event (payload 2.0 from <url-id>.lambda-url.<region>.on.aws). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("function_url", seed=seed, overrides=overrides, validate=validate, **params)


def websocket(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """API Gateway WebSocket event ($connect, $disconnect or a message). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("websocket", seed=seed, overrides=overrides, validate=validate, **params)


def eventbridge(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """EventBridge event delivered by a rule (custom, scheduled or S3). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("eventbridge", seed=seed, overrides=overrides, validate=validate, **params)


def firehose(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """Firehose data-transformation invocation (direct PUT or Kinesis source). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("firehose", seed=seed, overrides=overrides, validate=validate, **params)


def check_firehose_response(event: Mapping[str, Any], response: object) -> list[str]:
    """What Firehose would reject in a transformation function's ``response`` to ``event``.

    Every ``recordId`` of the event exactly once, ``result`` ``Ok``/``Dropped``/
    ``ProcessingFailed``, base64 ``data``, at most 6 MB; ``[]`` when the response is valid.
    """
    from ._events._firehose import response_problems

    return response_problems(event, response)


def cloudwatch_logs(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """CloudWatch Logs subscription delivery (``awslogs.data``). See :func:`generate`."""
    __tracebackhide__ = True
    return generate("cloudwatch_logs", seed=seed, overrides=overrides, validate=validate, **params)


def decode_cloudwatch_logs(event: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of a CloudWatch Logs event: ``awslogs.data`` un-base64'd and gunzipped."""
    from ._events._cloudwatch_logs import decode

    return decode(event)


def kafka(
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """Amazon MSK or self-managed Kafka batch, records grouped by topic-partition. See :func:`generate`."""
    __tracebackhide__ = True
    return generate("kafka", seed=seed, overrides=overrides, validate=validate, **params)


def scheduler_input(
    input: object,
    *,
    schedule_arn: str | None = None,
    scheduled_time: object = None,
    attempt: int = 1,
    seed: int | None = None,
    region: str | None = None,
    account_id: str | None = None,
) -> Any:
    """The event an EventBridge Scheduler schedule with ``input`` delivers to its Lambda target.

    ``input`` (a JSON-able value or JSON text) with the context attributes it uses replaced:
    ``<aws.scheduler.schedule-arn>``, ``<aws.scheduler.scheduled-time>``,
    ``<aws.scheduler.execution-id>`` (new for each attempt) and ``<aws.scheduler.attempt-number>``.
    ``attempt`` > 1 is the scheduler's own retry after a failed invocation. A schedule without
    input delivers ``eventbridge(variant="scheduler")`` instead.
    """
    from ._events._scheduler import scheduler_input as build

    return build(
        input,
        schedule_arn=schedule_arn,
        scheduled_time=scheduled_time,
        attempt=attempt,
        seed=seed,
        region=region,
        account_id=account_id,
    )


def matches_filter(record: Mapping[str, Any], pattern: object) -> bool:
    """Whether Lambda delivers ``record`` through a mapping with this ``FilterCriteria``.

    ``record`` is one element of ``event["Records"]`` of an SQS, Kinesis or DynamoDB Streams
    event; ``pattern`` is a filter pattern (``{"body": {"type": ["order"]}}``), a list of
    them (OR'ed, as a mapping's filters are), a ``FilterCriteria`` object
    (``{"Filters": [{"Pattern": "<JSON>"}]}``) or the JSON text of any of these. SQS matches
    on ``body`` (parsed when it is JSON, else a plain string), Kinesis on ``data`` (decoded
    from base64 JSON), DynamoDB on the record. A malformed pattern raises
    :class:`InvalidEventSpec` naming what is wrong.

    >>> from pytest_lambda import events
    >>> record = events.sqs(seed=1, body={"type": "order"})["Records"][0]
    >>> events.matches_filter(record, {"body": {"type": ["order"]}})
    True
    """
    from ._events._filter import matches_filter as _matches

    return _matches(record, pattern)
