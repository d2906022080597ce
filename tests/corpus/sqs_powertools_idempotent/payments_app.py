"""SQS → DynamoDB payment recorder made idempotent with Powertools' idempotency utility
(modelled on the Powertools idempotency examples): each message body is processed once,
keyed on its payment id; a redelivery returns the stored result."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

PERSISTENCE = DynamoDBPersistenceLayer(table_name="idempotency")
CONFIG = IdempotencyConfig(event_key_jmespath="payment_id")
PAYMENTS = boto3.resource("dynamodb").Table("payments")


@idempotent_function(data_keyword_argument="payment", persistence_store=PERSISTENCE, config=CONFIG)
def record_payment(payment: dict[str, Any]) -> dict[str, Any]:
    receipt = str(uuid.uuid4())
    PAYMENTS.put_item(Item={"payment_id": payment["payment_id"], "receipt": receipt})
    return {"receipt": receipt}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    CONFIG.register_lambda_context(context)
    failures = []
    for record in event["Records"]:
        try:
            payload = json.loads(record["body"])
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        payment_id = payload.get("payment_id") if isinstance(payload, dict) else None
        record_payment(payment={"payment_id": payment_id or record["messageId"]})
    return {"batchItemFailures": failures}
