"""``pytest-lambda check --template``: every function of a template, one summary table."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_lambda.cli import main

DATA = Path(__file__).parents[1] / "data" / "templates"
EXAMPLE = Path(__file__).parents[2] / "examples" / "sam_app"


def test_every_function_of_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    template = str(EXAMPLE / "template.yaml")
    assert main(["check", "--template", template, "--seed", "5", "--root", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{template} (seed 5)"
    assert [line.split()[:6] for line in out[2:5]] == [
        ["OrdersApiFunction", "apigw_v1", "passed", "passed*", "passed", "passed"],
        ["OrdersWorkerFunction", "sqs", "passed", "passed*", "passed", "passed"],
        ["ThumbnailFunction", "s3", "passed", "passed*", "passed", "passed"],
    ]
    assert out[1].split() == [
        "function", "kind", "invokes", "idempotent", "warm-reuse", "robust", "invocations",
    ]  # fmt: skip
    assert out[5].startswith(
        "* idempotent (OrdersApiFunction apigw_v1, OrdersWorkerFunction sqs, ThumbnailFunction "
        "s3): state not observed (responses, errors and repeated sends only)"
    )
    assert len(out) == 6


def test_named_functions_skips_and_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(DATA / "sam", tmp_path / "sam")
    (tmp_path / "sam" / "src" / "reports" / "reports.py").unlink()
    template = str(tmp_path / "sam" / "template.yaml")
    argv = ["check", "--template", template, "--seed", "3", "--events", "sqs"]
    assert main([*argv, "OrdersWorkerFunction", "NotifierFunction", "ReportsFunction"]) == 1
    out = capsys.readouterr().out
    reports = tmp_path / "sam" / "src" / "reports"
    assert out.startswith(
        f"FAILED ReportsFunction\n{template}: Resources.ReportsFunction.Properties.Handler: "
        f"'reports.handler' names module reports, but there is no reports.py under {reports}\n"
    )
    lines = out.splitlines()
    assert lines[lines.index(f"{template} (seed 3)") + 2].split() == ["OrdersWorkerFunction", "sqs", "passed", "passed*", "passed",
                                 "passed", "23"]  # fmt: skip
    assert "NotifierFunction: skipped: runtime nodejs20.x is not a Python runtime: only " \
        "python3.x functions are run" in lines  # fmt: skip
    assert "ReportsFunction: not configured (see above)" in lines


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--template", "nope.yaml"], "nope.yaml: no such template file"),
        (["--template", str(DATA / "sam" / "template.yaml"), "OrdersTable"],
         f"{DATA / 'sam' / 'template.yaml'}: Resources.OrdersTable is a AWS::DynamoDB::Table, "
         "not a function; functions: OrdersApiFunction, OrdersWorkerFunction, ReportsFunction, "
         "NotifierFunction"),
        ([], "the following arguments are required: HANDLER, --events (see 'pytest-lambda "
             "check --help')"),
        (["app.handler", "Extra", "--events", "sqs"], "unrecognized arguments: Extra (function "
         "ids need --template) (see 'pytest-lambda check --help')"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line(
    argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"pytest-lambda: error: {error}\n"


def test_a_failing_check_reproduces_with_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "def handler(event, context):\n    raise KeyError('x')\n"
    )
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.12\n      CodeUri: src\n      Handler: app.handler\n"
        "      Timeout: 9\n      Events:\n        Q: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:1:q}}\n"
    )
    template = str(tmp_path / "template.yaml")
    argv = ["check", "--template", template, "--seed", "2", "--region", "eu-west-1"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAILED Fn::sqs::invokes\napp.handler failed on 5 of 5 seeded sqs events")
    assert (
        f"reproduce with --lambda-seed=2: pytest --lambda-template={template} --lambda-events=sqs "
        "--lambda-seed=2 "
        f"--lambda-region=eu-west-1 -k 'Fn and sqs and invokes'  (or: pytest-lambda check "
        f"--template {template} Fn --events sqs --seed 2 --region eu-west-1)\n"
    ) in out


@pytest.mark.parametrize(("extra", "verdict"), [("", "passed*"), (", FunctionResponseTypes: [ReportBatchItemFailures]", "failed*")])  # fmt: skip
def test_the_idempotent_check_follows_report_batch_item_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, verdict: str
) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n"
        "    return {'batchItemFailures': [{'itemIdentifier': event['Records'][0]['messageId']}]}\n"
    )
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Events:\n"
        f"        Q: {{Type: SQS, Properties: {{Queue: !GetAtt Q.Arn{extra}}}}}\n"
    )
    main(["check", "--template", str(tmp_path / "template.yaml"), "--seed", "1"])
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("  Fn "))
    assert row.split()[3] == verdict  # the idempotent column


def test_nothing_to_check_is_a_usage_error_not_an_empty_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sam_template: Callable[..., str]
) -> None:
    template = str(DATA / "sam" / "template.yaml")
    argv = ["check", "--template", template, "--seed", "3", "--events", "kinesis"]
    assert main([*argv, "OrdersWorkerFunction"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"pytest-lambda: error: nothing to check in {template}: OrdersWorkerFunction: no "
        "kinesis trigger (its triggers: sqs, dynamodb)\n"
    )
    (tmp_path / "template.yaml").write_text(sam_template())
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    argv = ["check", "--template", str(tmp_path / "template.yaml"), "--seed", "3"]
    assert main(argv) == 2
    assert "Fn: no trigger the suite can send events for: name the kinds" in capsys.readouterr().err
    # a function without a trigger is checked with the kinds asked for
    assert main([*argv, "--events", "sqs"]) == 0
    assert capsys.readouterr().out.splitlines()[2].split()[:6] == [
        "Fn", "sqs", "passed", "passed*", "passed", "passed",
    ]  # fmt: skip


FUNCTION_URL = (
    "      FunctionUrlConfig:\n        AuthType: AWS_IAM\n        Cors:\n"
    "          AllowOrigins: [!GetAtt Somewhere.Url]\n"
)


def test_a_sam_function_url_is_a_trigger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sam_template: Callable[..., str]
) -> None:
    (tmp_path / "template.yaml").write_text(sam_template(name="Hook", properties=FUNCTION_URL))
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
    )
    from pytest_lambda._template.app import load_app

    fn = load_app(tmp_path / "template.yaml").functions["Hook"]
    assert fn.kinds == ["function_url"]
    assert fn.events[0].param_sets == ({"auth": "iam"},)
    argv = ["check", "--template", str(tmp_path / "template.yaml"), "--seed", "2"]
    assert main(argv) == 0, capsys.readouterr().out
