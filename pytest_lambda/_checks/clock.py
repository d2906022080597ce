"""The clock the checks run on: frozen, and moved on as the event source moves it.

Without it, a response that depends on time (``context.get_remaining_time_in_millis()``,
``datetime.now()`` in a body) differs between two runs of one event by a millisecond, and
the warm-reuse check calls that a leak; and a redelivery would arrive the instant the failed
delivery ended, while an idempotency lock taken by that delivery (Powertools'
``in_progress_expiration`` is the invocation's deadline) still holds, so a correct handler
would fail every retry. Real sources wait before they redeliver (docs/internals/runtime.md §7):

* SQS: the visibility timeout; AWS recommends at least 6 x the function timeout, and the
  queue's default is 30 s, so ``max(30 s, 6 * timeout)``;
* S3 and SNS (asynchronous invocation): about 1 minute before the second attempt and
  2 minutes before the third;
* Kinesis: retries the batch until it succeeds; a retry that meets a lock held by a crashed
  invocation fails and is retried again, so the first one that can succeed comes once that
  invocation's time is up: the function timeout;
* API Gateway: the client's retry; modelled after the function timeout too (the function
  may still be running when a client gives up and retries, which a test cannot show).

The checks freeze the runner's :class:`~pytest_lambda.LambdaClock` if it has one (put back
afterwards), the one a test froze, or one of their own; under ``isolation="runtime"`` or
another time mocker, time stays real and the report says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._clock.clock import LambdaClock

__all__ = ["CheckClock", "check_clock", "redelivery_delay"]

_SQS_MIN_VISIBILITY = 30.0
_ASYNC_DELAYS = (60.0, 120.0)


def redelivery_delay(kind: str, attempt: int, timeout: float) -> float:
    """Seconds between a delivery and redelivery number ``attempt`` (1, 2, ...) of ``kind``."""
    if kind == "sqs":
        return max(_SQS_MIN_VISIBILITY, 6 * timeout)
    if kind in ("s3", "sns"):
        return _ASYNC_DELAYS[min(attempt, len(_ASYNC_DELAYS)) - 1]
    if kind == "direct":
        return 0.0
    return float(timeout)


class CheckClock:
    """``rewind()`` to the check's start, ``advance(kind, attempt)`` before a redelivery."""

    def __init__(self, clock: LambdaClock | None, timeout: float, note: str | None) -> None:
        self.clock = clock
        self.timeout = timeout
        self.note = note
        self.start = clock.now() if clock is not None else None
        self.elapsed = 0.0  # seconds the clock was moved on since the last rewind()

    def rewind(self) -> None:
        if self.clock is not None and self.start is not None:
            self.clock.move_to(self.start)
            self.elapsed = 0.0

    def advance(self, kind: str, attempt: int) -> None:
        if self.clock is not None:
            delay = redelivery_delay(kind, attempt, self.timeout)
            self.clock.shift(delay)
            self.elapsed += delay


def _active_clock() -> LambdaClock | None:
    from pytest_lambda._clock import clock as _clock

    return _clock._active


@contextlib.contextmanager
def check_clock(runner: LambdaRunner) -> Iterator[CheckClock]:
    """A frozen clock for one check; the runner's, a test's, or one of the check's own."""
    if not runner.backend.follows_test_clock:
        yield CheckClock(None, runner.timeout, "isolation='runtime': the handler runs on real "
                         "time in its process, so redeliveries were not delayed")  # fmt: skip
        return
    from pytest_lambda._clock.clock import LambdaClock

    clock = runner.clock if runner.clock is not None else _active_clock()
    if clock is not None and clock.frozen:
        before = clock.now()
        try:
            yield CheckClock(clock, runner.timeout, None)
        finally:
            clock.move_to(before)
        return
    own = clock is None
    if clock is None:
        clock = LambdaClock()
        clock._runner_threads_only = True
    now = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        clock.move_to(now)
    except RuntimeError as exc:  # another time mocker (freezegun, time-machine) is active
        reason = str(exc).split(":", 1)[-1].split(",")[0].strip()
        yield CheckClock(None, runner.timeout, f"time was not frozen ({reason}); "
                         "redeliveries were not delayed and time-dependent output may differ")  # fmt: skip
        return
    try:
        if own:
            with runner._using_clock(clock):
                yield CheckClock(clock, runner.timeout, None)
        else:
            yield CheckClock(clock, runner.timeout, None)
    finally:
        clock.stop()
