"""The three issue-18 kinds together: every parameter has an effect, every event keeps the rules,
and ``http_kind`` names the HTTP source of an event for the response view (``Invocation.http``)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_lambda import events
from pytest_lambda._core.http_source import HTTP_KINDS, http_kind

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}

#: (kind, parameter, value, base parameters): the value changes the event of seed 1.
EFFECTS: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("alb", "method", "DELETE", {}),
    ("alb", "path", "/x/y", {}),
    ("alb", "query", {"a": "1"}, {}),
    ("alb", "headers", {"X-Tenant": "t"}, {}),
    ("alb", "multi_value_headers", True, {}),
    ("alb", "health_check", True, {}),
    ("alb", "body", "hello", {"method": "POST"}),
    ("alb", "body_schema", SCHEMA, {"method": "POST"}),
    ("alb", "content_type", "text/csv", {"method": "POST", "body": "a,b"}),
    ("alb", "target_group", "api-tg", {}),
    ("alb", "protocol", "http", {}),
    ("alb", "source_ip", "203.0.113.7", {}),
    ("alb", "user_agent", "curl/8.5.0", {}),
    ("function_url", "method", "DELETE", {}),
    ("function_url", "path", "/x/y", {}),
    ("function_url", "query", {"a": "1"}, {}),
    ("function_url", "headers", {"X-Tenant": "t"}, {}),
    ("function_url", "cookies", ["a=1"], {}),
    ("function_url", "body", "hello", {"method": "POST"}),
    ("function_url", "body_schema", SCHEMA, {"method": "POST"}),
    ("function_url", "content_type", "text/csv", {"method": "POST", "body": "a,b"}),
    ("function_url", "auth", "iam", {}),
    ("function_url", "source_ip", "203.0.113.7", {}),
    ("function_url", "user_agent", "curl/8.5.0", {}),
    ("websocket", "route", "chat", {}),
    ("websocket", "body", "hello", {"route": "$default"}),
    ("websocket", "body_schema", SCHEMA, {"route": "$default"}),
    ("websocket", "headers", {"X-Tenant": "t"}, {"route": "$connect"}),
    ("websocket", "query", {"a": "1"}, {"route": "$connect"}),
    ("websocket", "stage", "v2", {}),
    ("websocket", "connection_id", "AAAAAAAAAAAAAAA=", {}),
    ("websocket", "disconnect_status_code", 4000, {"route": "$disconnect"}),
    ("websocket", "disconnect_reason", "bye", {"route": "$disconnect"}),
    ("websocket", "authorizer", {"principalId": "u-1"}, {"route": "$connect"}),
    ("websocket", "source_ip", "203.0.113.7", {}),
    ("websocket", "user_agent", "curl/8.5.0", {"route": "$connect"}),
]


@pytest.mark.parametrize(
    ("kind", "param", "value", "base"), EFFECTS, ids=[f"{k}-{p}" for k, p, _, _ in EFFECTS]
)
def test_every_parameter_has_an_effect(
    kind: str, param: str, value: Any, base: dict[str, Any]
) -> None:
    before = events.generate(kind, seed=1, **base)
    after = events.generate(kind, seed=1, **base, **{param: value})
    assert after != before
    assert events.validate(after, invariants=True) == kind


@pytest.mark.parametrize("kind", ["alb", "function_url", "websocket"])
def test_the_effect_table_covers_every_parameter(kind: str) -> None:
    own = set(events.params(kind)) - set(events.COMMON_PARAMS)
    assert own == {p for k, p, _, _ in EFFECTS if k == kind}


@pytest.mark.parametrize("kind", HTTP_KINDS)
def test_http_kind_names_the_source_of_each_generated_event(kind: str) -> None:
    for seed in range(30):
        assert http_kind(events.generate(kind, seed=seed)) == kind


@pytest.mark.parametrize("kind", ["s3", "sns", "sqs", "kinesis"])
def test_http_kind_is_none_for_other_sources(kind: str) -> None:
    assert http_kind(events.generate(kind, seed=1)) is None
    assert http_kind("not an event") is None
