"""pytest_lambda: test AWS Lambda handlers with realistic events and a faithful local runtime.

Names are imported on first use, so loading the pytest plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import events
    from ._clock import LambdaClock
    from ._context import LambdaContext
    from ._errors import (
        EventValidationError,
        HandlerConfigError,
        InvalidEventSpec,
        InvalidOption,
        LambdaTestError,
        NotIdempotentError,
        ProcessStateWarning,
        StateLeakError,
    )
    from ._fixtures_events import LambdaEventFactory
    from ._idempotency import IdempotencyReport, assert_idempotent, check_idempotency
    from ._invocation import Invocation, InvocationError
    from ._leaks import LeakReport, assert_no_state_leak, check_warm_reuse
    from ._moto import moto_state
    from ._redeliver import redeliver
    from ._runner import LambdaRunner

__version__ = "0.1.0.dev0"

_LAZY: dict[str, str] = {
    "events": "",
    "LambdaClock": "._clock",
    "LambdaContext": "._context",
    "LambdaRunner": "._runner",
    "Invocation": "._invocation",
    "InvocationError": "._invocation",
    "LambdaEventFactory": "._fixtures_events",
    "redeliver": "._redeliver",
    "IdempotencyReport": "._idempotency",
    "assert_idempotent": "._idempotency",
    "check_idempotency": "._idempotency",
    "LeakReport": "._leaks",
    "assert_no_state_leak": "._leaks",
    "check_warm_reuse": "._leaks",
    "moto_state": "._moto",
    "EventValidationError": "._errors",
    "HandlerConfigError": "._errors",
    "InvalidEventSpec": "._errors",
    "InvalidOption": "._errors",
    "LambdaTestError": "._errors",
    "NotIdempotentError": "._errors",
    "ProcessStateWarning": "._errors",
    "StateLeakError": "._errors",
}

__all__ = [
    "EventValidationError",
    "HandlerConfigError",
    "IdempotencyReport",
    "InvalidEventSpec",
    "InvalidOption",
    "Invocation",
    "InvocationError",
    "LambdaClock",
    "LambdaContext",
    "LambdaEventFactory",
    "LambdaRunner",
    "LambdaTestError",
    "LeakReport",
    "NotIdempotentError",
    "ProcessStateWarning",
    "StateLeakError",
    "__version__",
    "assert_idempotent",
    "assert_no_state_leak",
    "check_idempotency",
    "check_warm_reuse",
    "events",
    "moto_state",
    "redeliver",
]


def __getattr__(name: str) -> Any:
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
