"""WebSocket recipes: $connect with a query, a message on a custom route, $disconnect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.lambda_handler("websocket_app.handler", root=Path(__file__).parent)


def test_connect_needs_a_token(lambda_event, lambda_runner):
    good = lambda_event.websocket(route="$connect", query={"token": "t-1"})
    bad = lambda_event.websocket(route="$connect")
    assert good["requestContext"]["eventType"] == "CONNECT"

    assert lambda_runner.invoke(good).response == {"statusCode": 200}
    assert lambda_runner.invoke(bad).response == {"statusCode": 401}


def test_message_on_a_custom_route_is_echoed(lambda_event, lambda_runner):
    event = lambda_event.websocket(
        route="sendMessage", body={"action": "sendMessage", "text": "hi"}
    )
    assert "headers" not in event  # frames carry no headers

    response = lambda_runner.invoke(event).response

    assert json.loads(response["body"]) == {
        "echo": {"action": "sendMessage", "text": "hi"},
        "route": "sendMessage",
    }


def test_disconnect_carries_the_close_code(lambda_event, lambda_runner):
    event = lambda_event.websocket(route="$disconnect", disconnect_status_code=1001)
    assert event["requestContext"]["disconnectStatusCode"] == 1001

    assert lambda_runner.invoke(event).response == {"statusCode": 200}
