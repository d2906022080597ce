"""The lambda_clock marker with a handler that sleeps past its timeout (a new-user trial)."""

from __future__ import annotations

import pytest

PLUGIN = ("-p", "lambda_toolkit")

APP = """
import time

def handler(event, context):
    time.sleep(10)
    return "never"
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_TIMEOUT", "PYTEST_LAMBDA_REGION"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(app=APP)
    return pytester


def test_sleep_past_the_timeout_stops_at_the_deadline(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_it="""
        import pytest

        @pytest.mark.lambda_clock("2026-11-22T12:00:00Z")
        @pytest.mark.lambda_handler("app.handler", timeout=3)
        def test_timeout(lambda_runner, lambda_clock):
            inv = lambda_runner.invoke({})
            assert inv.timed_out
            assert lambda_clock.now().isoformat() == "2026-11-22T12:00:03+00:00"
            line = f"2026-11-22T12:00:03.000Z {inv.request_id} Task timed out after 3.00 seconds"
            assert line in inv.logs
            assert 3000 <= inv.duration_ms < 3500
        """
    )
    result = project.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)
