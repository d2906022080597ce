"""One invocation inside an environment: init if needed, run the handler, shape the answer.

``run_invocation`` is the body of :meth:`LambdaRunner.invoke`. It puts the environment's
process state in place, runs init and the handler on the environment's thread with their
deadlines, and always gives the test its state back, even when the handler never returns
or the test is interrupted.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._clock.pause import excused
from pytest_lambda._runtime.inprocess.worker import real_time, stops_the_test
from pytest_lambda._runtime.invocation import Invocation, InvocationFailure
from pytest_lambda._runtime.logs import LogCapture, error_lines
from pytest_lambda._runtime.marshal import (
    MAX_RESPONSE_BYTES,
    NOT_DECODED,
    MarshalError,
    marshal_decoded,
)
from pytest_lambda._runtime.memory import memory_end, memory_mark, memory_warning
from pytest_lambda._runtime.outcome import (
    NO_COPY,
    ProcessExit,
    exception_error,
    exit_error,
    exit_status,
    printable,
    size_error,
    timeout_error,
    uncaught_text,
)

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock
    from pytest_lambda._runtime.backend import InvokeSettings
    from pytest_lambda._runtime.inprocess.environment import Environment

__all__ = ["Clock", "run_init_only", "run_invocation"]

_decode: Final = json.JSONDecoder().decode

INIT_LIMIT: Final = 10.0
"""Seconds an on-demand init may take (docs/internals/runtime.md §6)."""

_UNHANDLED_WARNING: Final = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


class Clock:
    """The runner's clock: epoch ms for deadlines, and how to measure elapsed time."""

    def __init__(self, clock: LambdaClock | None, time_fn: Callable[[], float]) -> None:
        self.clock = clock
        self.time = time_fn
        exact = getattr(clock, "_now_ms", None)
        self.now_ms: Callable[[], int] = exact if callable(exact) else self._ms
        self.frozen = False
        self.poll: Callable[[], int] | None = None
        self.refresh()

    def refresh(self) -> Clock:
        """Re-read whether the clock is frozen (a test may freeze it between invokes)."""
        self.frozen = bool(self.clock is not None and self.clock.frozen)
        self.poll = self.now_ms if self.frozen else None
        return self

    def _ms(self) -> int:
        return int(self.time() * 1000)

    def elapsed_ms(self, real0: float, clock0: float, stopped_ms: float | None = None) -> float:
        """Milliseconds since ``(real0, clock0)``; ``stopped_ms`` when a job was stopped at
        its deadline on a frozen clock (the duration Lambda reports is the deadline's)."""
        if stopped_ms is not None and self.frozen:
            return stopped_ms
        real = (real_time() - real0) * 1000
        if not self.frozen:
            return real
        moved = (self.time() - clock0) * 1000
        if self.clock is not None and self.clock.tick:
            return max(real, moved)
        return real + max(0.0, moved)


_PACKAGE: Final = os.path.dirname(os.path.dirname(os.path.dirname(__file__))) + os.sep


def _stopped_in(env: Environment) -> tuple[str, ...]:
    """Where the handler was when its deadline stopped it, innermost frame last (its own
    frames only): the timed-out job's traceback, or the stack its thread runs on now."""
    import traceback

    worker = env.worker
    frames: list[traceback.FrameSummary] = []
    if worker.inline:
        ok, value = worker.outcome
        trace = None if ok else getattr(value, "__traceback__", None)
        frames = traceback.extract_tb(trace) if trace is not None else []
    else:
        thread = worker.thread
        ident = thread.ident if thread is not None else None
        frame = sys._current_frames().get(ident) if ident is not None else None
        frames = traceback.extract_stack(frame) if frame is not None else []
    start = 0  # past the runner's frames that called the handler (and a thread's start)
    for i, f in enumerate(frames):
        if f.filename.startswith(_PACKAGE):
            start = i + 1
        elif start:
            break
    return tuple(
        f"{f.filename}:{f.lineno} in {f.name}"
        for f in frames[start:]
        if not f.filename.startswith(_PACKAGE)  # the clock's sleep, a fault point's wrapper
    )


def _raise_test_stop(finished: bool, env: Environment) -> None:
    """Ctrl-C (or a pytest outcome) that ended the job stops the test, deadline or not."""
    __tracebackhide__ = True
    ok, value = env.worker.outcome
    if finished and not ok and stops_the_test(value):
        raise value


def _deadline_of(context: Any, now_ms: int, timeout: float) -> int:
    deadline = getattr(context, "_epoch_deadline_time_in_ms", None)
    if isinstance(deadline, int):
        return deadline
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        return now_ms + int(remaining())
    return now_ms + round(timeout * 1000)


def _bounded(
    clock: Clock, deadline_ms: int, env: Environment, job: Callable[[], Any]
) -> Callable[[], Any]:
    """``job``, with its thread's ``time.sleep`` unable to move a frozen clock past the deadline.

    Lambda stops a function at its deadline, so a sleep that would cross it moves the clock
    just to the deadline (the wait then sees the timeout) and waits for real until the
    thread is abandoned; see ``LambdaClock._thread_deadline``.
    """
    lambda_clock = clock.clock
    if not clock.frozen or lambda_clock is None:
        return job

    wake = env.worker.wake
    inline = env.worker.inline

    def bounded() -> Any:
        ident = threading.get_ident()
        # inline: the test's thread, maybe inside an enclosing invocation's handler
        outer = lambda_clock._thread_state(ident) if inline else None
        lambda_clock._thread_deadline(ident, deadline_ms, wake)
        try:
            return job()
        finally:
            if outer is None:
                lambda_clock._thread_deadline(ident, None)
            else:
                lambda_clock._restore_thread(ident, outer)

    return bounded


def _init(
    settings: InvokeSettings, env: Environment, capture: LogCapture, clock: Clock
) -> InvocationFailure | None:
    """Run the init phase; the error to return (and the environment is then dead), or None."""
    platform = settings.platform
    env.log_handler.request_id = ""
    capture.write(platform.init_start(clock.time()))
    real0, clock0, start_ms = real_time(), clock.time(), clock.now_ms()
    limit_ms = start_ms + int(INIT_LIMIT * 1000)
    env.worker.submit(_bounded(clock, limit_ms, env, env.init_job))
    finished = env.worker.wait(budget=INIT_LIMIT, deadline_ms=limit_ms, clock_ms=clock.poll)
    _raise_test_stop(finished, env)
    if finished and clock.now_ms() >= limit_ms:
        finished = False
    if not finished and env.worker.exit is not None:  # os._exit() caught, then init ran on
        finished, env.worker.outcome = True, (False, env.worker.exit)
    stopped = None if finished else float(limit_ms - start_ms)
    init_ms = env.init_duration_ms = clock.elapsed_ms(real0, clock0, stopped)
    if not finished:
        error = timeout_error("", settings.config.timeout)
        capture.write(platform.init_report(clock.time(), init_ms, "timeout", error.type))
        return error
    ok, value = env.worker.outcome
    if ok:
        env.handler, env.initialized = value, True
        return None
    error_type_status = "error"
    if isinstance(value, (SystemExit, ProcessExit)):
        status, text = exit_status(value)
        capture.write(text)
        error = exit_error("", status, value)
    elif isinstance(value, Exception) and printable(value):
        error = exception_error(value, "", init=True)
        import logging

        # Through the runtime's handler only: it is the runtime's line in the function's
        # logs, not a record of the test (pytest's "Captured log" would repeat it per check).
        warning = logging.LogRecord("root", logging.WARNING, "", 0, _UNHANDLED_WARNING, None, None)
        if logging.getLogger().isEnabledFor(logging.WARNING):
            env.log_handler.handle(warning)
        capture.write(error_lines(error.payload(), json_format=env.json_logs, now=clock.time()))
    else:
        capture.write(uncaught_text(value))
        error = exit_error("", 1, value)
    capture.write(platform.init_report(clock.time(), init_ms, error_type_status, error.type))
    return error


def run_init_only(
    settings: InvokeSettings, clock: Clock, env: Environment
) -> InvocationFailure | None:
    """Initialise ``env`` outside an invocation (for ``LambdaRunner.load()``)."""
    env.worker.check_caller()
    capture = LogCapture()
    env.activate(capture, "", clock.time())
    try:
        error = _init(settings, env, capture, clock)
    except BaseException:
        env.deactivate()
        settings.discard_process(True)
        raise
    env.deactivate()
    if settings.echo is not None:
        settings.echo(capture.text())
    return error


def _with_request_id(error: InvocationFailure, request_id: str) -> InvocationFailure:
    if error.kind != "platform":
        return error
    message = error.message.replace("RequestId:  Error:", f"RequestId: {request_id} Error:", 1)
    return InvocationFailure(
        type=error.type, message=message, request_id=request_id, kind="platform",
        exception=error.exception,
    )  # fmt: skip


def run_invocation(
    settings: InvokeSettings, clock: Clock, env: Environment, body: bytes, context: Any,
    event: Any = NO_COPY,
) -> tuple[Invocation, bool]:  # fmt: skip
    """Invoke once; ``(invocation, keep)`` where ``keep`` is False if the environment died.

    ``event`` is ``body`` decoded already (a new object), or ``NO_COPY`` to decode it here.
    """
    __tracebackhide__ = True
    env.worker.check_caller()
    capture = LogCapture()
    given_id = getattr(context, "aws_request_id", None) if context is not None else None
    request_id = given_id if isinstance(given_id, str) else settings.request_id()
    cold_start = not env.initialized
    env.activate(capture, request_id, clock.time())
    try:
        return _invoke(settings, env, body, event, context, clock, capture, request_id, cold_start)
    except BaseException:  # KeyboardInterrupt in the handler, or while the test waited
        env.deactivate()
        settings.discard_process(True)
        raise
    finally:
        env.deactivate()


def _invoke(
    settings: InvokeSettings, env: Environment, body: bytes, event: Any, context: Any, clock: Clock,
    capture: LogCapture, request_id: str, cold_start: bool,
) -> tuple[Invocation, bool]:  # fmt: skip
    __tracebackhide__ = True
    config, platform = settings.config, settings.platform
    mark = memory_mark()
    init_ms: float | None = None
    if not env.initialized:
        init_error = _init(settings, env, capture, clock)
        init_ms = env.init_duration_ms
        if init_error is not None:
            failed = _with_request_id(init_error, request_id)
            now = clock.time()
            capture.write(platform.start(now, request_id))
            capture.write(platform.end(now, request_id))
            capture.write(
                platform.report(
                    now,
                    request_id,
                    init_ms or 0.0,
                    init_ms,
                    "error",
                    failed.type,
                    memory_end(mark)[1],
                )
            )
            invocation = Invocation(
                response=failed.payload(), raw=None, error=failed, cold_start=True,
                request_id=request_id, duration_ms=init_ms or 0.0, logs=capture.text(),
                body=json.dumps(failed.payload()).encode(), init_duration_ms=init_ms,
            )  # fmt: skip
            return invocation, False
    env.log_handler.request_id = request_id
    real0, clock0, now_ms = real_time(), clock.time(), clock.now_ms()
    if context is None:
        deadline_ms = now_ms + round(config.timeout * 1000)
        ctx = settings.context(env, request_id, deadline_ms)
    else:
        ctx, deadline_ms = context, _deadline_of(context, now_ms, config.timeout)
    capture.write(platform.start(clock0, request_id))
    if event is NO_COPY:
        event = _decode(body.decode("utf-8"))
    handler = env.handler
    env.invocations += 1
    job: Callable[[], Any] = lambda: handler(event, ctx)  # noqa: E731
    env.worker.submit(_bounded(clock, deadline_ms, env, job) if clock.frozen else job)
    finished = env.worker.wait(
        budget=max(0.0, (deadline_ms - now_ms) / 1000), deadline_ms=deadline_ms, clock_ms=clock.poll
    )
    _raise_test_stop(finished, env)
    if finished and clock.now_ms() >= deadline_ms:
        # A frozen clock was moved past the deadline (time.sleep), or a debugger held the job
        # (its time is not the handler's), or --lambda-no-timeout.
        finished = excused(clock.now_ms() - deadline_ms, real0)
    if not finished and env.worker.exit is not None:  # os._exit() caught, then the handler ran on
        finished, env.worker.outcome = True, (False, env.worker.exit)
    duration = clock.elapsed_ms(real0, clock0, None if finished else float(deadline_ms - now_ms))
    keep, status, raw = True, "success", None
    error: InvocationFailure | None = None
    out, content_type, decoded = b"", "application/json", NOT_DECODED
    if not finished:
        error, keep, status = timeout_error(request_id, config.timeout), False, "timeout"
        error = dataclasses.replace(error, stopped_in=_stopped_in(env))
        capture.write(platform.timed_out(clock.time(), request_id, config.timeout))
    else:
        ok, value = env.worker.outcome
        if ok:
            raw = value
            if inspect.iscoroutine(value):
                value.close()  # never awaited, as in Lambda; closed so no warning is raised later
                name = getattr(value, "__qualname__", "handler")
                capture.write(f"RuntimeWarning: coroutine '{name}' was never awaited\n")
            try:
                out, content_type, decoded = marshal_decoded(value, ensure_ascii=env.ensure_ascii)
            except MarshalError as exc:
                error = InvocationFailure(
                    type="Runtime.MarshalError", message=str(exc), request_id=request_id,
                    kind="runtime", exception=exc.__cause__,
                )  # fmt: skip
            else:
                if len(out) > MAX_RESPONSE_BYTES:
                    error, keep, status = size_error(request_id), False, "error"
                    stamp = int(clock.time() * 1000)
                    capture.write(
                        f"[ERROR] [{stamp}] LAMBDA_RUNTIME Failed to post handler success "
                        "response. Http response code: 413.\n"
                    )
            if error is not None and error.kind == "runtime":
                capture.write(
                    error_lines(error.payload(), json_format=env.json_logs, now=clock.time())
                )
        elif isinstance(value, (SystemExit, ProcessExit)):
            exit_code, text = exit_status(value)
            capture.write(text)
            error, keep, status = exit_error(request_id, exit_code, value), False, "error"
        elif isinstance(value, Exception) and printable(value):
            error = exception_error(value, request_id, init=False)
            capture.write(error_lines(error.payload(), json_format=env.json_logs, now=clock.time()))
        else:
            capture.write(uncaught_text(value))
            error, keep, status = exit_error(request_id, 1, value), False, "error"
    if error is not None and error.type == "Runtime.ExitError":
        capture.write(
            platform.exited(request_id, error.message.split(" Error: ", 1)[-1], error.type)
        )
    now = clock.time()
    capture.write(platform.end(now, request_id))
    added, peak_mb = memory_end(mark)
    warning = memory_warning(added, config.memory_mb)
    capture.write(
        platform.report(
            now, request_id, duration, init_ms, status,
            error.type if error is not None and status != "timeout" else None, peak_mb,
            memory_exceeded=warning is not None,
        )
    )  # fmt: skip
    if error is not None:
        response: Any = error.payload()
        out, content_type = json.dumps(response).encode(), "application/json"
    elif content_type == "application/json":
        response = decoded if decoded is not NOT_DECODED else _decode(out.decode("utf-8"))
    else:
        response = out
    invocation = Invocation._made(
        response=response, raw=raw, error=error, cold_start=cold_start, request_id=request_id,
        duration_ms=duration, logs=capture.text(), context=ctx, body=out,
        content_type=content_type, init_duration_ms=init_ms,
        warnings=() if warning is None else (warning,),
    )  # fmt: skip
    return invocation, keep
