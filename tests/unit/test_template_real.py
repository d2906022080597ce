"""Real SAM apps (tests/data/templates/real, provenance in its README): what each must give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_lambda._template.app import load_app
from pytest_lambda._template.intrinsics import Stack
from pytest_lambda._template.load import TemplateError
from pytest_lambda.cli import main

REAL = Path(__file__).parents[1] / "data" / "templates" / "real"


def test_rest_route_and_table_name() -> None:
    app = load_app(REAL / "apigw-lambda-dynamodb" / "template.yaml")
    fn = app.function("PythonTestDemo")
    assert [dict(p) for p in fn.param_sets("apigw_v1")] == [
        {"resource": "/hello/{id}", "method": "GET", "stage": "Prod"}
    ]
    assert fn.env == {"DYNAMODB_TABLE_NAME": app.resolver.physical_name("DynamoDBTable")}
    assert fn.architecture == "x86_64"


def test_a_get_that_logs_each_greeting_is_not_idempotent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The app's GET /hello/{id} writes a timestamped item on every call, as the sample's does:
    a duplicate delivery adds a second one, found under --moto in the table the template names."""
    pytest.importorskip("moto")
    template = REAL / "apigw-lambda-dynamodb" / "template.yaml"
    table = load_app(template).resolver.physical_name("DynamoDBTable")
    code = main(["check", "--template", str(template), "--moto", "--seed", "4"])
    out = capsys.readouterr().out
    assert code == 1, out
    row = next(line for line in out.splitlines() if line.strip().startswith("PythonTestDemo"))
    assert row.split()[:6] == [
        "PythonTestDemo", "apigw_v1", "passed*", "failed", "passed*", "passed*",
    ]  # fmt: skip
    assert (
        "[duplicate delivery, warm] a duplicate delivery changed the state (1 added): a "
        f"repeated GET request changed the state (table '{table}')"
    ) in out
    assert "fix: a GET must not change state" in out
    assert "  duplicate delivery: failed (warm: failed, cold: failed)\n" in out


def test_fifo_redrive_max_receive_count_is_the_retries() -> None:
    app = load_app(REAL / "fifo-sqs-redrive" / "template.yaml")
    original = app.function("MyOriginalQueueFunction")
    assert original.param_sets("sqs")[0]["queue"] == "MyOriginalQueue.fifo"
    assert original.env["QUEUE_URL"] == (
        "https://sqs.us-east-1.amazonaws.com/123456789012/MyOriginalQueue.fifo"
    )
    # maxReceiveCount 1: the first receive is the only one, no retry
    assert original.idempotency_keywords() == {"partial_batch": False, "retries": 0}


def test_kinesis_retry_limit_above_two_is_used() -> None:
    fn = load_app(REAL / "kinesis-lambda-error-handling" / "template.yaml").function(
        "KinesisDataStreamProcessor"
    )
    assert fn.handler == "kinesis-consumer-fn.lambda_handler"
    assert fn.idempotency_keywords() == {"partial_batch": False, "bisect": True, "retries": 5}


def test_a_newer_resource_type_does_not_refuse_the_template() -> None:
    app = load_app(REAL / "sqs-lambda-lmi-esm-provisioned-sam" / "template.yaml")
    assert app.resources["CapacityProvider"]["Type"] == "AWS::Serverless::CapacityProvider"
    fn = app.function("ProcessorFunction")
    assert fn.param_sets("sqs")[0]["queue"] == "local-stack-queue"  # !Sub ${AWS::StackName}-queue
    # maxReceiveCount 3 is 2 retries, the check's default; ReportBatchItemFailures is read
    assert fn.idempotency_keywords() == {"partial_batch": True}
    assert fn.architecture == "arm64"


@pytest.mark.parametrize("rtype", ["AWS::Serverless::Fuction", "AWS::Lambda::Persmission"])
def test_a_near_miss_of_a_known_type_is_still_a_misspelling(tmp_path: Path, rtype: str) -> None:
    (tmp_path / "template.yaml").write_text(f"Resources:\n  F:\n    Type: {rtype}\n")
    with pytest.raises(TemplateError, match=f"unknown resource type '{rtype}'"):
        load_app(tmp_path / "template.yaml")


def test_parameters_without_default_leave_the_variable_unset_with_a_note() -> None:
    template = REAL / "s3-lambda-ses-sam" / "template.yaml"
    fn = load_app(template).function("SendEmailLambdaFunction")
    assert fn.runnable
    assert "SENDER_EMAIL" not in fn.env
    assert fn.notes[0] == (
        "environment variable SENDER_EMAIL is left unset (Ref SenderEmailId: the parameter has "
        "no Default; give it one, or a value: --lambda-template-parameters=SenderEmailId=VALUE "
        "(pytest-lambda check --parameter SenderEmailId=VALUE)); or set it: pytest-lambda check "
        "--env SENDER_EMAIL=VALUE, the lambda_handler marker's env="
    )
    given = Stack(
        parameters={"SenderEmailId": "a@example.com", "RecipientEmailId": "b@example.com"}
    )
    fn = load_app(template, stack=given).function("SendEmailLambdaFunction")
    assert (fn.env["SENDER_EMAIL"], fn.env["RECIPIENT_EMAIL"], fn.notes) == (
        "a@example.com", "b@example.com", ()
    )  # fmt: skip


def test_check_parameter_flag(capsys: pytest.CaptureFixture[str]) -> None:
    template = str(REAL / "s3-lambda-ses-sam" / "template.yaml")
    assert main(["check", "--template", template, "--parameter", "SenderEmailId"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("--parameter SenderEmailId: expected NAME=VALUE, e.g. --parameter Stage=dev")
    )


def test_sam_alias_and_version_references(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n"
        "      AutoPublishAlias: live\n"
        "  Caller:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n"
        "      Environment:\n        Variables:\n"
        "          TARGET: !Ref Worker.Alias\n          SUBBED: !Sub '${Worker.Alias}'\n"
        "          VERSION: !Ref Worker.Version\n"
    )
    app = load_app(tmp_path / "template.yaml")
    arn = app.resolver.arn("Worker")
    assert dict(app.function("Caller").env) == {
        "TARGET": f"{arn}:live", "SUBBED": f"{arn}:live", "VERSION": f"{arn}:1"
    }  # fmt: skip


def test_filter_criteria_of_each_mapping_are_applied(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_lambda._suite.engine import SuiteOptions
    from pytest_lambda._suite.from_template import with_template_filter

    template = REAL / "lambda-esm-sqs-filters-sam" / "template.yaml"
    app = load_app(template)
    assert app.function("EsmSqsFilterFunctionNoFilter").filter_criteria("sqs") is None
    criteria = app.function("EsmSqsFilterFunctionPrefix").filter_criteria("sqs")
    assert criteria == {"Filters": [{"Pattern": '{"body":{"region":[{"prefix":"us-"}]}}'}]}
    opts = with_template_filter(SuiteOptions(seed=1), criteria, "sqs")
    assert opts.filters == ({"body": {"region": [{"prefix": "us-"}]}},)
    args = ["check", "--template", str(template), "EsmSqsFilterFunctionPrefix", "--seed", "3"]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {(r["function"], r["kind"], r["check"], r["verdict"]) for r in doc["results"]} == {
        ("EsmSqsFilterFunctionPrefix", "sqs", c, "passed")
        for c in ("invokes", "idempotent", "warm-reuse", "robust")
    }
    assert main([*args, "--filter", "{}"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "--filter does not apply with --template: each event source mapping's FilterCriteria "
            "in the template is used"
        )
    )


def test_stream_consumer_passes_every_check_under_moto(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("moto")
    template = REAL / "apigw-lambda-dynamodb-stream-lambda" / "template.yaml"
    fn = load_app(template).function("ConsumerFunction")
    assert [dict(p) for p in fn.param_sets("dynamodb")] == [
        {"table": "DemoStreamDynamoDBToLambda", "records": 10, "key_schema": {"id": "S"},
         "view_type": "NEW_IMAGE"}
    ]  # fmt: skip
    code = main(["check", "--template", str(template), "ConsumerFunction", "--moto", "--seed", "4"])
    out = capsys.readouterr().out
    assert code == 0, out
    row = next(line for line in out.splitlines() if line.strip().startswith("ConsumerFunction"))
    assert row.split()[:6] == [
        "ConsumerFunction", "dynamodb", "passed", "passed", "passed", "passed",
    ]  # fmt: skip
    # the consumer only prints: under moto a handler that wrote nothing gets no blind-observe
    # warning (it was a false warning before the checks' review)
    assert "observe() returned" not in out


def test_check_template_honours_env_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--path (a dependency folder) and --env (over the template's variables) apply per function."""
    (tmp_path / "src").mkdir()
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "greeting.py").write_text("WORD = 'hi'\n")
    (tmp_path / "src" / "app.py").write_text(
        "import os\nimport greeting\n\n\ndef handler(event, context):\n"
        "    if os.environ['MODE'] != 'local':\n        raise RuntimeError(os.environ['MODE'])\n"
        "    return {'batchItemFailures': []}\n"
    )
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Q:\n    Type: AWS::SQS::Queue\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n"
        "      Environment:\n        Variables:\n          MODE: deployed\n"
        "      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n"
        "            Queue: !GetAtt Q.Arn\n            FunctionResponseTypes: [ReportBatchItemFailures]\n"
    )
    args = ["check", "--template", str(tmp_path / "template.yaml"), "--seed", "2"]
    assert main(args) == 1
    assert "No module named 'greeting'" in capsys.readouterr().out
    code = main([*args, "--path", str(tmp_path / "deps"), "--env", "MODE=local"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "--path " + str(tmp_path / "deps") not in out  # nothing failed: no reproduce line
    assert next(ln for ln in out.splitlines() if ln.strip().startswith("Fn ")).split()[:6] == [
        "Fn", "sqs", "passed", "passed*", "passed", "passed",
    ]  # fmt: skip


def test_an_architecture_other_than_this_machines_is_noted() -> None:
    from pytest_lambda._template.props import architecture_note

    assert architecture_note("x86_64", "x86_64") is None
    assert architecture_note("arm64", "aarch64") is None
    assert architecture_note("arm64", "x86_64") == (
        "Architectures arm64: runs here on x86_64; platform.machine() and native wheels "
        "(compiled packages) are this machine's, not Lambda's"
    )
    fn = load_app(REAL / "sqs-lambda-lmi-esm-provisioned-sam" / "template.yaml").function(
        "ProcessorFunction"
    )
    assert fn.notes == tuple(n for n in [architecture_note("arm64")] if n)


def test_an_ssm_typed_parameter_is_not_its_default(tmp_path: Path) -> None:
    """Type AWS::SSM::Parameter::Value<String>: the Default is the SSM name, not the value
    (aws-samples/aws-serverless-shopping-cart's UserPoolId)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nParameters:\n  UserPoolId:\n"
        "    Type: 'AWS::SSM::Parameter::Value<String>'\n"
        "    Default: '/shop/auth/user-pool-id'\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n"
        "      Environment:\n        Variables:\n          USERPOOL_ID: !Ref UserPoolId\n"
    )
    fn = load_app(tmp_path / "template.yaml").function("Fn")
    assert "USERPOOL_ID" not in fn.env
    assert fn.notes[0].startswith(
        "environment variable USERPOOL_ID is left unset (Ref UserPoolId: the parameter's value "
        "is read from SSM parameter /shop/auth/user-pool-id at deploy time; give a value: "
        "--lambda-template-parameters=UserPoolId=VALUE (pytest-lambda check --parameter "
        "UserPoolId=VALUE))"
    )
    given = Stack(parameters={"UserPoolId": "us-east-1_abc"})
    assert load_app(tmp_path / "template.yaml", stack=given).function("Fn").env == {
        "USERPOOL_ID": "us-east-1_abc"
    }


def test_a_set_up_problem_and_a_shared_note_are_shown_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Eight functions of the shopping-cart app lacked one module: one report per function
    and kind, and one line for the public layer they all named."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import cognitojwt\n\ndef handler(e, c):\n    return 1\n"
    )
    fns = "".join(
        f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.12\n"
        "      Layers: [arn:aws:lambda:us-east-1:017000801446:layer:Powertools:3]\n"
        "      Events:\n        Q:\n          Type: SQS\n          Properties: {Queue: !GetAtt Q.Arn}\n"
        for name in ("One", "Two")
    )
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n" + fns
    )
    assert main(["check", "--template", str(tmp_path / "template.yaml"), "--seed", "1"]) == 1
    out = capsys.readouterr().out
    assert [ln for ln in out.splitlines() if ln.startswith("FAILED")] == [
        "FAILED One::sqs (every check: setup.import-error)",
        "FAILED Two::sqs (every check: setup.import-error)",
    ]
    assert out.rstrip().splitlines()[-1] == (
        "One, Two: layer arn:aws:lambda:us-east-1:017000801446:layer:Powertools:3 is not in this "
        "template: not on the path"
    )


def test_a_wired_trigger_that_cannot_resolve_skips_only_that_trigger(tmp_path: Path) -> None:
    """CDK apps subscribe functions to topics of other stacks (Fn::ImportValue): that trigger is
    skipped with the reason; the function and its queue mapping still run."""
    (tmp_path / "asset.abc").mkdir()
    (tmp_path / "asset.abc" / "sqs.py").write_text("def handler(event, context):\n    return 1\n")
    fn_ref = {"Fn::GetAtt": ["Fn", "Arn"]}
    template = {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue"},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "sqs.handler", "Runtime": "python3.12",
                               "Code": {"S3Bucket": {"Ref": "AssetBucket"}, "S3Key": "k.zip"}},
                "Metadata": {"aws:asset:path": "asset.abc", "aws:asset:property": "Code"},
            },
            "Sub": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {"Protocol": "lambda", "Endpoint": fn_ref,
                               "TopicArn": {"Fn::ImportValue": "Other:TopicArn"}},
            },
            "Map": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"FunctionName": {"Ref": "Fn"},
                               "EventSourceArn": {"Fn::GetAtt": ["Q", "Arn"]}},
            },
        },
        "Parameters": {"AssetBucket": {"Type": "String"}},
    }  # fmt: skip
    (tmp_path / "Stack.template.json").write_text(json.dumps(template))
    fn = load_app(tmp_path / "Stack.template.json").function("Fn")
    assert fn.runnable
    assert fn.kinds == ["sqs"]
    skipped = [(e.name, e.skip_reason) for e in fn.events if e.skip_reason]
    assert skipped == [
        ("Sub", f"{tmp_path / 'Stack.template.json'}: Resources.Sub.Properties.TopicArn "
                "(Fn::ImportValue): cannot be resolved locally: it imports 'Other:TopicArn' from "
                "another stack's exports; set the value with a parameter (with a Default) instead")
    ]  # fmt: skip


def test_a_code_uri_naming_a_zip_says_so(tmp_path: Path) -> None:
    """serverless-patterns' api-sqs-lambda-python points CodeUri at src/index.zip."""
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src/index.zip\n      Handler: app.handler\n      Runtime: python3.12\n"
    )
    fn = load_app(tmp_path / "template.yaml").functions["Fn"]
    assert fn.problem == (
        f"{tmp_path / 'template.yaml'}: Resources.Fn.Properties.CodeUri: "
        f"{tmp_path / 'src' / 'index.zip'} is an archive, not a folder: the function is run from "
        "its source folder; point the template at it, or unzip the archive and name that folder"
    )


def test_the_how_tos_two_messages(tmp_path: Path) -> None:
    """docs/how-to/sam-cdk.md shows these two lines word for word."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    fn = "    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n"
    fn += "      Handler: app.handler\n      Runtime: python3.12\n"
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nParameters:\n  TimeoutSeconds: {Type: Number}\n"
        f"Resources:\n  OrdersFunction:\n{fn}      Timeout: !Ref TimeoutSeconds\n"
        f"  ReportsFunction:\n{fn}      Environment:\n        Variables:\n"
        "          SHARED: !ImportValue shared-table\n"
    )
    app = load_app(tmp_path / "template.yaml")
    page = (Path(__file__).parents[2] / "docs" / "how-to" / "sam-cdk.md").read_text("utf-8")
    problem = str(app.functions["OrdersFunction"].problem)
    assert problem.replace(str(tmp_path / "template.yaml"), "template.yaml") + "\n" in page
    assert f"ReportsFunction: {app.functions['ReportsFunction'].notes[0]}\n" in page


def test_reproduce_lines_carry_the_template_parameters() -> None:
    from pytest_lambda._suite.engine import SuiteOptions
    from pytest_lambda._suite.replay import reproduce_line

    opts = SuiteOptions(seed=5, template="template.yaml", function_id="Fn",
                        template_parameters={"Stage": "dev", "Mail": "a b"})  # fmt: skip
    assert reproduce_line("app.handler", "sqs", "robust", 5, opts) == (
        "reproduce with --lambda-seed=5: pytest --lambda-template=template.yaml --lambda-events=sqs "
        "--lambda-seed=5 "
        "--lambda-template-parameters='Stage=dev,Mail=a b' -k 'Fn and sqs and robust'  (or: "
        "pytest-lambda check --template template.yaml Fn --events sqs --seed 5 --parameter "
        "Stage=dev --parameter 'Mail=a b')"
    )


def test_rest_routes_from_an_included_openapi_definition() -> None:
    """serverless-samples' python-rest-sam declares its routes only in src/api/swagger.yaml,
    included with Fn::Transform AWS::Include: before, its functions had no trigger at all."""
    app = load_app(REAL / "serverless-rest-api-python-rest-sam" / "template.yaml")
    fn = app.function("LocationsFunction")
    assert [dict(p) for p in fn.param_sets("apigw_v1")] == [
        {"resource": "/locations", "method": "GET", "stage": "Prod"},
        {"resource": "/locations", "method": "PUT", "stage": "Prod"},
        {"resource": "/locations/{locationid}", "method": "GET", "stage": "Prod"},
        {"resource": "/locations/{locationid}", "method": "DELETE", "stage": "Prod"},
    ]
    assert {e.origin for e in fn.events} == {"AWS::Serverless::Api OpenAPI definition"}
    assert len(app.function("BookingsFunction").param_sets("apigw_v1")) == 5


def test_http_api_routes_from_an_inline_openapi_body(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    uri = (
        "!Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/"
        "invocations'"
    )
    (tmp_path / "template.yaml").write_text(f"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get:
          Type: HttpApi
          Properties: {{ApiId: !Ref Http, Path: '/items/{{id}}', Method: get}}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: '3.0.1'
        paths:
          /items/{{id}}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: '2.0'
                uri: {uri}
          /items:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: '1.0'
                uri: {uri}
            options:
              x-amazon-apigateway-integration: {{type: mock}}
""")
    fn = load_app(tmp_path / "template.yaml").function("Fn")
    # the route the function's Events already declare is not added twice
    assert [(e.kind, [dict(p) for p in e.param_sets]) for e in fn.events] == [
        ("apigw_v2", [{"route_key": "GET /items/{id}"}]),
        ("apigw_v1", [{"resource": "/items"}]),
    ]
