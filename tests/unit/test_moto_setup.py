"""--moto-setup / --lambda-moto-setup: the user's callable creates the resources inside moto."""

from __future__ import annotations

import textwrap

import pytest

from pytest_lambda.cli import main

pytest.importorskip("moto")
pytest.importorskip("boto3")

APP = """
import json
import boto3

table = boto3.resource("dynamodb").Table("orders")


def handler(event, context):
    for record in event["Records"]:
        table.put_item(Item={"pk": record["messageId"], "body": record["body"]})
    return {"batchItemFailures": []}
"""

SETUP = """
import os
import boto3

REGIONS = []


def create_tables():
    REGIONS.append(os.environ["AWS_DEFAULT_REGION"])
    boto3.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def broken():
    raise RuntimeError("no template")
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    (tmp_path / "aws_setup.py").write_text(textwrap.dedent(SETUP))
    return tmp_path


def check(*extra: str) -> list[str]:
    return ["check", "app.handler", "--events", "sqs", "--seed", "3", *extra]


def test_without_setup_the_table_is_missing(project, capsys):
    assert main(check("--moto")) == 1
    assert "ResourceNotFoundException" in capsys.readouterr().out


def test_setup_creates_the_table_and_the_checks_pass(project, capsys, monkeypatch):
    # another test's aws_setup may be imported: this project's file is then loaded aside
    monkeypatch.delitem(__import__("sys").modules, "aws_setup", raising=False)
    code = main(check("--moto-setup", "aws_setup:create_tables", "--region", "eu-west-1"))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "state not observed" not in out
    import sys

    assert set(sys.modules["aws_setup"].REGIONS) == {"eu-west-1"}


def test_a_failing_setup_is_reported_with_its_name(project, capsys):
    # the set-up runs once before the checks (with the handler's load): a usage error
    assert main(check("--moto-setup", "aws_setup:broken")) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "moto setup 'aws_setup:broken' raised RuntimeError: no template" in captured.err


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("create_tables", "name a callable as package.module:function"),
        ("aws setup:x", "name a callable as package.module:function"),
    ],
)
def test_bad_reference_is_a_usage_error(project, capsys, reference, message):
    assert main(check("--moto-setup", reference)) == 2
    assert message in capsys.readouterr().err


def test_missing_module_and_attribute(project, capsys):
    assert main(check("--moto-setup", "nowhere:create")) == 2
    assert "cannot import 'nowhere'" in capsys.readouterr().err
    assert main(check("--moto-setup", "aws_setup:nothing")) == 2
    assert "'aws_setup' has no attribute 'nothing'" in capsys.readouterr().err


def test_suite_option_in_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=APP, aws_setup=SETUP)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "--lambda-handler=app.handler", "--lambda-events=sqs",
        "--lambda-seed=3", "--lambda-moto-setup=aws_setup:create_tables",
    )  # fmt: skip
    result.stdout.fnmatch_lines(["*moto=on, setup aws_setup:create_tables (command line)*"])
    result.assert_outcomes(passed=4)


def test_with_the_code_in_src_the_setup_module_is_found_where_the_command_runs(
    project, capsys, monkeypatch
):
    (project / "src").mkdir()
    (project / "app.py").rename(project / "src" / "app.py")
    monkeypatch.delitem(__import__("sys").modules, "aws_setup", raising=False)
    argv = check("--moto-setup", "aws_setup:create_tables", "--root", "src")
    code = main(argv)
    assert code == 0, capsys.readouterr().out
    capsys.readouterr()
    # and a module in neither place names both
    assert main(check("--moto-setup", "nowhere:create", "--root", "src")) == 2
    err = capsys.readouterr().err
    assert f"it is imported from {project / 'src'} or {project}: put it there" in err


def test_a_same_named_setup_module_of_another_folder_is_not_taken(tmp_path, monkeypatch):
    from pytest_lambda._checks.moto_setup import load_setup

    monkeypatch.chdir(tmp_path)
    for name in ("svc_a", "svc_b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "setup_of_svc.py").write_text(f"def create():\n    return {name!r}\n")
    monkeypatch.delitem(__import__("sys").modules, "setup_of_svc", raising=False)
    first = load_setup("setup_of_svc:create", str(tmp_path / "svc_a"))
    second = load_setup("setup_of_svc:create", str(tmp_path / "svc_b"))
    assert (first(), second()) == ("svc_a", "svc_b")
