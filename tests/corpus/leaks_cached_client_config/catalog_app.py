"""GET /catalog/{sku}: reads a product, with the boto3 client and a config dict cached at
module level (the pattern AWS recommends: create clients outside the handler). Nothing
per-request is kept between invocations: no leak."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

_CLIENT = None
_CONFIG: dict[str, Any] = {}


def _config() -> dict[str, Any]:
    if not _CONFIG:
        _CONFIG.update({"table": os.environ.get("CATALOG_TABLE", "catalog"), "currency": "EUR"})
    return _CONFIG


def _client() -> Any:
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION", "us-east-1"))
    return _CLIENT


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    sku = (event.get("pathParameters") or {}).get("sku") or "none"
    config = _config()
    item = _client().get_item(TableName=config["table"], Key={"sku": {"S": sku}}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"sku": sku})}
    return {"statusCode": 200, "body": json.dumps({"sku": sku, "currency": config["currency"]})}
