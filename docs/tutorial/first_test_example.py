"""The tutorial's first handler test: a realistic API Gateway event, run like Lambda runs it."""

from __future__ import annotations

# --8<-- [start:test]
import json
from pathlib import Path

import pytest

# In your project, `lambda_handler = app.handler` in the pytest config does this;
# root= points the runner at the folder holding app.py (default: the working directory).
pytestmark = pytest.mark.lambda_handler("app.handler", root=Path(__file__).parent)


def test_says_hello(lambda_event, lambda_runner):
    event = lambda_event.apigw_v1(
        method="GET", resource="/hello/{name}", path_parameters={"name": "ada"}
    )

    result = lambda_runner.invoke(event)

    assert result.ok, str(result.error)
    assert result.response["statusCode"] == 200
    body = json.loads(result.response["body"])
    assert body["message"] == "hello, ada"
    assert body["requestId"] == result.request_id


# --8<-- [end:test]


def test_second_call_is_warm(lambda_event, lambda_runner):
    event = lambda_event.apigw_v1(
        method="GET", resource="/hello/{name}", path_parameters={"name": "grace"}
    )

    first = lambda_runner.invoke(event)
    second = lambda_runner.invoke(event)

    assert first.cold_start
    assert not second.cold_start
