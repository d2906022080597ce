"""``--lambda-filter`` (ini ``lambda_filter``, env ``PYTEST_LAMBDA_FILTER``) and ``check --filter``."""

from __future__ import annotations

import pytest

from pytest_lambda.cli import main

pytest_plugins = ["pytester"]
PLUGIN = ("-p", "lambda_toolkit", "-p", "no:cacheprovider")
ORDERS_ONLY = """
import json

def handler(event, context):
    for record in event["Records"]:
        if json.loads(record["body"])["type"] != "order":
            raise ValueError("not an order")
"""


def test_the_suite_sends_only_records_that_pass_the_filter(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=ORDERS_ONLY)
    pytester.path.joinpath("filter.json").write_text('{"body": {"type": ["order"]}}')
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs", "--lambda-seed=3",
        "--lambda-filter=@filter.json", "-k", "invokes or robust",
    )  # fmt: skip
    result.assert_outcomes(passed=2, deselected=2)
    result.stdout.fnmatch_lines(
        [
            "lambda suite: filter @filter.json (command line)",
            "* robust: 3 variants not sent: the filter would not deliver them",
        ]
    )


def test_a_filter_from_the_ini_file_applies_too(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=ORDERS_ONLY)
    pytester.makeini('[pytest]\nlambda_filter = {"body": {"type": ["order"]}}\n')
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs", "--lambda-seed=3",
        "-k", "invokes",
    )  # fmt: skip
    result.assert_outcomes(passed=1, deselected=3)
    result.stdout.fnmatch_lines(
        ['lambda suite: filter {"body": {"type": ["order"]}} (ini lambda_filter)']
    )


def test_a_malformed_filter_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=ORDERS_ONLY)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs",
        '--lambda-filter={"body": {"type": "order"}}',
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            'ERROR: --lambda-filter (from command line)=\'{"body": {"type": "order"}}\': '
            "filter pattern: body.type: a key must map to a list of rules or a nested object, "
            "not 'order'; see the rule syntax in AWS's 'Lambda event filtering' page (e.g. "
            '{"body": {"type": [[]"order"[]]}}); see *reference/options*'
        ]
    )


def test_check_filter_flag_and_its_errors(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "app.py").write_text(ORDERS_ONLY)
    argv = ["check", "app.handler", "--events", "sqs", "--seed", "2"]
    assert main([*argv, "--filter", '{"body": {"type": ["order"]}}']) == 0
    assert (
        "* robust: 3 variants not sent: the filter would not deliver them"
        in capsys.readouterr().out
    )
    prefix = '{"body": {"type": [{"prefix": "ord"}]}}'  # lets "ordinary" through: a bug
    assert main([*argv, "--filter", prefix]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        f"reproduce with: pytest-lambda check app.handler --events sqs --seed 2 --root {tmp_path} "
        """--filter '{"body": {"type": [{"prefix": "ord"}]}}'"""
    )
    assert (
        f"(or: pytest-lambda check app.handler --events sqs --seed 2 --root {tmp_path} --filter "
        """'{"body": {"type": [{"prefix": "ord"}]}}')"""
    ) in out
    assert main([*argv, "--filter", "{nope"]) == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            "--filter='{nope': filter pattern: the text: not JSON (Expecting property name enclosed "
            "in double quotes: line 1 column 2 (char 1)); see the rule syntax in AWS's 'Lambda "
            'event filtering\' page (e.g. {"body": {"type": ["order"]}})'
        )
    )
    assert main(["check", "app.handler", "--events", "s3", "--filter", '{"a": ["b"]}']) == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            '--filter=\'{"a": ["b"]}\': a filter belongs to one event source mapping; the event '
            "kinds (s3) must include exactly one of sqs, kinesis, dynamodb"
        )
    )
