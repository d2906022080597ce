"""The ``lambda_clock`` and ``lambda_context`` fixtures and the ``lambda_clock`` marker.

``@pytest.mark.lambda_clock("2026-11-22T10:00:00Z", tick=False)`` freezes the test's clock
before the test runs, even when the test does not request ``lambda_clock``
(``add_clock_fixture`` adds the fixture to marked items at collection).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass, fields
from typing import Any, Final

import pytest

from pytest_lambda._clock.clock import LambdaClock, When
from pytest_lambda._core.docs import doc_url
from pytest_lambda._core.errors import ArgumentTypeError
from pytest_lambda._plugin.options import resolve
from pytest_lambda._runtime.context import LambdaContext

__all__ = ["MARKER_HELP", "add_clock_fixture", "lambda_clock", "lambda_context"]

MARKER_HELP: Final = (
    "lambda_clock(when=None, *, tick=False, patch_sleep=True): freeze the lambda_clock at "
    "`when` (datetime, ISO 8601 string or epoch seconds) before the test, even if the test "
    "does not request lambda_clock; tick and patch_sleep as in LambdaClock. "
    f"See {doc_url('reference/fixtures', 'lambda_clock')}"
)


@dataclass(frozen=True, kw_only=True)
class _ClockOptions:
    """The ``lambda_clock`` marker's arguments: ``LambdaClock``'s keywords plus ``when``."""

    when: When | None = None
    tick: bool = False
    patch_sleep: bool = True


_KEYWORDS: Final = tuple(f.name for f in fields(_ClockOptions))


def _marker_options(markers: Iterable[pytest.Mark]) -> _ClockOptions:
    """Merge ``lambda_clock`` markers (closest first, as ``iter_markers`` yields them)."""
    __tracebackhide__ = True
    merged: dict[str, Any] = {}
    for mark in reversed(list(markers)):
        if len(mark.args) > 1:
            raise ArgumentTypeError(
                f"@pytest.mark.lambda_clock takes at most one positional argument (when), got "
                f"{len(mark.args)}: {mark.args!r}; pass tick= and patch_sleep= as keywords"
            )
        unknown = sorted(set(mark.kwargs) - set(_KEYWORDS))
        if unknown:
            raise ArgumentTypeError(
                f"@pytest.mark.lambda_clock got unexpected keyword(s) {', '.join(unknown)}; "
                f"valid keywords are {', '.join(_KEYWORDS)}"
            )
        if mark.args and "when" in mark.kwargs:
            raise ArgumentTypeError(
                "@pytest.mark.lambda_clock got `when` both by position and by keyword"
            )
        merged.update(mark.kwargs)
        if mark.args:
            merged["when"] = mark.args[0]
    for flag in ("tick", "patch_sleep"):
        if flag in merged and not isinstance(merged[flag], bool):
            raise ArgumentTypeError(
                f"@pytest.mark.lambda_clock({flag}={merged[flag]!r}): {flag} must be True or False"
            )
    return _ClockOptions(**merged)


def add_clock_fixture(items: Iterable[pytest.Item]) -> None:
    """Make every item marked ``lambda_clock`` use the fixture, so the marker always applies.

    Call from ``pytest_collection_modifyitems``. The fixture goes first, so fixtures the test
    uses already see the frozen time.
    """
    for item in items:
        names = getattr(item, "fixturenames", None)
        if (
            isinstance(names, list)
            and "lambda_clock" not in names
            and item.get_closest_marker("lambda_clock") is not None
        ):
            names.insert(0, "lambda_clock")


@pytest.fixture
def lambda_clock(request: pytest.FixtureRequest) -> Generator[LambdaClock, None, None]:
    """The test's clock: real until ``move_to()``; back to real time after the test.

    ``@pytest.mark.lambda_clock(when, tick=..., patch_sleep=...)`` freezes it before the test.
    """
    __tracebackhide__ = True
    options = _marker_options(request.node.iter_markers("lambda_clock"))
    clock = LambdaClock(tick=options.tick, patch_sleep=options.patch_sleep)
    try:
        if options.when is not None:
            clock.move_to(options.when)
        yield clock
    finally:
        clock.stop()


@pytest.fixture
def lambda_context(request: pytest.FixtureRequest, lambda_clock: LambdaClock) -> LambdaContext:
    """A fresh context (new ``aws_request_id``) whose remaining time runs on ``lambda_clock``.

    Timeout, memory and region come from ``--lambda-timeout``/``--lambda-memory``/
    ``--lambda-region`` (or their ini keys and env vars), and a ``lambda_handler`` marker's
    ``timeout=``, ``memory_mb=``, ``region=`` and ``function_name=`` win over those.
    """
    __tracebackhide__ = True
    config = request.config
    settings: dict[str, Any] = {
        "timeout": resolve(config, "timeout")[0],
        "memory_limit_in_mb": resolve(config, "memory")[0],
        "region": resolve(config, "region")[0],
    }
    handler_mark = request.node.get_closest_marker("lambda_handler")
    if handler_mark is not None:
        for marker_key, context_key in (
            ("timeout", "timeout"),
            ("memory_mb", "memory_limit_in_mb"),
            ("region", "region"),
            ("function_name", "function_name"),
        ):
            if handler_mark.kwargs.get(marker_key) is not None:
                settings[context_key] = handler_mark.kwargs[marker_key]
    return LambdaContext(clock=lambda_clock, **settings)
