"""API Gateway WebSocket events (issue 18 part 3): $connect, $disconnect and message routes, the
invariants, detection, overrides and Powertools' WebSocket models."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)

from pytest_lambda import InvalidEventSpec, events

MODEL = {
    "CONNECT": APIGatewayWebSocketConnectEventModel,
    "DISCONNECT": APIGatewayWebSocketDisconnectEventModel,
    "MESSAGE": APIGatewayWebSocketMessageEventModel,
}
VARIANTS: list[dict[str, Any]] = [
    {},
    {"route": "$connect", "query": {"token": "abc"}, "headers": {"Authorization": "Bearer x"}},
    {"route": "$connect", "authorizer": {"principalId": "me", "tenant": "t1"}},
    {"route": "$disconnect", "disconnect_status_code": 1006, "disconnect_reason": "Going away"},
    {"route": "$default"},
    {"route": "sendMessage", "body": {"action": "sendMessage", "text": "hi"}},
    {"route": "upload", "body": b"\x00\x01"},
]


@pytest.mark.parametrize("params", VARIANTS, ids=lambda p: ",".join(f"{k}" for k in p) or "default")
def test_every_variant_validates_keeps_invariants_parses_with_powertools(
    params: dict[str, Any],
) -> None:
    for seed in range(120):
        event = events.websocket(seed=seed, **params)
        assert events.validate(event, invariants=True) == "websocket"
        assert events.detect(event) == "websocket"
        model = MODEL[event["requestContext"]["eventType"]]
        model(**event)


def test_default_draws_every_event_type() -> None:
    types = {events.websocket(seed=s)["requestContext"]["eventType"] for s in range(60)}
    assert types == {"CONNECT", "DISCONNECT", "MESSAGE"}


def test_connect_has_upgrade_headers_and_query_and_no_body() -> None:
    event = events.websocket(
        seed=1, route="$connect", query="token=a%20b&x=1&x=2", headers={"X-Tenant": "t"}
    )
    assert event["queryStringParameters"] == {"token": "a b", "x": "2"}
    assert event["multiValueQueryStringParameters"] == {"token": ["a b"], "x": ["1", "2"]}
    h = event["headers"]
    assert h["Sec-WebSocket-Version"] == "13"
    assert h["X-Tenant"] == "t"
    assert h["Host"] == event["requestContext"]["domainName"]
    assert event["multiValueHeaders"] == {k: [v] for k, v in h.items()}
    assert "body" not in event
    assert event["requestContext"]["eventType"] == "CONNECT"
    rc = event["requestContext"]
    assert rc["connectedAt"] <= rc["requestTimeEpoch"]
    assert rc["requestId"] == rc["extendedRequestId"]


def test_disconnect_carries_the_close_code_and_reason() -> None:
    event = events.websocket(
        seed=2, route="$disconnect", disconnect_status_code=1001, disconnect_reason=""
    )
    rc = event["requestContext"]
    assert (rc["eventType"], rc["disconnectStatusCode"], rc["disconnectReason"]) == (
        "DISCONNECT",
        1001,
        "",
    )
    assert set(event["headers"]) == {"Host", "x-api-key", "X-Forwarded-For", "x-restapi"}


def test_message_frames_text_json_and_binary() -> None:
    text = events.websocket(seed=3, route="chat")
    assert json.loads(text["body"])["action"] == "chat"
    assert "headers" not in text
    assert text["requestContext"]["messageId"].endswith("=")
    binary = events.websocket(seed=3, route="$default", body=b"\x00\xff")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x00\xff"


def test_overrides_recompute_request_time_and_event_type() -> None:
    event = events.websocket(
        seed=4, route="$default",
        overrides={"requestContext.requestTimeEpoch": 1_700_000_000_000, "requestContext.connectedAt": 1_699_999_000_000},
    )  # fmt: skip
    assert event["requestContext"]["requestTime"] == "14/Nov/2023:22:13:20 +0000"
    assert events.check_invariants(event) == []


def test_invariant_messages() -> None:
    event = events.websocket(seed=5, route="$default")
    rc = event["requestContext"]
    rc["connectedAt"] = rc["requestTimeEpoch"] + 5
    rc["eventType"] = "CONNECT"
    event["headers"] = {}
    assert events.check_invariants(event, "websocket") == [
        "eventType 'CONNECT' does not match routeKey '$default' (expected 'MESSAGE')",
        "a CONNECT event has no messageId (MESSAGE events only)",
        "a CONNECT event has no body",
        f"connectedAt {rc['connectedAt']} is after requestTimeEpoch {rc['requestTimeEpoch']}: "
        "a connection exists before its requests",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"route": "$connect", "body": "x"}, "route='$connect': body apply to MESSAGE routes only"),
        ({"route": "chat", "query": "a=1"}, "route='chat': query apply to $connect only"),
        (
            {"route": "$disconnect", "disconnect_status_code": 99},
            "disconnect_status_code=99: expected a WebSocket close code, 1000-4999",
        ),
        (
            {"route": "bad route"},
            "route='bad route': expected '$connect', '$disconnect', '$default' or a route key without spaces that does not start with '$'",
        ),
        (
            {"connection_id": "x"},
            "connection_id='x': expected 16 characters (letters, digits, '-', '_') ending in '='",
        ),
    ],
)
def test_bad_parameters(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEventSpec) as exc:
        events.websocket(**params)
    assert str(exc.value) == message


def test_authorizer_context_is_passed_as_strings_and_nested_values_are_refused() -> None:
    event = events.websocket(
        seed=1, route="$connect", authorizer={"principalId": "u-1", "n": 3, "ok": True}
    )
    assert event["requestContext"]["authorizer"] == {"principalId": "u-1", "n": "3", "ok": "true"}
    assert (
        "authorizer"
        in events.websocket(seed=1, route="chat", authorizer={"a": "b"})["requestContext"]
    )
    with pytest.raises(InvalidEventSpec) as exc:
        events.websocket(route="$connect", authorizer={"roles": ["a"]})
    assert str(exc.value) == (
        "authorizer context 'roles'=['a']: a Lambda authorizer context holds only strings, "
        "numbers, booleans and null (API Gateway rejects nested values)"
    )
