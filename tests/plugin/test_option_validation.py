"""Every bad option value is a usage error at startup, in all three spellings (pytester)."""

from __future__ import annotations

import pytest

from pytest_lambda._events._world import REGIONS
from pytest_lambda._plugin.options import SETTINGS

# (setting, bad raw value, message after "<spelling>=<value!r>")
BAD = [
    ("seed", "abc", " is not an integer"),
    # a negative seed would repeat its positive one's events in the API and CLI (refused there)
    ("seed", "-1", ": seeds are integers >= 0, or 'last' (the previous run's seed)"),
    ("memory", "50", ": Lambda memory is 128 to 10240 MB"),
    ("timeout", "0", ": Lambda timeouts are above 0 and at most 900 seconds"),
    ("timeout", "901", ": Lambda timeouts are above 0 and at most 900 seconds"),
    ("timeout", "inf", ": Lambda timeouts are above 0 and at most 900 seconds"),
    ("isolation", "foo", ": use 'module' (in this process) or 'runtime'"),
    ("region", "mars-1", " is not an AWS region name like 'us-east-1'"),
    ("region", "US-EAST-1", " is not an AWS region name like 'us-east-1'"),
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for s in SETTINGS.values():
        monkeypatch.delenv(s.env, raising=False)


def _assert_usage_error(result: pytest.RunResult, shown: str, message: str, source: str) -> None:
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.outlines + result.errlines
    result.stderr.fnmatch_lines([f"ERROR: {shown}{message}* (from {source}); see *options*"])
    assert "could not run" not in result.stdout.str()


@pytest.mark.parametrize(("name", "raw", "message"), BAD)
def test_bad_value_on_the_command_line(
    pytester: pytest.Pytester, name: str, raw: str, message: str
) -> None:
    pytester.makepyfile("def test_ok(): pass")
    flag = SETTINGS[name].flag
    result = pytester.runpytest(f"{flag}={raw}")
    _assert_usage_error(result, f"{flag}={raw!r}", message, "command line")


@pytest.mark.parametrize(("name", "raw", "message"), BAD)
def test_bad_value_in_the_ini_file(
    pytester: pytest.Pytester, name: str, raw: str, message: str
) -> None:
    s = SETTINGS[name]
    pytester.makeini(f"[pytest]\n{s.ini} = {raw}\n")
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest()
    _assert_usage_error(result, f"{s.flag}={raw!r}", message, f"ini {s.ini}")


@pytest.mark.parametrize(("name", "raw", "message"), BAD)
def test_bad_value_in_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str, raw: str, message: str
) -> None:
    s = SETTINGS[name]
    monkeypatch.setenv(s.env, raw)
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest()
    _assert_usage_error(result, f"{s.flag}={raw!r}", message, f"env {s.env}")


def test_bad_values_stop_the_conformance_suite_before_collection(
    pytester: pytest.Pytester,
) -> None:
    """The trial's case: each suite item used to fail with "could not run: InvalidOption"."""
    pytester.makepyfile(app="def handler(event, context):\n    return None\n")
    for option in ("--lambda-isolation=foo", "--lambda-timeout=901", "--lambda-region=mars-1"):
        result = pytester.runpytest(
            "--lambda-handler=app.handler", "--lambda-events=sqs", "--lambda-seed=1", option
        )
        assert result.ret == pytest.ExitCode.USAGE_ERROR, (option, result.outlines)
        assert "could not run" not in result.stdout.str()


def test_ignore_state_without_moto_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """There is no moto state to leave a table out of: saying nothing would let the user
    believe the audit table is compared and ignored, when nothing is compared at all."""
    pytester.makepyfile(app="def handler(event, context):\n    return None\n")
    result = pytester.runpytest(
        "--lambda-handler=app.handler", "--lambda-events=sqs", "--lambda-ignore-state=dynamodb.t"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.outlines
    result.stderr.fnmatch_lines(
        ["*--lambda-ignore-state=dynamodb.t (from command line)*moto is off*"]
    )


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("timeout", "900", 900.0),
        ("timeout", "0.5", 0.5),
        ("isolation", " runtime ", "runtime"),
        ("isolation", "module", "module"),
        ("region", "us-gov-west-1", "us-gov-west-1"),
        ("region", " eu-central-2 ", "eu-central-2"),
        *(("region", region, region) for region in REGIONS),
    ],
)
def test_good_values_are_accepted(name: str, raw: str, value: object) -> None:
    s = SETTINGS[name]
    assert s.parse(s.flag, raw) == value
