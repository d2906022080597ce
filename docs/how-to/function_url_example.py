"""Function URL recipes: what differs from an HTTP API, and IAM auth."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.lambda_handler("function_url_app.handler", root=Path(__file__).parent)


def test_signed_caller_can_order(lambda_event, lambda_runner):
    event = lambda_event.function_url(
        method="POST", path="/orders", auth="iam", body={"sku": "B07XJ8C8F5"}, region="us-east-1"
    )
    rc = event["requestContext"]
    assert (
        rc["domainName"] == event["headers"]["host"] == f"{rc['apiId']}.lambda-url.us-east-1.on.aws"
    )
    assert event["routeKey"] == rc["stage"] == "$default"  # placeholders, no routes or stages

    response = lambda_runner.invoke(event).response

    assert response == {"order": "B07XJ8C8F5", "by": rc["authorizer"]["iam"]["userArn"]}


def test_unsigned_request_is_refused(lambda_event, lambda_runner):
    event = lambda_event.function_url(method="POST", path="/orders", body={"sku": "x"})
    assert event["requestContext"]["accountId"] == "anonymous"  # AuthType NONE

    assert lambda_runner.invoke(event).response["statusCode"] == 401


def test_raw_path_keeps_its_encoding(lambda_event):
    event = lambda_event.function_url(path="/files/a%20b")
    assert event["rawPath"] == "/files/a%20b"  # an HTTP API would give "/files/a b"
    assert event["requestContext"]["http"]["path"] == "/files/a b"
