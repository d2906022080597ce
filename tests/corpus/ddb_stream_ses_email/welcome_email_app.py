"""DynamoDB Streams consumer: sends a welcome email through SES for every new user row
(modelled on stream-triggered notification samples). A redelivered batch sends the email
again: a duplicate side effect outside any table."""

from __future__ import annotations

from typing import Any

import boto3

SES = boto3.client("ses")


def handler(event: dict[str, Any], context: Any) -> None:
    for record in event["Records"]:
        if record.get("eventName") != "INSERT":
            continue
        image = record["dynamodb"].get("NewImage", {})
        name = next(iter(image.values()), {}).get("S", "there") if image else "there"
        SES.send_email(
            Source="welcome@example.com",
            Destination={"ToAddresses": ["new-user@example.com"]},
            Message={
                "Subject": {"Data": "Welcome"},
                "Body": {"Text": {"Data": f"Hello {name}"}},
            },
        )
