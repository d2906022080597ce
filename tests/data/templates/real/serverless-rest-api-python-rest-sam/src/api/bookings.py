"""Bookings API: bookings by resource or by user in BOOKINGS_TABLE (GSIs on both).

Written for pytest_lambda's tests (not the sample's code).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from ._http import _new_item, _reply


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(os.environ["BOOKINGS_TABLE"])
    route = (event["httpMethod"], event["resource"])
    ids = event.get("pathParameters") or {}
    one = "/users/{userid}/bookings/{bookingid}"
    if route == ("GET", "/locations/{locationid}/resources/{resourceid}/bookings"):
        by = ("bookingsByResourceByTimeGSI", "resourceid")
    elif route == ("GET", "/users/{userid}/bookings"):
        by = ("useridGSI", "userid")
    elif route == ("GET", one):
        return _reply(200, table.get_item(Key={"bookingid": ids["bookingid"]}).get("Item", {}))
    elif route == ("DELETE", one):
        table.delete_item(Key={"bookingid": ids["bookingid"]})
        return _reply(200, {})
    elif route == ("PUT", "/users/{userid}/bookings"):
        item = _new_item(event, "bookingid")
        if item is None:
            return _reply(400, {"message": "expected a JSON object"})
        item["userid"] = ids["userid"]
        table.put_item(Item=item)
        return _reply(200, item)
    else:
        return _reply(400, {"message": f"no route {' '.join(route)}"})
    found = table.query(IndexName=by[0], KeyConditionExpression=Key(by[1]).eq(ids[by[1]]))
    return _reply(200, found["Items"])
