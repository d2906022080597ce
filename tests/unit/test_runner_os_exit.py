"""``os._exit()`` in a handler ends the runtime process, never pytest (isolation="module")."""

from __future__ import annotations

import json
import os
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import HandlerConfigError, LambdaRunner
from pytest_lambda.cli import main

# Each test runs with the environment on the main thread and on a thread of its own.
pytestmark = pytest.mark.usefixtures("execution")

Make = Callable[..., LambdaRunner]

# os.fork() with threads running warns on Python 3.12+ (the children here only call os._exit).
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
fork_with_threads = pytest.mark.filterwarnings(
    "ignore:This process .*is multi-threaded:DeprecationWarning"
)

APP = """
import os, time

CALLS = 0
CLEANED = []

def exits(event, context):
    global CALLS
    CALLS += 1
    print("before os._exit")
    os._exit(event.get("status", 7))
    return "ran on after os._exit"

def count(event, context):
    global CALLS
    CALLS += 1
    return CALLS

def swallows(event, context):
    try:
        os._exit(5)
    except BaseException:  # a handler that catches everything cannot outlive its process
        pass
    return "ran on after os._exit"

def swallows_and_spins(event, context):
    try:
        os._exit(6)
    except BaseException:
        pass
    while True:
        time.sleep(0.01)

def forks(event, context):
    pid = os.fork()
    if pid == 0:  # the child process must really end here
        os._exit(3)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

def bad_status(event, context):
    os._exit("seven")
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    return tmp_path


@pytest.fixture
def make(root: Path) -> Iterator[Make]:
    made: list[LambdaRunner] = []

    def make(handler: str, **kwargs: Any) -> LambdaRunner:
        runner = LambdaRunner(handler, root=root, **kwargs)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (7, "Runtime exited with error: exit status 7"),
        (0, "Runtime exited without providing a reason"),
        (-1, "Runtime exited with error: exit status 255"),
        (256 + 2, "Runtime exited with error: exit status 2"),
    ],
)
def test_os_exit_is_an_exit_error_and_discards_the_environment(
    make: Make, status: int, message: str
) -> None:
    runner = make("app.exits")
    inv = runner.invoke({"status": status})  # this process is still alive to get here
    assert inv.error is not None
    assert inv.error.type == "Runtime.ExitError"
    assert inv.response == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {inv.request_id} Error: {message}",
    }
    assert inv.raw is None
    assert "before os._exit\n" in inv.logs
    assert "ran on" not in inv.logs
    assert f"RequestId: {inv.request_id} Error: {message}\nRuntime.ExitError\n" in inv.logs
    assert "Status: error\tError Type: Runtime.ExitError" in inv.logs
    assert runner._environment_state() is None  # the environment was discarded
    again = runner.invoke({"status": 1})
    assert again.cold_start  # a new runtime process


def test_the_next_invoke_after_os_exit_is_cold_and_works(root: Path) -> None:
    (root / "mixed.py").write_text(
        "import os\nCALLS = 0\n"
        "def handler(event, context):\n"
        "    global CALLS\n    CALLS += 1\n"
        "    if event.get('exit'):\n        os._exit(9)\n"
        "    return CALLS\n"
    )
    with LambdaRunner("mixed.handler", root=root) as runner:
        assert runner.invoke({}).response == 1
        assert runner.invoke({}).response == 2
        exited = runner.invoke({"exit": True})
        assert exited.error is not None
        assert "exit status 9" in exited.error.message
        after = runner.invoke({})
        assert after.cold_start
        assert after.response == 1
        assert not runner.invoke({}).cold_start


@needs_fork
@fork_with_threads
@pytest.mark.usefixtures("thread_environments")
def test_the_worker_thread_stops_and_the_real_os_exit_is_untouched_elsewhere(make: Make) -> None:
    runner = make("app.exits")
    runner.load()
    state = runner._environment_state()
    assert state is not None
    thread = state.environment.worker.thread
    assert runner.invoke({}).error is not None
    assert thread is not None
    thread.join(2)
    assert not thread.is_alive()
    # Outside a handler, os._exit is the real one: a forked child of the test really exits.
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        os._exit(4)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 4


@needs_fork
@fork_with_threads
def test_a_forked_child_of_the_handler_really_exits(make: Make) -> None:
    inv = make("app.forks").invoke({})
    assert inv.ok, inv.logs
    assert inv.response == 3
    assert not make("app.forks").invoke({}).error


def test_a_handler_swallowing_os_exit_still_fails_as_exited(make: Make) -> None:
    runner = make("app.swallows")
    inv = runner.invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.ExitError"
    assert "exit status 5" in inv.error.message
    assert runner.invoke({}).cold_start


def test_a_handler_swallowing_os_exit_and_running_on_is_exited_at_the_deadline(
    make: Make,
) -> None:
    runner = make("app.swallows_and_spins", timeout=0.3)
    inv = runner.invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.ExitError"
    assert "exit status 6" in inv.error.message
    assert not inv.timed_out


def test_os_exit_with_a_bad_status_is_the_real_type_error(make: Make) -> None:
    inv = make("app.bad_status").invoke({})
    assert inv.error is not None
    assert inv.error.type == "TypeError"


def test_os_exit_at_init_is_an_init_exit_error(root: Path) -> None:
    (root / "dies.py").write_text(
        "import os\nprint('init output')\nos._exit(7)\ndef handler(e, c):\n    return 1\n"
    )
    with LambdaRunner("dies.handler", root=root) as runner:
        inv = runner.invoke({})
        assert inv.cold_start
        assert inv.error is not None
        assert inv.response == {
            "errorType": "Runtime.ExitError",
            "errorMessage": (
                f"RequestId: {inv.request_id} Error: Runtime exited with error: exit status 7"
            ),
        }
        assert "init output\n" in inv.logs
        assert "Phase: init\tStatus: error\tError Type: Runtime.ExitError" in inv.logs
        again = runner.invoke({})
        assert again.cold_start
        with pytest.raises(HandlerConfigError, match="exit status 7"):
            runner.load()


@needs_fork
@fork_with_threads
def test_os_exit_from_another_thread_is_not_caught(make: Make) -> None:
    """Only the environment's own thread is guarded; the test's threads get the real one."""
    runner = make("app.count")
    assert runner.invoke({}).ok
    seen: list[Any] = []

    def other_thread() -> None:
        seen.append(os._exit is not None)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child process
            os._exit(11)
        seen.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(5)
    assert seen == [True, 11]


def test_cli_invoke_prints_the_exit_error_and_exits_1(
    capsys: pytest.CaptureFixture[str], root: Path, tmp_path: Path
) -> None:
    event = tmp_path / "e.json"
    event.write_text('{"status": 7}', "utf-8")
    code = main(["invoke", "app.exits", "--event", str(event), "--root", str(root)])
    out, err = capsys.readouterr()
    assert code == 1
    payload = json.loads(out)
    assert payload["errorType"] == "Runtime.ExitError"
    assert payload["errorMessage"].endswith("Error: Runtime exited with error: exit status 7")
    assert "before os._exit" in err
    assert "pytest-lambda: invocation 1 of 1: error Runtime.ExitError, cold start, " in err
