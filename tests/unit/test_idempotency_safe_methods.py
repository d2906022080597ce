"""A GET that changes the state is told apart: HTTP clients repeat GETs freely."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pytest_lambda import check_idempotency, events, moto_state

AUDITED = """
import time
import boto3

table = boto3.resource("dynamodb", region_name="us-east-1").Table("audit")


def handler(event, context):
    table.put_item(Item={"pk": context.aws_request_id, "at": str(time.time())})
    return {"statusCode": 200, "body": "hello"}
"""


@pytest.fixture
def audit_table() -> Iterator[None]:
    pytest.importorskip("moto")
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.client("dynamodb", region_name="us-east-1").create_table(
            TableName="audit",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield


@pytest.mark.parametrize(
    ("kind", "method", "says_get"),
    [("apigw_v1", "GET", True), ("apigw_v2", "HEAD", True), ("apigw_v1", "POST", False)],
)
def test_a_state_change_on_a_repeated_safe_request_says_so(
    app_runners: Callable[[str], Callable[..., Any]],
    audit_table: None,
    kind: str,
    method: str,
    says_get: bool,
) -> None:
    observe, reset = moto_state()
    runner = app_runners(AUDITED)("app.handler")
    event = events.generate(kind, seed=3, method=method)
    report = check_idempotency(runner, event, observe=observe, reset=reset, faults=False)

    assert not report.ok
    finding = report.errors[0]
    assert (f"a repeated {method} request changed the state" in finding.message) is says_get
    assert (f"a {method} must not change state" in finding.fix) is says_get
