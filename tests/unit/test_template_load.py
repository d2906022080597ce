"""Reading templates: SAM with Globals, plain CloudFormation, CDK synth output, serverless.yml."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_lambda._template.app import load_app
from pytest_lambda._template.discovery import find_template
from pytest_lambda._template.intrinsics import Resolver, Stack
from pytest_lambda._template.load import TemplateError, load_template_file

DATA = Path(__file__).parents[1] / "data" / "templates"
SAM = DATA / "sam" / "template.yaml"
CFN = DATA / "cfn" / "template.yaml"
CDK = DATA / "cdk" / "cdk.out" / "OrdersStack.template.json"
SLS = DATA / "serverless" / "serverless.yml"


def test_sam_globals_are_merged_and_intrinsics_resolved() -> None:
    app = load_app(SAM)
    api = app.function("OrdersApiFunction")
    assert api.handler == "api.handler"
    assert api.code_root == str((DATA / "sam" / "src" / "orders").resolve())
    assert (api.timeout, api.memory_mb, api.architecture) == (10.0, 512, "arm64")
    assert api.env == {
        "STAGE": "dev",
        "LOG_LEVEL": "DEBUG",  # !FindInMap [StageConfig, !Ref Stage, LogLevel]
        "POWERTOOLS_SERVICE_NAME": "orders",
        "TABLE_NAME": "orders-dev",  # !Ref of a table: its TableName (!Sub)
        "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/"
        "local-stack-OrdersQueue-9DE87F3D4DC3",  # !Ref of a queue: its URL, generated name
        "MODE": "sandbox",  # !If [IsProd, ...] with the default Stage
    }
    assert api.layers == (str((DATA / "sam" / "layers" / "shared" / "python").resolve()),)
    assert [(e.name, e.kind, dict(e.params)) for e in api.events] == [
        (
            "GetOrder",
            "apigw_v1",
            {"resource": "/orders/{orderId}", "method": "GET", "stage": "Prod"},
        ),
        ("CreateOrder", "apigw_v1", {"resource": "/orders", "method": "POST", "stage": "Prod"}),
    ]  # SAM's implicit API serves the Prod stage


def test_sam_batch_sources_keep_their_delivery_settings() -> None:
    worker = load_app(SAM).function("OrdersWorkerFunction")
    queue, stream = worker.events
    assert (queue.kind, dict(queue.params)) == (
        "sqs",
        {"queue": "local-stack-OrdersQueue-9DE87F3D4DC3", "records": 5},
    )
    assert (queue.batch_size, queue.report_batch_item_failures) == (5, True)
    assert stream.kind == "dynamodb"
    assert dict(stream.params) == {
        "table": "orders-dev",
        "records": 10,
        "key_schema": {"orderId": "S", "createdAt": "N"},
        "view_type": "NEW_AND_OLD_IMAGES",
    }
    assert (stream.batch_size, stream.bisect_on_error, stream.maximum_retry_attempts) == (
        50,
        True,
        2,
    )
    assert worker.timeout == 30.0


def test_sam_s3_schedule_rule_and_http_api() -> None:
    reports = load_app(SAM).function("ReportsFunction")
    s3, nightly, placed, stats = reports.events
    bucket = "local-stack-receiptsbucket-99debfa41dd7"
    assert [dict(p) for p in s3.param_sets] == [
        {"bucket": bucket, "event_name": "ObjectCreated:Put", "key": "receipts/sample-object.csv"},
        {
            "bucket": bucket,
            "event_name": "ObjectRemoved:Delete",
            "key": "receipts/sample-object.csv",
        },
    ]
    assert dict(nightly.params) == {"variant": "scheduled", "rule": "nightly-report"}
    assert dict(placed.params) == {"source": "com.acme.orders", "detail_type": "OrderPlaced"}
    assert dict(stats.params) == {"route_key": "GET /stats"}
    assert reports.kinds == ["s3", "eventbridge", "apigw_v2"]


def test_non_python_functions_are_listed_with_the_reason() -> None:
    app = load_app(SAM)
    node = app.functions["NotifierFunction"]
    assert node.skip_reason == (
        "runtime nodejs20.x is not a Python runtime: only python3.x functions are run"
    )
    with pytest.raises(TemplateError) as info:
        app.function("NotifierFunction")
    assert str(info.value) == (
        f"{SAM}: Resources.NotifierFunction: runtime nodejs20.x is not a Python runtime: "
        "only python3.x functions are run"
    )


def test_plain_cloudformation_event_source_mappings_subscriptions_and_url() -> None:
    app = load_app(CFN)
    fn = app.function("ClicksFunction")
    assert fn.env == {"STREAM": "ingest-clicks"}  # Fn::Join of a parameter's default
    assert fn.code_root == str((DATA / "cfn" / "code").resolve())
    got = [(e.name, e.kind, dict(e.params), e.batch_size, e.report_batch_item_failures)
           for e in fn.events]  # fmt: skip
    assert got == [
        ("ClicksMapping", "kinesis", {"stream": "ingest-clicks", "records": 10}, 200, True),
        ("JobsMapping", "sqs", {"queue": "jobs.fifo", "records": 3}, 3, False),
        ("AlertsSubscription", "sns", {"topic": "ingest-alerts"}, None, False),
        ("ClicksUrl", "function_url", {"auth": "iam"}, None, False),
    ]
    assert app.functions["InlineFunction"].skip_reason == (
        "inline code (InlineCode, Code.ZipFile): only functions whose code is in a folder are run"
    )


def test_cdk_synthesized_template() -> None:
    app = load_app(CDK)
    fn = app.function("OrdersHandler4A1B2C3D")
    assert fn.code_root == str((CDK.parent / "asset.3f1c2a").resolve())
    assert (fn.timeout, fn.memory_mb, fn.architecture) == (15.0, 1024, "arm64")
    assert fn.env["EVENTS_TOPIC"] == (
        "arn:aws:sns:us-east-1:123456789012:local-stack-EventsTopicC1D2E3F4-E77C4D7EFF0F"
    )
    bucket = fn.env["BUCKET"]
    assert [(e.kind, dict(e.params)) for e in fn.events] == [
        ("s3", {"bucket": bucket, "event_name": "ObjectCreated:Put",
                "key": "incoming/sample-object.json"}),
        ("eventbridge", {"variant": "scheduled",
                         "rule": "local-stack-NightlyRule1A2B3C4D-122147AB711D"}),
        ("apigw_v1", {"resource": "/orders/{id}", "method": "GET"}),
        ("apigw_v2", {"route_key": "POST /orders"}),
    ]  # fmt: skip
    helper = app.functions["BucketNotificationsHandler050a0587b7544547bf325f094a3db8347ECC3691"]
    assert helper.skip_reason is not None
    assert helper.skip_reason.startswith("inline code")


def test_serverless_yml() -> None:
    app = load_app(SLS)
    fn = app.function("invoices")
    assert (fn.handler, fn.timeout, fn.memory_mb) == ("src/invoices.handler", 12.0, 512)
    assert fn.env == {
        "STAGE": "dev",
        "TABLE_NAME": "billing-dev-invoices",
        "REGION": "us-east-1",
        "FLAG": "off",
        "JOBS_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/"
        "billing-dev-JobsQueue-65D0321E28AD",
        "INVOICES_TABLE": "billing-dev-invoices",
    }  # resources: CloudFormation
    assert fn.function_name == "billing-dev-invoices"  # the stack is service-stage
    assert [(e.kind, dict(e.params)) for e in fn.events] == [
        ("apigw_v1", {"resource": "/invoices/{id}", "method": "GET"}),
        ("sqs", {"queue": "billing-jobs", "records": 4}),
        ("eventbridge", {"variant": "scheduled"}),
    ]
    assert fn.events[1].report_batch_item_failures is True
    # a variable that cannot be resolved locally is left unset with a note, as in SAM
    secrets = app.function("secrets")
    assert "KEY" not in secrets.env
    assert (
        f"KEY is not set: {SLS}: functions.secrets.environment.KEY: ${{ssm:/billing/key}} "
        "cannot be resolved locally (only self:, sls:stage, opt:/env: with a default and "
        "aws:region/aws:accountId are)"
    ) in secrets.notes


def test_yaml_tags_are_long_form_and_nothing_else_is_constructed(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n"
        "    Properties: {TopicName: !Sub '${AWS::StackName}-t', X: !GetAtt B.Arn,"
        " Y: !Select [0, !GetAZs ''], Z: !Base64 hi, W: !Split [',', 'a,b']}\n"
    )
    props = load_template_file(path)["Resources"]["A"]["Properties"]
    assert props == {
        "TopicName": {"Fn::Sub": "${AWS::StackName}-t"},
        "X": {"Fn::GetAtt": ["B", "Arn"]},
        "Y": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        "Z": {"Fn::Base64": "hi"},
        "W": {"Fn::Split": [",", "a,b"]},
    }
    path.write_text("Resources: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(TemplateError) as info:
        load_template_file(path)
    assert str(info.value).startswith(f"{path}: line 1, column 12: not valid YAML: could not")


def test_intrinsics() -> None:
    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "qa"}, "NoDefault": {"Type": "String"}},
        "Mappings": {"M": {"qa": {"Size": "2"}}},
        "Conditions": {"Qa": {"Fn::Equals": [{"Ref": "Env"}, "qa"]},
                       "NotQa": {"Fn::Not": [{"Condition": "Qa"}]}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
                      "T": {"Type": "AWS::DynamoDB::Table", "Properties": {}}},
    }  # fmt: skip
    res = Resolver(template, "t.yaml", Stack(region="eu-west-1", stack_name="shop"))
    r = res.resolve
    assert r({"Fn::Sub": "${AWS::Region}/${Env}/${Q.QueueName}/${!Literal}"}, "x") == (
        "eu-west-1/qa/jobs/${Literal}"
    )
    assert r({"Fn::GetAtt": ["Q", "Arn"]}, "x") == "arn:aws:sqs:eu-west-1:123456789012:jobs"
    assert r({"Ref": "T"}, "x") == "shop-T-" + r({"Ref": "T"}, "x").rsplit("-", 1)[1]
    assert (
        r({"Fn::If": ["NotQa", "a", {"Fn::FindInMap": ["M", {"Ref": "Env"}, "Size"]}]}, "x") == "2"
    )
    assert r({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}, "x") == ["10.0.0.0/24", "10.0.1.0/24"]
    assert r({"Fn::Join": ["", [{"Ref": "AWS::Partition"}, {"Ref": "AWS::URLSuffix"}]]}, "x") == (
        "awsamazonaws.com"
    )
    assert r({"A": {"Ref": "AWS::NoValue"}, "B": 1}, "x") == {"B": 1}
    cases = {
        "Resources.F.Properties.Environment.Variables.X": (
            {"Fn::ImportValue": "shared-table"},
            "t.yaml: Resources.F.Properties.Environment.Variables.X (Fn::ImportValue): cannot be "
            "resolved locally: it imports 'shared-table' from another stack's exports; set the "
            "value with a parameter (with a Default) instead",
        ),
        "Outputs.Y": (
            {"Ref": "NoDefault"},
            "t.yaml: Outputs.Y: Ref NoDefault: the parameter has no Default; give it one, or a "
            "value: --lambda-template-parameters=NoDefault=VALUE (pytest-lambda check --parameter "
            "NoDefault=VALUE)",
        ),
        "Outputs.Z": (
            {"Fn::GetAtt": ["Q", "Nope"]},
            "t.yaml: Outputs.Z: Fn::GetAtt Q.Nope: cannot be resolved locally (a AWS::SQS::Queue "
            "attribute this tool does not know; known: Arn, QueueName, QueueUrl)",
        ),
        "Outputs.W": (
            {"Ref": "Missing"},
            "t.yaml: Outputs.W: Ref Missing: no parameter, pseudo "
            "parameter or resource of that name",
        ),
    }
    for where, (value, message) in cases.items():
        with pytest.raises(TemplateError) as info:
            r(value, where)
        assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources: [a\n", "{path}: line 2, column 1: not valid YAML: expected ',' or ']', but got '<stream end>'"),
        ("Resources:\n  F:\n    Type: AWS::Serverless::Functon\n",
         "{path}: Resources.F.Type: unknown resource type 'AWS::Serverless::Functon'; expected "
         "AWS::Serverless::Api, AWS::Serverless::Application, AWS::Serverless::Connector, "
         "AWS::Serverless::Function, AWS::Serverless::GraphQLApi, AWS::Serverless::HttpApi, "
         "AWS::Serverless::LayerVersion, AWS::Serverless::SimpleTable, AWS::Serverless::StateMachine"),
        ("Resources:\n  F:\n    Type: Lambda Function\n",
         "{path}: Resources.F.Type: unknown resource type 'Lambda Function'; expected "
         "Service::Resource names such as AWS::Lambda::Function, or Custom::Name"),
        ("Description: x\n", "{path}: no Resources (CloudFormation) nor functions (serverless.yml)"),
        ("- a\n", "{path}: a template is a mapping with a Resources section"),
    ],
)  # fmt: skip
def test_bad_templates_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    with pytest.raises(TemplateError) as info:
        load_app(path)
    assert str(info.value) == message.format(path=path)


def test_missing_and_bad_json_templates(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        load_app(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: no such template file"
    bad = tmp_path / "t.template.json"
    bad.write_text('{"Resources": {,}}')
    with pytest.raises(TemplateError) as info:
        load_app(bad)
    assert str(info.value) == (
        f"{bad}: line 1, column 16: not valid JSON: Expecting property name enclosed in double quotes"
    )


def test_missing_handler_module_names_file_resource_and_field(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"Fn": {"Type": "AWS::Serverless::Function",
        "Properties": {"Runtime": "python3.12", "Handler": "app.main", "CodeUri": "src"}},
        "Table": {"Type": "AWS::DynamoDB::Table"}}}))  # fmt: skip
    app = load_app(path)
    with pytest.raises(TemplateError) as info:
        app.function("Fn")
    assert str(info.value) == (
        f"{path}: Resources.Fn.Properties.Handler: 'app.main' names module app, but there is "
        f"no app.py under {(tmp_path / 'src').resolve()}"
    )
    with pytest.raises(TemplateError) as info:
        app.function("Table")
    assert str(info.value) == (
        f"{path}: Resources.Table is a AWS::DynamoDB::Table, not a function; functions: Fn"
    )
    with pytest.raises(TemplateError) as info:
        app.function("Orders")
    assert str(info.value) == f"{path}: no resource 'Orders'; functions: Fn"


def test_yaml_without_pyyaml_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(TemplateError) as info:
        load_template_file(SAM)
    assert str(info.value) == (
        f"{SAM}: a YAML template needs PyYAML, which is not installed; pip install "
        "'pytest-lambda-toolkit[template]' (or give the template as JSON, e.g. "
        "cdk.out/*.template.json)"
    )
    assert load_template_file(CDK)["Resources"]  # JSON needs no PyYAML


def test_discovery(tmp_path: Path) -> None:
    assert find_template(tmp_path) is None
    (tmp_path / "cdk.out").mkdir()
    one = tmp_path / "cdk.out" / "A.template.json"
    one.write_text("{}")
    assert find_template(tmp_path) == one
    (tmp_path / "cdk.out" / "B.template.json").write_text("{}")
    with pytest.raises(TemplateError) as info:
        find_template(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'cdk.out'}: 2 synthesized stacks (cdk.out/A.template.json, "
        "cdk.out/B.template.json); name one with --lambda-template=PATH (ini lambda_template, "
        "env PYTEST_LAMBDA_TEMPLATE)"
    )
    (tmp_path / "template.yml").write_text("Resources: {}")
    assert find_template(tmp_path) == tmp_path / "template.yml"
    assert (
        find_template(tmp_path, "cdk.out/B.template.json")
        == tmp_path / "cdk.out" / "B.template.json"
    )
    with pytest.raises(TemplateError) as info:
        find_template(tmp_path, "other.yaml")
    assert str(info.value) == f"{tmp_path / 'other.yaml'}: no such template file"


REAL = DATA / "real" / "apigw-sqs-lambda-sqs" / "template.yaml"  # aws-samples, see README.md


def test_a_real_sam_template_with_a_condition() -> None:
    app = load_app(REAL)
    process = app.function("ProcessInputQueue")
    assert (process.runtime, process.timeout) == ("python3.9", 5.0)
    assert process.env == {"OUTPUT_QUEUE_NAME": "https://sqs.us-east-1.amazonaws.com/"
                           "123456789012/local-stack-OutputQueue-0DCF88E6ACB6"}  # fmt: skip
    assert [dict(e.params) for e in process.events] == [
        {"queue": "local-stack-InputQueue-875E7EF8EEFB", "records": 10}
    ]
    writer = app.function("WriteTestResult")  # Condition CreateTestResources: EnvType=test
    assert [e.kind for e in writer.events] == ["sqs", "sqs"]
    prod = load_app(REAL, stack=Stack(parameters={"EnvType": "prod"}))
    assert prod.functions["WriteTestResult"].skip_reason == (
        "not created: its Condition CreateTestResources is false with these parameters"
    )


def test_api_events_use_their_apis_stage(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: v1}\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.13\n      Handler: app.handler\n      Events:\n"
        "        Get: {Type: Api, Properties: {Path: /items, Method: ANY, RestApiId: !Ref Api}}\n"
    )
    (source,) = load_app(path).function("Fn").events
    assert dict(source.params) == {"resource": "/items", "stage": "v1"}  # ANY: method drawn


KAFKA_SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Events:
        Orders:
          Type: MSK
          Properties:
            Stream: arn:aws:kafka:eu-west-1:123456789012:cluster/orders-cluster/abc-1
            Topics: [orders]
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
        Legacy:
          Type: SelfManagedKafka
          Properties:
            KafkaBootstrapServers: ["broker-1.example.com:9092", "broker-2.example.com:9092"]
            Topics: [clicks, views]
        Nightly:
          Type: ScheduleV2
          Properties: {ScheduleExpression: rate(1 day), Name: nightly-report}
        WithInput:
          Type: ScheduleV2
          Properties: {ScheduleExpression: rate(1 day), Input: '{"job": "x"}'}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Consumer
      Topics: [audit]
      SelfManagedEventSource:
        Endpoints: {KafkaBootstrapServers: ["kafka.internal:9096"]}
"""


def test_kafka_and_scheduler_triggers_are_mapped(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "template.yaml"
    path.write_text(KAFKA_SAM)
    fn = load_app(path).function("Consumer")
    got = {e.name: (e.kind, dict(e.params), e.report_batch_item_failures, e.skip_reason)
           for e in fn.events}  # fmt: skip
    assert got["Orders"] == (
        "kafka",
        {"source": "msk", "topic": "orders", "cluster": "orders-cluster", "records": 5},
        False,  # Kafka partial batch responses are not modelled: whole-batch retries
        None,
    )
    assert got["Legacy"] == (
        "kafka",
        {"source": "self_managed", "topic": ["clicks", "views"],
         "bootstrap_servers": ["broker-1.example.com:9092", "broker-2.example.com:9092"],
         "records": 10},
        False,
        None,
    )  # fmt: skip
    assert got["Mapping"] == (
        "kafka",
        {"source": "self_managed", "topic": "audit",
         "bootstrap_servers": ["kafka.internal:9096"], "records": 10},
        False,
        None,
    )  # fmt: skip
    assert got["Nightly"] == (
        "eventbridge",
        {"variant": "scheduler", "schedule": "nightly-report"},
        False,
        None,
    )
    assert got["WithInput"][0] is None
    assert got["WithInput"][3] == (
        "EventBridge Scheduler delivers the schedule's Input as the event: build it with "
        "events.scheduler_input(input) in your own test"
    )
    from pytest_lambda import events

    for name in ("Orders", "Legacy", "Mapping", "Nightly"):
        source = next(e for e in fn.events if e.name == name)
        events.generate(source.kind or "", seed=1, **dict(source.params))  # valid events


SLS_STAGE = """\
service: orders
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
  environment:
    TABLE: ${self:service}-${sls:stage}-table
    SECRET: ${ssm:/orders/secret}
  logs:
    restApi:
      role: !GetAtt ApiCWLRole.Arn
functions:
  worker:
    handler: app.handler
    events:
      - sns: alerts
      - sqs:
          arn: ${cf:other-stack.QueueArn}
resources:
  Resources:
    Method:
      Type: AWS::ApiGateway::Method
      Properties:
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:sqs:path/queue"
"""


def test_serverless_stage_variable_and_unrelated_settings_do_not_stop_a_function(
    tmp_path: Path,
) -> None:
    (tmp_path / "serverless.yml").write_text(SLS_STAGE)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    app = load_app(tmp_path / "serverless.yml")
    fn = app.functions["worker"]
    assert fn.problem is None
    assert fn.function_name == "orders-dev-worker"
    assert fn.env == {"TABLE": "orders-dev-table"}
    assert any(note.startswith("SECRET is not set:") for note in fn.notes)
    assert fn.kinds == ["sns"]  # the sqs trigger names another stack's output: skipped
    assert [e.skip_reason is not None for e in fn.events] == [False, True]


ALB_HEAD = "Parameters:\n  RulePath:\n    Type: String\n    Default: /orders/*\n"
ALB_RESOURCES = """\
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Name: orders-tg
      TargetType: lambda
      TargetGroupAttributes:
        - Key: lambda.multi_value_headers.enabled
          Value: "true"
      Targets:
        - Id: !GetAtt Fn.Arn
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      Actions:
        - Type: forward
          TargetGroupArn: !Ref Targets
      Conditions:
        - Field: path-pattern
          Values: [!Ref RulePath]
      ListenerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2
      Priority: 1
  Other:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: instance
"""


def test_a_lambda_target_group_is_an_alb_trigger(
    tmp_path: Path, sam_template: Callable[..., str]
) -> None:
    (tmp_path / "template.yaml").write_text(sam_template(head=ALB_HEAD, resources=ALB_RESOURCES))
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    fn = load_app(tmp_path / "template.yaml").functions["Fn"]
    assert fn.kinds == ["alb"]
    assert fn.events[0].param_sets == (
        {"target_group": "orders-tg", "multi_value_headers": True, "path": "/orders/items"},
    )
