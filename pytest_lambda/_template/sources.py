"""A function's event sources, shaped as generator parameters of this toolkit's event kinds.

One :class:`EventSource` per trigger: its event kind, one or more parameter sets for
:func:`pytest_lambda.events.generate` (the queue's, topic's, stream's, table's or bucket's
name, the S3 key filter and event types, the API route, the EventBridge pattern's source
and detail-type, the schedule's rule) and the delivery settings (batch size,
``ReportBatchItemFailures``, bisect-on-error, retries). A trigger no kind models (MQ, IoT,
Cognito...) keeps ``kind=None`` and a ``skip_reason``.

Builders here read already-resolved properties; the template-level walk is in
:mod:`pytest_lambda._template.model` and :mod:`pytest_lambda._template.wiring`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["EventSource", "arn_name", "from_sam_event", "records_for", "s3_params", "sns_filter"]

#: Records per generated batch event: the batch size, at most this many (keeps checks quick).
MAX_RECORDS: Final = 10


@dataclass(frozen=True)
class EventSource:
    """One trigger of a function, as this toolkit generates its events."""

    name: str
    kind: str | None
    param_sets: tuple[Mapping[str, Any], ...] = ({},)
    batch_size: int | None = None
    report_batch_item_failures: bool = False
    bisect_on_error: bool | None = None
    maximum_retry_attempts: int | None = None
    skip_reason: str | None = None
    origin: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> Mapping[str, Any]:
        """The first parameter set (what ``lambda_event.<kind>()`` defaults to)."""
        return self.param_sets[0]


def arn_name(arn: object) -> str:
    """The resource name at the end of an ARN (``...:queue-name``, ``.../stream/name``)."""
    text = str(arn)
    if ":table/" in text:
        return text.split(":table/", 1)[1].split("/", 1)[0]
    last = text.rsplit(":", 1)[-1]
    return last.split("/", 1)[1] if last.startswith(("stream/", "rule/", "event-bus/")) else last


def records_for(batch_size: object) -> int:
    """How many records a generated batch holds: the batch size, capped at :data:`MAX_RECORDS`."""
    try:
        size = int(str(batch_size))
    except ValueError:
        return 1
    return max(1, min(size, MAX_RECORDS))


_S3_EVENT: Final[dict[str, str]] = {
    "s3:ObjectCreated:*": "ObjectCreated:Put",
    "s3:ObjectRemoved:*": "ObjectRemoved:Delete",
    "s3:ObjectRestore:*": "ObjectRestore:Completed",
    "s3:Replication:*": "Replication:OperationCompletedReplication",
    "s3:LifecycleExpiration:*": "LifecycleExpiration:Delete",
}


def s3_params(bucket: str, events: object, rules: object) -> tuple[dict[str, Any], ...]:
    """One parameter set per S3 event type; the key honours the prefix/suffix filter."""
    prefix = suffix = ""
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, Mapping):
            which = str(rule.get("Name", "")).lower()
            if which == "prefix":
                prefix = str(rule.get("Value", ""))
            elif which == "suffix":
                suffix = str(rule.get("Value", ""))
    names = events if isinstance(events, list) else [events]
    sets = []
    for raw in names:
        text = str(raw)
        event_name = _S3_EVENT.get(text, text.removeprefix("s3:").replace(":*", ":Put"))
        params: dict[str, Any] = {"bucket": bucket, "event_name": event_name}
        if prefix or suffix:
            params["key"] = f"{prefix}sample-object{suffix or '.json'}"
        sets.append(params)
    return tuple(sets) or ({"bucket": bucket},)


def pattern_params(pattern: object) -> tuple[str | None, dict[str, Any], str | None]:
    """``(kind, params, skip_reason)`` for events matching an EventBridge pattern."""
    if not isinstance(pattern, Mapping):
        return "eventbridge", {}, None
    source = pattern.get("source")
    detail_type = pattern.get("detail-type")
    first_source = source[0] if isinstance(source, list) and source else source
    first_type = detail_type[0] if isinstance(detail_type, list) and detail_type else detail_type
    if isinstance(first_source, str) and first_source.startswith("aws."):
        if first_source == "aws.s3" and first_type in (None, "Object Created"):
            return "eventbridge", {"variant": "s3_object_created"}, None
        return (
            None,
            {},
            (
                f"EventBridge pattern on AWS service events (source {first_source}): the "
                "eventbridge kind generates custom, scheduled and S3 Object Created events only"
            ),
        )
    params: dict[str, Any] = {}
    if isinstance(first_source, str):
        params["source"] = first_source
    if isinstance(first_type, str):
        params["detail_type"] = first_type
    return "eventbridge", params, None


def schedule_params(rule_name: str | None) -> dict[str, Any]:
    return {"variant": "scheduled", **({"rule": rule_name[:64]} if rule_name else {})}


def batch_settings(props: Mapping[str, Any]) -> dict[str, Any]:
    types = props.get("FunctionResponseTypes") or []
    return {
        "batch_size": int(props["BatchSize"]) if "BatchSize" in props else None,
        "report_batch_item_failures": "ReportBatchItemFailures" in types,
        "bisect_on_error": props.get("BisectBatchOnFunctionError"),
        "maximum_retry_attempts": (
            int(props["MaximumRetryAttempts"]) if "MaximumRetryAttempts" in props else None
        ),
        # the mapping's FilterCriteria as written: the checks send only records that pass it
        "extra": {"FilterCriteria": props["FilterCriteria"]} if "FilterCriteria" in props else {},
    }


def sns_filter(policy: object, scope: object) -> dict[str, Any]:
    """A subscription's ``FilterPolicy`` (and scope) as the trigger's filter (``extra``): the
    suite turns it into a pattern (``sns_policy_pattern``) and sends only the messages SNS
    would deliver to the function."""
    if policy is None or policy == {}:
        return {}
    return {"FilterCriteria": {"FilterPolicy": policy, "FilterPolicyScope": scope}}


def from_sam_event(
    name: str, etype: str, props: Mapping[str, Any], *, tables: Mapping[str, Any]
) -> EventSource:
    """An ``Events`` entry of an ``AWS::Serverless::Function`` (properties resolved).

    ``tables`` maps a table name to its ``(key_schema, view_type)`` for DynamoDB streams.
    """
    origin = f"SAM {etype} event"
    if etype == "SQS":
        queue = arn_name(props.get("Queue", ""))
        params: dict[str, Any] = {
            "queue": queue,
            "records": records_for(props.get("BatchSize", 10)),
        }
        return EventSource(name, "sqs", (params,), origin=origin, **batch_settings(props))
    if etype == "SNS":
        return EventSource(
            name, "sns", ({"topic": arn_name(props.get("Topic", ""))},), origin=origin,
            extra=sns_filter(props.get("FilterPolicy"), props.get("FilterPolicyScope")),
        )  # fmt: skip
    if etype == "S3":
        rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules")
        sets = s3_params(
            str(props.get("Bucket", "")), props.get("Events", "s3:ObjectCreated:*"), rules
        )
        return EventSource(name, "s3", sets, origin=origin)
    if etype == "Kinesis":
        params = {"stream": arn_name(props.get("Stream", "")),
                  "records": records_for(props.get("BatchSize", 100))}  # fmt: skip
        return EventSource(name, "kinesis", (params,), origin=origin, **batch_settings(props))
    if etype == "DynamoDB":
        table = arn_name(props.get("Stream", ""))
        params = {"table": table, "records": records_for(props.get("BatchSize", 100))}
        if table in tables:
            key_schema, view_type = tables[table]
            params.update({"key_schema": key_schema} if key_schema else {})
            params.update({"view_type": view_type} if view_type else {})
        return EventSource(name, "dynamodb", (params,), origin=origin, **batch_settings(props))
    if etype == "Api":
        method = str(props.get("Method", "any")).upper()
        params = {"resource": str(props.get("Path", "/"))}
        if method != "ANY":
            params["method"] = method
        return EventSource(name, "apigw_v1", (params,), origin=origin)
    if etype == "HttpApi":
        if "Path" not in props:
            return EventSource(name, "apigw_v2", ({"route_key": "$default"},), origin=origin)
        route = f"{str(props.get('Method', 'ANY')).upper()} {props['Path']}"
        if str(props.get("PayloadFormatVersion", "2.0")) == "1.0":
            return http_api_v1(name, route, origin)
        return EventSource(name, "apigw_v2", ({"route_key": route},), origin=origin)
    if etype == "Schedule":
        return EventSource(
            name, "eventbridge", (schedule_params(props.get("Name")),), origin=origin
        )
    if etype in ("EventBridgeRule", "CloudWatchEvent"):
        kind, params, skip = pattern_params(props.get("Pattern"))
        return EventSource(name, kind, (params,), skip_reason=skip, origin=origin,
                           maximum_retry_attempts=(props.get("RetryPolicy") or {}).get(
                               "MaximumRetryAttempts"))  # fmt: skip
    if etype == "CloudWatchLogs":
        params = (
            {"log_group": str(props.get("LogGroupName", ""))} if props.get("LogGroupName") else {}
        )
        return EventSource(name, "cloudwatch_logs", (params,), origin=origin)
    if etype == "MSK":
        return kafka_source(name, origin, props, cluster_arn=str(props.get("Stream", "")))
    if etype == "SelfManagedKafka":
        return kafka_source(name, origin, props, servers=props.get("KafkaBootstrapServers"))
    if etype == "ScheduleV2":
        if props.get("Input") is not None:
            reason = ("EventBridge Scheduler delivers the schedule's Input as the event: build it "
                      "with events.scheduler_input(input) in your own test")  # fmt: skip
            return EventSource(name, None, skip_reason=reason, origin=origin)
        params = {"variant": "scheduler"}
        if props.get("Name"):
            params["schedule"] = str(props["Name"])[:64]
        if props.get("GroupName"):
            params["schedule_group"] = str(props["GroupName"])[:64]
        return EventSource(name, "eventbridge", (params,), origin=origin)
    return EventSource(
        name,
        None,
        skip_reason=f"no event kind of this toolkit models {etype} events",
        origin=origin,
    )


def kafka_source(
    name: str,
    origin: str,
    props: Mapping[str, Any],
    *,
    cluster_arn: str = "",
    servers: object = None,
) -> EventSource:
    """An MSK (``cluster_arn``) or self-managed (``servers``) Kafka trigger: its topics, the
    cluster's name and the brokers; records per partition from the batch size."""
    params: dict[str, Any] = {"source": "msk" if cluster_arn else "self_managed"}
    topics = [str(t) for t in props.get("Topics") or [] if str(t)]
    if topics:
        params["topic"] = topics if len(topics) > 1 else topics[0]
    if cluster_arn:
        # arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID
        parts = cluster_arn.split(":", 5)[-1].split("/")
        if len(parts) >= 2 and parts[0] == "cluster" and parts[1]:
            params["cluster"] = parts[1]
    if isinstance(servers, list) and servers:
        params["bootstrap_servers"] = [str(s) for s in servers]
    params["records"] = records_for(props.get("BatchSize", 100))
    # Partial batch responses of Kafka mappings are not modelled (their failure identifier is
    # not documented by AWS: docs/internals/event-spec.md section 4B), so a Kafka trigger is
    # checked with whole-batch retries even when it declares ReportBatchItemFailures.
    settings = {**batch_settings(props), "report_batch_item_failures": False}
    return EventSource(name, "kafka", (params,), origin=origin, **settings)


def http_api_v1(name: str, route: str, origin: str) -> EventSource:
    """An HTTP API route with payload format 1.0: REST-shaped events on the route's path."""
    method, _, path = route.partition(" ")
    params: dict[str, Any] = {"resource": path or "/"}
    if method not in ("ANY", ""):
        params["method"] = method
    return EventSource(name, "apigw_v1", (params,), origin=origin + " (payload format 1.0)")
