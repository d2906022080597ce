"""``isolation="runtime"`` under a frozen :class:`~pytest_lambda.LambdaClock`.

The child process runs on real time (the test's freeze does not reach it), so the deadline
it gets, the timeout, the REPORT durations and the platform's timestamps are real
wall-clock time, and the logs carry a one-time note saying so. Also: the REPORT's
``Max Memory Used`` after the process exited is its last known peak, not 0.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pytest_lambda import LambdaClock, LambdaContext, LambdaRunner
from pytest_lambda._runtime.subprocess.environment import live_children, runtime_unavailable

pytest.importorskip("awslambdaric")

if runtime_unavailable() is not None:  # pragma: no cover - not Linux
    pytest.skip(f"runtime isolation unavailable: {runtime_unavailable()}", allow_module_level=True)

Make = Callable[..., LambdaRunner]

APP = """
import os, sys, time
def handler(event, context):
    left = context.get_remaining_time_in_millis()
    time.sleep(event.get("sleep", 0))
    if event.get("exit") == "sys":
        sys.exit(3)
    if event.get("exit") == "os":
        os._exit(4)
    return {"left": left}
"""
FROZEN_AT = "2026-03-01T12:00:00Z"
REPORT_DURATION = re.compile(r"REPORT RequestId: \S+\tDuration: ([\d.]+) ms")
MAX_MEMORY = re.compile(r"Max Memory Used: (\d+) MB")
NOTE = "frozen LambdaClock"


def real_monotonic() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)  # freezegun leaves it real


def real_epoch() -> float:
    return time.clock_gettime(time.CLOCK_REALTIME)


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    (tmp_path / "clockapp.py").write_text(APP.lstrip("\n"))
    runners: list[LambdaRunner] = []

    def _make(**kwargs: object) -> LambdaRunner:
        kwargs.setdefault("isolation", "runtime")
        runner = LambdaRunner("clockapp.handler", root=tmp_path, **kwargs)  # type: ignore[arg-type]
        runners.append(runner)
        return runner

    yield _make
    for runner in runners:
        runner.close()
    assert live_children() == []


@pytest.fixture
def frozen() -> Iterator[LambdaClock]:
    clock = LambdaClock()
    clock.move_to(FROZEN_AT)
    try:
        yield clock
    finally:
        clock.stop()


def report_duration(logs: str) -> float:
    found = REPORT_DURATION.search(logs)
    assert found is not None, logs
    return float(found.group(1))


def test_timeout_is_enforced_on_real_time_under_a_frozen_clock(
    make: Make, frozen: LambdaClock
) -> None:
    runner = make(timeout=1, clock=frozen)
    assert runner.invoke({}).ok  # the cold start, outside the measure
    started = real_monotonic()
    inv = runner.invoke({"sleep": 2})
    elapsed = real_monotonic() - started
    assert inv.timed_out
    assert inv.error_type == "Sandbox.Timedout"
    assert 0.9 <= elapsed < 1.8, elapsed
    assert report_duration(inv.logs) >= 900
    stamp = inv.logs.split("Task timed out", 1)[0].rsplit("\n", 1)[-1].split()[0]
    seen = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    assert abs(seen - real_epoch()) < 60, stamp  # real time, not the frozen instant
    assert frozen.now() == datetime(2026, 3, 1, 12, tzinfo=timezone.utc)  # not moved by a wait


def test_remaining_time_and_durations_are_real_under_a_frozen_clock(
    make: Make, frozen: LambdaClock
) -> None:
    runner = make(timeout=1, clock=frozen)
    inv = runner.invoke({"sleep": 0.3})
    assert inv.ok, inv.logs
    assert 0 < inv.response["left"] <= 1000
    assert inv.duration_ms >= 250
    assert report_duration(inv.logs) >= 250
    assert inv.init_duration_ms is not None
    assert inv.init_duration_ms > 0
    assert inv.context is not None
    assert abs(inv.context.deadline_ms / 1000 - real_epoch()) < 5  # the deadline the child got


def test_a_given_context_on_the_frozen_clock_gives_its_remaining_time(
    make: Make, frozen: LambdaClock
) -> None:
    context = LambdaContext(timeout=1, clock=frozen)
    inv = make(timeout=3, clock=frozen).invoke({}, context=context)
    assert 0 < inv.response["left"] <= 1000


def test_a_frozen_clock_is_noted_once_in_the_logs(make: Make, frozen: LambdaClock) -> None:
    runner = make(clock=frozen)
    first, second = runner.invoke({}), runner.invoke({})
    assert NOTE in first.logs
    assert "isolation='module'" in first.logs
    assert NOTE not in second.logs
    assert NOTE not in make(clock=frozen, isolation="module").invoke({}).logs


def test_no_note_on_a_real_clock(make: Make) -> None:
    assert NOTE not in make(clock=LambdaClock()).invoke({}).logs
    assert NOTE not in make().invoke({}).logs


def test_json_platform_times_are_real_under_a_frozen_clock(make: Make, frozen: LambdaClock) -> None:
    inv = make(clock=frozen, env={"AWS_LAMBDA_LOG_FORMAT": "JSON"}).invoke({})
    records = [json.loads(line) for line in inv.logs.splitlines() if line.startswith('{"time"')]
    kinds = {record["type"] for record in records}
    assert {"platform.initStart", "platform.start", "platform.report"} <= kinds, inv.logs
    for record in records:
        seen = datetime.fromisoformat(record["time"].replace("Z", "+00:00")).timestamp()
        assert abs(seen - real_epoch()) < 60, record


@pytest.mark.parametrize("how", ["sys", "os"])
def test_report_keeps_the_peak_memory_of_an_exited_process(make: Make, how: str) -> None:
    runner = make()
    assert runner.invoke({}).ok
    inv = runner.invoke({"exit": how})
    assert inv.error_type == "Runtime.ExitError"
    found = MAX_MEMORY.search(inv.logs)
    assert found is not None, inv.logs
    assert int(found.group(1)) > 0
