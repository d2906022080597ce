"""Debugging a handler under pytest: breakpoint() is not cut off by the timeout; --lambda-no-timeout (issue 20)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pytest_lambda

APP = """
import time

def handler(event, context):
    before = context.get_remaining_time_in_millis()
    breakpoint()
    return {"before": before, "after": context.get_remaining_time_in_millis()}

def slow(event, context):
    time.sleep(1.2)
    return context.get_remaining_time_in_millis()
"""

TEST = """
import pytest

@pytest.mark.lambda_handler("app.handler", timeout=1)
def test_debug(lambda_runner):
    inv = lambda_runner.invoke({})
    assert inv.ok, inv.logs
    print("REMAINING", inv.response["before"], inv.response["after"])
    assert inv.response["before"] - inv.response["after"] < 200
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("PYTEST_LAMBDA_NO_TIMEOUT", "PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(app=APP, test_debug=TEST)
    return pytester


def test_a_breakpoint_waits_for_the_developer(project: pytest.Pytester) -> None:
    """pdb at a breakpoint() for 2 s, with a 1 s timeout: the invocation goes on, same remaining time."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(pytest_lambda.__file__).parents[1]), str(project.path)]
        ),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "lambda_toolkit",
            "-p",
            "no:cacheprovider",
            "-s",
            "--lambda-seed=1",
            "test_debug.py",
        ],
        cwd=project.path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdin is not None
    time.sleep(2.5)  # the developer reads the prompt, past the deadline
    out, _ = proc.communicate("c\n", timeout=60)
    assert "(Pdb)" in out, out
    assert "Task timed out" not in out, out
    assert "1 passed" in out, out


def test_no_timeout_from_the_command_line_ini_and_env(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makepyfile(
        test_debug="""
        import pytest

        @pytest.mark.lambda_handler("app.slow", timeout=1)
        def test_slow(lambda_runner):
            inv = lambda_runner.invoke({})
            assert inv.ok, inv.logs
            assert inv.response == 0
        """
    )
    args = ("-p", "lambda_toolkit", "--lambda-seed=1")
    project.runpytest(*args).assert_outcomes(failed=1)  # the timeout applies by default
    result = project.runpytest(*args, "--lambda-no-timeout")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["lambda: seed=1 (command line), no-timeout (command line)"])
    monkeypatch.setenv("PYTEST_LAMBDA_NO_TIMEOUT", "1")
    project.runpytest(*args).assert_outcomes(passed=1)
    monkeypatch.delenv("PYTEST_LAMBDA_NO_TIMEOUT")
    project.makeini("[pytest]\nlambda_no_timeout = true\n")
    result = project.runpytest(*args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["lambda: *no-timeout (ini lambda_no_timeout)"])


@pytest.mark.skipif(sys.platform != "linux", reason="runtime isolation runs on Linux")
def test_a_breakpoint_in_a_runtime_isolation_child_quits_at_once(project: pytest.Pytester) -> None:
    """The child has no terminal, as on Lambda: pdb reads end-of-input and quits (documented)."""
    project.makepyfile(
        test_debug="""
        import pytest

        @pytest.mark.lambda_handler("app.handler", timeout=5)
        def test_debug(lambda_runner):
            inv = lambda_runner.invoke({})
            assert inv.error is not None
            assert inv.error.type == "BdbQuit", inv.error
        """
    )
    start = time.monotonic()
    result = project.runpytest(
        "-p", "lambda_toolkit", "-p", "no:cacheprovider", "--lambda-isolation=runtime", "-W", "ignore"
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    assert time.monotonic() - start < 5  # not the 5 s timeout
