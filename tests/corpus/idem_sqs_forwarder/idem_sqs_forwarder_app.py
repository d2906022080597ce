"""An SQS pipeline stage: validates each message and forwards it to the next queue
(modelled on SQS fan-out sample pipelines)."""

from __future__ import annotations

import json
from typing import Any

import boto3

SQS = boto3.client("sqs")


def handler(event: dict[str, Any], context: Any) -> None:
    url = SQS.get_queue_url(QueueName="validated")["QueueUrl"]
    for record in event["Records"]:
        SQS.send_message(QueueUrl=url, MessageBody=json.dumps({"original": record["body"]}))
