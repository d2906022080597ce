"""One text per Lambda fact: the runner, the ``--lambda-*`` options, the CLI and the context agree.

The same bad value, given through each surface, gives an error that ends with (or contains)
the fact's one text from ``pytest_lambda._core.facts``, word for word after each caller's prefix.
"""

from __future__ import annotations

import pytest

from pytest_lambda import LambdaContext, LambdaRunner
from pytest_lambda._core import facts
from pytest_lambda._core.errors import InvalidOption
from pytest_lambda._plugin.options import SETTINGS
from pytest_lambda.cli import main

MEMORY = "Lambda memory is 128 to 10240 MB"
TIMEOUT = "Lambda timeouts are above 0 and at most 900 seconds"
REGION = "is not an AWS region name like 'us-east-1'"


def _cli_error(capsys: pytest.CaptureFixture[str], tmp_path: object, *argv: str) -> str:
    assert main([*argv, "--root", str(tmp_path)]) == 2
    return capsys.readouterr().err


def test_the_texts_are_the_facts() -> None:
    assert facts.memory_problem(64) == MEMORY
    assert facts.memory_problem(128) is None
    assert facts.memory_problem(10240) is None
    assert facts.memory_problem(10241) == MEMORY
    assert facts.timeout_problem(0) == TIMEOUT
    assert facts.timeout_problem(900) is None
    assert facts.timeout_problem(900.5) == TIMEOUT
    assert facts.timeout_problem(float("nan")) == TIMEOUT
    assert facts.region_problem("Europe") == REGION
    assert facts.region_problem("us-gov-west-1") is None
    assert facts.isolation_problem("thread") == facts.ISOLATION_TEXT
    assert facts.isolation_problem("runtime") is None


def test_memory_64_reads_the_same_everywhere(capsys, tmp_path) -> None:
    with pytest.raises(InvalidOption) as runner:
        LambdaRunner("app.handler", memory_mb=64, root=tmp_path)
    with pytest.raises(InvalidOption) as option:
        SETTINGS["memory"].parse("--lambda-memory", "64")
    with pytest.raises(InvalidOption) as context:
        LambdaContext(memory_limit_in_mb=64)
    cli = _cli_error(capsys, tmp_path, "check", "app.handler", "--events", "sqs", "--memory", "64")
    assert str(runner.value) == f"LambdaRunner: memory_mb=64: {MEMORY}"
    assert str(option.value) == f"--lambda-memory='64': {MEMORY}"
    assert str(context.value) == f"LambdaContext: memory_limit_in_mb=64: {MEMORY}"
    assert cli == f"pytest-lambda: error: --memory 64: {MEMORY}\n"


def test_timeout_901_reads_the_same_everywhere(capsys, tmp_path) -> None:
    with pytest.raises(InvalidOption) as runner:
        LambdaRunner("app.handler", timeout=901, root=tmp_path)
    with pytest.raises(InvalidOption) as option:
        SETTINGS["timeout"].parse("--lambda-timeout", "901")
    check = _cli_error(
        capsys, tmp_path, "check", "app.handler", "--events", "sqs", "--timeout", "901"
    )
    invoke = _cli_error(
        capsys, tmp_path, "invoke", "app.handler", "--kind", "sqs", "--timeout", "901"
    )
    assert str(runner.value) == f"LambdaRunner: timeout=901: {TIMEOUT}"
    assert str(option.value) == f"--lambda-timeout='901': {TIMEOUT}"
    assert check == f"pytest-lambda: error: --timeout 901.0: {TIMEOUT}\n"
    assert invoke == f"pytest-lambda: error: --timeout 901.0: {TIMEOUT}\n"


def test_region_reads_the_same_everywhere(tmp_path) -> None:
    with pytest.raises(InvalidOption) as runner:
        LambdaRunner("app.handler", region="Europe", root=tmp_path)
    with pytest.raises(InvalidOption) as option:
        SETTINGS["region"].parse("--lambda-region", "Europe")
    with pytest.raises(InvalidOption) as context:
        LambdaContext(region="Europe")
    assert str(runner.value) == f"LambdaRunner: region='Europe' {REGION}"
    assert str(option.value) == f"--lambda-region='Europe' {REGION}"
    assert str(context.value) == f"LambdaContext: region='Europe' {REGION}"


def test_isolation_reads_the_same_in_runner_and_option(tmp_path) -> None:
    with pytest.raises(InvalidOption) as runner:
        LambdaRunner("app.handler", isolation="thread", root=tmp_path)
    with pytest.raises(InvalidOption) as option:
        SETTINGS["isolation"].parse("--lambda-isolation", "thread")
    assert str(runner.value) == f"LambdaRunner: isolation='thread': {facts.ISOLATION_TEXT}"
    assert str(option.value) == f"--lambda-isolation='thread': {facts.ISOLATION_TEXT}"


def test_event_kinds_have_one_home() -> None:
    from pytest_lambda._checks.redeliver import _ALL_KINDS
    from pytest_lambda._events._kinds import KINDS

    assert KINDS is facts.EVENT_KINDS
    assert _ALL_KINDS is facts.EVENT_KINDS
    assert facts.EVENT_KINDS[:6] == ("apigw_v1", "apigw_v2", "s3", "sns", "sqs", "kinesis")
