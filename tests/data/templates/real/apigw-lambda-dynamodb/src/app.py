"""GET /hello/{id}: greets the person stored under the id and logs the greeting.

Written for pytest_lambda's tests (not the sample's code). The table is single-table:
the person's name is the item (PK=id, SK="NAME#"); every greeting is also written as a
new item keyed by the time it was made, so a duplicate delivery writes a second item.
"""

from __future__ import annotations

import os
import time
from typing import Any

import boto3


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE_NAME"])
    person = event["pathParameters"]["id"]
    found = table.get_item(Key={"PK": person, "SK": "NAME#"}).get("Item", {})
    if "data" in found:
        status, text = 200, f"Hello {found['data']}!"
    else:
        status, text = 404, f"no name stored for id {person}"
    table.put_item(Item={"PK": person, "SK": f"DT#{time.time_ns()}", "data": text})
    return {"statusCode": status, "body": text}
