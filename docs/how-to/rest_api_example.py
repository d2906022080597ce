"""REST API recipes: path parameters and a Cognito authorizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.lambda_handler("rest_api_app.handler", root=Path(__file__).parent)


def get_order(lambda_event, order_id, user=None):
    return lambda_event.apigw_v1(
        method="GET",
        resource="/orders/{orderId}",
        path_parameters={"orderId": order_id},
        authorizer={"claims": {"sub": user}} if user else None,
    )


def test_owner_reads_order(lambda_event, lambda_runner):
    event = get_order(lambda_event, "o-1", user="user-1")
    assert event["path"] == "/orders/o-1"  # the path is built from the template

    result = lambda_runner.invoke(event)

    assert result.response["statusCode"] == 200
    assert json.loads(result.response["body"]) == {"total": 42}


@pytest.mark.parametrize(("user", "status"), [(None, 401), ("user-2", 404)])
def test_others_are_refused(lambda_event, lambda_runner, user, status):
    result = lambda_runner.invoke(get_order(lambda_event, "o-1", user=user))

    assert result.response["statusCode"] == status


def test_the_client_sees_the_json_body(lambda_event, lambda_runner):
    result = lambda_runner.invoke(get_order(lambda_event, "o-1", user="user-1"))

    # what the HTTP client receives through API Gateway, not the Lambda response
    assert result.http.status_code == 200
    assert result.http.headers["content-type"] == "application/json"
    assert result.http.json() == {"total": 42}


def test_a_malformed_proxy_response_is_a_502(lambda_event):
    from pytest_lambda import LambdaRunner

    def handler(event, context):
        return {"statusCode": 200, "body": {"total": 42}}  # body must be a string

    with LambdaRunner(handler) as runner:
        answer = runner.invoke(get_order(lambda_event, "o-1")).http

    assert answer.status_code == 502
    assert answer.json() == {"message": "Internal server error"}
    assert answer.gateway_error.endswith("body is not a string but dict: \"{'total': 42}\"")
