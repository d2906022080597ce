"""Hands each message to a worker function asynchronously (modelled on fan-out samples
that invoke a worker Lambda per job)."""

from __future__ import annotations

import json
from typing import Any

import boto3

LAMBDA = boto3.client("lambda")


def handler(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        LAMBDA.invoke(
            FunctionName="resize-worker",
            InvocationType="Event",
            Payload=json.dumps({"job": record["body"]}).encode(),
        )
