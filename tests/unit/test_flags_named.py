"""Every flag a message of the package names exists (issue 20: messages named a missing --lambda-root).

The package's string literals (f-string parts included) are scanned for ``--name`` words:
``--lambda-*`` must be an option the plugin registers; any other must be an option of the
``pytest-lambda`` CLI (any command) or of pytest itself.
"""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import pytest_lambda
from pytest_lambda.cli import build_parser

PACKAGE = Path(pytest_lambda.__file__).parent
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?![\w-])")
#: Words that look like flags but are not ours: S3's reserved bucket suffix, pip's
#: ``install --target`` (named in the set-up advice for a missing module).
NOT_FLAGS = {"--ol-s3", "--target"}


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def named_flags() -> dict[str, list[str]]:
    """``{flag: ["file:line", ...]}`` of every flag-like word in the package's strings."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, text in _strings(tree):
            for flag in FLAG.findall(text):
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                found.setdefault(flag, []).append(where)
    return found


def cli_flags() -> set[str]:
    flags: set[str] = set()
    todo = [build_parser()]
    while todo:
        parser = todo.pop()
        for action in parser._actions:
            flags.update(s for s in action.option_strings if s.startswith("--"))
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
    return flags


def pytest_flags(pytester: pytest.Pytester) -> set[str]:
    """pytest's options with its default plugins (this run may have disabled some: -p no:...)."""
    flags: set[str] = set()
    parser = pytester.parseconfig()._parser
    for group in [*parser._groups, parser._anonymous]:
        for option in group.options:
            flags.update(n for n in option.names() if n.startswith("--"))
    return flags


def test_the_scan_finds_the_flags_it_must() -> None:
    found = named_flags()
    for flag in ("--lambda-handler", "--lambda-root", "--root", "--event", "--seed"):
        assert flag in found, flag


def test_every_flag_a_message_names_exists(pytester: pytest.Pytester) -> None:
    known = cli_flags() | pytest_flags(pytester)
    assert "--lambda-root" in known
    assert "--lambda-no-timeout" in known
    missing = {
        flag: where
        for flag, where in named_flags().items()
        if flag not in known and flag not in NOT_FLAGS
    }
    assert missing == {}, "flags named in messages but registered nowhere: " + ", ".join(
        f"{flag} ({', '.join(where)})" for flag, where in sorted(missing.items())
    )
