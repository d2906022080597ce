"""Test helpers for pytest_lambda's own suite (user-facing fixtures live in the plugin)."""

from __future__ import annotations

pytest_plugins = ["pytester"]

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def thread_environments() -> Iterator[None]:
    """New execution environments run on a thread of their own, as off the main thread."""
    from pytest_lambda import _inline

    _inline.SETTINGS["inline"] = False
    try:
        yield
    finally:
        _inline.SETTINGS["inline"] = True


@pytest.fixture(params=["main-thread", "own-thread"])
def execution(request: pytest.FixtureRequest) -> str:
    """Run the test once with environments on the main thread and once on their own thread."""
    if request.param == "own-thread":
        request.getfixturevalue("thread_environments")
    mode: str = request.param
    return mode
