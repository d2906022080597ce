"""``pytest-lambda check``: the conformance suite from the shell, in-process."""

from __future__ import annotations

import re
import textwrap

import pytest

from pytest_lambda.cli import main

GOOD = """
def handler(event, context):
    return {"batchItemFailures": []}
"""

CRASHES = """
def handler(event, context):
    raise ValueError("boom")
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def write(source: str, name: str = "app") -> None:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))

    return write


def test_passing_handler_prints_the_table_and_exits_0(project, capsys):
    project(GOOD)
    assert main(["check", "app.handler", "--events", "sqs", "--seed", "7"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # no progress line when stderr is not a terminal
    lines = captured.out.splitlines()
    assert lines[0] == "app.handler (seed 7)"
    assert lines[1] == "  kind      invokes     idempotent  warm-reuse  robust    invocations"
    assert lines[2].startswith("  sqs       passed      passed*     ")
    assert lines[-1].endswith(" passed")
    assert "failed" not in captured.out


def test_failing_handler_exits_1_with_reports_and_replay_line(project, tmp_path, capsys):
    project(CRASHES)
    assert main(["check", "app.handler", "--events", "s3", "--seed", "9"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "FAILED app.handler::s3::invokes\n"
        "app.handler failed on 5 of 5 seeded s3 events: an unhandled exception, a timeout "
        "or a response Lambda cannot marshal\n"
        "\n"
        "  event seeds "
    )
    assert re.search(r"\n  event seeds (\d+, ){4}\d+: ValueError: boom\n\nFix: handle", out)
    assert "reproduce with --lambda-seed=9: " in out
    assert out.endswith(
        f"reproduce with: pytest-lambda check app.handler --events s3 --seed 9 --root {tmp_path}\n"
    )


def test_replay_line_repeats_the_options_that_differ_from_the_defaults(project, tmp_path, capsys):
    project(CRASHES)
    argv = ["check", "app.handler", "--events", "sqs", "--seed", "4", "--timeout", "1.5"]
    assert main([*argv, "--memory", "256"]) == 1
    assert capsys.readouterr().out.endswith(
        f"reproduce with: pytest-lambda check app.handler --events sqs --seed 4 --root {tmp_path} "
        "--timeout 1.5 --memory 256\n"
    )


def test_isolation_runtime(project, capsys):
    from pytest_lambda._runtime.subprocess.environment import runtime_unavailable

    if why := runtime_unavailable():
        pytest.skip(f"runtime isolation unavailable: {why}")
    project(GOOD)
    argv = ["check", "app.handler", "--events", "sqs", "--seed", "7", "--isolation", "runtime"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "  sqs       passed      passed" in out


def test_same_seed_same_output(project, capsys):
    project(GOOD)
    main(["check", "app.handler", "--events", "apigw_v2", "--seed", "3"])
    first = capsys.readouterr().out
    main(["check", "app.handler", "--events", "apigw_v2", "--seed", "3"])
    assert capsys.readouterr().out == first


def test_pyproject_params_are_used(project, tmp_path, capsys):
    project(
        """
        def handler(event, context):
            assert len(event["Records"]) == 3
            return {}
        """
    )
    (tmp_path / "pyproject.toml").write_text("[tool.pytest_lambda.events.sqs]\nrecords = 3\n")
    assert main(["check", "app.handler", "--events", "sqs", "--seed", "1"]) == 0


def test_timeout_stops_the_batch(project, capsys):
    project(
        """
        import time

        def handler(event, context):
            time.sleep(5)
        """
    )
    argv = ["check", "app.handler", "--events", "sqs", "--timeout", "0.2", "--seed", "2"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert (
        "app.handler failed on 1 of 1 seeded sqs events (stopped at the timeout; 4 not tried): "
    ) in out
    assert (
        "app.handler is not robust to unexpected sqs input: it must never time out or fail in the runtime\n"
        in out
    )


def test_root_option(project, tmp_path, monkeypatch, capsys):
    project(GOOD, name="fn")
    monkeypatch.chdir("/")
    assert main(["check", "fn.handler", "--events", "sqs", "--root", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (
            ["app.handler", "--events", "sqs,nope"],
            "--events='sqs,nope': unknown event kind 'nope'; valid kinds: apigw_v1, apigw_v2, "
            "s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka",
        ),
        (
            ["handler", "--events", "sqs"],
            "HANDLER='handler' is not a handler string; valid forms: module.function "
            "(app.handler), package.module.function (app.api.handler) or path/module.function "
            "(src/app.handler)",
        ),
        (
            ["app.handler", "--events", "sqs", "--timeout", "0"],
            "--timeout 0.0: Lambda timeouts are above 0 and at most 900 seconds",
        ),
        (
            ["app.handler", "--events", "sqs", "--memory", "64"],
            "--memory 64: Lambda memory is 128 to 10240 MB",
        ),
        (
            ["app.handler", "--events", "sqs", "--moto", "--isolation", "runtime"],
            "--moto with --isolation runtime: moto's mock does not reach the runtime "
            "subprocess, so the handler would call real AWS; use --isolation module with --moto",
        ),
        (
            ["app.handler", "--events", "sqs", "--root", "/nonexistent"],
            "--root /nonexistent: not a directory",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_line(project, capsys, argv, error):
    project(GOOD)
    assert main(["check", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"pytest-lambda: error: {error}\n"


def test_bad_pyproject_table_exits_2(project, tmp_path, capsys):
    project(GOOD)
    (tmp_path / "pyproject.toml").write_text("[tool.pytest_lambda.events.sqs]\nrecs = 3\n")
    assert main(["check", "app.handler", "--events", "sqs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pytest-lambda: error: [tool.pytest_lambda.events.sqs] in ")
    assert "unknown parameter 'recs'; valid parameters: records, body, " in err
    assert err.count("\n") == 1


def test_a_misspelt_handler_is_a_usage_error(project, capsys):
    project(GOOD)
    assert main(["check", "app.handlr", "--events", "sqs", "--seed", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "app.handlr could not be loaded, so the checks did not run:" in captured.err
    assert "Runtime.HandlerNotFound: Handler 'handlr' missing on module 'app'" in captured.err
    assert "Fix: give the handler as 'module.function'" in captured.err
    assert main(["check", "nomodule.handler", "--events", "sqs"]) == 2
    assert "No module named 'nomodule'" in capsys.readouterr().err


def test_a_handler_failing_at_import_fails_once_without_running_the_checks(project, capsys):
    project("raise RuntimeError('config missing')\n\ndef handler(e, c):\n    return {}\n")
    assert main(["check", "app.handler", "--events", "sqs,s3", "--seed", "1"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "FAILED app.handler\napp.handler could not be loaded, so the checks did not run:\n"
        "RuntimeError: config missing\n"
    )
    assert "invocations" not in out  # no table: nothing ran
    assert out.count("config missing") == 2  # the message, and the traceback's raise line
