"""The checks' first argument: a ``LambdaRunner``, or a handler to build one for the check."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pytest_lambda._checks.runner import LambdaRunner

__all__ = ["runner_for"]


def _is_runner(obj: object) -> bool:
    # duck-typed: a reloaded pytest_lambda._runtime.runner gives the same runner another class object
    return callable(getattr(obj, "invoke", None)) and callable(
        getattr(obj, "new_environment", None)
    )


@contextlib.contextmanager
def runner_for(
    handler_or_runner: LambdaRunner | str | Callable[..., Any],
) -> Iterator[LambdaRunner]:
    """The runner given, or one built for a handler string or callable and closed after."""
    if _is_runner(handler_or_runner):
        yield cast("LambdaRunner", handler_or_runner)
        return
    import warnings

    from pytest_lambda._core.errors import ProcessStateWarning
    from pytest_lambda._runtime.runner import Runner

    runner = Runner(handler_or_runner)  # type: ignore[arg-type]
    try:
        yield cast("LambdaRunner", runner)
    finally:
        with warnings.catch_warnings():  # the check's report names what it would list
            warnings.simplefilter("ignore", ProcessStateWarning)
            runner.close()
