"""A DynamoDB Streams consumer: adds each new order's total to its day's revenue, exactly once.

The orders table streams NEW_IMAGE records. For every INSERT the handler, in ONE transaction,
records the stream record's ``eventID`` in the ledger (a condition refuses an id already there)
and adds the order's total to the day's row. A batch retried from a failed record (Lambda
redelivers the records from the lowest reported sequence number on) therefore counts no order
twice. A record it cannot read is reported in ``batchItemFailures`` by its ``SequenceNumber``.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.exceptions import ClientError

DDB = boto3.client("dynamodb")
LEDGER = os.environ["LEDGER_TABLE"]


def _add(record: dict[str, Any]) -> None:
    image = record["dynamodb"]["NewImage"]
    day = image["createdAt"]["S"][:10]
    total = image["total"]["N"]
    try:
        DDB.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": LEDGER,
                        "Item": {"pk": {"S": f"EVENT#{record['eventID']}"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": LEDGER,
                        "Key": {"pk": {"S": f"DAY#{day}"}},
                        "UpdateExpression": "ADD revenue :t, orders :one",
                        "ExpressionAttributeValues": {":t": {"N": total}, ":one": {"N": "1"}},
                    }
                },
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        # the eventID is already in the ledger: this record was counted by an earlier delivery


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        try:
            _add(record)
        except KeyError:
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
