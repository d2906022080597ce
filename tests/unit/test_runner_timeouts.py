"""Timeouts: on real time or a frozen LambdaClock, the test goes on and the environment is reset."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pytest_lambda import LambdaClock, LambdaRunner
from pytest_lambda._runtime.inprocess.worker import real_time

# Each test runs with the environment on the main thread and on a thread of its own.
pytestmark = pytest.mark.usefixtures("execution")

Make = Callable[..., LambdaRunner]

APP = """
import os, tempfile, threading, time
MARK = None
LOOPS = 0

def quick(event, context):
    return {"mark": MARK, "remaining": context.get_remaining_time_in_millis()}

def spin(event, context):
    global LOOPS
    while True:
        LOOPS += 1

def stray(event, context):
    global MARK
    try:
        time.sleep(event["sleep"])
    except BaseException:  # even a handler that swallows everything...
        pass
    MARK = "written by the timed-out handler"
    return "too late"

def sleeper(event, context):
    before = context.get_remaining_time_in_millis()
    time.sleep(event["sleep"])
    return {"before": before, "after": context.get_remaining_time_in_millis(), "now": time.time()}

def sleeps_forever(event, context):
    while True:
        time.sleep(1)

def tmp_keeper(event, context):
    path = os.path.join(tempfile.gettempdir(), "kept.txt")
    if event.get("write"):
        with open(path, "w") as f:
            f.write("survives the reset")
        time.sleep(10)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read()
"""


@pytest.fixture
def make(app_runners: Callable[[str], Make]) -> Make:
    return app_runners(APP)


@pytest.fixture
def clock() -> Iterator[LambdaClock]:
    with LambdaClock() as clock:
        clock.move_to("2026-11-22T10:00:00Z")
        yield clock


def test_a_handler_that_never_returns_times_out_promptly(make: Make) -> None:
    runner = make("app.spin", timeout=0.2)
    started = real_time()
    inv = runner.invoke({})
    assert real_time() - started < 2
    assert inv.timed_out
    assert not inv.ok
    assert inv.response == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {inv.request_id} Error: Task timed out after 0.20 seconds",
    }
    assert f"{inv.request_id} Task timed out after 0.20 seconds\n" in inv.logs
    assert "\tStatus: timeout\n" in inv.logs
    assert inv.duration_ms >= 200


@pytest.mark.usefixtures("thread_environments")
def test_the_abandoned_thread_is_stopped_when_it_runs_python_code(make: Make) -> None:
    from pytest_lambda._runtime.inprocess.worker import _traced_on_3_11

    if _traced_on_3_11():
        pytest.skip(
            "CPython 3.11 under a tracer (coverage): abandoned threads are not sent the exception"
        )
    runner = make("app.spin", timeout=0.2)
    runner.load()
    state = runner._environment_state()
    assert state is not None
    thread = state.environment.worker.thread
    assert runner.invoke({}).timed_out
    assert thread is not None
    thread.join(2)
    assert not thread.is_alive()


def test_a_timed_out_handler_cannot_change_the_next_environment(make: Make) -> None:
    runner = make("app.quick", timeout=0.2)
    first = runner.load()
    state = runner._environment_state()
    assert state is not None
    old_module = state.handler_module
    assert old_module is not None
    state.environment.handler = old_module.stray  # run the straying handler in this environment
    assert runner.invoke({"sleep": 0.4}).timed_out
    time.sleep(0.6)  # the stray thread wakes up and writes to its module
    assert old_module.MARK == "written by the timed-out handler"
    after = runner.invoke({})
    assert after.cold_start
    assert after.response["mark"] is None  # a new module object: the write went nowhere
    assert runner.load() is not first


def test_frozen_clock_sleep_takes_exactly_that_much_remaining_time(
    make: Make, clock: LambdaClock
) -> None:
    runner = make("app.sleeper", clock=clock)
    started = real_time()
    inv = runner.invoke({"sleep": 1})
    assert real_time() - started < 1
    assert inv.ok
    assert inv.response["before"] - inv.response["after"] == 1000
    assert inv.response["before"] == 3000
    assert inv.response["now"] == clock.time()
    assert inv.duration_ms >= 1000


def test_frozen_clock_moved_past_the_deadline_times_out_instantly(
    make: Make, clock: LambdaClock
) -> None:
    runner = make("app.sleeper", clock=clock)
    started = real_time()
    inv = runner.invoke({"sleep": 5})
    assert real_time() - started < 1
    assert inv.timed_out
    assert inv.error is not None
    assert (
        inv.error.message == f"RequestId: {inv.request_id} Error: Task timed out after 3.00 seconds"
    )
    assert inv.raw is None
    assert runner.invoke({"sleep": 0}).cold_start


@pytest.mark.usefixtures("thread_environments")
def test_frozen_clock_sleep_past_the_deadline_stops_the_clock_at_the_deadline(
    make: Make, clock: LambdaClock
) -> None:
    runner = make("app.sleeper", clock=clock)
    runner.load()
    state = runner._environment_state()
    assert state is not None
    thread = state.environment.worker.thread
    start = clock.time()
    started = real_time()
    inv = runner.invoke({"sleep": 10})
    assert thread is not None
    thread.join(2)  # woken from its real wait when abandoned, not 10 s later
    assert not thread.is_alive()
    assert real_time() - started < 2
    assert inv.timed_out
    assert clock.time() == start + 3  # Lambda cuts the sleep off at the deadline, not after 10 s
    assert (
        f"2026-11-22T10:00:03.000Z {inv.request_id} Task timed out after 3.00 seconds\n" in inv.logs
    )
    assert inv.duration_ms == 3000.0  # the deadline, as the clock and the timeout line show
    assert f"REPORT RequestId: {inv.request_id}\tDuration: 3000.00 ms\t" in inv.logs
    after = runner.invoke({"sleep": 1})  # on a new thread, maybe with the old one's id
    assert after.cold_start
    assert after.ok
    assert clock.time() == start + 4  # its sleep moves the clock again


def test_frozen_clock_sleep_reaching_the_deadline_exactly_times_out_at_it(
    make: Make, clock: LambdaClock
) -> None:
    runner = make("app.sleeper", clock=clock)
    start = clock.time()
    assert runner.invoke({"sleep": 3}).timed_out
    assert clock.time() == start + 3


def test_frozen_clock_sleeping_forever_is_caught_by_polling(make: Make, clock: LambdaClock) -> None:
    runner = make("app.sleeps_forever", clock=clock)
    started = real_time()
    assert runner.invoke({}).timed_out
    assert real_time() - started < 1


def test_tmp_survives_a_timeout_reset_but_not_a_new_environment(
    make: Make, clock: LambdaClock
) -> None:
    runner = make("app.tmp_keeper", clock=clock)
    assert runner.invoke({"write": True}).timed_out
    after_reset = runner.invoke({})
    assert after_reset.cold_start  # the process was reset...
    assert after_reset.response == "survives the reset"  # ...but /tmp was not (as in Lambda)
    runner.new_environment()
    assert runner.invoke({}).response is None


def test_init_that_passes_the_init_limit_times_out(tmp_path: Path, clock: LambdaClock) -> None:
    (tmp_path / "slow_init.py").write_text(
        "import time\ntime.sleep(11)\ndef handler(e, c):\n    return 1\n"
    )
    with LambdaRunner("slow_init.handler", root=tmp_path, clock=clock) as runner:
        inv = runner.invoke({})
    assert inv.timed_out
    assert inv.cold_start
    assert "Phase: init\tStatus: timeout" in inv.logs


def test_init_sleeping_past_the_init_limit_stops_the_clock_at_the_limit(
    tmp_path: Path, clock: LambdaClock
) -> None:
    (tmp_path / "slow_init.py").write_text(
        "import time\ntime.sleep(30)\ndef handler(e, c):\n    return 1\n"
    )
    start = clock.time()
    with LambdaRunner("slow_init.handler", root=tmp_path, clock=clock) as runner:
        inv = runner.invoke({})
    assert inv.timed_out
    assert clock.time() == start + 10  # the init limit, not the 30 s of the sleep
    assert inv.init_duration_ms is not None
    assert 10_000 <= inv.init_duration_ms < 10_500


def test_the_next_cold_start_is_not_held_up_by_the_timed_out_init(
    tmp_path: Path, clock: LambdaClock
) -> None:
    # The timed-out import stops at its deadline, not 30 real seconds later holding the
    # module's import lock (which the next environment's import of the module would wait on).
    (tmp_path / "slow_once.py").write_text(
        "import os, time\n"
        "if not os.path.exists(os.path.join(os.path.dirname(__file__), 'warmed')):\n"
        "    time.sleep(30)\n"
        "def handler(e, c):\n    return 'ok'\n"
    )
    with LambdaRunner("slow_once.handler", root=tmp_path, clock=clock) as runner:
        started = real_time()
        assert runner.invoke({}).timed_out
        (tmp_path / "warmed").write_text("")
        after = runner.invoke({})
        assert real_time() - started < 5
    assert after.cold_start
    assert after.response == "ok"
    assert after.init_duration_ms is not None
    assert after.init_duration_ms < 5000
