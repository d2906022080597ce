"""pytest_lambda: test AWS Lambda handlers with realistic events and a faithful local runtime.

Names are imported on first use, so loading the pytest plugin stays cheap. Every public class
reports ``pytest_lambda`` as its ``__module__`` (tracebacks read ``pytest_lambda.StateLeakError``).
``InvocationError`` is the deprecated name of :class:`InvocationFailure` (it warns; it goes away
in 0.2).
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_lambda._checks.async_failure import dead_letter_message, failure_destination_record
    from pytest_lambda._checks.idempotency.check import (
        IdempotencyReport,
        assert_idempotent,
        check_idempotency,
    )
    from pytest_lambda._checks.leaks.check import LeakReport, assert_no_state_leak, check_warm_reuse
    from pytest_lambda._checks.moto import moto_state
    from pytest_lambda._checks.moto_invokes import invoke_answers
    from pytest_lambda._checks.redeliver import redeliver
    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._clock.clock import LambdaClock
    from pytest_lambda._core.errors import (
        ArgumentTypeError,
        EventValidationError,
        HandlerConfigError,
        InjectedFault,
        InvalidEventSpec,
        InvalidOption,
        LambdaStateError,
        LambdaTestError,
        NotIdempotentError,
        ProcessStateWarning,
        StateLeakError,
    )
    from pytest_lambda._events._factory import LambdaEventFactory
    from pytest_lambda._runtime.context import LambdaContext
    from pytest_lambda._runtime.http_view import (
        HttpHeaders,
        HttpResponse,
        NotAnHttpEvent,
        http_response,
    )
    from pytest_lambda._runtime.invocation import (
        HandlerError,
        Invocation,
        InvocationFailure,
        RemoteTraceback,
    )

    from . import events

__version__ = "0.1.0.dev0"

# Old names kept for one release: (new name, version that removes the old one).
_DEPRECATED: dict[str, tuple[str, str]] = {
    "InvocationError": ("InvocationFailure", "0.2"),
}

_LAZY: dict[str, str] = {
    "events": "",
    "LambdaClock": "pytest_lambda._clock.clock",
    "LambdaContext": "pytest_lambda._runtime.context",
    "LambdaRunner": "pytest_lambda._checks.runner",
    "Invocation": "pytest_lambda._runtime.invocation",
    "HandlerError": "pytest_lambda._runtime.invocation",
    "RemoteTraceback": "pytest_lambda._runtime.invocation",
    "InvocationFailure": "pytest_lambda._runtime.invocation",
    "HttpHeaders": "pytest_lambda._runtime.http_view",
    "HttpResponse": "pytest_lambda._runtime.http_view",
    "NotAnHttpEvent": "pytest_lambda._runtime.http_view",
    "http_response": "pytest_lambda._runtime.http_view",
    "LambdaEventFactory": "pytest_lambda._events._factory",
    "redeliver": "pytest_lambda._checks.redeliver",
    "failure_destination_record": "pytest_lambda._checks.async_failure",
    "dead_letter_message": "pytest_lambda._checks.async_failure",
    "IdempotencyReport": "pytest_lambda._checks.idempotency.check",
    "assert_idempotent": "pytest_lambda._checks.idempotency.check",
    "check_idempotency": "pytest_lambda._checks.idempotency.check",
    "LeakReport": "pytest_lambda._checks.leaks.check",
    "assert_no_state_leak": "pytest_lambda._checks.leaks.check",
    "check_warm_reuse": "pytest_lambda._checks.leaks.check",
    "moto_state": "pytest_lambda._checks.moto",
    "invoke_answers": "pytest_lambda._checks.moto_invokes",
    "EventValidationError": "pytest_lambda._core.errors",
    "HandlerConfigError": "pytest_lambda._core.errors",
    "InjectedFault": "pytest_lambda._core.errors",
    "ArgumentTypeError": "pytest_lambda._core.errors",
    "InvalidEventSpec": "pytest_lambda._core.errors",
    "InvalidOption": "pytest_lambda._core.errors",
    "LambdaStateError": "pytest_lambda._core.errors",
    "LambdaTestError": "pytest_lambda._core.errors",
    "NotIdempotentError": "pytest_lambda._core.errors",
    "ProcessStateWarning": "pytest_lambda._core.errors",
    "StateLeakError": "pytest_lambda._core.errors",
}

__all__ = [
    "ArgumentTypeError",
    "EventValidationError",
    "HandlerConfigError",
    "HandlerError",
    "HttpHeaders",
    "HttpResponse",
    "IdempotencyReport",
    "InjectedFault",
    "InvalidEventSpec",
    "InvalidOption",
    "Invocation",
    "InvocationFailure",
    "LambdaClock",
    "LambdaContext",
    "LambdaEventFactory",
    "LambdaRunner",
    "LambdaStateError",
    "LambdaTestError",
    "LeakReport",
    "NotAnHttpEvent",
    "NotIdempotentError",
    "ProcessStateWarning",
    "RemoteTraceback",
    "StateLeakError",
    "__version__",
    "assert_idempotent",
    "assert_no_state_leak",
    "check_idempotency",
    "check_warm_reuse",
    "dead_letter_message",
    "events",
    "failure_destination_record",
    "http_response",
    "invoke_answers",
    "moto_state",
    "redeliver",
]


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        new, removed_in = _DEPRECATED[name]
        warnings.warn(
            f"pytest_lambda.{name} is deprecated, use pytest_lambda.{new} "
            f"(the old name goes away in {removed_in})",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)  # not cached, so every use of the old name warns
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_lambda' has no attribute {name!r}")
    if module == "":
        value: Any = importlib.import_module(f"{__name__}.{name}")
    else:
        value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
