"""Turning what happened in an environment into Lambda's answer (runtime.md §3, §4, §6).

The event is checked before anything runs (Lambda only accepts JSON); the handler's result
or exception becomes the error object the runtime or the platform would return.
"""

from __future__ import annotations

import json
import math
import sys
import time
import traceback
from collections.abc import Mapping
from typing import Any, Final

from ._errors import InvalidEventSpec
from ._handler import fault_from_exception
from ._invocation import SANDBOX_TIMEDOUT, InvocationError
from ._marshal import MAX_RESPONSE_BYTES
from ._worker import ProcessExit

__all__ = [
    "event_body",
    "exception_error",
    "exit_error",
    "exit_status",
    "max_memory_mb",
    "size_error",
    "timeout_error",
    "uncaught_text",
]

_EXIT_ERROR: Final = "Runtime.ExitError"
_encode_event: Final = json.JSONEncoder(
    allow_nan=False, ensure_ascii=False, separators=(",", ":")
).encode
_SIZE_ERROR: Final = "Function.ResponseSizeTooLarge"
_PEAK: Final[dict[str, float]] = {"value": -1.0, "at": 0.0}


def _path_to_bad(value: Any, path: str = "$", depth: int = 0) -> tuple[str, str] | None:
    """``(json path, why)`` of the first part of an event that is not JSON, or None."""
    if depth > 200:
        return path, "nesting is too deep (a circular reference?)"
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, f"{value!r} is not a JSON number")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return path, f"key {key!r} ({type(key).__name__}) is not a JSON object key"
            found = _path_to_bad(item, f"{path}.{key}", depth + 1)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _path_to_bad(item, f"{path}[{index}]", depth + 1)
            if found is not None:
                return found
        return None
    return path, f"a {type(value).__name__} is not JSON"


def event_body(event: Any) -> bytes:
    """The JSON payload Lambda would receive for ``event``; :class:`InvalidEventSpec` if none.

    ``bytes`` are taken as the payload itself (the Invoke API's ``Payload``) and must be JSON.
    """
    __tracebackhide__ = True
    if isinstance(event, (bytes, bytearray, memoryview)):
        body = bytes(event)
        try:
            json.loads(body)
        except ValueError as exc:
            raise InvalidEventSpec(
                f"LambdaRunner.invoke(): the event bytes are not a JSON document ({exc}). "
                "Lambda's Invoke API only accepts JSON; pass a dict, or its JSON text as bytes."
            ) from None
    else:
        try:
            body = _encode_event(event).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as exc:
            where = _path_to_bad(event)
            detail = f"at {where[0]}: {where[1]}" if where else str(exc)
            raise InvalidEventSpec(
                f"LambdaRunner.invoke(): the event is not JSON-serializable ({detail}). "
                "Lambda only receives JSON, so the handler could never get this event: convert "
                "it first (sets to lists, datetimes and Decimals to strings or numbers)."
            ) from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise InvalidEventSpec(
            f"LambdaRunner.invoke(): the event is {len(body):,} bytes; a synchronous invoke "
            f"accepts at most {MAX_RESPONSE_BYTES:,} bytes (Lambda answers "
            "RequestEntityTooLargeException without running the function)."
        )
    return body


def exception_error(exc: BaseException, request_id: str, *, init: bool) -> InvocationError:
    """The error for an exception raised by the handler, or by the module at init."""
    error_type, message, trace = fault_from_exception(exc)
    return InvocationError(
        type=error_type,
        message=message,
        stack_trace=tuple(trace),
        request_id="" if init else request_id,
        kind="init" if init else "function",
        exception=exc,
    )


def exit_status(exc: SystemExit | ProcessExit) -> tuple[int, str]:
    """``(exit status, what Python prints to stderr)`` for ``sys.exit()`` or ``os._exit()``."""
    if isinstance(exc, ProcessExit):
        return exc.status, ""  # os._exit prints nothing
    code = exc.code
    if code is None:
        return 0, ""
    if isinstance(code, int) and not isinstance(code, bool):
        return code & 0xFF, ""
    return 1, f"{code}\n"


def exit_error(request_id: str, status: int, exc: BaseException | None = None) -> InvocationError:
    """``Runtime.ExitError``: the runtime process ended (``sys.exit``, ``os._exit``, a BaseException)."""
    reason = (
        f"Runtime exited with error: exit status {status}"
        if status
        else "Runtime exited without providing a reason"
    )
    return InvocationError(
        type=_EXIT_ERROR,
        message=f"RequestId: {request_id} Error: {reason}",
        request_id=request_id,
        kind="platform",
        exception=exc,
    )


def timeout_error(request_id: str, timeout: float) -> InvocationError:
    """``Sandbox.Timedout`` with the platform's message."""
    return InvocationError(
        type=SANDBOX_TIMEDOUT,
        message=f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
        request_id=request_id,
        kind="platform",
    )


def size_error(request_id: str) -> InvocationError:
    """``Function.ResponseSizeTooLarge``: the response passed 6,291,556 bytes."""
    return InvocationError(
        type=_SIZE_ERROR,
        message=(
            "Response payload size exceeded maximum allowed payload size "
            f"({MAX_RESPONSE_BYTES} bytes)."
        ),
        request_id=request_id,
        kind="platform",
    )


def uncaught_text(exc: BaseException) -> str:
    """What the interpreter prints for an exception nobody caught."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def max_memory_mb() -> int:
    """Peak resident memory of this (test) process in MB, for the REPORT line.

    Read at most every 10 ms (a peak only grows, and a REPORT line shows whole MB).
    """
    now = time.monotonic()
    cached = _PEAK["value"]
    if cached >= 0 and now - _PEAK["at"] < 0.01:
        return int(cached)
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    value = int(peak // (1024 * 1024 if sys.platform == "darwin" else 1024))
    _PEAK["value"], _PEAK["at"] = value, now
    return value
