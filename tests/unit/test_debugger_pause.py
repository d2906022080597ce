"""A debugger holding a handler stops the function timeout; tracers that are not debuggers do not (issue 20)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pytest_lambda import LambdaClock, LambdaRunner
from pytest_lambda._clock import pause


def _in_module(module: str, source: str, **names: Any) -> Callable[..., Any]:
    """A function whose frames belong to ``module`` (as a debugger's or a tracer's would)."""
    namespace: dict[str, Any] = {"__name__": module, **names}
    exec(compile(source, f"<{module}>", "exec"), namespace)
    return namespace["f"]  # type: ignore[no-any-return]


#: pdb's prompt waiting for the developer: the handler's thread sits in a bdb frame.
AT_PROMPT = _in_module("bdb", "def f(seconds):\n    time.sleep(seconds)\n", time=time)


@pytest.fixture(autouse=True)
def _no_pauses_left() -> Iterator[None]:
    """Pauses make real-time clocks run behind: none may outlive its test."""
    yield
    pause._reset()


@pytest.fixture
def clock() -> Iterator[LambdaClock]:
    with LambdaClock() as clock:
        yield clock


def _run(handler: Callable[..., Any], clock: LambdaClock, timeout: float = 0.5) -> Any:
    runner = LambdaRunner(handler, timeout=timeout, clock=clock)
    try:
        return runner.invoke({})
    finally:
        runner.close()


def test_a_handler_held_at_a_debugger_prompt_is_not_timed_out(clock: LambdaClock) -> None:
    def handler(event: Any, context: Any) -> str:
        AT_PROMPT(1.2)  # past the 0.5 s timeout
        time.sleep(0.3)  # running again: the pause ended, the deadline moved by it
        return "done"

    inv = _run(handler, clock)
    assert inv.error_type is None, inv.logs
    assert inv.response == "done"
    assert not pause.holding()


def test_after_the_pause_the_timeout_applies_again(clock: LambdaClock) -> None:
    def handler(event: Any, context: Any) -> str:
        AT_PROMPT(0.8)
        time.sleep(2)  # the deadline moved by the 0.8 s pause only: 0.5 s are left
        return "done"

    started = time.monotonic()
    inv = _run(handler, clock)
    assert inv.timed_out
    assert time.monotonic() - started < 2.5  # not the 2.8 s the handler would run on


def test_the_remaining_time_resumes_where_it_was_under_pdb(clock: LambdaClock) -> None:
    """pdb under pytest: the plugin's enter/leave hooks measure the pause exactly."""

    def handler(event: Any, context: Any) -> dict[str, int]:
        before = context.get_remaining_time_in_millis()
        pause.started("pytest", pause.real_time())  # what pytest_enter_pdb does
        time.sleep(1.0)  # the developer reads the prompt; the timeout is 0.5 s
        pause.ended("pytest", pause.real_time())  # pytest_leave_pdb, at 'continue'
        return {"before": before, "after": context.get_remaining_time_in_millis()}

    inv = _run(handler, clock)
    assert inv.error_type is None, inv.logs
    assert 0 <= inv.response["before"] - inv.response["after"] < 150, inv.response


def test_a_coverage_tracer_does_not_turn_the_deadline_off(clock: LambdaClock) -> None:
    tracer = _in_module("coverage.pytracer", "def f(frame, event, arg):\n    return f\n")

    def handler(event: Any, context: Any) -> str:
        previous = sys.gettrace()
        sys.settrace(tracer)
        try:
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                pass
        finally:
            sys.settrace(previous)
        return "ran on"

    inv = _run(handler, clock)
    assert inv.timed_out, inv


def test_no_timeout_lets_the_handler_run_on(clock: LambdaClock) -> None:
    def handler(event: Any, context: Any) -> int:
        time.sleep(0.8)
        return int(context.get_remaining_time_in_millis())

    pause.set_no_timeout(True)
    try:
        inv = _run(handler, clock)
    finally:
        pause.set_no_timeout(False)
    assert inv.error_type is None, inv.logs
    assert inv.response == 0  # the remaining time still counts down
    assert _run(handler, clock).timed_out  # and the switch is a switch


def test_a_post_mortem_after_the_test_is_not_a_pause(clock: LambdaClock) -> None:
    """pytest --pdb opens after the test: no invocation runs, real-time clocks must not lag."""
    from pytest_lambda.plugin import pytest_enter_pdb, pytest_leave_pdb

    assert _run(lambda event, context: 1, clock).ok  # the watchdog runs in this process
    pytest_enter_pdb(None, None)  # type: ignore[arg-type]
    time.sleep(0.2)
    pytest_leave_pdb(None, None)  # type: ignore[arg-type]
    assert pause.total() == 0.0
    assert abs(clock.time() - time.time()) < 0.05


def test_coverage_py_itself_does_not_turn_the_deadline_off(tmp_path: Any) -> None:
    """The real tracer, in a process of its own (this one may run under pytest-cov)."""
    pytest.importorskip("coverage")
    import subprocess
    from pathlib import Path

    import pytest_lambda

    script = tmp_path / "spin.py"
    script.write_text(
        "import time\n"
        "from pytest_lambda import LambdaRunner\n"
        "def handler(event, context):\n"
        "    end = time.monotonic() + 3\n"
        "    while time.monotonic() < end:\n"
        "        pass\n"
        "with LambdaRunner(handler, timeout=0.5) as runner:\n"
        "    print('TIMED OUT' if runner.invoke({}).timed_out else 'RAN ON')\n"
    )
    package = str(Path(pytest_lambda.__file__).parents[1])
    result = subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--data-file", str(tmp_path / "cov"), str(script)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": package},
    )  # fmt: skip
    assert result.stdout.strip() == "TIMED OUT", result.stdout + result.stderr


def test_a_ticking_frozen_clock_waits_for_the_debugger() -> None:
    with LambdaClock(tick=True, patch_sleep=False) as clock:
        clock.move_to("2026-03-01T12:00:00Z")
        pause.started("pytest", pause.real_time())
        time.sleep(0.5)  # the developer at the prompt: the ticking clock runs on meanwhile
        pause.ended("pytest", pause.real_time())
        assert clock.time() - 1772366400.0 < 0.2  # it went back by the pause


def test_pdbs_hooks_take_over_a_pause_the_watchdog_saw_first() -> None:
    """The watchdog may look while pdb sets up: the pause then ends at pdb's 'continue'."""
    start = pause.real_time()
    pause.started("watchdog", start)
    pause.started("pytest", start + 0.1)
    assert not pause.watchdog_pause  # a job's end does not end it
    assert pause.ended("watchdog", start + 0.5) == 0.0  # nor the watchdog
    assert pause.ended("pytest", start + 1.0) == pytest.approx(1.0)
    assert pause.total() == pytest.approx(1.0)
