"""Arguments read the same way across commands, and a wrong one is refused before any work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda._core.errors import InvalidOption
from pytest_lambda._suite.config import parse_kinds
from pytest_lambda.cli import main

PARAMETERS = "Parameters:\n  Stage:\n    Type: String\n    Default: dev\n"
QUEUE = (
    "      Events:\n        Queue:\n          Type: SQS\n          Properties:\n"
    "            Queue: arn:aws:sqs:us-east-1:123456789012:orders\n"
)


def test_kinds_are_case_insensitive_and_an_alias_gets_a_hint() -> None:
    assert parse_kinds("SQS, S3, apigw-v1") == ["sqs", "s3", "apigw_v1"]
    with pytest.raises(
        InvalidOption, match=r"unknown event kind 'apigw' \(did you mean 'apigw_v1'\?\)"
    ):
        parse_kinds("apigw", "--events")


def test_a_template_parameter_the_template_lacks_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sam_template: Callable[..., str]
) -> None:
    (tmp_path / "template.yaml").write_text(sam_template(head=PARAMETERS, properties=QUEUE))
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    argv = ["check", "--template", str(tmp_path / "template.yaml"), "--parameter", "Stge=prod"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--parameter Stge: " in err
    assert "its parameters: Stage" in err


def test_force_without_an_output_file_is_refused_before_generating(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["events", "generate", "sqs", "--force"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err
        == "pytest-lambda: error: --force goes with -o FILE (it allows replacing FILE)\n"
    )


def test_invoke_says_where_a_missing_handler_module_was_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    assert main(["invoke", "apx.handler", "--kind", "sqs", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"pytest-lambda: the handler's module was looked for under {tmp_path}: " in err
    assert main(["invoke", "app.handler", "--kind", "sqs", "--root", str(tmp_path)]) == 0
    assert "looked for" not in capsys.readouterr().err


def test_a_reproduce_line_names_the_variables_taken_from_the_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_lambda._suite.engine import SuiteOptions
    from pytest_lambda._suite.replay import reproduce_line

    (tmp_path / "app.py").write_text(
        "import os\nQUEUE = os.environ['OUT_QUEUE']\nREGION = os.getenv('AWS_REGION')\n"
        "LEVEL = os.environ.get(\"LOG_LEVEL\", 'INFO')\n"
        "def handler(event, context):\n    return {}\n"
    )
    opts = SuiteOptions(seed=1, root=str(tmp_path))
    monkeypatch.delenv("OUT_QUEUE", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert "shell" not in reproduce_line("app.handler", "sqs", "invokes", 1, opts)
    monkeypatch.setenv("OUT_QUEUE", "secret-value")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    line = reproduce_line("app.handler", "sqs", "invokes", 1, opts)
    assert line.endswith(
        " [with OUT_QUEUE, LOG_LEVEL from this shell's environment: set them the same way]"
    )
    assert "secret-value" not in line  # named, never shown
    given = SuiteOptions(seed=1, root=str(tmp_path), env={"OUT_QUEUE": "q"})
    assert reproduce_line("app.handler", "sqs", "invokes", 1, given).endswith(
        " [with LOG_LEVEL from this shell's environment: set it the same way]"
    )


def test_variables_read_beside_the_handler_and_by_powertools_are_named_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_lambda._suite.engine import SuiteOptions
    from pytest_lambda._suite.replay import reproduce_line

    (tmp_path / "app.py").write_text("import ops\n\ndef handler(event, context):\n    return {}\n")
    (tmp_path / "ops.py").write_text("import os\nBUS = os.environ['EVENT_BUS_NAME']\n")
    for name in list(__import__("os").environ):
        if name.startswith("POWERTOOLS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("EVENT_BUS_NAME", "rides")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Workshop")
    line = reproduce_line(
        "app.handler", "sqs", "invokes", 1, SuiteOptions(seed=1, root=str(tmp_path))
    )
    assert line.endswith(
        " [with EVENT_BUS_NAME, POWERTOOLS_METRICS_NAMESPACE from this shell's environment: "
        "set them the same way]"
    )


def test_a_long_event_call_is_clipped_in_the_failure_report(lambda_event: Any) -> None:
    lambda_event.sqs(bodies=[{"order": n, "note": "x" * 40} for n in range(100)])
    lines = lambda_event.reproduce_lines()
    assert all(len(line) < 500 for line in lines), [len(line) for line in lines]
    assert "characters; the replay command has the exact event)" in lines[1]
    lambda_event.sqs(records=2)
    assert lambda_event.reproduce_lines()[3].endswith(
        "records=2, region='us-east-1', account_id='123456789012')"
    )


def test_an_override_key_spelled_like_an_existing_one_is_warned_about(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pytest_lambda import events

    with pytest.warns(UserWarning, match=r"Records\[0\] has no key 'bdy'.*did you mean 'body'\?"):
        event = events.generate("sqs", seed=1, overrides={"Records.0.bdy": "hi"})
    assert event["Records"][0]["bdy"] == "hi"  # added all the same: a new key may be meant
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events.generate("sqs", seed=1, overrides={"Records.0.custom": "x"})  # not close: silent
    assert main(["events", "generate", "sqs", "--seed", "1", "--set", "Records.0.bdy=hi"]) == 0
    assert capsys.readouterr().err.startswith(
        "pytest-lambda: warning: override 'Records.0.bdy': Records[0] has no key 'bdy'"
    )
