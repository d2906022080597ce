"""A profile endpoint (HTTP API) that caches "the" caller's profile in a module global.

The cache was meant to save a DynamoDB read per request, but it is keyed on nothing: the
first caller's profile is returned to every later caller of the same warm environment.
"""

from __future__ import annotations

import json

_profile = None


def _load_profile(client_ip):
    # stands in for a GetItem on the profiles table
    return {"client": client_ip, "greeting": f"hello {client_ip}", "plan": "free"}


def handler(event, context):
    global _profile
    client_ip = event["requestContext"]["http"]["sourceIp"]
    if _profile is None:
        _profile = _load_profile(client_ip)
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(_profile),
    }
