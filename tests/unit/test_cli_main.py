"""The top level of the ``pytest-lambda`` command: help, version, errors, ``check``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pytest_lambda import __version__
from pytest_lambda.cli import main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: pytest-lambda [-h] [--version] COMMAND ...")
    for command in ("events", "invoke", "check"):
        assert f"\n    {command} " in out


@pytest.mark.parametrize(
    "argv",
    [
        ["events", "--help"],
        ["events", "list", "--help"],
        ["events", "generate", "--help"],
        ["events", "validate", "--help"],
        ["events", "schema", "--help"],
        ["events", "samples", "--help"],
        ["invoke", "--help"],
        ["check", "--help"],
    ],
)
def test_every_subcommand_has_help(capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: pytest-lambda " + " ".join(argv[:-1]))


def test_an_options_names_come_once_before_its_value_on_every_python(capsys):
    # argparse before 3.13 wrote "-o FILE, --output FILE": the help (and docs/reference/cli.md,
    # generated from it) differed between Pythons
    assert main(["events", "generate", "--help"]) == 0
    out = capsys.readouterr().out
    options = out.split("\noptions:\n", 1)[1]  # the usage line keeps "[-o FILE]"
    assert "  -o, --output FILE " in options
    assert "-o FILE" not in options


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"pytest-lambda {__version__}\n"


def test_no_command_is_one_line_usage_error(capsys):
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "pytest-lambda: error: the following arguments are required: COMMAND "
        "(see 'pytest-lambda --help')\n"
    )


def test_unknown_command(capsys):
    assert main(["generate"]) == 2
    assert capsys.readouterr().err == (
        "pytest-lambda: error: argument COMMAND: invalid choice: 'generate' "
        "(choose from 'events', 'invoke', 'check') (see 'pytest-lambda --help')\n"
    )


def test_unknown_option_names_the_subcommand_help(capsys):
    assert main(["events", "schema", "sqs", "--bogus"]) == 2
    assert capsys.readouterr().err == (
        "pytest-lambda: error: unrecognized arguments: --bogus "
        "(see 'pytest-lambda events schema --help')\n"
    )


def test_check_needs_a_handler_and_events(capsys):
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "pytest-lambda: error: the following arguments are required: HANDLER, --events "
        "(see 'pytest-lambda check --help')\n"
    )


def test_keyboard_interrupt_is_exit_130(capsys, monkeypatch):
    import pytest_lambda._cli.events as cli_events

    def interrupted(ns):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_events, "_schema", interrupted)
    assert main(["events", "schema", "sqs"]) == 130
    assert capsys.readouterr().err == "pytest-lambda: interrupted\n"


@pytest.mark.slow
def test_python_dash_m_help_subprocess():
    result = subprocess.run(
        [sys.executable, "-m", "pytest_lambda", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: pytest-lambda ")
    assert "events" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["events", "generate", "sqs", "--seed", "1", "--body", "x", "--records", "2"],
        ["events", "validate", "a.json", "--kind", "sqs", "--strict"],
        ["events", "list"],
        ["events", "schema", "sns"],
        ["events", "samples", "--check"],
        ["invoke", "app.handler", "--kind", "s3", "--bucket", "b", "--warm", "2"],
        ["check", "app.handler", "--events", "sqs"],
    ],
)
def test_the_lazy_parser_parses_like_the_full_one(argv):
    """main() builds only the command it runs; build_parser() with no argv builds all."""
    from pytest_lambda.cli import build_parser

    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))
