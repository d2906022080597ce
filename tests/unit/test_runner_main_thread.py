"""The handler runs on the main thread, as the runtime runs it: signals, asyncio, contextvars."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from pytest_lambda import LambdaRunner
from pytest_lambda._runtime.inprocess.worker import real_time

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGRTMAX"),
    reason="environments run on the main thread where signals allow",
)

Make = Callable[..., LambdaRunner]

APP = """
import asyncio, contextvars, signal, sys, threading, time

STOPS = []
VAR = contextvars.ContextVar("var", default="unset")
ALARMS = []

def on_term(signum, frame):
    STOPS.append(signum)

signal.signal(signal.SIGTERM, on_term)  # the graceful-shutdown pattern of Lambda extensions

def where(event, context):
    return {
        "main": threading.current_thread() is threading.main_thread(),
        "term": signal.getsignal(signal.SIGTERM).__name__,
    }

def sees_sigterm(event, context):
    import _signal
    return f"installed: {_signal.getsignal(signal.SIGTERM) is on_term}"

def var(event, context):
    old = VAR.get()
    VAR.set("set by the handler")
    return old

async def work():
    await asyncio.sleep(0)
    return "ran"

def runs_asyncio(event, context):
    return asyncio.run(work())

def gets_loop(event, context):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(work())
    finally:
        loop.close()

def blocks(event, context):
    threading.Event().wait()

def sleeps(event, context):
    time.sleep(30)

def swallows(event, context):
    for _ in range(3):
        try:
            time.sleep(30)
        except BaseException:
            pass
    return "went on"

def on_alarm(signum, frame):
    ALARMS.append(signum)

def sets_alarm(event, context):
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, event["after"])
    return len(ALARMS)

def signals_itself(event, context):
    import os
    os.kill(os.getpid(), signal.SIGUSR1)
    time.sleep(1)
    return "ran on"

def blocks_signals(event, context):
    signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    return "blocked"

def on_int(signum, frame):
    sys.exit(0)

def installs_sigint(event, context):
    signal.signal(signal.SIGINT, on_int)
    return signal.getsignal(signal.SIGINT).__name__

def spins(event, context):
    while True:
        try:
            time.sleep(1000)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            continue

def swallows_everything(event, context):
    for _ in range(20):  # about a second of firings after the deadline
        try:
            time.sleep(30)
        except BaseException:
            pass
    return "went on"

def meets_the_stop_in_ctrl_c(event, context):
    try:
        time.sleep(30)  # the deadline fires: caught
    except BaseException:
        pass
    try:
        raise KeyboardInterrupt  # as Ctrl-C would, while the next firing comes
    except KeyboardInterrupt:
        time.sleep(30)  # the firing lands here, where the KeyboardInterrupt is handled
    return "went on"

def inner_late_then_sleeps(event, context):
    import os
    from pytest_lambda import LambdaRunner
    with LambdaRunner("app.sleeps", root=os.path.dirname(__file__), timeout=0.2) as inner:
        late = inner.invoke({}).timed_out
    time.sleep(event["sleep"])  # within this invocation's own deadline
    return late

def forks_after_the_deadline(event, context):
    import os
    try:
        time.sleep(30)
    except BaseException:
        pass
    pid = os.fork()
    if pid == 0:
        with open(event["out"], "w") as f:
            f.write(str(signal.getsignal(signal.SIGINT) is signal.default_int_handler))
        os._exit(0)
    os.waitpid(pid, 0)

def _swallow(seconds):
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            time.sleep(0.05)
        except BaseException:
            pass

def swallows_for(event, context):
    _swallow(event["s"])
    return "ran on"

def nested_late_swallowers(event, context):
    import os
    from pytest_lambda import LambdaRunner
    with LambdaRunner("app.swallows_for", root=os.path.dirname(__file__), timeout=30) as inner:
        try:
            inner.invoke({"s": 2.0})  # this invocation's deadline passes in there
        except BaseException:
            pass
    _swallow(1.0)
    return "ran on"

def nested_across_the_deadline(event, context):
    import os, threading
    from pytest_lambda import LambdaRunner
    from pytest_lambda._runtime.inprocess import worker
    root = os.path.dirname(__file__)
    with LambdaRunner("app.sleeps_a_second", root=root, timeout=30, function_name="inner") as inner:
        try:
            inner.invoke({})
        except BaseException:
            pass
        with open(event["out"], "w") as f:  # whose os._exit() would it be now?
            f.write(worker._THREADS[threading.get_ident()][0].name)
    _swallow(0.3)

def sleeps_a_second(event, context):
    time.sleep(1.0)

def forks_and_exits(event, context):
    import os
    pid = os.fork()
    if pid == 0:
        sys.exit(3)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

def alarm_handler_only(event, context):
    signal.signal(signal.SIGALRM, on_alarm)
    time.sleep(event["sleep"])
    return len(ALARMS)

def waits_for_alarm(event, context):
    for _ in range(100):
        if ALARMS:
            break
        time.sleep(0.01)
    return len(ALARMS)
"""


@pytest.fixture
def make(app_runners: Callable[[str], Make]) -> Make:
    return app_runners(APP)


def test_module_code_installs_signal_handlers_for_its_environment_only(make: Make) -> None:
    before = signal.getsignal(signal.SIGTERM)
    runner = make("app.where")
    first = runner.invoke({})
    assert first.ok, first.logs  # on a thread of its own, signal.signal() raises ValueError
    assert first.response == {"main": True, "term": "on_term"}
    assert signal.getsignal(signal.SIGTERM) is before  # the test keeps its handler
    assert runner.invoke({}).response["term"] == "on_term"  # warm: the module's handler is back
    sees = make("app.sees_sigterm").invoke({})
    assert sees.response == "installed: False", sees.logs  # kill/timeout still end pytest
    runner.close()
    assert signal.getsignal(signal.SIGTERM) is before


def _the_tests_own_timer(before: float) -> bool:
    """ITIMER_REAL is the test's again: off, or (pytest-timeout's ``signal`` method) the test's
    timeout, running on from where it was before the invoke."""
    now = signal.getitimer(signal.ITIMER_REAL)[0]
    return now == 0 if before == 0 else before - 60 < now <= before


def test_an_alarm_left_running_fires_in_the_environment_not_in_the_test(make: Make) -> None:
    before = signal.getsignal(signal.SIGALRM)
    test_timer = signal.getitimer(signal.ITIMER_REAL)[0]
    runner = make("app.sets_alarm")
    assert runner.invoke({"after": 0.2}).response == 0
    assert signal.getsignal(signal.SIGALRM) is before
    assert _the_tests_own_timer(test_timer)  # the environment's alarm paused while the test runs
    time.sleep(0.3)  # without the pause, SIGALRM's default action would end pytest here
    module = runner.module
    assert module is not None
    assert module.ALARMS == []
    runner_state = runner._environment_state()
    assert runner_state is not None
    runner_state.environment.handler = module.waits_for_alarm
    assert runner.invoke({}).response == 1  # resumed in the next invocation, and fired there
    assert _the_tests_own_timer(test_timer)


def test_context_variables_belong_to_the_environment(make: Make) -> None:
    runner = make("app.var")
    assert runner.invoke({}).response == "unset"
    assert runner.invoke({}).response == "set by the handler"  # warm: the same context
    module = runner.module
    assert module is not None
    assert module.VAR.get() == "unset"  # the test's context is untouched
    assert runner.invoke({}, cold=True).response == "unset"


@pytest.mark.parametrize("handler", ["app.runs_asyncio", "app.gets_loop"])
def test_asyncio_in_the_handler_works_from_an_async_test(make: Make, handler: str) -> None:
    runner = make(handler)

    async def test_body() -> Any:
        await asyncio.sleep(0)
        return runner.invoke({})

    inv = asyncio.run(test_body())  # the handler runs while the test's event loop runs
    assert inv.ok, inv.logs
    assert inv.response == "ran"


def test_a_context_variable_of_the_test_is_not_seen_by_the_handler(make: Make) -> None:
    runner = make("app.var")
    module = runner.module
    assert module is not None
    token = module.VAR.set("set by the test")
    try:
        assert runner.invoke({}).response == "unset"
    finally:
        module.VAR.reset(token)


@pytest.mark.parametrize("handler", ["app.blocks", "app.sleeps"])
def test_a_handler_blocked_in_a_wait_is_stopped_at_its_deadline(make: Make, handler: str) -> None:
    runner = make(handler, timeout=0.2)
    started = real_time()
    inv = runner.invoke({})
    assert real_time() - started < 2
    assert inv.timed_out
    again = runner.invoke({})
    assert again.cold_start  # the timed-out environment was discarded
    assert again.timed_out


def test_a_handler_that_catches_the_stop_is_stopped_again(make: Make) -> None:
    runner = make("app.swallows", timeout=0.2)
    started = real_time()
    inv = runner.invoke({})
    assert real_time() - started < 2
    assert inv.timed_out
    assert inv.raw is None  # its late "went on" is not the answer


def test_an_environment_started_on_the_main_thread_is_not_invoked_from_another(
    make: Make,
) -> None:
    runner = make("app.var")
    runner.invoke({})
    errors: list[BaseException] = []

    def other() -> None:
        try:
            runner.invoke({})
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(5)
    assert len(errors) == 1
    assert isinstance(errors[0], RuntimeError)
    assert "invoke it from the main thread" in str(errors[0])
    assert runner.invoke({}).response == "set by the handler"  # still warm, and usable


def test_an_environment_started_off_the_main_thread_runs_on_its_own_thread(make: Make) -> None:
    runner = make("app.where")
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(runner.invoke({})))
    thread.start()
    thread.join(10)
    inv = results[0]
    assert not inv.ok  # signal.signal() off the main thread: the error Python gives there
    assert inv.error is not None
    assert "signal only works in main thread" in inv.error.message


def test_the_watchdog_does_not_wake_for_each_invocation(make: Make) -> None:
    from pytest_lambda._runtime.inprocess import inline as _inline

    runner = make("app.var")
    runner.invoke({})
    wakes: list[float] = []
    original = _inline._WATCHDOG._cond.notify

    def counting(n: int = 1) -> None:
        wakes.append(real_time())
        original(n)

    _inline._WATCHDOG._cond.notify = counting  # type: ignore[method-assign]
    try:
        for _ in range(200):
            runner.invoke({})
    finally:
        _inline._WATCHDOG._cond.notify = original  # type: ignore[method-assign]
    assert len(wakes) <= 2


def test_a_late_stop_signal_is_ignored_outside_invocations(make: Make) -> None:
    from pytest_lambda._runtime.inprocess import inline as _inline

    runner = make("app.var")
    runner.invoke({})  # installs the signal's handler
    assert _inline._SIGNAL is not None
    signal.pthread_kill(threading.main_thread().ident or 0, _inline._SIGNAL)
    time.sleep(0.01)  # delivered here, between invocations: nothing is stopped
    assert runner.invoke({}).response == "set by the handler"


def test_an_invocation_from_the_runner_is_a_complete_dataclass(make: Make) -> None:
    import dataclasses

    inv = make("app.var").invoke({})
    given = {f.name: getattr(inv, f.name) for f in dataclasses.fields(inv)}
    assert dataclasses.replace(inv) == inv
    assert type(inv)(**given) == inv
    with pytest.raises(dataclasses.FrozenInstanceError):
        inv.response = "changed"  # type: ignore[misc]


def test_a_test_signal_handler_failing_the_test_stops_the_invocation(make: Make) -> None:
    # pytest-timeout's signal method calls pytest.fail() from SIGALRM's handler, which runs in
    # the handler's frame: that is the test failing, not the function.
    def fail_the_test(signum: int, frame: Any) -> None:
        pytest.fail("the test's own timeout")

    previous = signal.signal(signal.SIGUSR1, fail_the_test)
    try:
        runner = make("app.signals_itself")
        with pytest.raises(pytest.fail.Exception, match="the test's own timeout"):
            runner.invoke({})
        assert runner._environment_state() is None  # that environment is gone
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_a_late_firing_for_an_earlier_job_does_not_stop_the_next_one() -> None:
    from pytest_lambda._runtime.inprocess import inline as _inline

    _inline._install_signal_handler()  # else, first in a process, the firing would kill it
    worker = _inline.InlineWorker("lambda-late")
    _inline._WATCHDOG.arm(worker, 60.0)  # job 1
    first = worker._seq
    _inline._WATCHDOG.disarm(worker)
    _inline._WATCHDOG.arm(worker, 60.0)  # job 2
    try:
        worker._fire(real_time(), first)  # the watchdog acting on its view of job 1
        assert not worker.fired
        worker._fire(real_time(), worker._seq)
        assert worker.fired
    finally:
        _inline._WATCHDOG.disarm(worker)


def _mask() -> set[int]:
    return {int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])}


def test_a_signal_mask_set_by_the_handler_stays_in_its_environment(make: Make) -> None:
    before = _mask()
    runner = make("app.blocks_signals")
    assert runner.invoke({}).response == "blocked"
    assert _mask() == before  # Ctrl-C and pytest-timeout still reach the test
    assert runner.invoke({}).ok


def test_ctrl_c_stays_with_the_test(make: Make) -> None:
    runner = make("app.installs_sigint")
    assert runner.invoke({}).response == "on_int"  # the handler sees its own handler...
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # ...never installed


def test_ctrl_c_after_the_deadline_still_stops_the_test(make: Make) -> None:
    import _thread

    runner = make("app.spins", timeout=0.2)
    timer = threading.Timer(0.5, _thread.interrupt_main)  # after the deadline has fired
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.invoke({})
    finally:
        timer.cancel()


def test_ctrl_c_swallowed_by_a_late_handler_still_stops_the_test(make: Make) -> None:
    import _thread

    runner = make("app.swallows_everything", timeout=0.2)
    timer = threading.Timer(0.5, _thread.interrupt_main)  # one Ctrl-C, which the handler catches
    timer.start()
    started = real_time()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.invoke({})
    finally:
        timer.cancel()
    assert real_time() - started < 5
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the test's again
    assert make("app.var").invoke({}).ok  # and the next invocation is a normal one


def test_the_stop_signal_does_not_replace_a_ctrl_c_being_raised(make: Make) -> None:
    # Python runs signal handlers between bytecodes (3.10: any two): the watchdog's signal
    # landing while a KeyboardInterrupt is handled in the handler replaced it by the stop, which
    # ends the job as a timeout; the test must stop instead
    runner = make("app.meets_the_stop_in_ctrl_c", timeout=0.2)
    with pytest.raises(KeyboardInterrupt):
        runner.invoke({})
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _stopped_by_ctrl_c(runner: LambdaRunner, event: Any, *, after: float) -> float:
    """Invoke with a real SIGINT sent to the main thread ``after`` seconds in: the seconds
    until KeyboardInterrupt came out (and the test's SIGINT handler is back)."""
    main = threading.main_thread().ident
    timer = threading.Timer(after, signal.pthread_kill, (main, signal.SIGINT))
    started = real_time()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.invoke(event)
    finally:
        timer.cancel()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    return real_time() - started


def test_ctrl_c_after_a_nested_invocations_deadline_stops_the_outer_one_at_once(
    make: Make,
) -> None:
    # the inner invocation passed its deadline; the outer one is within its own: Ctrl-C comes
    # at once, not when the outer handler ends
    runner = make("app.inner_late_then_sleeps", timeout=20)
    assert _stopped_by_ctrl_c(runner, {"sleep": 6}, after=1.0) < 3


def test_ctrl_c_during_a_nested_invocation_after_the_outer_deadline_stops_the_test(
    make: Make,
) -> None:
    # both handlers catch everything; the outer deadline passes while the nested one runs
    runner = make("app.nested_late_swallowers", timeout=0.5)
    _stopped_by_ctrl_c(runner, {}, after=1.0)


@pytest.mark.skipif(sys.gettrace() is not None, reason="a tracer (coverage) is in place")
def test_the_outer_stop_does_not_land_in_a_nested_workers_bookkeeping(
    make: Make, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The outer deadline's signal arriving while the nested worker's wait() tidies up after
    its job is not raised there (it would skip the rest: the os._exit guard, busy, loops)."""
    import linecache

    from pytest_lambda._runtime.inprocess import inline as _inline

    runner = make("app.nested_across_the_deadline", timeout=0.3)
    main, sent = threading.main_thread().ident, []

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if frame.f_code is not _inline._WAIT_CODE:
            return None

        def local(frame: Any, event: str, arg: Any) -> Any:
            me, running = frame.f_locals.get("self"), _inline._RUNNING
            line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
            if (
                not sent
                and event == "line"
                and running
                and running[0].fired
                and me is not running[0]
                and "_WATCHDOG.disarm(self)" in line
            ):
                sent.append(1)
                signal.pthread_kill(main, _inline._SIGNAL)  # the watchdog's resend, here
                [0 for _ in range(3)]  # Python code: the signal is handled before the line
            return local

        return local

    out = tmp_path_factory.mktemp("out") / "owner.txt"  # not in the (read-only) task root
    sys.settrace(tracer)
    try:
        inv = runner.invoke({"out": str(out)})
    finally:
        sys.settrace(None)
    assert sent
    assert inv.timed_out
    assert out.read_text() == "lambda-test-function-1"  # the outer's again, not "lambda-inner-1"
    assert _inline._RUNNING == []


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_child_forked_after_the_deadline_has_the_tests_sigint_handler(
    make: Make, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("out") / "child.txt"  # not in the (read-only) task root
    inv = make("app.forks_after_the_deadline", timeout=0.2).invoke({"out": str(out)})
    assert inv.timed_out  # the parent's job: caught its stop and ran on
    assert out.read_text() == "True"  # Ctrl-C reaches it (it has no watchdog to raise it later)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_exception_the_test_is_handling_is_not_raised_in_a_late_handler(make: Make) -> None:
    runner = make("app.sleeps", timeout=0.2)
    try:
        pytest.skip("the test handles its own outcome and goes on")
    except pytest.skip.Exception:
        try:
            inv = runner.invoke({})
        except pytest.skip.Exception:
            pytest.fail("the test's own Skipped was raised in the handler")
    assert inv.timed_out  # stopped at its deadline


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_that_calls_sys_exit_ends(make: Make) -> None:
    import os

    pid = os.getpid()
    inv = make("app.forks_and_exits").invoke({})
    assert os.getpid() == pid
    assert inv.response == 3, inv.logs  # the child ended with its status, not in pytest


def test_the_tests_alarm_reaches_the_test_while_the_handler_has_its_own_handler(
    make: Make,
) -> None:
    # pytest-timeout's signal method: its SIGALRM handler fails the test. An environment
    # with its own SIGALRM handler (and no alarm of its own) must not take that alarm.
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        runner = make("app.alarm_handler_only")
        assert runner.invoke({"sleep": 0}).response == 0
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # the test's alarm still runs
        assert runner.invoke({"sleep": 0.5}).response == 0  # fired during it: the test's
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_handler_looping_on_a_nested_runner_times_out_and_leaves_nothing_behind() -> None:
    from pytest_lambda._runtime.inprocess import inline as _inline
    from pytest_lambda._runtime.inprocess import signals as _signals
    from pytest_lambda._runtime.inprocess import worker as _worker

    inner = LambdaRunner(lambda event, context: 1, timeout=3)

    def outer(event: Any, context: Any) -> None:
        while True:
            inner.invoke({})

    with inner, LambdaRunner(outer, timeout=0.05) as runner:
        for _ in range(20):
            started = real_time()
            assert runner.invoke({}).timed_out
            assert real_time() - started < 2
            assert not _signals._ACTIVE
            assert not _inline._RUNNING
            assert threading.get_ident() not in _worker._THREADS


def test_a_mock_of_signal_signal_sees_the_handlers_calls(make: Make) -> None:
    from unittest import mock

    runner = make("app.where")
    with mock.patch("signal.signal") as mocked:
        runner.invoke({})
    assert mocked.call_args_list[0].args[0] == signal.SIGTERM


def test_the_deadline_holds_when_the_test_blocked_signals(make: Make) -> None:
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals() - {signal.SIGINT})
    try:
        test_mask = _mask()
        runner = make("app.sleeps", timeout=0.2)
        started = real_time()
        assert runner.invoke({}).timed_out  # the watchdog's signal is unblocked for the job
        assert real_time() - started < 2
        assert _mask() == test_mask
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
