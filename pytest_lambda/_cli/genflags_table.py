"""The table of event-generator flags (``GEN_FLAGS``) and the converters of their values.

One :class:`GenFlag` per generator parameter: every parameter ``name`` of every kind has
the flag ``--<name>`` (underscores as dashes; ``tests/unit/test_cli_genflags.py`` checks it),
older spellings (``--queue-name``, ``--header``...) stay as aliases. A new kind (Kafka...)
adds a row here for each parameter no other kind has. Data and small parsers only, used
by :mod:`pytest_lambda._cli.genflags`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from pytest_lambda._cli.util import (
    json_or_string,
    key_value,
    read_json,
)

__all__ = ["GEN_FLAGS", "GenFlag"]


def _time(text: str) -> Any:
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def _pairs(values: list[tuple[str, str]]) -> Any:
    return [list(pair) for pair in values]


def _multidict(values: list[tuple[str, str]]) -> Any:
    out: dict[str, Any] = {}
    for name, value in values:
        if name not in out:
            out[name] = value
        elif isinstance(out[name], list):
            out[name].append(value)
        else:
            out[name] = [out[name], value]
    return out


def _strdict(values: list[tuple[str, str]]) -> Any:
    return dict(values)


def _dynamodb_json(text: str) -> Any:
    return json_or_string(text, "--key-schema/--item")


def _authorizer(text: str) -> Any:
    return json_or_string(text, "--authorizer")


def _detail(text: str) -> Any:
    return json_or_string(text, "--detail")


def _partitions(text: str) -> Any:
    return json_or_string(text, "--partitions")


def _none(_: object) -> Any:
    return None


def _bool(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _true_or_text(text: str) -> Any:
    return True if text.strip().lower() == "true" else text


def _jsondict(values: list[tuple[str, str]]) -> Any:
    return {name: json_or_string(value, f"--message-attribute {name}") for name, value in values}


@dataclass(frozen=True)
class GenFlag:
    """One generator flag: the option, the parameter(s) it feeds, how its text is read."""

    flag: str
    params: tuple[str, ...]
    help: str
    metavar: str | None = None
    type: Callable[[str], Any] | None = None
    action: str = "store"  # "store", "store_true" or "append"
    convert: Callable[[Any], Any] | None = None  # applied to the parsed value
    aliases: tuple[str, ...] = ()  # older spellings, still accepted
    kinds: tuple[str, ...] = ()  # the kinds it applies to, when not every kind with its params

    @property
    def dest(self) -> str:
        return "gen_" + self.flag[2:].replace("-", "_")


_KV: Final = "NAME=VALUE"

#: Every generator flag, in help order.
GEN_FLAGS: Final[tuple[GenFlag, ...]] = (
    GenFlag(
        "--records", ("records",), "number of records in the batch (Kafka: per partition)", "N", int
    ),
    GenFlag("--body", ("body",), "message or request body (text, taken as given)", "TEXT"),
    GenFlag("--message", ("message",), "SNS message (text, taken as given)", "TEXT"),
    GenFlag("--data", ("data",), "Kinesis record data (text; base64-encoded for you)", "TEXT"),
    GenFlag(
        "--body-schema",
        (
            "body_schema",
            "message_schema",
            "data_schema",
            "item_schema",
            "detail_schema",
            "value_schema",
        ),
        "JSON Schema file the payload is generated from",
        "FILE",
        None,
        "store",
        lambda path: read_json(path, "body schema"),
    ),
    GenFlag("--method", ("method",), "HTTP method", "METHOD"),
    GenFlag("--path", ("path",), "request path, e.g. /orders/42", "PATH"),
    GenFlag("--resource", ("resource",), "REST resource template, e.g. /orders/{id}", "TEMPLATE"),
    GenFlag("--route-key", ("route_key",), "HTTP API route key, e.g. 'GET /orders/{id}'", "KEY"),
    GenFlag("--stage", ("stage",), "API stage name", "NAME"),
    GenFlag(
        "--query",
        ("query",),
        "query parameter, one per flag (repeatable, order kept; a & in VALUE is part of it)",
        _KV,
        key_value,
        "append",
        _pairs,
    ),
    GenFlag(
        "--headers",
        ("headers",),
        "request header, or Kafka record header (repeatable)",
        _KV,
        key_value,
        "append",
        _multidict,
        aliases=("--header",),
    ),
    GenFlag(
        "--cookies",
        ("cookies",),
        "cookie as the browser sends it, e.g. session=abc (repeatable)",
        "COOKIE",
        None,
        "append",
        aliases=("--cookie",),
    ),
    GenFlag(
        "--path-parameters",
        ("path_parameters",),
        "path parameter (repeatable)",
        _KV,
        key_value,
        "append",
        _strdict,
        aliases=("--path-parameter",),
    ),
    GenFlag("--content-type", ("content_type",), "Content-Type of the body", "TYPE"),
    GenFlag(
        "--authorizer",
        ("authorizer",),
        "authorizer: a name such as cognito, jwt, lambda, iam, or a JSON object",
        "AUTH",
        _authorizer,
    ),
    GenFlag("--source-ip", ("source_ip",), "client IP address", "IP"),
    GenFlag("--user-agent", ("user_agent",), "User-Agent of the client", "TEXT"),
    GenFlag("--endpoint", ("endpoint",), "API endpoint type: regional or edge", "TYPE"),
    GenFlag("--bucket", ("bucket",), "S3 bucket name", "NAME"),
    GenFlag(
        "--key",
        ("key",),
        "S3 object key, decoded (encoded in the event as S3 does); Kafka record key (text)",
        "KEY",
    ),
    GenFlag(
        "--event-name",
        ("event_name",),
        "S3 event name, e.g. ObjectRemoved:Delete; DynamoDB INSERT, MODIFY or REMOVE",
        "NAME",
    ),
    GenFlag("--size", ("size",), "S3 object size in bytes", "BYTES", int),
    GenFlag("--etag", ("etag",), "S3 object ETag", "ETAG"),
    GenFlag("--version-id", ("version_id",), "S3 object version id", "ID"),
    GenFlag("--versioned", ("versioned",), "S3 bucket with versioning", action="store_true"),
    GenFlag(
        "--queue",
        ("queue",),
        "SQS queue name (a .fifo name makes a FIFO event)",
        "NAME",
        aliases=("--queue-name",),
    ),
    GenFlag("--fifo", ("fifo",), "FIFO queue event", action="store_true"),
    GenFlag("--group-id", ("group_id",), "FIFO message group id", "ID"),
    GenFlag("--receive-count", ("receive_count",), "ApproximateReceiveCount", "N", int),
    GenFlag(
        "--sns-envelope",
        ("sns_envelope",),
        "wrap each SQS body in the SNS envelope",
        action="store_true",
    ),
    GenFlag(
        "--message-attributes",
        ("message_attributes",),
        "message attribute; a JSON number makes a Number attribute (repeatable); in an sns "
        "event every attribute is a String, as SNS passes them to Lambda",
        _KV,
        key_value,
        "append",
        _jsondict,
        aliases=("--message-attribute",),
    ),
    GenFlag(
        "--trace-header", ("trace_header",), "add the X-Ray AWSTraceHeader", action="store_true"
    ),
    GenFlag("--topic", ("topic",), "SNS or Kafka topic name", "NAME"),
    GenFlag("--subject", ("subject",), "SNS subject", "TEXT"),
    GenFlag("--stream", ("stream",), "Kinesis stream name", "NAME"),
    GenFlag("--shard-id", ("shard_id",), "Kinesis shard id", "ID"),
    GenFlag("--partition-key", ("partition_key",), "Kinesis partition key", "KEY"),
    GenFlag("--encrypted", ("encrypted",), "Kinesis stream with SSE-KMS", action="store_true"),
    GenFlag("--table", ("table",), "DynamoDB table name", "NAME"),
    GenFlag(
        "--view-type",
        ("view_type",),
        "DynamoDB stream view type: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES",
        "TYPE",
    ),
    GenFlag(
        "--key-schema",
        ("key_schema",),
        'DynamoDB table key as JSON, e.g. \'{"pk": "S", "sk": "N"}\'',
        "JSON",
        _dynamodb_json,
    ),
    GenFlag(
        "--item",
        ("item",),
        "DynamoDB item of every record, as plain JSON (marshalled for you)",
        "JSON",
        _dynamodb_json,
    ),
    GenFlag("--ttl", ("ttl",), "DynamoDB REMOVEs are TTL deletions", action="store_true"),
    GenFlag(
        "--multi-value-headers",
        ("multi_value_headers",),
        "ALB target group with multi-value headers on",
        action="store_true",
    ),
    GenFlag("--health-check", ("health_check",), "ALB health check request", action="store_true"),
    GenFlag("--target-group", ("target_group",), "ALB target group name", "NAME"),
    GenFlag("--protocol", ("protocol",), "ALB listener protocol: https or http", "PROTO"),
    GenFlag("--auth", ("auth",), "Function URL auth type: none or iam", "TYPE"),
    GenFlag(
        "--route", ("route",), "WebSocket route: $connect, $disconnect, $default or a name", "ROUTE"
    ),
    GenFlag("--connection-id", ("connection_id",), "WebSocket connectionId", "ID"),
    GenFlag(
        "--disconnect-status-code",
        ("disconnect_status_code",),
        "WebSocket close code on $disconnect",
        "CODE",
        int,
    ),
    GenFlag("--disconnect-reason", ("disconnect_reason",), "WebSocket close reason", "TEXT"),
    GenFlag(
        "--variant",
        ("variant",),
        "EventBridge variant: custom, scheduled, s3_object_created or scheduler",
        "NAME",
    ),
    GenFlag(
        "--source",
        ("source",),
        "EventBridge custom event source, e.g. com.acme.orders; Kafka: msk or self_managed",
        "NAME",
    ),
    GenFlag("--detail-type", ("detail_type",), "EventBridge detail-type, e.g. OrderPlaced", "TEXT"),
    GenFlag(
        "--detail",
        ("detail",),
        "EventBridge detail, a JSON object",
        "JSON",
        _detail,
    ),
    GenFlag(
        "--resources",
        ("resources",),
        "EventBridge resources entry (repeatable)",
        "ARN",
        None,
        "append",
        aliases=("--resource-arn",),
    ),
    GenFlag("--rule", ("rule",), "EventBridge schedule rule name", "NAME"),
    GenFlag("--schedule", ("schedule",), "EventBridge Scheduler schedule name", "NAME"),
    GenFlag(
        "--schedule-group", ("schedule_group",), "EventBridge Scheduler schedule group", "NAME"
    ),
    GenFlag("--replay-name", ("replay_name",), "EventBridge archive replay name", "NAME"),
    GenFlag(
        "--message-type",
        ("message_type",),
        "CloudWatch Logs: DATA_MESSAGE or CONTROL_MESSAGE",
        "TYPE",
    ),
    GenFlag("--log-group", ("log_group",), "CloudWatch Logs log group name", "NAME"),
    GenFlag("--log-stream", ("log_stream",), "CloudWatch Logs log stream name", "NAME"),
    GenFlag(
        "--subscription-filter", ("subscription_filter",), "CloudWatch Logs filter name", "NAME"
    ),
    GenFlag(
        "--messages",
        ("messages",),
        "CloudWatch Logs log line, one log event each (repeatable)",
        "TEXT",
        None,
        "append",
        aliases=("--log-message",),
    ),
    GenFlag("--log-events", ("log_events",), "CloudWatch Logs: number of log events", "N", int),
    GenFlag("--log-format", ("log_format",), "CloudWatch Logs: lambda, json or mixed", "FORMAT"),
    GenFlag("--policy-level", ("policy_level",), "CloudWatch Logs: ACCOUNT_LEVEL_POLICY", "LEVEL"),
    GenFlag("--value", ("value",), "Kafka record value (text; base64-encoded for you)", "TEXT"),
    GenFlag(
        "--partitions",
        ("partitions",),
        "Kafka partitions per topic: a count, or a JSON list of partition numbers",
        "N|JSON",
        _partitions,
    ),
    GenFlag(
        "--no-key",
        ("key",),
        "Kafka records without a key",
        action="store_true",
        convert=_none,
        kinds=("kafka",),  # an S3 object always has a key
    ),
    GenFlag(
        "--tombstone",
        ("tombstone",),
        "Kafka records are tombstones (no value)",
        action="store_true",
    ),
    GenFlag(
        "--timestamp-type",
        ("timestamp_type",),
        "Kafka timestamp type: CREATE_TIME or LOG_APPEND_TIME",
        "TYPE",
    ),
    GenFlag("--cluster", ("cluster",), "Amazon MSK cluster name", "NAME"),
    GenFlag(
        "--bootstrap-servers",
        ("bootstrap_servers",),
        "Kafka brokers, host:port,host:port",
        "SERVERS",
    ),
    GenFlag(
        "--message-schema",
        ("message_schema",),
        "SNS: JSON Schema file of the message",
        "FILE",
        convert=lambda path: read_json(path, "message schema"),
    ),
    GenFlag(
        "--data-schema",
        ("data_schema",),
        "Kinesis, Firehose: JSON Schema file of the data",
        "FILE",
        convert=lambda path: read_json(path, "data schema"),
    ),
    GenFlag(
        "--item-schema",
        ("item_schema",),
        "DynamoDB: JSON Schema file of the item",
        "FILE",
        convert=lambda path: read_json(path, "item schema"),
    ),
    GenFlag(
        "--detail-schema",
        ("detail_schema",),
        "EventBridge: JSON Schema file of detail",
        "FILE",
        convert=lambda path: read_json(path, "detail schema"),
    ),
    GenFlag(
        "--bodies",
        ("bodies",),
        "SQS: one record per flag, with this body (repeatable)",
        "TEXT",
        action="append",
    ),
    GenFlag(
        "--datas",
        ("datas",),
        "Kinesis, Firehose: one record per flag, with this data (repeatable)",
        "TEXT",
        action="append",
    ),
    GenFlag(
        "--items",
        ("items",),
        "DynamoDB: a JSON list of items, one record each (marshalled for you)",
        "JSON",
        _dynamodb_json,
    ),
    GenFlag(
        "--binary-media-types",
        ("binary_media_types",),
        "REST API binaryMediaTypes entry, e.g. image/* (repeatable)",
        "TYPE",
        action="append",
    ),
    GenFlag(
        "--stage-variables",
        ("stage_variables",),
        "API stage variable (repeatable)",
        _KV,
        key_value,
        "append",
        _strdict,
    ),
    GenFlag("--operation-name", ("operation_name",), "REST API operationName", "NAME"),
    GenFlag("--principal-id", ("principal_id",), "S3 requester's principalId", "ID"),
    GenFlag("--configuration-id", ("configuration_id",), "S3 notification configuration id", "ID"),
    GenFlag("--sequencer", ("sequencer",), "S3 object sequencer (upper-case hex)", "HEX"),
    GenFlag("--signature-version", ("signature_version",), "SNS SignatureVersion: 1 or 2", "N"),
    GenFlag(
        "--content-based-dedup",
        ("content_based_dedup",),
        "SQS FIFO: true (MessageDeduplicationId = sha256 of the body) or false",
        "BOOL",
        _bool,
    ),
    GenFlag(
        "--dlq-source",
        ("dlq_source",),
        "SQS: the event comes from a dead-letter queue; true, or the source queue's name or ARN",
        "SOURCE",
        _true_or_text,
    ),
    GenFlag("--source-stream", ("source_stream",), "Firehose: the Kinesis source stream", "NAME"),
    # Kafka (and any later kind): a row per parameter that no other kind has.
    GenFlag(
        "--values",
        ("values",),
        "Kafka: one record per flag in each partition, with this value (repeatable)",
        "TEXT",
        action="append",
    ),
    GenFlag(
        "--value-schema",
        ("value_schema",),
        "Kafka: JSON Schema file of each record's value",
        "FILE",
        convert=lambda path: read_json(path, "value schema"),
    ),
    GenFlag("--region", ("region",), "AWS region of every ARN and host in the event", "REGION"),
    GenFlag("--account-id", ("account_id",), "12-digit AWS account id", "ID"),
    GenFlag("--time", ("time",), "invocation time: ISO 8601 or epoch seconds", "WHEN", _time),
)
