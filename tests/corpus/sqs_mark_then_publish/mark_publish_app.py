"""SQS consumer that records each message id with a conditional put, then publishes a
notification. The marker comes first: when the publish fails, the retry finds the marker,
skips the message, and the notification is never sent (a lost side effect)."""

from __future__ import annotations

from typing import Any

import boto3

DDB = boto3.client("dynamodb")
SNS = boto3.client("sns")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    topic = SNS.create_topic(Name="orders")["TopicArn"]
    for record in event["Records"]:
        try:
            DDB.put_item(
                TableName="processed",
                Item={"pk": {"S": record["messageId"]}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except DDB.exceptions.ConditionalCheckFailedException:
            continue  # seen before
        SNS.publish(TopicArn=topic, Message=record["body"])
    return {"batchItemFailures": []}
