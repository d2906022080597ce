"""The result of one ``LambdaRunner.invoke()``: what the caller got, and how it went.

``Invocation.response`` is what a synchronous caller receives (the JSON payload decoded, or
the error payload); ``raw`` is the handler's Python return value; ``error`` is an
:class:`InvocationFailure` whose ``payload()`` is the exact JSON object the runtime (or the
platform) returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from pytest_lambda._runtime.context import LambdaContext
    from pytest_lambda._runtime.http_view import HttpResponse

__all__ = ["ErrorKind", "HandlerError", "Invocation", "InvocationFailure", "RemoteTraceback"]

ErrorKind = Literal["init", "function", "runtime", "platform"]
"""Who produced an error: init (the handler module), function (the handler raised),
runtime (awslambdaric, e.g. ``Runtime.MarshalError``) or platform (``Sandbox.Timedout``,
``Runtime.ExitError``, ``Function.ResponseSizeTooLarge``: the platform replaces the body)."""

SANDBOX_TIMEDOUT: Final = "Sandbox.Timedout"


@dataclass(frozen=True)
class InvocationFailure:
    """An error the way Lambda reports it: ``type``, ``message``, ``stack_trace``.

    ``payload()`` is the JSON the caller receives: ``{errorMessage, errorType, requestId,
    stackTrace}`` from the runtime, or ``{errorType, errorMessage}`` for platform errors.
    ``exception`` is the Python exception behind it, when there is one (not compared).
    ``stopped_in``: for a timeout in module isolation, where the handler was when its
    deadline stopped it (``"file:line in function"``, innermost last; the runner's own
    frames left out; not compared, not part of the payload: Lambda says only "Task timed out").

    Not an exception itself (it is what :attr:`Invocation.error` holds), hence the name;
    ``pytest_lambda.InvocationError`` is its deprecated old name.
    """

    __module__ = "pytest_lambda"

    type: str
    message: str
    stack_trace: tuple[str, ...] = ()
    request_id: str = ""
    kind: ErrorKind = "function"
    exception: BaseException | None = field(default=None, compare=False, repr=False)
    stopped_in: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def payload(self) -> dict[str, Any]:
        """The error JSON object exactly as Lambda returns it (key order included)."""
        if self.kind == "platform":
            return {"errorType": self.type, "errorMessage": self.message}
        return {
            "errorMessage": self.message,
            "errorType": self.type,
            "requestId": self.request_id,
            "stackTrace": list(self.stack_trace),
        }

    def __str__(self) -> str:
        head = f"{self.type}: {self.message}" if self.message else self.type
        if not self.stack_trace:
            return head
        return (
            head
            + "\nTraceback (most recent call last):\n"
            + "".join(
                line if line.endswith("\n") else line + "\n" for line in self.stack_trace
            ).rstrip("\n")
        )


class HandlerError(Exception):
    """An invocation's error that is not a Python exception of this process: a platform error
    (``Sandbox.Timedout``), or a runtime-isolation error whose type is not a builtin. Its
    ``error`` is the :class:`InvocationFailure`; its type name is the error's type."""

    __module__ = "pytest_lambda"
    error: InvocationFailure


class RemoteTraceback(Exception):
    """The handler's traceback from another process, shown as the cause of its exception."""

    __module__ = "pytest_lambda"

    def __str__(self) -> str:
        return "\n" + str(self.args[0]) if self.args else ""


def _key_of(message: str) -> Any:
    """A ``KeyError``'s key from its message (``str(KeyError(k))`` is ``repr(k)``)."""
    import ast

    try:
        return ast.literal_eval(message)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return message


def _exception_of(error: InvocationFailure) -> BaseException:
    """The handler's exception: the object itself in module isolation; else one of the same
    type (a builtin) or a :class:`HandlerError`, with the message and the remote traceback."""
    if error.exception is not None:
        return error.exception
    import builtins

    cls = getattr(builtins, error.type, None)
    exc: BaseException | None = None
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            exc = cls(_key_of(error.message) if cls is KeyError else error.message)
        except Exception:  # a constructor with other arguments (UnicodeDecodeError)
            exc = None
    if exc is None:
        named = type(error.type.replace(".", "_"), (HandlerError,), {"__module__": "pytest_lambda"})
        remote = named(f"{error.type}: {error.message}" if error.message else error.type)
        remote.error = error
        exc = remote
    if error.stack_trace:
        trace = "".join(line if line.endswith("\n") else line + "\n" for line in error.stack_trace)
        exc.__cause__ = RemoteTraceback(f"Traceback (most recent call last):\n{trace.rstrip()}")
    return exc


@dataclass(frozen=True, repr=False)
class Invocation:
    """One invocation through :class:`~pytest_lambda.LambdaRunner`.

    * ``response``: what the caller receives. On success the JSON body decoded (top-level
      ``bytes`` stay bytes, as the runtime sends them raw); on error ``error.payload()``.
    * ``raw``: the handler's return value (None when it raised or never returned).
    * ``body`` / ``content_type``: the exact bytes and content type the runtime posted.
    * ``logs``: stdout, stderr and logging in the runtime's text format, with the
      platform's ``START``/``END``/``REPORT`` lines.
    * ``cold_start``: this invocation initialised a new environment (imported the module).
    * ``duration_ms`` / ``init_duration_ms``: as on the ``REPORT`` line.
    * ``warnings``: what the test should know about this invocation that Lambda would have
      done differently or that the runner could not guarantee (the memory size passed where
      it is not enforced, requests refused by the Runtime API, a ``/tmp`` shared with the
      machine); empty when there is none. Not compared.
    """

    __module__ = "pytest_lambda"

    response: Any
    raw: Any
    error: InvocationFailure | None
    cold_start: bool
    request_id: str
    duration_ms: float
    logs: str
    context: LambdaContext | None = field(default=None, compare=False, repr=False)
    body: bytes = field(default=b"", repr=False)
    content_type: str = "application/json"
    init_duration_ms: float | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)
    event_payload: bytes = field(default=b"", compare=False, repr=False)

    @classmethod
    def _made(cls, **fields: Any) -> Invocation:
        """Build one without the frozen dataclass's per-field ``object.__setattr__`` (the
        runner's hot path); every field must be given."""
        invocation = object.__new__(cls)
        invocation.__dict__.update(fields)
        return invocation

    @property
    def ok(self) -> bool:
        """The handler returned and its response was delivered."""
        return self.error is None

    @property
    def timed_out(self) -> bool:
        """The invocation passed its deadline (``Sandbox.Timedout``)."""
        return self.error is not None and self.error.type == SANDBOX_TIMEDOUT

    @property
    def error_type(self) -> str | None:
        """``error.type`` or None: handy in asserts (``assert inv.error_type is None``)."""
        return None if self.error is None else self.error.type

    def raise_for_error(self) -> Invocation:
        """Raise the handler's exception if the invocation failed, else return ``self``.

        In module isolation it is the exception object the handler raised, with its
        traceback (``pytest --pdb`` opens in the handler's frame). In runtime isolation it
        has the same type when that is a builtin (``ValueError``), else it is a
        :class:`HandlerError` named after the error type; the message is the handler's and
        the remote traceback is its cause. Platform errors (``Sandbox.Timedout``) raise a
        :class:`HandlerError`.
        """
        __tracebackhide__ = True
        if self.error is None:
            return self
        exc = _exception_of(self.error)
        raise exc.with_traceback(exc.__traceback__)

    def json(self) -> Any:
        """The body parsed as JSON (``NaN``/``Infinity`` accepted, as Python's json does).

        This is the whole Lambda response; for an HTTP event, ``http.json()`` is the body
        the HTTP client receives."""
        return json.loads(self.body)

    @property
    def http(self) -> HttpResponse:
        """The HTTP response the client receives through the event's source (REST API,
        HTTP API, Function URL, ALB), by that source's rules: status, headers, cookies, body.

        A malformed response or a handler error gives the source's own answer (a 502 from
        REST), with ``gateway_error`` saying why. Raises ``NotAnHttpEvent`` (a ``TypeError``)
        for an event no HTTP source sends. Computed on each access (cheap).
        """
        from pytest_lambda._runtime.http_view import http_response

        return http_response(self)

    def __repr__(self) -> str:
        # Short, so pytest's "where False = Invocation(...).ok" stays readable; the logs
        # and the full response are attributes.
        import reprlib

        start = "cold start" if self.cold_start else "warm"
        if self.error is None:
            outcome = f"response={reprlib.repr(self.response)}"
        else:
            outcome = f"error={self.error.type}: {reprlib.repr(self.error.message)[1:-1]}"
        return f"Invocation({outcome}, {start}, {self.duration_ms:.2f} ms, {self.request_id})"
