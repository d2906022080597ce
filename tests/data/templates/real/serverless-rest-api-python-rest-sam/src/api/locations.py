"""Locations API: list, read, create (PUT) and delete locations in LOCATIONS_TABLE.

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import os
from typing import Any

import boto3

from ._http import _new_item, _reply


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(os.environ["LOCATIONS_TABLE"])
    route = (event["httpMethod"], event["resource"])
    ids = event.get("pathParameters") or {}
    if route == ("GET", "/locations"):
        return _reply(200, table.scan()["Items"])
    if route == ("GET", "/locations/{locationid}"):
        return _reply(200, table.get_item(Key={"locationid": ids["locationid"]}).get("Item", {}))
    if route == ("DELETE", "/locations/{locationid}"):
        table.delete_item(Key={"locationid": ids["locationid"]})
        return _reply(200, {})
    if route == ("PUT", "/locations"):
        item = _new_item(event, "locationid")
        if item is None:
            return _reply(400, {"message": "expected a JSON object"})
        table.put_item(Item=item)
        return _reply(200, item)
    return _reply(400, {"message": f"no route {' '.join(route)}"})
