"""On an S3 upload: mails a one-hour presigned link to the new object via SES.

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import os
from typing import Any

import boto3


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    key = event["Records"][0]["s3"]["object"]["key"]
    link = boto3.client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": os.environ["S3_BUCKET"], "Key": key}, ExpiresIn=3600
    )
    boto3.client("ses").send_email(
        Source=os.environ["SENDER_EMAIL"],
        Destination={"ToAddresses": [os.environ["RECIPIENT_EMAIL"]]},
        Message={
            "Subject": {"Data": f"uploaded: {key}"},
            "Body": {"Text": {"Data": f"Download (valid one hour): {link}"}},
        },
    )
    return {"statusCode": 200, "body": "sent"}
