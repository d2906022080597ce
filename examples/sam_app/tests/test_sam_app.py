"""Tests of the SAM app that name only the function: the template gives the rest.

Handler, code folder, timeout, memory, environment (Globals merged, !Ref resolved) and the
function's triggers (the API routes, the queue, the bucket and its key filter) come from
../template.yaml, found by walking up from this folder.
"""

from __future__ import annotations

import json

import pytest


@pytest.mark.lambda_function("OrdersApiFunction")
def test_generated_requests_hit_the_routes(lambda_event, lambda_runner):
    event = lambda_event.apigw_v1()  # the first Api event of the function: GET /orders/{orderId}
    assert (event["httpMethod"], event["resource"]) == ("GET", "/orders/{orderId}")
    response = lambda_runner.invoke(event).response
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body == {
        "orderId": event["pathParameters"]["orderId"],
        "table": "local-stack-orders-dev",
    }


@pytest.mark.lambda_function("OrdersApiFunction")
def test_the_other_route_and_a_bad_body(lambda_event, lambda_runner):
    created = lambda_runner.invoke(lambda_event.apigw_v1(resource="/orders", method="POST"))
    assert created.response["statusCode"] == 202
    assert json.loads(created.response["body"])["queue"] == (
        "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dev"
    )
    bad = lambda_event.apigw_v1(resource="/orders", method="POST", body="not json")
    assert lambda_runner.invoke(bad).response["statusCode"] == 400


@pytest.mark.lambda_function("OrdersApiFunction")
def test_runner_settings_come_from_the_template(lambda_runner):
    assert lambda_runner.timeout == 10.0  # Globals
    assert lambda_runner.memory_mb == 256


@pytest.mark.lambda_function("OrdersWorkerFunction")
def test_worker_reports_only_the_bad_message(lambda_event, lambda_runner):
    order = {
        "type": "object",
        "required": ["orderId"],
        "properties": {"orderId": {"type": "string"}},
    }
    event = lambda_event(body_schema=order)  # its first trigger: the queue, 5 messages (BatchSize)
    assert len(event["Records"]) == 5
    assert {r["eventSourceARN"].rsplit(":", 1)[1] for r in event["Records"]} == {"orders-dev"}
    event["Records"][2]["body"] = "{not json"
    response = lambda_runner.invoke(event).response
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][2]["messageId"]}]}


@pytest.mark.lambda_function("ThumbnailFunction")
def test_uploads_match_the_key_filter(lambda_event, lambda_runner):
    event = lambda_event.s3()
    key = event["Records"][0]["s3"]["object"]["key"]
    assert key.startswith("uploads/")
    assert key.endswith(".jpg")
    response = lambda_runner.invoke(event).response
    assert response == {"thumbnails": ["thumbnails/" + key.removeprefix("uploads/")]}
