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


def test_an_access_log_left_out_of_the_state_passes(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("moto")
    import json

    from pytest_lambda.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(AUDITED)
    (tmp_path / "audit_setup.py").write_text(
        "import boto3\n\ndef tables():\n    boto3.client('dynamodb').create_table(\n"
        "        TableName='audit', KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],\n"
        "        AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],\n"
        "        BillingMode='PAY_PER_REQUEST')\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest_lambda.events.apigw_v1]\nmethod = "GET"\n'
    )
    argv = ["check", "app.handler", "--events", "apigw_v1", "--seed", "3", "--moto-setup",
            "audit_setup:tables", "--json"]  # fmt: skip

    def idempotent(extra: list[str]) -> dict[str, Any]:
        main([*argv, *extra])
        doc = json.loads(capsys.readouterr().out)
        result: dict[str, Any] = next(r for r in doc["results"] if r["check"] == "idempotent")
        return result

    assert idempotent([])["verdict"] == "failed"
    left_out = idempotent(["--ignore-state", "dynamodb.audit"])
    assert left_out["verdict"] == "passed"
    assert not left_out["findings"]  # not called a blind observe(): the writes were left out
    assert main([*argv, "--ignore-state", "dynamo.audit"]) == 2
    assert "is not SERVICE or SERVICE.NAME" in capsys.readouterr().err
    without_moto = [a for a in argv if a not in ("--moto-setup", "audit_setup:tables")]
    assert main([*without_moto, "--ignore-state", "dynamodb.audit"]) == 2
    assert "moto is off" in capsys.readouterr().err
