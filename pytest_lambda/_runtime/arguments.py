"""``LambdaRunner``'s arguments, checked in the order they are documented, each with one line.

:func:`runner_config` turns the keywords into an :class:`~pytest_lambda._runtime.sandbox.EnvConfig`
and the isolation mode's backend, or raises ``TypeError`` (wrong type) / ``InvalidOption``
(a value Lambda would refuse, with the texts of :mod:`pytest_lambda._core.facts`), all
prefixed ``LambdaRunner: ``. Cost: a few comparisons and one ``os.path.isdir`` per runner.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._core import facts
from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption
from pytest_lambda._runtime.handler import handler_name
from pytest_lambda._runtime.sandbox import EnvConfig

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock
    from pytest_lambda._runtime.backend import Backend

__all__ = ["runner_config"]

_FUNCTION_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_RESERVED_ENV: Final = {
    "_HANDLER": "the handler argument",
    "AWS_REGION": "region=",
    "AWS_DEFAULT_REGION": "region=",
    "AWS_LAMBDA_FUNCTION_NAME": "function_name=",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "memory_mb=",
    "LAMBDA_TASK_ROOT": "root=",
    "AWS_LAMBDA_FUNCTION_VERSION": None,
    "AWS_LAMBDA_LOG_GROUP_NAME": None,
    "AWS_LAMBDA_LOG_STREAM_NAME": None,
    "AWS_LAMBDA_RUNTIME_API": None,
    "AWS_LAMBDA_INITIALIZATION_TYPE": None,
    "LAMBDA_RUNTIME_DIR": None,
    "_X_AMZN_TRACE_ID": None,
}


def _bad(message: str) -> InvalidOption:
    return InvalidOption(f"LambdaRunner: {message}")


def _check_env(env: Mapping[str, str] | None) -> dict[str, str]:
    __tracebackhide__ = True
    if env is None:
        return {}
    given: object = env
    if not isinstance(given, Mapping):
        raise ArgumentTypeError(f"LambdaRunner: env must be a mapping of str to str, not {env!r}")
    checked: dict[str, str] = {}
    for key, value in given.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ArgumentTypeError(
                f"LambdaRunner: env[{key!r}] = {value!r}: Lambda environment variables are "
                "strings (write str(value))"
            )
        if not key or "=" in key or "\0" in key or "\0" in value:
            raise _bad(f"env key {key!r} is not a valid environment variable name")
        if key in _RESERVED_ENV:
            how = _RESERVED_ENV[key]
            fix = f"set it with {how}" if how else "the runner sets it like Lambda does"
            raise _bad(
                f"env[{key!r}]: Lambda reserves this variable (CreateFunction rejects it); {fix}"
            )
        checked[key] = value
    return checked


def runner_config(
    handler: str | Callable[..., Any],
    *,
    timeout: float,
    memory_mb: int,
    function_name: str | None,
    region: str,
    env: Mapping[str, str] | None,
    root: str | os.PathLike[str] | None,
    clock: LambdaClock | None,
    isolation: str,
    backends: Mapping[str, type[Backend]],
) -> tuple[EnvConfig, Backend]:
    """The runner's configuration and a new backend of ``backends[isolation]``."""
    __tracebackhide__ = True
    if not isinstance(handler, str) and not callable(handler):
        raise ArgumentTypeError(
            f"LambdaRunner: handler must be a handler string like 'app.handler' or a "
            f"callable, not {handler!r}"
        )
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise ArgumentTypeError(f"LambdaRunner: timeout={timeout!r} must be a number of seconds")
    if (problem := facts.timeout_problem(timeout)) is not None:
        raise _bad(f"timeout={timeout!r}: {problem}")
    memory: object = memory_mb
    if isinstance(memory, bool) or not isinstance(memory, int):
        raise ArgumentTypeError(f"LambdaRunner: memory_mb={memory_mb!r} must be an int (MB)")
    if (problem := facts.memory_problem(memory_mb)) is not None:
        raise _bad(f"memory_mb={memory_mb!r}: {problem}")
    if function_name is not None and not isinstance(function_name, str):
        raise ArgumentTypeError(f"LambdaRunner: function_name={function_name!r} must be a str")
    if not isinstance(region, str):
        raise ArgumentTypeError(f"LambdaRunner: region={region!r} must be a str")
    if not isinstance(isolation, str):
        raise ArgumentTypeError(
            f"LambdaRunner: isolation={isolation!r} must be a str ('module' or 'runtime')"
        )
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise ArgumentTypeError(f"LambdaRunner: root={root!r} must be a path (str or os.PathLike)")
    name: object = "test-function" if function_name is None else function_name
    if not isinstance(name, str) or not _FUNCTION_NAME.fullmatch(name):
        raise _bad(
            f"function_name={function_name!r} is not a Lambda function name "
            "(1-64 letters, digits, '-' or '_')"
        )
    if (problem := facts.region_problem(region)) is not None:
        raise _bad(f"region={region!r} {problem}")
    if (problem := facts.isolation_problem(isolation)) is not None:
        raise _bad(f"isolation={isolation!r}: {problem}")
    backend = backends[isolation]()
    if (refusal := backend.refusal(handler)) is not None:
        raise _bad(refusal)
    task_root = os.path.abspath(os.fspath(root)) if root is not None else os.getcwd()
    if not os.path.isdir(task_root):
        raise _bad(f"root={os.fspath(root)!r} is not a directory")  # type: ignore[arg-type]
    if clock is not None and not callable(getattr(clock, "time", None)):
        raise ArgumentTypeError(f"LambdaRunner: clock must be a LambdaClock, not {clock!r}")
    config = EnvConfig(
        handler=handler,
        handler_name=handler_name(handler),
        timeout=float(timeout),
        memory_mb=memory_mb,
        function_name=name,
        region=region,
        root=task_root,
        env=_check_env(env),
        clock=clock,
    )
    return config, backend
