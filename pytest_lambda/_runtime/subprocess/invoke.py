"""One init and one invocation of an ``isolation="runtime"`` child, seen from the test process.

:func:`init_child` starts the child and waits for its first ``/next`` (at most
:data:`INIT_LIMIT` seconds); :func:`invoke_child` hands one event to the Runtime API, waits
for the result, the deadline or the child's exit, and shapes the :class:`Invocation` with
the platform's log lines. Everything is timed on the real clock (the child runs on real
time). The child itself is :class:`~pytest_lambda._runtime.subprocess.environment.RuntimeEnvironment`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._clock.pause import no_timeout
from pytest_lambda._runtime.invocation import Invocation, InvocationFailure
from pytest_lambda._runtime.memory import out_of_memory
from pytest_lambda._runtime.outcome import size_error, timeout_error
from pytest_lambda._runtime.sandbox import _trace_id
from pytest_lambda._runtime.subprocess.api import PendingEvent, real_epoch, real_monotonic
from pytest_lambda._runtime.subprocess.support import (
    context_headers,
    deadline_of,
    posted_error,
    with_request_id,
)

if TYPE_CHECKING:
    from pytest_lambda._runtime.backend import InvokeSettings
    from pytest_lambda._runtime.subprocess.environment import RuntimeEnvironment

__all__ = ["INIT_LIMIT", "init_child", "invoke_child"]

INIT_LIMIT: Final = 10.0
"""Seconds the child's init may take before it counts as timed out."""
_AFTER_RESULT: Final = 2.0  # seconds the runtime gets to ask /next again after posting


def init_child(
    env: RuntimeEnvironment, settings: InvokeSettings, out: list[str], request_id: str
) -> InvocationFailure | None:
    """Start the child and wait for its first ``/next``; the error if init failed."""
    platform = settings.platform
    out.append(platform.init_start(real_epoch()))
    start = real_monotonic()
    env.spawn()
    api = env.api
    assert api is not None
    done = env.wait(lambda: api.next_calls > 0 or api.init_error is not None, start + INIT_LIMIT)
    if api.init_error is not None:  # the runtime exits(1) right after posting it
        env.wait(lambda: False, real_monotonic() + _AFTER_RESULT)
    init_ms = env.init_duration_ms = (real_monotonic() - start) * 1000
    out.append(env.take_logs())
    error: InvocationFailure | None = None
    if api.init_error is not None:
        error = posted_error(api.init_error, "", kind="init")
    elif not done:
        error = timeout_error("", settings.config.timeout)
        out.append(platform.init_report(real_epoch(), init_ms, "timeout", error.type))
        env.kill()
        return error
    elif env.proc is None or env.proc.poll() is not None:
        error = env.exit_failure("")
    if error is not None:
        out.append(platform.init_report(real_epoch(), init_ms, "error", error.type))
        env.kill()
        return error
    env.read_memory()
    if env.tmp is not None:
        env.shared_tmp = env.tmp.read()  # written before awslambdaric started
    env.initialized = True
    return None


def invoke_child(
    env: RuntimeEnvironment, settings: InvokeSettings, body: bytes, context: Any, note: str
) -> tuple[Invocation, bool]:
    """Invoke once; ``(invocation, keep)``: keep is False when the process ended."""
    config, platform = env.config, settings.platform
    given_id = getattr(context, "aws_request_id", None) if context is not None else None
    request_id = given_id if isinstance(given_id, str) else settings.request_id()
    out: list[str] = [note]
    cold_start = not env.initialized
    init_ms: float | None = None
    if cold_start:
        init_error = init_child(env, settings, out, request_id)
        init_ms = env.init_duration_ms
        if init_error is not None:
            if init_error.kind == "platform":
                init_error = with_request_id(init_error, request_id)
            now = real_epoch()
            out.append(platform.start(now, request_id))
            out.append(platform.end(now, request_id))
            out.append(platform.report(now, request_id, init_ms or 0.0, init_ms, "error",
                                       init_error.type, 0))  # fmt: skip
            return Invocation(
                response=init_error.payload(), raw=None, error=init_error, cold_start=True,
                request_id=request_id, duration_ms=init_ms or 0.0, logs="".join(out),
                body=json.dumps(init_error.payload()).encode(), init_duration_ms=init_ms,
            ), False  # fmt: skip
    else:
        env.thaw()
    api, proc = env.api, env.proc
    assert api is not None
    assert proc is not None
    timeout_ms = round(config.timeout * 1000)
    deadline_ms = deadline_of(context)
    arn = f"arn:aws:lambda:{config.region}:123456789012:function:{config.function_name}"
    out.append(platform.start(real_epoch(), request_id))
    calls = api.next_calls
    start = real_monotonic()
    api.submit(
        PendingEvent(
            request_id=request_id, body=body, timeout_ms=timeout_ms, deadline_ms=deadline_ms,
            invoked_function_arn=getattr(context, "invoked_function_arn", None) or arn,
            trace_id=_trace_id(real_epoch()),
            **context_headers(context),
        )
    )  # fmt: skip
    env.invocations += 1
    budget = timeout_ms / 1000 if deadline_ms is None else deadline_ms / 1000 - real_epoch()
    if no_timeout():  # --lambda-no-timeout: a debugger may hold the child (remote pdb, debugpy)
        budget = float("inf")
    finished = env.wait(lambda: api.result is not None, start + max(0.0, budget))
    result = api.result
    if result is not None and result.kind != "oversize":
        # Logs written after the post and before the runtime asks /next belong here too.
        env.wait(lambda: api.next_calls > calls, real_monotonic() + _AFTER_RESULT)
    elif result is not None:
        env.wait(lambda: False, real_monotonic() + _AFTER_RESULT)  # it exits(1)
    served = api.served_at or start
    duration = (real_monotonic() - served) * 1000
    memory = env.read_memory()  # the last known peak when the process is gone
    out.append(env.take_logs())
    notes = env.notes(cold=cold_start)
    out.extend(f"pytest-lambda WARNING: {note}\n" for note in notes)
    keep, status = True, "success"
    error: InvocationFailure | None = None
    response: Any = None
    out_body, content_type = b"", "application/json"
    if env.out_of_memory:  # its peak passed memory_mb, whatever it posted meanwhile
        error, keep, status = out_of_memory(request_id), False, "error"
    elif result is None and not finished and proc.poll() is None:
        error, keep, status = timeout_error(request_id, config.timeout), False, "timeout"
        out.append(platform.timed_out(real_epoch(), request_id, config.timeout))
    elif result is None:
        error, keep, status = env.exit_failure(request_id), False, "error"
    elif result.kind == "oversize":
        error, keep, status = size_error(request_id), False, "error"
    elif result.kind == "error":
        error = posted_error(result, request_id, kind="function")
        out_body = result.body
    else:
        out_body, content_type = result.body, result.content_type
        if content_type == "application/json":
            response = json.loads(out_body.decode("utf-8"))
        else:
            response = out_body
    if keep and proc.poll() is not None:  # it posted, then died (sys.exit in a thread...)
        keep = False
    if error is not None and error.type in ("Runtime.ExitError", "Runtime.OutOfMemory"):
        out.append(platform.exited(request_id, error.message.split(" Error: ", 1)[-1],
                                   error.type))  # fmt: skip
    now = real_epoch()
    out.append(platform.end(now, request_id))
    out.append(platform.report(
        now, request_id, duration, init_ms, status,
        error.type if error is not None and status != "timeout" else None, memory,
    ))  # fmt: skip
    if error is not None:
        response = error.payload()
        if not out_body:
            out_body = json.dumps(response).encode()
    if keep:
        env.freeze()
    # The deadline the child got (real epoch ms), not one on the test's clock.
    deadline = api.served_deadline_ms or deadline_ms or int(real_epoch() * 1000) + timeout_ms
    ctx = settings.context(env, request_id, deadline)
    invocation = Invocation(
        response=response, raw=None if error is not None else response, error=error,
        cold_start=cold_start, request_id=request_id, duration_ms=duration,
        logs="".join(out), context=context if context is not None else ctx, body=out_body,
        content_type=content_type, init_duration_ms=init_ms, warnings=notes,
    )  # fmt: skip
    return invocation, keep
