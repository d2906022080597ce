"""The lambda_runner / lambda_handler fixtures, the lambda_handler marker and handler settings."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("_clean_env")

PLUGIN = ("-p", "lambda_toolkit")

APP = """
import os, time

CALLS = 0

def handler(event, context):
    global CALLS
    CALLS += 1
    return {"calls": CALLS, "table": os.environ.get("TABLE")}

def other(event, context):
    return "other"

def slow(event, context):
    before = context.get_remaining_time_in_millis()
    time.sleep(1)
    return before - context.get_remaining_time_in_millis()

def noisy(event, context):
    print("inside the handler")
    raise ValueError("nope")
"""


@pytest.fixture
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Inner runs load only this plugin (entry point lambda_toolkit): fast and unaffected by others.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_TIMEOUT", "PYTEST_LAMBDA_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(app=APP)
    return pytester


def test_marker_configures_the_runner(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
        import pytest

        @pytest.mark.lambda_handler("app.handler", env={"TABLE": "orders"}, timeout=5)
        def test_invoke(lambda_runner):
            assert lambda_runner.timeout == 5
            first, second = lambda_runner.invoke({}), lambda_runner.invoke({})
            assert first.cold_start and not second.cold_start
            assert second.response == {"calls": 2, "table": "orders"}
        """
    )
    project.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_closest_marker_wins_and_keywords_merge(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
        import pytest

        pytestmark = pytest.mark.lambda_handler("app.handler", timeout=7, memory_mb=256)

        def test_module_level(lambda_runner):
            assert lambda_runner.invoke({}).response["calls"] == 1
            assert (lambda_runner.timeout, lambda_runner.memory_mb) == (7, 256)

        @pytest.mark.lambda_handler("app.other", memory_mb=512)
        def test_closest(lambda_runner):
            assert lambda_runner.invoke({}).response == "other"
            assert (lambda_runner.timeout, lambda_runner.memory_mb) == (7, 512)

        @pytest.mark.lambda_handler(timeout=1)
        def test_keywords_only(lambda_runner):
            assert lambda_runner.handler == "app.handler"
            assert lambda_runner.timeout == 1
        """
    )
    project.runpytest(*PLUGIN).assert_outcomes(passed=3)


def test_a_marker_typo_is_a_type_error(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
        import pytest

        @pytest.mark.lambda_handler("app.handler", timout=5)
        def test_typo(lambda_runner):
            pass
        """
    )
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E   pytest_lambda.ArgumentTypeError: @pytest.mark.lambda_handler got unexpected keyword(s) timout; valid "
            "keywords are handler (positional) and timeout, memory_mb, function_name, region, "
            "env, root, clock, isolation, the keywords of LambdaRunner",
        ]
    )
    assert "_fixtures_runner.py" not in result.stdout.str()  # our frames are hidden


def test_no_handler_names_every_way_to_set_one(project: pytest.Pytester) -> None:
    project.makepyfile(test_it="def test_needs_runner(lambda_runner):\n    pass\n")
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "E   *HandlerConfigError: No Lambda handler is configured, so lambda_runner has nothing to run.",
            "*Set one in any of these ways:",
            "*  - command line: pytest --lambda-handler=app.handler",
            "*  - ini file: lambda_handler = app.handler   (pytest.ini, [[]tool.pytest.ini_options])",
            "*  - environment: PYTEST_LAMBDA_HANDLER=app.handler",
            "*  - per test or module: @pytest.mark.lambda_handler('app.handler')",
            "*See https://*/reference/options/",
        ],
        consecutive=True,
    )


def test_handler_setting_precedence_cli_env_ini(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makeini("[pytest]\nlambda_handler = app.handler\nlambda_timeout = 9\n")
    project.makepyfile(
        test_it="""
        def test_which(lambda_runner):
            print("HANDLER=" + lambda_runner.handler, "TIMEOUT=" + str(lambda_runner.timeout))
            lambda_runner.invoke({})
        """
    )
    result = project.runpytest("-s", *PLUGIN)
    result.stdout.fnmatch_lines(
        ["lambda: *handler=app.handler (ini lambda_handler)*", "*HANDLER=app.handler TIMEOUT=9.0*"]
    )
    monkeypatch.setenv("PYTEST_LAMBDA_HANDLER", "app.other")
    project.runpytest("-s", *PLUGIN).stdout.fnmatch_lines(["*HANDLER=app.other*"])
    result = project.runpytest("-s", *PLUGIN, "--lambda-handler=app.slow", "--lambda-timeout=2")
    result.stdout.fnmatch_lines(["*HANDLER=app.slow TIMEOUT=2.0*"])
    result.assert_outcomes(passed=1)


def test_lambda_handler_is_the_runners_callable(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
        import sys
        import pytest

        @pytest.mark.lambda_handler("app.handler")
        def test_direct(lambda_handler, lambda_runner):
            assert lambda_handler({}, None)["calls"] == 1
            assert lambda_runner.invoke({}).response["calls"] == 2  # same module object
            assert lambda_handler.__module__ == "app" and "app" not in sys.modules

        @pytest.mark.lambda_handler("app.missing")
        def test_broken(lambda_handler):
            pass
        """
    )
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "E   *HandlerConfigError: The handler 'app.missing' could not be loaded: "
            "Runtime.HandlerNotFound: Handler 'missing' missing on module 'app' "
            "(callables in 'app': handler, noisy, other, slow)"
        ]
    )


def test_frozen_clock_sleep_takes_exactly_its_time_instantly(project: pytest.Pytester) -> None:
    # Ten minutes of handler sleep on the frozen clock: a real sleep would make the call last
    # ten minutes, so "well under that" tells the two apart on any machine, however loaded.
    project.makepyfile(
        napper="""
        import time

        def handler(event, context):
            before = context.get_remaining_time_in_millis()
            time.sleep(600)
            return before - context.get_remaining_time_in_millis()
        """,
        test_it="""
        import pytest

        @pytest.mark.lambda_handler("napper.handler", timeout=900)
        def test_sleep(lambda_runner, lambda_clock):
            lambda_clock.move_to("2026-11-22T10:00:00Z")
            inv = lambda_runner.invoke({})
            assert inv.response == 600_000
            assert lambda_clock.now().isoformat() == "2026-11-22T10:10:00+00:00"
        """,
    )
    result = project.runpytest(*PLUGIN, "--durations=1", "--durations-min=0")
    result.assert_outcomes(passed=1)
    call = re.search(r"([\d.]+)s call +\S*::test_sleep\b", result.stdout.str())
    assert call is not None
    assert float(call.group(1)) < 300


def test_a_failing_test_shows_the_lambda_logs(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
        import pytest

        @pytest.mark.lambda_handler("app.noisy")
        def test_fails(lambda_runner):
            assert lambda_runner.invoke({}).ok
        """
    )
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*- Captured stdout call -*", "START RequestId: * Version: $LATEST", "inside the handler"]
    )


def test_an_error_record_is_echoed_as_indented_lines(project: pytest.Pytester) -> None:
    project.makepyfile(
        boom="def handler(event, context):\n    raise KeyError('body')\n",
        test_it="""
        import pytest

        @pytest.mark.lambda_handler("boom.handler")
        def test_fails(lambda_runner):
            result = lambda_runner.invoke({})
            assert "\\rTraceback" in result.logs  # the exact runtime text is kept
            assert result.ok
        """,
    )
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["[[]ERROR[]] KeyError: 'body'", "    Traceback (most recent call last):"]
    )
    assert "\r" not in result.stdout.str()


def test_in_process_pytester_runs_share_one_runtime(pytester: pytest.Pytester) -> None:
    """pytester forgets the modules an in-process run imported: the plugin imports the
    runtime before a pytester test, or each inner run would leave a watchdog thread behind."""
    pytester.makepyfile(
        test_outer="""
        import sys
        import threading

        pytest_plugins = ["pytester"]

        def test_inner_runs(pytester):
            assert "pytest_lambda._runtime.inprocess.inline" in sys.modules
            pytester.makepyfile(app="def handler(event, context):\\n    return 1\\n")
            pytester.makepyfile(
                test_inner=(
                    "import pytest\\n\\n"
                    "@pytest.mark.lambda_handler('app.handler')\\n"
                    "def test_it(lambda_runner):\\n"
                    "    assert lambda_runner.invoke({}).response == 1\\n"
                )
            )
            for _ in range(4):
                pytester.runpytest("-p", "lambda_toolkit").assert_outcomes(passed=1)
            watchdogs = [t for t in threading.enumerate() if t.name == "pytest-lambda-watchdog"]
            assert len(watchdogs) == 1
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
