"""Session settings: each has a flag, an ini key and an env var, resolved by one function.

Precedence: command line > environment > ini > default. ``resolve`` returns the
value and where it came from, for the report header and error messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pytest

from pytest_lambda._checks.moto_setup import check_reference
from pytest_lambda._core import facts
from pytest_lambda._core.docs import doc_url
from pytest_lambda._core.errors import InvalidOption
from pytest_lambda._events._world import is_region_name

__all__ = ["LAST_SEED", "SETTINGS", "Setting", "add_options", "resolve"]

DOCS_OPTIONS: Final = doc_url("reference/options")
MAX_TIMEOUT: Final = facts.MAX_TIMEOUT
ISOLATIONS: Final = facts.ISOLATIONS
#: The seed value that means "the seed of the previous run" (from pytest's cache).
LAST_SEED: Final = "last"


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidOption(f"{name}={raw!r} is not an integer") from None


def _float(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise InvalidOption(f"{name}={raw!r} is not a number of seconds") from None
    if not value > 0:
        raise InvalidOption(f"{name}={raw!r} must be greater than 0")
    return value


def _timeout(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise InvalidOption(f"{name}={raw!r} is not a number of seconds") from None
    if (problem := facts.timeout_problem(value)) is not None:
        raise InvalidOption(f"{name}={raw!r}: {problem}")
    return value


def _seed(name: str, raw: str) -> int | str:
    if raw.strip().lower() == LAST_SEED:
        return LAST_SEED  # the plugin reads the previous run's seed from pytest's cache
    try:
        value = int(raw)
    except ValueError:
        raise InvalidOption(
            f"{name}={raw!r} is not an integer, nor 'last' (the previous run's seed)"
        ) from None
    if value < 0:
        raise InvalidOption(
            f"{name}={raw!r}: seeds are integers >= 0, or 'last' (the previous run's seed)"
        )
    return value


def _memory(name: str, raw: str) -> int:
    value = _int(name, raw)
    if (problem := facts.memory_problem(value)) is not None:
        raise InvalidOption(f"{name}={raw!r}: {problem}")
    return value


def _bool(name: str, raw: str) -> bool:
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise InvalidOption(f"{name}={raw!r} is not a boolean; use true or false")


def _str(name: str, raw: str) -> str:
    return raw.strip()


def _region(name: str, raw: str) -> str:
    value = raw.strip()
    problem = facts.region_problem(value)
    if problem is None and not is_region_name(value):  # also a region events are made for
        problem = facts.REGION_TEXT
    if problem is not None:
        raise InvalidOption(f"{name}={raw!r} {problem}")
    return value


def _parameters(name: str, raw: str) -> dict[str, str]:
    """``NAME=VALUE,NAME=VALUE``: values of the template's parameters."""
    out: dict[str, str] = {}
    for pair in (p.strip() for p in raw.split(",") if p.strip()):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidOption(
                f"{name}={raw!r}: expected NAME=VALUE[,NAME=VALUE...], e.g. Stage=dev"
            )
        out[key.strip()] = value.strip()
    return out


def _ignored_state(name: str, raw: str) -> tuple[str, ...]:
    from pytest_lambda._checks.moto import parse_ignored_state

    return parse_ignored_state(raw, name)


def _isolation(name: str, raw: str) -> str:
    value = raw.strip()
    if (problem := facts.isolation_problem(value)) is not None:
        raise InvalidOption(f"{name}={raw!r}: {problem}")
    return value


@dataclass(frozen=True)
class Setting:
    """One session setting and its three spellings."""

    name: str
    help: str
    default: Any
    parse: Callable[[str, str], Any] = _str
    is_flag: bool = False
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--lambda-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "lambda_" + self.name

    @property
    def env(self) -> str:
        return "PYTEST_LAMBDA_" + self.name.upper()


SETTINGS: Final[dict[str, Setting]] = {
    s.name: s
    for s in (
        Setting(
            "seed",
            "seed for generated events (an integer >= 0), or 'last' for the previous run's seed "
            "(default: random, printed in the header)",
            None,
            _seed,
            metavar="N",
        ),
        Setting(
            "handler",
            "Lambda handler to test, e.g. app.handler or src/app.handler",
            None,
            metavar="HANDLER",
        ),
        Setting(
            "template",
            "SAM, CloudFormation or CDK template (or serverless.yml) whose functions "
            "@pytest.mark.lambda_function reads; naming it runs the suite for each of its functions "
            "(default for the marker: the nearest template.yaml/.yml/.json, "
            "cdk.out/*.template.json or serverless.yml)",
            None,
            metavar="PATH",
        ),
        Setting(
            "template_parameters",
            "values of the template's parameters, NAME=VALUE[,NAME=VALUE...] (a parameter "
            "without a Default needs one when a function uses it)",
            {},
            _parameters,
            metavar="NAME=VALUE,...",
        ),
        Setting(
            "timeout",
            "function timeout in seconds (above 0, at most 900)",
            3.0,
            _timeout,
            metavar="SECONDS",
        ),
        Setting(
            "memory",
            "function memory in MB (context.memory_limit_in_mb)",
            128,
            _memory,
            metavar="MB",
        ),
        Setting(
            "region",
            "AWS region of the function and of generated events",
            "us-east-1",
            _region,
            metavar="REGION",
        ),
        Setting(
            "events",
            "event kinds for the built-in conformance suite, e.g. sqs,s3",
            None,
            metavar="KINDS",
        ),
        Setting(
            "isolation",
            "how the runner runs handlers: module (in-process) or runtime (awslambdaric subprocess)",
            "module",
            _isolation,
            metavar="MODE",
        ),
        Setting(
            "moto",
            "run the conformance checks inside moto.mock_aws(), comparing AWS state in the idempotency check",
            False,
            _bool,
            is_flag=True,
        ),
        Setting(
            "filter",
            "FilterCriteria of the sqs/kinesis/dynamodb event source mapping (JSON, or @file): "
            "the suite sends only records that pass it",
            None,
            metavar="PATTERN",
        ),
        Setting(
            "ignore_state",
            "with moto: parts of the AWS state the idempotent check does not compare, "
            "comma-separated SERVICE.NAME, e.g. dynamodb.access_log (a table written once per "
            "request on purpose)",
            (),
            _ignored_state,
            metavar="SERVICE.NAME,...",
        ),
        Setting(
            "moto_setup",
            "callable that creates the handler's AWS resources inside moto, e.g. "
            "tests.aws:create_tables, imported from the root, then the current directory (implies "
            "--lambda-moto)",
            None,
            check_reference,
            metavar="MODULE:FUNCTION",
        ),
        Setting(
            "root",
            "directory handlers are imported from (LAMBDA_TASK_ROOT, first on sys.path), e.g. src "
            "for a src layout; relative to the ini file's directory in the ini file, else to the "
            "current directory (default: pytest's rootdir; the marker's root= wins)",
            None,
            metavar="DIR",
        ),
        Setting(
            "no_timeout",
            "never end an invocation at its function timeout (for debugging; the remaining "
            "time still counts down). Debuggers are detected without it",
            False,
            _bool,
            is_flag=True,
        ),
    )
}

_STASH: Final = pytest.StashKey[dict[str, tuple[Any, str]]]()


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("lambda", "AWS Lambda testing (pytest-lambda-toolkit)")
    for s in SETTINGS.values():
        help_text = f"{s.help} [ini: {s.ini}, env: {s.env}]"
        if s.is_flag:
            group.addoption(
                s.flag, action="store_const", const="true", default=None, dest=s.ini, help=help_text
            )
        else:
            group.addoption(
                s.flag, action="store", default=None, dest=s.ini, metavar=s.metavar, help=help_text
            )
        parser.addini(s.ini, f"{s.help} (also {s.flag}, {s.env})", type="string", default="")


def resolve(config: pytest.Config, name: str) -> tuple[Any, str]:
    """``(value, source)`` of setting ``name``; source reads like "command line"."""
    cache = config.stash.setdefault(_STASH, {})
    if name in cache:
        return cache[name]
    s = SETTINGS[name]
    raw: str | None
    cli = config.getoption(s.ini, default=None)
    if cli is not None:
        raw, source = str(cli), "command line"
    elif os.environ.get(s.env, "").strip():
        raw, source = os.environ[s.env], f"env {s.env}"
    else:
        ini_raw = str(config.getini(s.ini) or "").strip()
        raw, source = (ini_raw, f"ini {s.ini}") if ini_raw else (None, "default")
    try:
        value = s.default if raw is None else s.parse(s.flag, raw)
    except InvalidOption as exc:
        raise pytest.UsageError(f"{exc} (from {source}); see {DOCS_OPTIONS}") from None
    cache[name] = (value, source)
    return value, source


def override(config: pytest.Config, name: str, value: Any, source: str) -> None:
    """Set a resolved value (e.g. the seed an xdist worker got from its controller)."""
    config.stash.setdefault(_STASH, {})[name] = (value, source)
