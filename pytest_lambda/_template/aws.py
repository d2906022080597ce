"""The template's tables, buckets, queues, topics and streams, created inside an active moto mock.

``create_resources(app, region)`` creates, under the names the template resolves to (the
names the functions' environment variables hold): ``AWS::DynamoDB::Table`` and
``AWS::Serverless::SimpleTable`` (key schema, attribute definitions, global and local
secondary indexes, the stream), ``AWS::S3::Bucket``, ``AWS::SQS::Queue`` (FIFO,
content-based deduplication, visibility timeout, the DLQ redrive policy; dead-letter
queues first), ``AWS::SNS::Topic`` (FIFO) and ``AWS::Kinesis::Stream``. Other resources
are not created. It must run inside ``moto.mock_aws()`` (boto3 and moto are the
``[moto]`` extra); a resource moto refuses is a :class:`TemplateError` naming it. Cost:
one API call per resource, a few milliseconds each in moto.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._template.load import TemplateError

if TYPE_CHECKING:
    from pytest_lambda._template.model import App

__all__ = ["CREATED_TYPES", "create_resources"]

CREATED_TYPES: Final = (
    "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable", "AWS::S3::Bucket",
    "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Kinesis::Stream",
)  # fmt: skip


def _table(client: Any, name: str, props: Mapping[str, Any], simple: bool) -> None:
    if simple:  # SAM SimpleTable: PrimaryKey {Name, Type: String|Number|Binary}
        key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        kind = {"String": "S", "Number": "N", "Binary": "B"}.get(str(key.get("Type")), "S")
        props = {
            "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": kind}],
        }
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": "PAY_PER_REQUEST",
    }
    for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if props.get(index_kind):
            args[index_kind] = [
                {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection")}
                for index in props[index_kind]
            ]
    stream = props.get("StreamSpecification")
    if isinstance(stream, Mapping) and stream.get("StreamViewType"):
        args["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    client.create_table(**args)


def _queue_attributes(app: App, logical: str, props: Mapping[str, Any]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for prop, attribute in (("FifoQueue", "FifoQueue"),
                            ("ContentBasedDeduplication", "ContentBasedDeduplication"),
                            ("VisibilityTimeout", "VisibilityTimeout"),
                            ("MessageRetentionPeriod", "MessageRetentionPeriod"),
                            ("DelaySeconds", "DelaySeconds")):  # fmt: skip
        if prop in props:
            value = props[prop]
            attributes[attribute] = str(value).lower() if isinstance(value, bool) else str(value)
    redrive = props.get("RedrivePolicy")
    if isinstance(redrive, Mapping):
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": redrive["deadLetterTargetArn"],
                "maxReceiveCount": str(redrive.get("maxReceiveCount", 10)),
            }
        )
    return attributes


def create_resources(app: App, region: str) -> list[str]:
    """Create the template's resources in the active moto mock; return ``type name`` lines."""
    import boto3

    res = app.resolver
    made: list[str] = []
    queues = sorted(
        ((k, v) for k, v in app.resources.items() if v.get("Type") == "AWS::SQS::Queue"),
        key=lambda kv: "RedrivePolicy" in (kv[1].get("Properties") or {}),  # DLQs first
    )
    others = [(k, v) for k, v in app.resources.items() if v.get("Type") != "AWS::SQS::Queue"]
    for logical, resource in [*queues, *others]:
        rtype = str(resource.get("Type"))
        if rtype not in CREATED_TYPES or res.active(logical) is not None:
            continue
        where = f"Resources.{logical}"
        props = res.resolve(resource.get("Properties") or {}, f"{where}.Properties")
        name = res.physical_name(logical)
        try:
            if rtype in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"):
                _table(boto3.client("dynamodb", region_name=region), name, props,
                       rtype.endswith("SimpleTable"))  # fmt: skip
            elif rtype == "AWS::S3::Bucket":
                s3 = boto3.client("s3", region_name=region)
                extra = ({} if region == "us-east-1" else
                         {"CreateBucketConfiguration": {"LocationConstraint": region}})  # fmt: skip
                s3.create_bucket(Bucket=name, **extra)
            elif rtype == "AWS::SQS::Queue":
                boto3.client("sqs", region_name=region).create_queue(
                    QueueName=name, Attributes=_queue_attributes(app, logical, props)
                )
            elif rtype == "AWS::SNS::Topic":
                fifo = str(props.get("FifoTopic", "")).lower() == "true"
                boto3.client("sns", region_name=region).create_topic(
                    Name=name, Attributes={"FifoTopic": "true"} if fifo else {}
                )
            elif rtype == "AWS::Kinesis::Stream":
                boto3.client("kinesis", region_name=region).create_stream(
                    StreamName=name, ShardCount=int(props.get("ShardCount", 1))
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise TemplateError(
                f"{app.file}: {where}: cannot be created in moto: {type(exc).__name__}: {exc}"
            ) from None
        except Exception as exc:  # botocore's ClientError and moto's own errors
            raise TemplateError(
                f"{app.file}: {where}: moto refused to create {rtype} {name!r}: {exc}"
            ) from None
        made.append(f"{rtype} {name}")
    return made
