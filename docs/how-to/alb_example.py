"""ALB recipes: the undecoded query string, both header modes, health checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.lambda_handler("alb_app.handler", root=Path(__file__).parent)


@pytest.mark.parametrize("multi", [False, True], ids=["single-value", "multi-value"])
def test_search_decodes_the_query_and_answers_in_the_same_header_mode(
    lambda_event, lambda_runner, multi
):
    event = lambda_event.alb(path="/search", query="q=caf%C3%A9+au+lait", multi_value_headers=multi)
    # ALB does not decode the query string
    params = event["multiValueQueryStringParameters" if multi else "queryStringParameters"]
    assert params["q"] == (["caf%C3%A9+au+lait"] if multi else "caf%C3%A9+au+lait")

    response = lambda_runner.invoke(event).response

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"q": "café au lait"}
    assert ("multiValueHeaders" in response) is multi
    assert ("headers" in response) is not multi


def test_health_check_answers_ok(lambda_event, lambda_runner):
    event = lambda_event.alb(health_check=True, path="/health")
    assert event["headers"] == {"user-agent": "ELB-HealthChecker/2.0"}

    assert lambda_runner.invoke(event).response["body"] == "ok"
