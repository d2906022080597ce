from __future__ import annotations


def handler(event, context):
    return {"statusCode": 200, "body": "{}"}
