"""LambdaClock: real until move_to(), frozen and controlled after, sleep advances it, refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import threading
import time
import types
from datetime import date, datetime, timedelta, timezone
from unittest import mock

import pytest

import pytest_lambda._clock.sleep as sleep_module
from pytest_lambda import InvalidOption, LambdaClock

# Module globals holding time.sleep are patched while frozen (like `from time import sleep`
# in a handler), so the tests reach the real one through the clock module, which is exempt.


def real_sleep(seconds):
    sleep_module._REAL_SLEEP(seconds)


def sleep_is_real():
    return time.sleep is sleep_module._REAL_SLEEP


NOV22 = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
NOV22_EPOCH = 1795341600


@pytest.fixture(autouse=True)
def _no_leaked_freeze():
    yield
    from freezegun import api

    assert not api.freeze_factories, "a freeze leaked out of the test"
    assert sleep_is_real()
    assert isinstance(time.time, types.BuiltinFunctionType)


@pytest.fixture
def clock():
    c = LambdaClock()
    yield c
    c.stop()


def test_time_is_real_until_move_to(clock):
    assert not clock.frozen
    assert abs(clock.time() - time.time()) < 1
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 1
    assert clock.now().tzinfo is timezone.utc
    assert sleep_is_real()
    assert repr(clock) == "LambdaClock(real time, tick=False, patch_sleep=True)"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        pytest.param(NOV22, NOV22, id="aware-utc"),
        pytest.param(
            datetime(2026, 11, 22, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            NOV22,
            id="aware-offset",
        ),
        pytest.param(datetime(2026, 11, 22, 10, 0), NOV22, id="naive-is-utc"),
        pytest.param("2026-11-22T10:00:00Z", NOV22, id="iso-z"),
        pytest.param("2026-11-22T11:00:00+01:00", NOV22, id="iso-offset"),
        pytest.param("2026-11-22T10:00:00", NOV22, id="iso-naive"),
        pytest.param(NOV22_EPOCH, NOV22, id="epoch-int"),
        pytest.param(NOV22_EPOCH + 0.25, NOV22 + timedelta(milliseconds=250), id="epoch-float"),
        pytest.param(date(2026, 11, 22), NOV22.replace(hour=0), id="date-midnight"),
    ],
)
def test_move_to_accepts(clock, when, expected):
    clock.move_to(when)
    assert clock.frozen
    assert clock.now() == expected
    assert clock.time() == expected.timestamp()
    assert time.time() == expected.timestamp()


def test_code_under_the_clock_sees_it(clock):
    clock.move_to("2026-11-22T10:00:00Z")
    assert time.time() == NOV22_EPOCH
    assert time.time_ns() == NOV22_EPOCH * 10**9
    assert datetime.now() == datetime(2026, 11, 22, 10, 0)  # Lambda runs with TZ=UTC
    assert datetime.now(timezone.utc) == NOV22
    assert dt.datetime.now(timezone.utc) == NOV22
    assert date.today() == date(2026, 11, 22)
    assert (
        repr(clock) == "LambdaClock(frozen at 2026-11-22T10:00:00Z, tick=False, patch_sleep=True)"
    )


def test_later_move_to_moves_the_frozen_clock(clock):
    clock.move_to(NOV22)
    clock.move_to("2030-01-01T00:00:00Z")
    assert clock.now() == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert time.time() == datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("when", "error", "match"),
    [
        (
            "22/11/2026",
            InvalidOption,
            r"'22/11/2026' is not an ISO 8601 instant; write it like '2026-11-22T10:00:00Z'",
        ),
        ("", InvalidOption, "is not an ISO 8601 instant"),
        (float("nan"), InvalidOption, "is not a finite epoch time"),
        (True, TypeError, "is a bool, not an instant"),
        ([2026, 11, 22], TypeError, "list is not an instant; move_to\\(\\) accepts a datetime"),
    ],
)
def test_move_to_rejects(clock, when, error, match):
    with pytest.raises(error, match=match):
        clock.move_to(when)
    assert not clock.frozen


def test_shift_before_move_to_says_call_move_to_first(clock):
    with pytest.raises(RuntimeError) as excinfo:
        clock.shift(1)
    assert str(excinfo.value) == (
        "LambdaClock.shift(): the clock is not frozen, so there is no instant to advance; "
        "call move_to() first (e.g. lambda_clock.move_to('2026-11-22T10:00:00Z') or "
        "@pytest.mark.lambda_clock(...)). Time is real until move_to()."
    )
    assert not clock.frozen


@pytest.mark.parametrize(
    ("seconds", "expected_ms"),
    [(1, 1000), (0.25, 250), (timedelta(minutes=2), 120_000), (-5, -5000)],
)
def test_shift_advances(clock, seconds, expected_ms):
    clock.move_to(NOV22)
    clock.shift(seconds)
    assert clock.now() == NOV22 + timedelta(milliseconds=expected_ms)
    assert time.time() == NOV22_EPOCH + expected_ms / 1000


@pytest.mark.parametrize("bad", ["1", None, True])
def test_shift_rejects_non_durations(clock, bad):
    clock.move_to(NOV22)
    with pytest.raises(TypeError, match="expected seconds"):
        clock.shift(bad)


def test_sleep_advances_the_frozen_clock_instantly(clock):
    real_perf_counter = time.perf_counter  # freezegun freezes perf_counter too
    clock.move_to(NOV22)
    started = real_perf_counter()
    time.sleep(1)
    time.sleep(0.5)
    time.sleep(0)
    elapsed = real_perf_counter() - started
    assert clock.now() == NOV22 + timedelta(seconds=1.5)
    assert time.time() == NOV22_EPOCH + 1.5
    assert elapsed < 0.5


def test_sleep_aliases_are_patched_and_restored(clock):
    before = types.ModuleType("handler_imported_before")
    before.sleep = time.sleep  # like `from time import sleep`
    sys.modules[before.__name__] = before
    try:
        clock.move_to(NOV22)
        after = types.ModuleType("handler_imported_while_frozen")
        after.sleep = time.sleep
        sys.modules[after.__name__] = after
        before.sleep(2)
        after.sleep(3)
        assert clock.now() == NOV22 + timedelta(seconds=5)
        clock.stop()
        assert before.sleep is sleep_module._REAL_SLEEP
        assert after.sleep is sleep_module._REAL_SLEEP
    finally:
        sys.modules.pop("handler_imported_before", None)
        sys.modules.pop("handler_imported_while_frozen", None)


def test_code_in_another_thread_sees_the_clock_and_sleep_advances_it(clock):
    clock.move_to(NOV22)
    seen = []

    def handler_in_a_worker_thread():
        seen.append((time.time(), datetime.now(timezone.utc)))
        time.sleep(10)
        seen.append((time.time(), datetime.now(timezone.utc)))

    worker = threading.Thread(target=handler_in_a_worker_thread)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert seen == [(NOV22_EPOCH, NOV22), (NOV22_EPOCH + 10, NOV22 + timedelta(seconds=10))]
    assert clock.now() == NOV22 + timedelta(seconds=10)


def test_a_detached_thread_sleeps_for_real_and_leaves_the_clock_alone(clock):
    import freezegun.api

    clock.move_to(NOV22)
    go = threading.Event()
    took = []

    def timed_out_handler():  # the runner gave up on it; it keeps running
        go.wait(5)
        begin = freezegun.api.real_perf_counter()
        time.sleep(0.02)
        took.append(freezegun.api.real_perf_counter() - begin)

    worker = threading.Thread(target=timed_out_handler)
    worker.start()
    clock._detach_thread(worker.ident)
    go.set()
    worker.join(timeout=5)
    assert took[0] >= 0.02
    assert clock.now() == NOV22
    time.sleep(1)  # other threads still move it
    assert clock.now() == NOV22 + timedelta(seconds=1)


def test_a_thread_deadline_stops_sleep_at_the_deadline(clock):
    import freezegun.api

    clock.move_to(NOV22)
    deadline_ms = int(NOV22.timestamp() * 1000) + 3000
    loops = []

    def handler_past_its_deadline():
        clock._thread_deadline(threading.get_ident(), deadline_ms)  # as the runner's worker
        for seconds in (1.5, 1.25, 0.25):  # the last one reaches the deadline
            loops.append((time.time(), freezegun.api.real_perf_counter()))
            time.sleep(seconds)
        loops.append((time.time(), freezegun.api.real_perf_counter()))

    worker = threading.Thread(target=handler_past_its_deadline, daemon=True)
    clock._thread_deadline(threading.get_ident(), None)  # unknown ident: no-op
    worker.start()
    worker.join(timeout=5)
    assert [t for t, _ in loops] == [
        NOV22_EPOCH,
        NOV22_EPOCH + 1.5,
        NOV22_EPOCH + 2.75,
        NOV22_EPOCH + 3,
    ]
    assert loops[2][1] - loops[0][1] < 0.5  # the sleeps before the deadline were instant
    assert loops[3][1] - loops[2][1] >= 0.25  # the one reaching it waited for real
    assert clock.now() == NOV22 + timedelta(seconds=3)  # exactly the deadline
    assert worker.ident in clock._detached


def test_our_own_modules_sleep_for_real(clock):
    namespace = {"__name__": "pytest_lambda._runner_like", "time": time}
    exec("def wait():\n    time.sleep(0.001)\n", namespace)
    clock.move_to(NOV22)
    namespace["wait"]()
    assert clock.now() == NOV22


@pytest.mark.parametrize(
    ("arg", "error", "match"),
    [
        (-1, ValueError, "sleep length must be non-negative"),
        (float("nan"), ValueError, "NaN"),
        ("1", TypeError, "str"),
        (None, TypeError, "NoneType"),
    ],
)
def test_fake_sleep_rejects_what_sleep_rejects(clock, arg, error, match):
    with pytest.raises(error, match=match):
        real_sleep(arg)
    clock.move_to(NOV22)
    with pytest.raises(error, match=match):
        time.sleep(arg)
    assert clock.now() == NOV22


def test_fake_sleep_with_no_frozen_clock_is_real():
    real_perf_counter = time.perf_counter
    started = real_perf_counter()
    sleep_module._fake_sleep(0.02)
    assert real_perf_counter() - started >= 0.02


def test_patch_sleep_false_keeps_sleep_real():
    real_perf_counter = time.perf_counter
    with LambdaClock(patch_sleep=False) as clock:
        clock.move_to(NOV22)
        assert sleep_is_real()
        started = real_perf_counter()
        time.sleep(0.05)
        assert real_perf_counter() - started >= 0.05
        assert clock.now() == NOV22


def test_patch_sleep_can_be_toggled_while_frozen(clock):
    clock.move_to(NOV22)
    clock.patch_sleep = False
    assert sleep_is_real()
    clock.patch_sleep = True
    assert not sleep_is_real()
    time.sleep(7)
    assert clock.now() == NOV22 + timedelta(seconds=7)


def test_tick_runs_on_with_real_time():
    with LambdaClock(tick=True, patch_sleep=False) as clock:
        clock.move_to(NOV22)
        real_sleep(0.05)
        moved = clock.now() - NOV22
        assert timedelta(seconds=0.05) <= moved < timedelta(seconds=5)
        clock.shift(60)  # shift keeps the real time that already passed
        assert clock.now() - NOV22 >= timedelta(seconds=60.05)


def test_without_tick_the_clock_stands_still(clock):
    clock.move_to(NOV22)
    real_sleep(0.02)
    assert clock.now() == NOV22
    assert time.time() == NOV22_EPOCH


def test_tick_can_be_switched_while_frozen(clock):
    clock.move_to(NOV22)
    clock.tick = True
    assert clock.tick
    real_sleep(0.02)
    assert clock.now() > NOV22
    clock.tick = False
    frozen_at = clock.now()
    real_sleep(0.02)
    assert clock.now() == frozen_at


def test_stop_restores_real_time_and_is_idempotent():
    clock = LambdaClock()
    clock.move_to("2001-01-01T00:00:00Z")
    assert not sleep_is_real()
    assert not isinstance(time.time, types.BuiltinFunctionType)
    clock.stop()
    assert not clock.frozen
    assert sleep_is_real()
    assert isinstance(time.time, types.BuiltinFunctionType)
    assert datetime.now(timezone.utc).year >= 2025
    clock.stop()
    assert not clock.frozen


def test_context_manager_stops():
    with LambdaClock() as clock:
        clock.move_to(NOV22)
        assert clock.frozen
    assert not clock.frozen
    assert sleep_is_real()


def test_asyncio_still_runs_while_frozen(clock):
    clock.move_to(NOV22)
    assert asyncio.run(asyncio.sleep(0.001, result="done")) == "done"


def test_refuses_a_second_frozen_clock(clock):
    clock.move_to(NOV22)
    other = LambdaClock()
    with pytest.raises(
        RuntimeError, match=r"refused: another LambdaClock is frozen \(LambdaClock\(frozen at"
    ):
        other.move_to(NOV22)
    clock.stop()
    other.move_to(NOV22)
    other.stop()


def test_refuses_under_a_foreign_freezegun_freeze(clock):
    from freezegun import freeze_time

    with freeze_time("2020-01-01"), pytest.raises(RuntimeError) as excinfo:
        clock.move_to(NOV22)
    assert str(excinfo.value) == (
        "LambdaClock.move_to() refused: a freezegun freeze_time() started outside LambdaClock is "
        "active, and two time mockers would fight over time.time() and datetime.now().\n"
        "Stop the other one first, or use only LambdaClock in this test: move_to(when) replaces "
        "freeze_time()/travel(), shift(seconds) replaces tick()/shift()."
    )
    assert not clock.frozen


def test_refuses_a_freezegun_freeze_stacked_on_top(clock):
    from freezegun import freeze_time

    clock.move_to(NOV22)
    with freeze_time("2020-01-01"):
        with pytest.raises(
            RuntimeError,
            match="shift\\(\\) refused: a freezegun freeze_time\\(\\) was started on top",
        ):
            clock.shift(1)
        with pytest.raises(RuntimeError, match="time\\(\\) refused"):
            clock.time()
    clock.shift(1)
    assert clock.now() == NOV22 + timedelta(seconds=1)


def test_refuses_under_time_machine_travel(clock):
    time_machine = pytest.importorskip("time_machine")
    with time_machine.travel(NOV22, tick=False), pytest.raises(RuntimeError) as excinfo:
        clock.move_to("2030-01-01T00:00:00Z")
    assert str(excinfo.value).startswith(
        "LambdaClock.move_to() refused: time-machine is travelling (a time_machine.travel() or "
        "time_machine fixture is active), and two time mockers would fight"
    )
    assert not clock.frozen
    assert sleep_is_real()


def test_time_machine_refuses_under_our_clock(clock):
    time_machine = pytest.importorskip("time_machine")
    clock.move_to(NOV22)
    with pytest.raises(RuntimeError, match="freezegun is active"):
        time_machine.travel(NOV22).start()


def test_refuses_when_time_time_is_mocked(clock):
    with (
        mock.patch("time.time", return_value=0.0),
        pytest.raises(RuntimeError, match=r"refused: time\.time is replaced by <MagicMock"),
    ):
        clock.move_to(NOV22)
    assert not clock.frozen
