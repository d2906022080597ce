"""The public ``LambdaRunner``: the runtime's :class:`Runner` with the checks as methods.

Assembled here, above the runtime, so that ``pytest_lambda._runtime`` never imports the checks
(they are built on it). Cost: none beyond the two base classes.
"""

from __future__ import annotations

from pytest_lambda._checks.runner_checks import RunnerChecks
from pytest_lambda._runtime.runner import Runner

__all__ = ["LambdaRunner"]


class LambdaRunner(RunnerChecks, Runner):
    """Invoke a Lambda handler locally with Lambda's cold/warm environments, errors and limits.

    ``handler`` is a handler string (``"app.handler"``, ``"src/app.handler"``, resolved from
    ``root``, default the working directory) or a callable. ``clock`` (a
    :class:`~pytest_lambda.LambdaClock`) drives deadlines and ``time.time()`` for the handler.
    """

    __module__ = "pytest_lambda"

    def __enter__(self) -> LambdaRunner:
        return self
