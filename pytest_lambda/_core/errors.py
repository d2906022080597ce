"""Exception tree of pytest_lambda.

``LambdaTestError`` is the root of every exception the project raises on purpose. Failures
of a check subclass ``AssertionError`` so pytest reports them as FAILED; misuse subclasses
``ValueError`` (a bad value), ``TypeError`` (an argument of the wrong type:
:class:`ArgumentTypeError`) or ``LookupError``. :class:`InjectedFault` is the failure the
idempotency check injects into a handler's fault points.

Each public class sets ``__module__ = "pytest_lambda"``, so tracebacks and reprs name the
public path (``pytest_lambda.NotIdempotentError``), not this private module.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ArgumentTypeError",
    "EventValidationError",
    "HandlerConfigError",
    "InjectedFault",
    "InvalidEventSpec",
    "InvalidOption",
    "LambdaStateError",
    "LambdaTestError",
    "NotIdempotentError",
    "ProcessStateWarning",
    "StateLeakError",
    "handler_not_loaded",
]


class LambdaTestError(Exception):
    """Base class of every error raised by pytest_lambda."""

    __module__ = "pytest_lambda"


class InvalidEventSpec(LambdaTestError, ValueError):
    """A generator parameter or override is wrong (bad value, bad path)."""

    __module__ = "pytest_lambda"


class ArgumentTypeError(LambdaTestError, TypeError):
    """An argument of a public function or class has the wrong type (a str where a number
    is expected, a list where a mapping is): the message names the argument and the type
    expected."""

    __module__ = "pytest_lambda"


class LambdaStateError(LambdaTestError, RuntimeError):
    """An object of ours is used in a state that does not allow the call: a closed runner, a
    runner already invoking (one event at a time), ``LambdaClock.shift()`` on a real clock,
    a discarded execution environment. Not an argument's fault: the fix is the order of the
    calls. A ``RuntimeError``, so ``pytest.raises(RuntimeError)`` still catches it."""

    __module__ = "pytest_lambda"


class EventValidationError(LambdaTestError, ValueError):
    """An event does not match its kind's JSON Schema.

    ``path`` is the JSON path of the first (most relevant) error, ``errors`` is
    every ``(path, message)`` pair found.
    """

    __module__ = "pytest_lambda"

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        path: str = "",
        errors: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path
        self.errors = errors


class InvalidOption(LambdaTestError, ValueError):
    """A plugin option, marker or runner keyword has a bad value."""

    __module__ = "pytest_lambda"


class HandlerConfigError(LambdaTestError, LookupError):
    """No handler is configured where one is needed, or the handler could not be loaded.

    ``error`` is the runtime's error (an :class:`~pytest_lambda.InvocationFailure`) when
    :meth:`LambdaRunner.load() <pytest_lambda.LambdaRunner.load>` failed in the init phase.
    """

    __module__ = "pytest_lambda"

    error: Any = None


def handler_not_loaded(handler_name: str, error: Any) -> HandlerConfigError:
    """The error :meth:`LambdaRunner.load` raises when the init phase failed with ``error``."""
    failure = HandlerConfigError(f"The handler {handler_name!r} could not be loaded: {error}")
    failure.error = error
    return failure


class NotIdempotentError(LambdaTestError, AssertionError):
    """A handler produced different state or responses on redelivery."""

    __module__ = "pytest_lambda"


class StateLeakError(LambdaTestError, AssertionError):
    """A handler leaked state across warm invocations."""

    __module__ = "pytest_lambda"


class InjectedFault(LambdaTestError, RuntimeError):
    """The failure the idempotency check injects into a user fault point (``fault_points=``).

    Raised inside the handler, before the named callable is called or after it returned (a
    lost acknowledgement); the handler sees it as any other error of that call.
    """

    __module__ = "pytest_lambda"


class ProcessStateWarning(UserWarning):
    """A handler changed process state that cannot be put back in-process (module isolation).

    Issued once when a :class:`~pytest_lambda.LambdaRunner` closes: an attribute set on a
    shared third-party module, or a C-level environment variable set by C code.
    """

    __module__ = "pytest_lambda"
