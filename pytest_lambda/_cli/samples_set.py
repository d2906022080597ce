"""The sample set of ``pytest-lambda events samples``: what each file shows and its parameters.

Every sample has a fixed seed, time, region and account, so its file is byte-identical on
every machine. Data only; :mod:`pytest_lambda._cli.samples` renders and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["ACCOUNT", "REGION", "SAMPLES", "TIME", "Sample"]

TIME: Final = "2026-05-04T12:30:00Z"
REGION: Final = "us-east-1"
ACCOUNT: Final = "123456789012"


@dataclass(frozen=True)
class Sample:
    """One sample file: what it shows and how it is generated."""

    name: str
    kind: str
    seed: int
    shows: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.name}.json"

    def event(self) -> dict[str, Any]:
        from pytest_lambda import events

        return events.generate(
            self.kind,
            seed=self.seed,
            region=REGION,
            account_id=ACCOUNT,
            time=TIME,
            **self.params,
        )


_PNG: Final = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(21)  # a PNG header

#: The sample set, in README order.
SAMPLES: Final[tuple[Sample, ...]] = (
    Sample(
        "apigw_v1_get_query",
        "apigw_v1",
        101,
        "REST API GET with a repeated query parameter: the single-value map keeps the last value",
        {
            "method": "GET",
            "path": "/orders",
            "resource": "/orders",
            "query": [("status", "shipped"), ("tag", "gift"), ("tag", "express")],
        },
    ),
    Sample(
        "apigw_v1_post_json",
        "apigw_v1",
        102,
        "REST API POST with a JSON body",
        {
            "method": "POST",
            "path": "/orders",
            "resource": "/orders",
            "body": {"sku": "B07XJ8C8F5", "quantity": 2},
            "content_type": "application/json",
        },
    ),
    Sample(
        "apigw_v1_binary_upload",
        "apigw_v1",
        103,
        "REST API binary upload: a base64 body with isBase64Encoded true",
        {
            "method": "PUT",
            "path": "/uploads/pixel.png",
            "resource": "/uploads/{name}",
            "body": _PNG,
            "content_type": "image/png",
        },
    ),
    Sample(
        "apigw_v1_cognito_authorizer",
        "apigw_v1",
        104,
        "REST API request through a Cognito user pool authorizer (claims in requestContext)",
        {"method": "GET", "path": "/me", "resource": "/me", "authorizer": "cognito"},
    ),
    Sample(
        "apigw_v2_get_cookies",
        "apigw_v2",
        201,
        "HTTP API GET with cookies (a separate cookies array) and a query string",
        {
            "method": "GET",
            "path": "/cart",
            "cookies": ["session=7f3a9c", "theme=dark"],
            "query": [("currency", "EUR")],
        },
    ),
    Sample(
        "apigw_v2_post",
        "apigw_v2",
        202,
        "HTTP API POST with a JSON body",
        {
            "method": "POST",
            "path": "/orders",
            "body": {"sku": "B07XJ8C8F5", "quantity": 1},
            "content_type": "application/json",
        },
    ),
    Sample(
        "apigw_v2_jwt_authorizer",
        "apigw_v2",
        203,
        "HTTP API request through a JWT authorizer (token claims in requestContext.authorizer.jwt)",
        {"method": "GET", "path": "/me", "authorizer": "jwt"},
    ),
    Sample(
        "s3_put",
        "s3",
        301,
        "S3 ObjectCreated:Put notification",
        {
            "event_name": "ObjectCreated:Put",
            "bucket": "invoices-archive",
            "key": "2026/05/invoice-1042.pdf",
        },
    ),
    Sample(
        "s3_put_encoded_key",
        "s3",
        302,
        "S3 put of a key with spaces, '+' and non-ASCII: the event key is form-encoded",
        {
            "event_name": "ObjectCreated:Put",
            "bucket": "photo-uploads",
            "key": "holiday photos/café + beach (1).jpg",
        },
    ),
    Sample(
        "s3_delete",
        "s3",
        303,
        "S3 ObjectRemoved:Delete notification (no size or eTag)",
        {
            "event_name": "ObjectRemoved:Delete",
            "bucket": "invoices-archive",
            "key": "2026/05/invoice-1041.pdf",
        },
    ),
    Sample(
        "sns_plain",
        "sns",
        401,
        "SNS notification with a text message and a subject",
        {"message": "Order 1042 shipped", "subject": "Order update", "topic": "order-events"},
    ),
    Sample(
        "sns_attributes",
        "sns",
        402,
        "SNS notification with String and Binary message attributes (numbers arrive as String)",
        {
            "message": {"orderId": 1042, "status": "shipped"},
            "topic": "order-events",
            "message_attributes": {
                "eventType": "order.shipped",
                "priority": 5,
                "checksum": b"\x8f\x1e\x02\x9a",
            },
        },
    ),
    Sample(
        "sqs_single",
        "sqs",
        501,
        "SQS standard queue, one message with a JSON body",
        {"body": {"orderId": 1042, "action": "ship"}, "queue": "orders"},
    ),
    Sample(
        "sqs_batch",
        "sqs",
        502,
        "SQS standard queue, a batch of five messages",
        {"records": 5, "queue": "orders"},
    ),
    Sample(
        "sqs_fifo_batch",
        "sqs",
        503,
        "SQS FIFO queue, three messages of one group with sequence numbers and dedup ids",
        {"records": 3, "queue": "orders.fifo", "group_id": "customer-42"},
    ),
    Sample(
        "sqs_attributes",
        "sqs",
        504,
        "SQS message with String and Number attributes, and their md5OfMessageAttributes",
        {"queue": "orders", "message_attributes": {"eventType": "order.created", "attempt": 2}},
    ),
    Sample(
        "sqs_sns_envelope",
        "sqs",
        505,
        "SQS message delivered from an SNS subscription: the body is the SNS envelope",
        {
            "queue": "order-notifications",
            "sns_envelope": True,
            "body": {"orderId": 1042, "status": "shipped"},
        },
    ),
    Sample(
        "kinesis_single",
        "kinesis",
        601,
        "Kinesis record with base64 JSON data",
        {
            "data": {"sensor": "t-17", "celsius": 21.5},
            "partition_key": "t-17",
            "stream": "telemetry",
        },
    ),
    Sample(
        "kinesis_batch",
        "kinesis",
        602,
        "Kinesis batch of five records from one shard, sequence numbers increasing",
        {"records": 5, "stream": "telemetry"},
    ),
    Sample(
        "dynamodb_insert",
        "dynamodb",
        701,
        "DynamoDB Streams INSERT of an order (NEW_AND_OLD_IMAGES: NewImage only)",
        {
            "table": "Orders",
            "event_name": "INSERT",
            "key_schema": {"orderId": "S"},
            "item": {"orderId": "o-1042", "status": "PENDING", "total": 59.9, "items": 3},
        },
    ),
    Sample(
        "dynamodb_batch",
        "dynamodb",
        702,
        "DynamoDB Streams batch of INSERT/MODIFY/REMOVE records with every attribute type",
        {"records": 4, "table": "Orders", "event_name": ["INSERT", "MODIFY", "MODIFY", "REMOVE"]},
    ),
    Sample(
        "dynamodb_ttl_remove",
        "dynamodb",
        703,
        "DynamoDB Streams TTL deletion: REMOVE with userIdentity of the DynamoDB service",
        {"table": "Sessions", "event_name": "REMOVE", "ttl": True, "view_type": "OLD_IMAGE"},
    ),
    Sample(
        "alb_get",
        "alb",
        701,
        "ALB GET with a query string ALB passes undecoded (single-value headers)",
        {"method": "GET", "path": "/search", "query": "q=caf%C3%A9+au+lait&page=2"},
    ),
    Sample(
        "alb_multi_value_post",
        "alb",
        702,
        "ALB POST to a target group with multi-value headers on (multiValueHeaders)",
        {
            "method": "POST",
            "path": "/orders",
            "multi_value_headers": True,
            "body": {"sku": "B07XJ8C8F5", "quantity": 1},
            "query": [("tag", "a"), ("tag", "b")],
        },
    ),
    Sample(
        "alb_health_check",
        "alb",
        703,
        "ALB target group health check (user-agent ELB-HealthChecker/2.0, empty body)",
        {"health_check": True, "path": "/health"},
    ),
    Sample(
        "function_url_post",
        "function_url",
        801,
        "Lambda Function URL POST with a JSON body (AuthType NONE)",
        {"method": "POST", "path": "/orders", "body": {"sku": "B07XJ8C8F5", "quantity": 1}},
    ),
    Sample(
        "function_url_iam",
        "function_url",
        802,
        "Lambda Function URL GET signed with SigV4 (AuthType AWS_IAM: requestContext.authorizer.iam)",
        {"method": "GET", "path": "/me", "auth": "iam"},
    ),
    Sample(
        "websocket_connect",
        "websocket",
        901,
        "WebSocket $connect with the upgrade request's headers and a query string",
        {"route": "$connect", "query": {"token": "abc123"}},
    ),
    Sample(
        "websocket_message",
        "websocket",
        902,
        "WebSocket message on a custom route (eventType MESSAGE, messageId, JSON body)",
        {"route": "sendMessage", "body": {"action": "sendMessage", "text": "hello"}},
    ),
    Sample(
        "websocket_disconnect",
        "websocket",
        903,
        "WebSocket $disconnect with the close code and reason",
        {"route": "$disconnect", "disconnect_status_code": 1001, "disconnect_reason": ""},
    ),
    Sample(
        "eventbridge_custom",
        "eventbridge",
        701,
        "EventBridge custom event (PutEvents) with a user detail",
        {
            "source": "com.example.orders",
            "detail_type": "OrderPlaced",
            "detail": {"orderId": 1042, "total": 59.9, "currency": "EUR"},
        },
    ),
    Sample(
        "eventbridge_scheduled",
        "eventbridge",
        702,
        "EventBridge Scheduled Event: source aws.events, the rule ARN in resources, detail {}",
        {"variant": "scheduled", "rule": "nightly-report"},
    ),
    Sample(
        "eventbridge_s3_object_created",
        "eventbridge",
        703,
        "S3 Object Created delivered through EventBridge",
        {"variant": "s3_object_created", "bucket": "example-uploads", "key": "in/report.csv"},
    ),
    Sample(
        "eventbridge_scheduler",
        "eventbridge",
        704,
        "EventBridge Scheduler schedule without input: source aws.scheduler, detail the text '{}'",
        {"variant": "scheduler", "schedule": "nightly-report"},
    ),
    Sample(
        "firehose_direct_put",
        "firehose",
        801,
        "Firehose transformation of two direct-PUT records",
        {"records": 2, "stream": "clicks-to-s3", "data": {"page": "/home", "ms": 42}},
    ),
    Sample(
        "firehose_kinesis_source",
        "firehose",
        802,
        "Firehose transformation reading a Kinesis stream (kinesisRecordMetadata per record)",
        {"records": 3, "source": "kinesis", "source_stream": "clicks", "stream": "clicks-to-s3"},
    ),
    Sample(
        "cloudwatch_logs_lambda",
        "cloudwatch_logs",
        901,
        "CloudWatch Logs subscription delivery of a Lambda function's log lines (gzip + base64)",
        {"log_group": "/aws/lambda/orders-api", "log_events": 4, "log_format": "mixed"},
    ),
    Sample(
        "cloudwatch_logs_control",
        "cloudwatch_logs",
        902,
        "CloudWatch Logs CONTROL_MESSAGE (the health check sent when a subscription is created)",
        {"message_type": "CONTROL_MESSAGE"},
    ),
    Sample(
        "kafka_msk",
        "kafka",
        1001,
        "Amazon MSK batch: topic orders, partitions 0 and 1, two records each (base64 keys/values)",
        {"topic": "orders", "partitions": 2, "records": 2, "cluster": "orders-cluster"},
    ),
    Sample(
        "kafka_self_managed",
        "kafka",
        1002,
        "Self-managed Kafka batch: LOG_APPEND_TIME timestamps, a record without a key",
        {
            "source": "self_managed",
            "topic": "clickstream",
            "records": 3,
            "timestamp_type": "LOG_APPEND_TIME",
            "key": None,
            "bootstrap_servers": "kafka-1.example.internal:9092,kafka-2.example.internal:9092",
        },
    ),
)
