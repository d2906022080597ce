"""HTTP API recipes: cookies and a JWT authorizer with scopes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.lambda_handler("http_api_app.handler", root=Path(__file__).parent)


def test_reads_cookie_and_jwt(lambda_event, lambda_runner):
    event = lambda_event.apigw_v2(
        route_key="GET /me",
        cookies={"theme": "dark", "session": "abc"},
        authorizer={"claims": {"sub": "user-1"}, "scopes": ["profile:read"]},
    )
    # HTTP APIs move cookies into their own array and drop the cookie header
    assert event["cookies"] == ["theme=dark", "session=abc"]
    assert "cookie" not in event["headers"]

    result = lambda_runner.invoke(event)

    assert result.response["statusCode"] == 200
    assert json.loads(result.response["body"]) == {"user": "user-1", "theme": "dark"}
    assert result.response["cookies"] == ["theme=dark; Path=/; Secure"]


def test_missing_scope_is_forbidden(lambda_event, lambda_runner):
    event = lambda_event.apigw_v2(
        route_key="GET /me", authorizer={"claims": {"sub": "user-1"}, "scopes": []}
    )

    assert lambda_runner.invoke(event).response["statusCode"] == 403


def test_the_client_sees_set_cookie_headers(lambda_event, lambda_runner):
    event = lambda_event.apigw_v2(
        route_key="GET /me",
        cookies={"theme": "dark"},
        authorizer={"claims": {"sub": "user-1"}, "scopes": ["profile:read"]},
    )

    answer = lambda_runner.invoke(event).http

    assert answer.status_code == 200
    assert answer.cookies == ["theme=dark; Path=/; Secure"]  # from the response's cookies list
    assert answer.headers.get_list("set-cookie") == answer.cookies
    assert answer.json() == {"user": "user-1", "theme": "dark"}
