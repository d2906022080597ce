"""Resources API: the resources of a location in RESOURCES_TABLE (a GSI on locationid).

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from ._http import _new_item, _reply


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(os.environ["RESOURCES_TABLE"])
    route = (event["httpMethod"], event["resource"])
    ids = event.get("pathParameters") or {}
    one = "/locations/{locationid}/resources/{resourceid}"
    if route == ("GET", "/locations/{locationid}/resources"):
        found = table.query(
            IndexName="locationidGSI",
            KeyConditionExpression=Key("locationid").eq(ids["locationid"]),
        )
        return _reply(200, found["Items"])
    if route == ("GET", one):
        return _reply(200, table.get_item(Key={"resourceid": ids["resourceid"]}).get("Item", {}))
    if route == ("DELETE", one):
        table.delete_item(Key={"resourceid": ids["resourceid"]})
        return _reply(200, {})
    if route == ("PUT", "/locations/{locationid}/resources"):
        item = _new_item(event, "resourceid")
        if item is None:
            return _reply(400, {"message": "expected a JSON object"})
        item["locationid"] = ids["locationid"]
        table.put_item(Item=item)
        return _reply(200, item)
    return _reply(400, {"message": f"no route {' '.join(route)}"})
