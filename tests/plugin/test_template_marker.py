"""@pytest.mark.lambda_function: the template configures lambda_runner, lambda_handler, lambda_event."""

from __future__ import annotations

import pytest

PLUGIN = ("-p", "lambda_toolkit")

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Environment: {Variables: {STAGE: test, TABLE: !Ref Table}}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: orders}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs}
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: ../layer}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../src
      Handler: app.handler
      Timeout: 7
      MemorySize: 640
      Layers: [!Ref Shared]
      Events:
        Jobs:
          Type: SQS
          Properties: {Queue: !GetAtt Queue.Arn, BatchSize: 2}
"""

APP = """
import os
import shared

def handler(event, context):
    return {"env": {k: os.environ[k] for k in ("STAGE", "TABLE")}, "layer": shared.NAME,
            "records": len(event["Records"]), "memory": context.memory_limit_in_mb}
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_TEMPLATE", "PYTEST_LAMBDA_REGION"):
        monkeypatch.delenv(name, raising=False)
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "app.py").write_text(APP)
    (pytester.path / "layer" / "python").mkdir(parents=True)
    (pytester.path / "layer" / "python" / "shared.py").write_text("NAME = 'from the layer'\n")
    (pytester.path / "infra").mkdir()
    (pytester.path / "infra" / "template.yaml").write_text(TEMPLATE)
    return pytester


def test_marker_configures_runner_event_and_layers(project: pytest.Pytester) -> None:
    (project.path / "infra" / "tests").mkdir()
    (project.path / "infra" / "tests" / "test_worker.py").write_text(
        "import pytest\n"
        "@pytest.mark.lambda_function('Worker')\n"
        "def test_it(lambda_event, lambda_runner):\n"
        "    event = lambda_event()\n"
        "    assert event['Records'][0]['eventSourceARN'].endswith(':jobs')\n"
        "    assert (lambda_runner.timeout, lambda_runner.memory_mb) == (7.0, 640)\n"
        "    assert lambda_runner.invoke(event).response == {'env': {'STAGE': 'test', "
        "'TABLE': 'orders'}, 'layer': 'from the layer', 'records': 2, 'memory': '640'}\n"
        "@pytest.mark.lambda_function('Worker')\n"
        "@pytest.mark.lambda_handler(env={'STAGE': 'mine'}, timeout=2)\n"
        "def test_handler_marker_wins(lambda_handler, lambda_runner):\n"
        "    assert lambda_runner.timeout == 2\n"
        "    assert lambda_runner.invoke(_sqs()).response['env'] == {'STAGE': 'mine', "
        "'TABLE': 'orders'}\n"
        "def _sqs():\n"
        "    from pytest_lambda import events\n"
        "    return events.generate('sqs', seed=1)\n"
    )
    project.runpytest(*PLUGIN, "infra/tests").assert_outcomes(passed=2)


def test_template_option_names_the_file(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="import pytest\n"
        "@pytest.mark.lambda_function('Worker')\n"
        "def test_it(lambda_runner):\n"
        "    assert lambda_runner.function_name.startswith('local-stack-Worker-')\n"
    )
    project.runpytest(*PLUGIN).assert_outcomes(errors=1)  # nothing at the rootdir
    result = project.runpytest(*PLUGIN, "--lambda-template=infra/template.yaml")
    result.assert_outcomes(passed=5)  # naming the template adds its suite: Worker x sqs x 4 checks
    result.stdout.fnmatch_lines(["test_it.py .*", "Worker ....*"])


@pytest.mark.parametrize(
    ("marker", "line"),
    [
        ("'Table'", "infra/template.yaml: Resources.Table is a AWS::DynamoDB::Table, not a "
                    "function; functions: Worker"),
        ("'Nope'", "infra/template.yaml: no resource 'Nope'; functions: Worker"),
        ("'A', 'B'", "@pytest.mark.lambda_function takes one argument, the function's logical id "
                     "in the template (e.g. lambda_function('OrdersFunction')); got args=('A', "
                     "'B'), kwargs={}"),
    ],
)  # fmt: skip
def test_bad_marker_is_one_line(project: pytest.Pytester, marker: str, line: str) -> None:
    project.makepyfile(
        test_it=f"import pytest\n@pytest.mark.lambda_function({marker})\n"
        "def test_it(lambda_runner):\n    pass\n"
    )
    result = project.runpytest(
        *PLUGIN, "--lambda-template=infra/template.yaml", "-m", "not lambda_check"
    )  # the template's own suite deselected
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{line}"])
    assert "Traceback" not in result.stdout.str()


def test_no_template_and_invalid_yaml(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="import pytest\n@pytest.mark.lambda_function('Worker')\n"
        "def test_it(lambda_event):\n    pass\n"
        "def test_other():\n    pass\n"
    )
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(errors=1, passed=1)
    result.stdout.fnmatch_lines(
        ["@pytest.mark.lambda_function('Worker'): no template: none of template.yaml, "
         "template.yml, template.json, cdk.out/*.template.json or serverless.yml is in the "
         "test's folder or above it up to *; name one with --lambda-template=PATH (ini "
         "lambda_template, env PYTEST_LAMBDA_TEMPLATE)"]
    )  # fmt: skip
    (project.path / "template.yaml").write_text("Resources:\n  A: [\n")
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(errors=1, passed=1)  # the test without the marker still runs
    result.stdout.fnmatch_lines(["*template.yaml: line 3, column 1: not valid YAML: *"])


def test_lambda_event_without_kind_needs_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_it="import pytest\n"
        "def test_it(lambda_event):\n"
        "    with pytest.raises(TypeError, match=r'lambda_event\\(\\) needs the event kind'):\n"
        "        lambda_event()\n"
    )
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_the_idempotency_check_follows_the_triggers_batch_settings(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(
        app="def handler(event, context):\n"
        "    return {'batchItemFailures': [{'itemIdentifier': event['Records'][0]['messageId']}]}\n"
    )
    queue = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    function = (
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
        "      Handler: app.handler\n      Events:\n        Q:\n          Type: SQS\n"
        "          Properties: {{Queue: !GetAtt Q.Arn{extra}}}\n"
    )
    pytester.makepyfile(
        test_it="import pytest\n"
        "@pytest.mark.lambda_function('Fn')\n"
        "def test_it(lambda_event, lambda_runner):\n"
        "    assert lambda_runner.check_idempotency(lambda_event(), faults=False).ok\n"
    )
    (pytester.path / "template.yaml").write_text(queue + function.format(extra=""))
    pytester.runpytest("-p", "lambda_toolkit").assert_outcomes(passed=1)  # failures ignored
    rbif = ", FunctionResponseTypes: [ReportBatchItemFailures]"
    (pytester.path / "template.yaml").write_text(queue + function.format(extra=rbif))
    pytester.makepyfile(
        test_it="import pytest\n"
        "@pytest.mark.lambda_function('Fn')\n"
        "def test_it(lambda_event, lambda_runner):\n"
        "    report = lambda_runner.check_idempotency(lambda_event(), faults=False)\n"
        "    assert report.scenarios[0].detail == 'the first delivery never succeeded'\n"
    )
    pytester.runpytest("-p", "lambda_toolkit").assert_outcomes(passed=1)  # redelivered, never ok


def test_lambda_template_aws_creates_the_templates_resources(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("moto")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_TEMPLATE", "AWS_DEFAULT_REGION",
                 "AWS_REGION"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "app.py").write_text(
        "import os\nimport boto3\n\n\ndef handler(event, context):\n"
        "    boto3.resource('dynamodb').Table(os.environ['TABLE']).put_item(Item={'id': 'a'})\n"
    )
    (pytester.path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: orders\n"
        "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
        "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n"
        "      Handler: app.handler\n      Runtime: python3.12\n"
        "      Environment: {Variables: {TABLE: !Ref Orders}}\n"
    )
    pytester.makepyfile(
        test_aws="""
        import boto3
        import pytest

        @pytest.mark.lambda_function("Fn")
        def test_writes(lambda_runner, lambda_template_aws):
            assert lambda_template_aws == ["AWS::DynamoDB::Table orders"]
            assert lambda_runner.invoke({}).ok
            table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")
            assert table.get_item(Key={"id": "a"})["Item"] == {"id": "a"}
            # the test's own client finds the region without region_name= (was NoRegionError)
            table = boto3.resource("dynamodb").Table("orders")
            assert table.get_item(Key={"id": "a"})["Item"] == {"id": "a"}

        def test_needs_the_marker(lambda_template_aws):
            pass
        """
    )
    result = pytester.runpytest(
        "-p", "lambda_toolkit", "-p", "no:randomly", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*lambda_template_aws creates a template's resources: mark the test with "
         "@pytest.mark.lambda_function('LogicalId') so it knows the template"]
    )  # fmt: skip
