"""The ``pytest-lambda`` command (also ``python -m pytest_lambda``).

``main(argv) -> int`` never exits the interpreter and never shows a traceback
for a usage error: those print one ``pytest-lambda: error: …`` line and return 2.
Exit codes: 0 success, 1 a check failed (invalid event, handler error, stale
samples), 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from pytest_lambda._cli.util import PROG, CLIError, Parser, Populate, add_commands
from pytest_lambda._core.errors import (
    ArgumentTypeError,
    HandlerConfigError,
    InvalidEventSpec,
    InvalidOption,
)

__all__ = ["build_parser", "main"]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``argv``, only the parts that command line needs.

    ``build_parser()`` builds every command fully (for documentation tools).
    """
    from pytest_lambda._cli.check import populate as populate_check
    from pytest_lambda._cli.events import populate as populate_events
    from pytest_lambda._cli.invoke import populate as populate_invoke

    from . import __version__

    parser = Parser(
        prog=PROG,
        description="Lambda events, local invocations and checks from the shell.",
        epilog=f"'{PROG} COMMAND --help' shows each command's options.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands: dict[str, tuple[str, Populate]] = {
        "events": ("list, generate, validate and describe events", populate_events),
        "invoke": ("run a handler with an event in the local runner", populate_invoke),
        "check": ("conformance checks of a handler (the --lambda-handler suite)", populate_check),
    }
    # Top-level options take no values, so the words not starting with '-' begin with
    # the command and the events subcommand.
    tokens = None if argv is None else [a for a in argv if not a.startswith("-")]
    add_commands(sub, commands, tokens)
    return parser


_EVENTS_PARSERS: dict[str, argparse.ArgumentParser] = {}
_EVENTS_COMMANDS = ("generate",)


def _parser_for(args: list[str]) -> argparse.ArgumentParser:
    """``build_parser(args)``, kept for ``events generate``.

    Building ``events generate`` adds ~120 options (~2 ms); a process that runs the
    command many times (a script calling ``main``) builds it once. Those parsers hold no
    state between parses (their defaults are constants; ``append`` options copy theirs).
    """
    words = [a for a in args if not a.startswith("-")]
    if len(words) >= 2 and words[0] == "events" and words[1] in _EVENTS_COMMANDS:
        parser = _EVENTS_PARSERS.get(words[1])
        if parser is None:
            parser = _EVENTS_PARSERS[words[1]] = build_parser(args)
        return parser
    return build_parser(args)


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int,
    file: object = None, line: str | None = None,
) -> None:  # fmt: skip
    """A warning during a command: one ``pytest-lambda: warning: …`` line, not a source line."""
    sys.stderr.write(f"{PROG}: warning: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = _parser_for(args)
    try:
        ns, extra = parser.parse_known_args(args)
        if extra:
            words = [PROG, ns.command, getattr(ns, "events_command", None)]
            prog = " ".join(w for w in words if w)
            raise CLIError(f"unrecognized arguments: {' '.join(extra)} (see '{prog} --help')")
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # said once, never an error that ends the command
            warnings.showwarning = _show_warning
            code: int = ns.func(ns)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except (
        CLIError,
        ArgumentTypeError,
        InvalidEventSpec,
        InvalidOption,
        HandlerConfigError,
    ) as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. '| head': stop quietly
        _silence_stdout()
        return 1
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
