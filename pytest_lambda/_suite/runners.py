"""The suite's runners and moto mocks: one per handler and options, used by the engine and the loader."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_lambda._suite.engine import SuiteOptions

__all__ = ["aws_for", "runner_for_suite"]


def _moto_available() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def aws_for(opts: SuiteOptions) -> Iterator[tuple[Any, Any] | None]:
    """Inside ``moto.mock_aws()`` when asked and available: yields ``(observe, reset)``.

    The user's ``moto_setup`` creates the resources first, so ``reset()`` returns to them.
    """
    if not (opts.uses_moto and _moto_available()):
        yield None
        return
    from pytest_lambda._checks.moto import moto_state
    from pytest_lambda._checks.moto_setup import mocked_aws

    with mocked_aws(opts.moto_setup, opts.region, opts.root):
        yield moto_state()


def runner_for_suite(handler: str, opts: SuiteOptions) -> Any:
    from pytest_lambda._checks.runner import LambdaRunner

    return LambdaRunner(
        handler,
        timeout=opts.timeout,
        memory_mb=opts.memory_mb,
        region=opts.region,
        root=opts.root,
        isolation=opts.isolation,
    )
