"""Consumer of the messages redriven from the DLQ: logs each and deletes it from the
queue named by QUEUE_URL.

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3


def lambda_handler(event: dict[str, Any], context: object) -> None:
    queue = boto3.client("sqs")
    for record in event["Records"]:
        print("redriven:", json.loads(record["body"]))
        queue.delete_message(
            QueueUrl=os.environ["QUEUE_URL"], ReceiptHandle=record["receiptHandle"]
        )
