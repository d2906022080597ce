"""A DynamoDB Streams handler for the recipes: it mails a customer when an order ships."""

from __future__ import annotations

from typing import Any

SENT: list[tuple[str, str]] = []  # stands in for an email service


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event["Records"]:
        if record["eventName"] != "MODIFY":
            continue
        ddb = record["dynamodb"]
        try:
            before, after = ddb["OldImage"]["status"]["S"], ddb["NewImage"]["status"]["S"]
            if before != "SHIPPED" and after == "SHIPPED":
                SENT.append((record["eventID"], ddb["Keys"]["orderId"]["S"]))
        except KeyError:
            failures.append({"itemIdentifier": ddb["SequenceNumber"]})
    return {"batchItemFailures": failures}
