"""Turning what happened in an environment into Lambda's answer (docs/internals/runtime.md §3, §4, §6).

The event is checked before anything runs (Lambda only accepts JSON); the handler's result
or exception becomes the error object the runtime or the platform would return.
"""

from __future__ import annotations

import traceback
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec
from pytest_lambda._core.json_rules import MAX_DEPTH, NotJSON, first_problem, shape_ok, show_path
from pytest_lambda._core.json_rules import loads as json_loads
from pytest_lambda._runtime.handler import fault_from_exception
from pytest_lambda._runtime.invocation import SANDBOX_TIMEDOUT, InvocationFailure
from pytest_lambda._runtime.marshal import MAX_RESPONSE_BYTES, decode_compact, one_shot_encoder

__all__ = [
    "NO_COPY",
    "ProcessExit",
    "event_body",
    "event_payload",
    "exception_error",
    "exit_error",
    "exit_status",
    "size_error",
    "timeout_error",
    "uncaught_text",
]

_EXIT_ERROR: Final = "Runtime.ExitError"
_encode_event: Final = one_shot_encoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))
_SIZE_ERROR: Final = "Function.ResponseSizeTooLarge"


def _dollar_path(path: tuple[str | int, ...]) -> str:
    """``("a", 0)`` → ``$.a[0]``, cut when long."""

    def fmt(segments: tuple[str | int, ...]) -> str:
        return "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in segments)

    return show_path(path, fmt)


NO_COPY: Final[Any] = object()


def event_body(event: Any) -> bytes:
    """The JSON payload Lambda would receive for ``event``; :class:`InvalidEventSpec` if none.

    ``bytes`` are taken as the payload itself (the Invoke API's ``Payload``) and must be JSON.
    Both are held to one rule (:mod:`pytest_lambda._core.json_rules`): no ``NaN``/``Infinity``,
    string keys only, at most 500 levels deep; so both isolation modes see the same events.
    """
    __tracebackhide__ = True
    return event_payload(event)[0]


def event_payload(event: Any) -> tuple[bytes, Any]:
    """:func:`event_body`, and the event as the runtime decodes that payload (a new object,
    what the handler receives) or :data:`NO_COPY` (decode the body later).

    The copy costs nothing extra: decoding the encoded event is also how the rule is checked
    for a plain event (the copy equals the event only if every key was a string; fewer
    brackets than :data:`MAX_DEPTH` bound the nesting), so :func:`shape_ok`'s walk in Python
    runs only for the rest (tuples, subclasses, a large nested event).
    """
    __tracebackhide__ = True
    copy = NO_COPY
    if isinstance(event, (bytes, bytearray, memoryview)):
        body = bytes(event)
        try:
            json_loads(body)
        except NotJSON as exc:
            raise InvalidEventSpec(
                f"LambdaRunner.invoke(): the event bytes are not an event Lambda can deliver (at "
                f"{_dollar_path(exc.path)}: {exc.why}). Events are JSON: Lambda's Invoke API "
                "refuses NaN and Infinity (InvalidRequestContentException); fix the JSON text."
            ) from None
        except ValueError as exc:
            raise InvalidEventSpec(
                f"LambdaRunner.invoke(): the event bytes are not a JSON document ({exc}). "
                "Lambda's Invoke API only accepts JSON; pass a dict, or its JSON text as bytes."
            ) from None
    else:
        try:
            text = _encode_event(event)
            body = text.encode("utf-8")
            copy = decode_compact(text)
            if not _same_shape(text, copy, event) and not shape_ok(event):
                raise ValueError("not JSON")
        except (TypeError, ValueError, RecursionError) as exc:
            where = first_problem(event)
            detail = f"at {_dollar_path(where[0])}: {where[1]}" if where else str(exc)
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
    return body, copy


def _same_shape(text: str, copy: Any, event: Any) -> bool:
    """Whether ``event`` is known to keep the rule: its decoded ``copy`` equals it (no
    non-string key was turned into a string) and ``text`` is too short to nest too deep."""
    if text.count("{") + text.count("[") > MAX_DEPTH:
        return False
    try:
        return bool(copy == event)
    except Exception:  # an __eq__ that raises: the full walk decides
        return False


def exception_error(exc: BaseException, request_id: str, *, init: bool) -> InvocationFailure:
    """The error for an exception raised by the handler, or by the module at init."""
    error_type, message, trace = fault_from_exception(exc)
    return InvocationFailure(
        type=error_type,
        message=message,
        stack_trace=tuple(trace),
        request_id="" if init else request_id,
        kind="init" if init else "function",
        exception=exc,
    )


def printable(exc: BaseException) -> bool:
    """Whether ``str(exc)`` gives a string. The runtime's error report calls it; when it
    raises (a ``__str__`` that fails or returns another type), the runtime process itself
    dies: ``Runtime.ExitError``, as under ``isolation="runtime"``."""
    try:
        return isinstance(str(exc), str)
    except Exception:
        return False


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


def exit_error(request_id: str, status: int, exc: BaseException | None = None) -> InvocationFailure:
    """``Runtime.ExitError``: the runtime process ended (``sys.exit``, ``os._exit``, a BaseException)."""
    reason = (
        f"Runtime exited with error: exit status {status}"
        if status
        else "Runtime exited without providing a reason"
    )
    return InvocationFailure(
        type=_EXIT_ERROR,
        message=f"RequestId: {request_id} Error: {reason}",
        request_id=request_id,
        kind="platform",
        exception=exc,
    )


def timeout_error(request_id: str, timeout: float) -> InvocationFailure:
    """``Sandbox.Timedout`` with the platform's message."""
    return InvocationFailure(
        type=SANDBOX_TIMEDOUT,
        message=f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
        request_id=request_id,
        kind="platform",
    )


def size_error(request_id: str) -> InvocationFailure:
    """``Function.ResponseSizeTooLarge``: the response passed 6,291,556 bytes."""
    return InvocationFailure(
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


class ProcessExit(BaseException):
    """Raised by ``os._exit(status)`` in an environment's thread: its runtime process ended."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status & 0xFF  # what the parent process sees (waitpid)
