"""The template's conformance suite: --lambda-template runs the checks of every function."""

from __future__ import annotations

import pytest

PLUGIN = ("-p", "lambda_toolkit", "-p", "no:randomly", "-p", "no:cacheprovider")

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Dlq:
    Type: AWS::SQS::Queue
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 2}
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Environment: {Variables: {TABLE: !Ref Table}}
      Events:
        Jobs:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 2}
        Broker:
          Type: MQ
          Properties: {Broker: arn:aws:mq:us-east-1:123456789012:broker:b:b-1, Queues: [q]}
  Node:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: index.handler, Runtime: nodejs20.x}
  Broken:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src, Handler: missing.handler}
"""

APP = """
import os
import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    seeded = TABLE.get_item(Key={"id": "seed"})["Item"]  # put there by the user's setup hook
    for record in event["Records"]:
        TABLE.put_item(Item={"id": record["messageId"], "by": seeded["by"]})
    return {"batchItemFailures": []}
"""

SETUP = """
import os
import boto3

def seed():
    name = boto3.client("dynamodb").list_tables()["TableNames"][0]
    boto3.resource("dynamodb").Table(name).put_item(Item={"id": "seed", "by": "hook"})
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_TEMPLATE", "PYTEST_LAMBDA_EVENTS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "app.py").write_text(APP)
    (pytester.path / "template.yaml").write_text(TEMPLATE)
    (pytester.path / "template_suite_seed_hook.py").write_text(SETUP)
    return pytester


def test_every_function_and_trigger_with_moto_resources_and_the_setup_hook(
    project: pytest.Pytester,
) -> None:
    result = project.runpytest(
        *PLUGIN, "--lambda-template=template.yaml", "--lambda-moto-setup=template_suite_seed_hook:seed",
        "--lambda-seed=4", "-v", "-rs",
    )  # fmt: skip
    result.assert_outcomes(passed=4, failed=1, skipped=2)
    result.stdout.fnmatch_lines_random(
        [
            "Writer::sqs::invokes PASSED*",
            "Writer::sqs::idempotent PASSED*",
            "Writer::sqs::warm-reuse PASSED*",
            "Writer::sqs::robust PASSED*",
            "Broken::template FAILED*",
            "SKIPPED [[]1[]] *: trigger Broker: no event kind of this toolkit models MQ events",
            "SKIPPED [[]1[]] *: runtime nodejs20.x is not a Python runtime: only python3.x "
            "functions are run",
            "*template.yaml: Resources.Broken.Properties.Handler: 'missing.handler' names module "
            "missing, but there is no missing.py under *src",
            "lambda suite: template=*template.yaml (command line), 1 of 3 functions runnable, "
            "moto=on",
            "Writer (app.handler, seed 4)",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_events_narrow_the_kinds_and_a_discovered_template_runs_no_suite(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_one="def test_one():\n    pass\n")
    project.runpytest(*PLUGIN).assert_outcomes(passed=1)  # discovered: only for the marker
    result = project.runpytest(
        *PLUGIN, "--lambda-template=template.yaml", "--lambda-events=s3", "--lambda-moto"
    )
    # Writer has no s3 trigger: one skipped item says so (it is not dropped silently)
    result.assert_outcomes(passed=1, failed=1, skipped=3)
    result = project.runpytest(
        *PLUGIN, "--lambda-template=template.yaml", "--lambda-events=s3", "--lambda-moto", "-rs"
    )
    result.stdout.fnmatch_lines(["SKIPPED * no s3 trigger (its triggers: *)"])


def test_an_unreadable_named_template_is_a_usage_error(project: pytest.Pytester) -> None:
    (project.path / "template.yaml").write_text(
        "Resources:\n  F:\n    Type: AWS::Lambda::Functio\n"
    )
    result = project.runpytest(*PLUGIN, "--lambda-template=template.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: *template.yaml: Resources.F.Type: unknown resource type "
         "'AWS::Lambda::Functio'; expected AWS::Lambda::Alias, AWS::Lambda::CodeSigningConfig, "
         "AWS::Lambda::EventInvokeConfig, AWS::Lambda::EventSourceMapping, AWS::Lambda::Function, "
         "AWS::Lambda::LayerVersion, AWS::Lambda::LayerVersionPermission, AWS::Lambda::Permission, "
         "AWS::Lambda::Url, AWS::Lambda::Version; see *reference/options/"]
    )  # fmt: skip


FILTERED = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SQS::Queue
  Eu:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: eu.handler
      Runtime: python3.12
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt Orders.Arn
            FilterCriteria:
              Filters:
                - Pattern: '{"body": {"region": [{"prefix": "eu-"}]}}'
"""

EU = """
import json

def handler(event, context):
    for record in event["Records"]:
        region = json.loads(record["body"])["region"]  # the mapping lets only eu- bodies in
        if not region.startswith("eu-"):
            raise ValueError(f"not filtered: {region}")
"""


def test_the_templates_filter_criteria_choose_the_records(project: pytest.Pytester) -> None:
    """Records the mapping's FilterCriteria drops are never sent (they would fail the handler)."""
    (project.path / "template.yaml").write_text(FILTERED)
    (project.path / "src" / "eu.py").write_text(EU)
    result = project.runpytest(*PLUGIN, "--lambda-template=template.yaml", "--lambda-seed=3", "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["Eu::sqs::invokes PASSED*"])


def test_the_summary_names_a_variable_left_unset(project: pytest.Pytester) -> None:
    template = FILTERED.replace(
        "Resources:", "Parameters:\n  Sender:\n    Type: String\nResources:"
    ).replace(
        "      Runtime: python3.12\n",
        "      Runtime: python3.12\n      Environment:\n        Variables:\n          SENDER: !Ref Sender\n",
    )
    (project.path / "template.yaml").write_text(template)
    (project.path / "src" / "eu.py").write_text(EU)
    result = project.runpytest(*PLUGIN, "--lambda-template=template.yaml", "--lambda-seed=3")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        ["  note: environment variable SENDER is left unset (Ref Sender: the parameter has no "
         "Default; give it one, or a value: --lambda-template-parameters=Sender=VALUE "
         "(pytest-lambda check --parameter Sender=VALUE)); or set it: pytest-lambda check --env "
         "SENDER=VALUE, the lambda_handler marker's env="]
    )  # fmt: skip
    given = project.runpytest(
        *PLUGIN, "--lambda-template=template.yaml", "--lambda-seed=3",
        "--lambda-template-parameters=Sender=a@example.com",
    )  # fmt: skip
    given.assert_outcomes(passed=4)
    assert "note: environment variable SENDER" not in given.stdout.str()
    bad = project.runpytest(
        *PLUGIN, "--lambda-template=template.yaml", "--lambda-template-parameters=Sender"
    )
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(
        ["ERROR: --lambda-template-parameters='Sender': expected NAME=VALUE[[],NAME=VALUE...[]], e.g. "
         "Stage=dev (from command line); see *reference/options/"]
    )  # fmt: skip
