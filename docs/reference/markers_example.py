"""Examples of the reference's marker section: per module and per test."""

from __future__ import annotations

from pathlib import Path

import pytest

# --8<-- [start:usage]
HERE = Path(__file__).parent

# every test of this module (root= only because this file is not in your project's root)
pytestmark = pytest.mark.lambda_handler("markers_app.handler", root=HERE, timeout=10)


def test_module_settings(lambda_runner):
    assert lambda_runner.timeout == 10
    assert lambda_runner.invoke({"n": 1}).response == {"n": 1}


# one test: its keywords win over the module's, one by one
@pytest.mark.lambda_handler(timeout=2, memory_mb=512)
def test_closest_marker_wins(lambda_runner, lambda_context):
    assert (lambda_runner.timeout, lambda_runner.memory_mb) == (2, 512)
    assert lambda_context.memory_limit_in_mb == "512"  # a string, as in Lambda


@pytest.mark.lambda_clock("2026-01-01T00:00:00Z")
def test_clock_marker(lambda_context):
    assert lambda_context.get_remaining_time_in_millis() == 10000


# --8<-- [end:usage]
