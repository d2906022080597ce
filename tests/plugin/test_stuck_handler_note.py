"""A handler that swallows its deadline: the note reaches the terminal while the test is stuck.

pytest's fd capture holds a test's stderr until the test ends, which a test whose handler
catches ``BaseException`` in a loop never does. These run pytest in a subprocess, read its
real stderr while its test is stuck, then kill it (pytest-timeout is not installed here).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

APP = """
import time

def handler(event, context):
    while True:
        try:
            time.sleep(100)
        except BaseException:
            pass
"""

TEST = """
import pytest

@pytest.mark.lambda_handler("app.handler", timeout=1)
def test_stuck(lambda_runner):
    lambda_runner.invoke({})
"""

NOTE = re.compile(
    re.escape(
        "pytest-lambda: the handler app.handler (lambda-test-function-1) passed its deadline "
        "LATE s ago and has not stopped: it catches BaseException, or waits in a call that "
        "signals do not interrupt. It runs on the test's main thread, so the test waits until "
        "it returns. Fix: catch Exception, not BaseException, in the handler (or re-raise what "
        'you do not handle), or run it with isolation="runtime", where it is killed at its '
        "deadline. To end this run: kill the pytest process (the handler may catch Ctrl-C "
        "too), or use pytest-timeout with --timeout-method=thread; its signal method raises "
        "in the handler, which catches it too."
    ).replace("LATE", r"\d+\.\d")
)


def _stuck_run(path: Path, *args: str) -> tuple[str, bool]:
    """Run pytest in ``path`` until its stderr shows the note (20 s at most), then kill it.

    Returns (its stderr so far, whether it was still running when the note came).
    """
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-p", "lambda_toolkit", "-q", *args]
    err_path = path / "stuck-stderr.txt"
    with err_path.open("wb") as err:
        proc = subprocess.Popen(command, cwd=path, env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                text = err_path.read_text("utf-8", "replace")
                if NOTE.search(text):
                    return text, proc.poll() is None
                if proc.poll() is not None:
                    return text, False
                time.sleep(0.1)
            return err_path.read_text("utf-8", "replace"), proc.poll() is None
        finally:
            proc.kill()
            proc.wait()


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    pytester.makepyfile(app=APP, test_stuck=TEST)
    return pytester.path


@pytest.mark.slow
def test_the_note_passes_pytests_capture_while_the_test_is_stuck(project: Path) -> None:
    """Guards: under the default fd capture the note was captured with the test's output,
    which pytest shows only when the test ends (never), so the user saw nothing."""
    text, running = _stuck_run(project)
    assert NOTE.search(text), text
    assert running  # seen while the test was stuck, not at the end of the run


@pytest.mark.slow
def test_the_note_reaches_the_terminal_from_an_xdist_worker(project: Path) -> None:
    """Guards: a worker's note reaches the stderr the controller was started with."""
    pytest.importorskip("xdist")
    text, running = _stuck_run(project, "-n", "1", "-p", "xdist")
    assert NOTE.search(text), text
    assert running


@pytest.mark.slow
def test_pytest_timeouts_signal_method_leaves_it_stuck_with_the_note(project: Path) -> None:
    """What docs/explanation/runner-parity.md says: the signal method's exception is caught
    by the handler too, so the run stays stuck; the note still reaches the terminal."""
    pytest.importorskip("pytest_timeout")
    text, running = _stuck_run(
        project, "-p", "pytest_timeout", "--timeout=1", "--timeout-method=signal"
    )
    assert NOTE.search(text), text
    assert running


@pytest.mark.slow
def test_pytest_timeouts_thread_method_ends_the_stuck_run(project: Path) -> None:
    """What the docs recommend: the thread method ends the process (status 1)."""
    pytest.importorskip("pytest_timeout")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "lambda_toolkit", "-p", "pytest_timeout"]
    done = subprocess.run(
        [*command, "-q", "--timeout=5", "--timeout-method=thread"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Timeout" in done.stderr + done.stdout
    assert NOTE.search(done.stderr), done.stderr  # the note came first, at 3 s
