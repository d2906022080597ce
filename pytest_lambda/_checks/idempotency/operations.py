"""AWS operations as the idempotency check sees them: reads or writes, the resource, the fix.

A repeated *read* (``dynamodb.GetItem``, ``s3.HeadObject``, ``sqs.ReceiveMessage`` …) is
never a duplicated side effect: :func:`is_read` decides by the table :data:`READS`, then by
AWS's naming convention (an operation named ``Get…``, ``List…``, ``Describe…``, ``Head…`` or
``BatchGet…`` reads); **every other operation, known or not, counts as a write**, the safe
default: a write taken for a read could hide a duplicate, a read taken for a write at worst
names the wrong call. User ``fault_points`` are writes.

:func:`resource` names what a call touched (``table 'orders'``, ``s3://bucket/key``,
``queue 'out'``, ``topic 'alerts'``, ``function 'worker'``), :func:`advice` gives the fix
that applies to a side-effect kind (never DynamoDB advice for an SQS send).
Cost: a dict lookup per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pytest_lambda._checks.faults import Call, describe_resource

__all__ = [
    "READS", "SENDS", "SERVICE_OF_STATE", "advice", "describe_resource", "extra_sends",
    "is_read", "repeated_sends", "service", "sync_invoke",
]  # fmt: skip

#: Operations that never change state, per service (checked before the naming rule).
READS: Final[dict[str, frozenset[str]]] = {
    "dynamodb": frozenset(
        {"GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ListTables",
         "TransactGetItems", "DescribeTimeToLive", "ExecuteStatement_select"}
    ),
    "s3": frozenset(
        {"GetObject", "HeadObject", "HeadBucket", "ListObjects", "ListObjectsV2",
         "ListObjectVersions", "GetObjectTagging", "GetBucketVersioning", "SelectObjectContent"}
    ),
    "sqs": frozenset(
        {"ReceiveMessage", "GetQueueAttributes", "GetQueueUrl", "ListQueues",
         "ListQueueTags"}
    ),
    "sns": frozenset({"GetTopicAttributes", "ListTopics", "ListSubscriptionsByTopic"}),
    "lambda": frozenset({"GetFunction", "GetFunctionConfiguration", "ListFunctions"}),
    "kinesis": frozenset({"DescribeStream", "DescribeStreamSummary", "GetRecords",
                          "GetShardIterator", "ListShards"}),
    "ssm": frozenset({"GetParameter", "GetParameters", "GetParametersByPath"}),
    "secretsmanager": frozenset({"GetSecretValue", "DescribeSecret"}),
    "sts": frozenset({"GetCallerIdentity", "AssumeRole"}),
    "kms": frozenset({"Decrypt", "GenerateDataKey", "DescribeKey"}),
    "ses": frozenset({"VerifyEmailIdentity", "GetSendQuota", "GetIdentityVerificationAttributes"}),
}  # fmt: skip
_READ_VERBS: Final = ("Get", "List", "Describe", "Head", "BatchGet")

#: The top-level keys of ``moto_state()`` snapshots, by service.
SERVICE_OF_STATE: Final = {
    "dynamodb": "dynamodb", "s3": "s3", "sqs": "sqs", "sns": "sns", "lambda": "lambda",
    "ses": "ses",
}  # fmt: skip


#: Operations that hand a new message or event to someone else on every call: a repeat is
#: a duplicate for the receiver, whatever the state looks like. FIFO queues and topics
#: (``….fifo``) are left out: SQS and SNS drop a copy sent within five minutes.
SENDS: Final[frozenset[str]] = frozenset(
    {"sqs.SendMessage", "sqs.SendMessageBatch", "sns.Publish", "sns.PublishBatch",
     "ses.SendEmail", "ses.SendRawEmail", "ses.SendTemplatedEmail",
     "ses.SendBulkTemplatedEmail", "sesv2.SendEmail", "sesv2.SendBulkEmail",
     "events.PutEvents", "kinesis.PutRecord", "kinesis.PutRecords", "firehose.PutRecord",
     "firehose.PutRecordBatch", "lambda.Invoke", "lambda.InvokeAsync"}
)  # fmt: skip


def _delivered(call: Call) -> bool:
    """A send (:data:`SENDS`) that got a success answer and ran something (not a DryRun)."""
    return call.answered and call.point in SENDS and call.invocation_type != "DryRun"


def sync_invoke(call: Call) -> bool:
    """A ``lambda.Invoke`` that waits for the called function's answer (``RequestResponse``,
    the default): as often a query (a price, a validation) as a command, so a repeat is a
    duplicate only if the called function changes state."""
    return call.point == "lambda.Invoke" and call.invocation_type == "RequestResponse"


def repeated_sends(first: Sequence[Call], again: Sequence[Call]) -> list[Call]:
    """The sends (:data:`SENDS`) that ``again`` made with success that ``first`` had made
    with success too, to the same target: each one delivered the message a second time.

    Not a ``DryRun`` invoke (nothing runs). A send to a FIFO queue or topic is dropped by
    the service as a copy, unless the two sends gave different ``MessageDeduplicationId``s
    (a random one defeats the deduplication)."""
    sent: dict[tuple[str, str], set[str | None]] = {}
    for c in first:
        if _delivered(c):
            sent.setdefault((c.point, c.target), set()).add(c.dedup_id)
    out = []
    for c in again:
        ids = sent.get((c.point, c.target))
        if ids is None or not _delivered(c):
            continue
        if c.target.endswith(".fifo"):
            mine = c.dedup_id
            if mine is None or None in ids or mine in ids:
                continue  # the same id, or content-based deduplication: dropped as a copy
        out.append(c)
    return out


def extra_sends(clean: Sequence[Call], retried: Sequence[Call]) -> list[Call]:
    """The sends (:data:`SENDS`, as :func:`repeated_sends` counts them) that a faulted
    delivery and its retries made with success more often than one clean delivery did, to
    the same target: a message a lost acknowledgement sent twice."""

    def counted(calls: Sequence[Call]) -> dict[tuple[str, str], list[Call]]:
        out: dict[tuple[str, str], list[Call]] = {}
        for c in calls:
            if not _delivered(c) or (c.target.endswith(".fifo") and c.dedup_id is None):
                continue  # nothing delivered, or content-based deduplication drops a copy
            out.setdefault((c.point, c.target), []).append(c)
        return out

    before, after = counted(clean), counted(retried)
    extra: list[Call] = []
    for key, calls in after.items():
        seen = before.get(key, [])
        if key[1].endswith(".fifo"):  # distinct deduplication ids only
            ids = {c.dedup_id for c in seen}
            calls = list({c.dedup_id: c for c in calls if c.dedup_id not in ids}.values())
            seen = []
        extra.extend(calls[len(seen) :])
    return extra


def service(point: str) -> str:
    """``"sqs"`` for ``"sqs.SendMessage"``; ``""`` for a user fault point."""
    head, _, op = point.partition(".")
    return head if op and head.islower() and "." not in op and op[:1].isupper() else ""


def is_read(point: str) -> bool:
    """Whether the AWS call ``point`` (``service.Operation``) only reads (see the module docs)."""
    svc = service(point)
    if not svc:
        return False  # a user fault point: a side effect
    op = point.split(".", 1)[1]
    if op in READS.get(svc, ()):
        return True
    return op.startswith(_READ_VERBS)


def advice(svc: str, hint: str, what: str = "") -> str:
    """The fix for a repeated side effect of service ``svc`` (``""`` for an unknown store)."""
    call = what or {"sqs": "the send", "sns": "the publish", "s3": "the put",
                    "lambda": "the invoke", "ses": "the SES send", "sesv2": "the SES send"}.get(svc, "the write")  # fmt: skip
    if svc == "sqs":
        return (
            f"make {call} happen once per event: on a FIFO queue pass a MessageDeduplicationId "
            f"derived from {hint} (SQS drops a copy sent within 5 minutes); on a standard queue "
            f"record {hint} in an idempotency record (a conditional put) before sending and "
            "skip the send when the record exists"
        )
    if svc == "sns":
        return (
            f"make {call} happen once per event: on a FIFO topic pass a MessageDeduplicationId "
            f"derived from {hint}; on a standard topic record {hint} in an idempotency record "
            "(a conditional put) before publishing and skip the publish when it exists"
        )
    if svc == "s3":
        return (
            f"derive the object key from {hint} so a retry writes the same key, and make "
            "the put conditional (put_object(..., IfNoneMatch='*'), treating "
            "PreconditionFailed as done): on a versioned bucket every put adds a version"
        )
    if svc in ("ses", "sesv2"):
        return (
            f"make {call} happen once per event: SES has no deduplication, so record {hint} "
            "in an idempotency record (a conditional put, or Powertools' idempotency utility) "
            "before sending and skip the send when the record exists"
        )
    if svc == "lambda":
        return (
            f"pass an idempotency key derived from {hint} in the payload and make the called "
            "function dedupe on it (e.g. Powertools' idempotency utility in the callee)"
        )
    if svc in ("events", "kinesis", "firehose"):
        stream = {"events": "EventBridge", "kinesis": "Kinesis", "firehose": "Firehose"}[svc]
        return (
            f"{stream} has no deduplication: record {hint} in an idempotency record (a "
            "conditional put) before sending and skip the send when the record exists, and "
            f"give the consumers an id derived from {hint} to drop the copies a lost "
            "acknowledgement still makes"
        )
    if svc == "dynamodb":
        return (
            f"make the write conditional on {hint}: put_item with "
            "ConditionExpression='attribute_not_exists(pk)', treating ConditionalCheckFailed as "
            "done, or Powertools' idempotency utility keyed on it"
        )
    return (
        f"make the write conditional on {hint}: e.g. DynamoDB put_item with "
        "ConditionExpression='attribute_not_exists(pk)', treating ConditionalCheckFailed "
        "as done, or an upsert keyed by it"
    )
