"""The lambda_clock / lambda_context fixtures and the lambda_clock marker (pytester, in-process)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("_clean_env")

# Until plugin.py wires the marker and the collection hook, the inner runs do it through a
# conftest; both steps are idempotent, so these tests keep passing once the plugin does it.
WIRING = """
from pytest_lambda._plugin.fixtures_clock import MARKER_HELP, add_clock_fixture

def pytest_configure(config):
    config.addinivalue_line("markers", MARKER_HELP)

def pytest_collection_modifyitems(items):
    add_clock_fixture(items)
"""


@pytest.fixture
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TIMEOUT", "MEMORY", "REGION", "HANDLER"):
        monkeypatch.delenv(f"PYTEST_LAMBDA_{name}", raising=False)


@pytest.fixture
def wired(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(WIRING)
    pytester.makeini(
        "[pytest]\naddopts = --strict-markers -p no:randomly -p no:hypothesispytest "
        "-p no:benchmark -p no:xdist -p no:xdist.looponfail -p no:faker -p no:time_machine\n"
    )
    return pytester


def test_marker_freezes_time_without_requesting_the_fixture(wired: pytest.Pytester) -> None:
    wired.makepyfile(
        """
        import time
        from datetime import datetime, timezone
        import pytest

        @pytest.mark.lambda_clock("2026-11-22T10:00:00Z")
        def test_frozen():
            assert datetime.now(timezone.utc) == datetime(2026, 11, 22, 10, tzinfo=timezone.utc)
            assert time.time() == 1795341600
            time.sleep(3600)
            assert time.time() == 1795341600 + 3600

        def test_real_again_afterwards():
            assert datetime.now(timezone.utc).year < 2026 or time.time() != 1795345200
            assert type(time.sleep).__name__ == "builtin_function_or_method"
        """
    )
    result = wired.runpytest("--durations=0", "-vv")
    result.assert_outcomes(passed=2)
    # pytest's own durations stay real under the frozen clock (no 1.8e9-second tests)
    call = re.search(r"([\d.]+)s call +\S*::test_frozen\b", result.stdout.str())
    assert call is not None
    assert float(call.group(1)) < 300


def test_handler_sleep_takes_exactly_1000_ms_off_remaining_instantly(
    wired: pytest.Pytester,
) -> None:
    wired.makepyfile(
        """
        import time
        import pytest

        def handler(event, context):
            before = context.get_remaining_time_in_millis()
            time.sleep(1)
            return before, context.get_remaining_time_in_millis()

        def nap(event, context):
            time.sleep(600)
            return context.get_remaining_time_in_millis()

        @pytest.mark.lambda_clock("2026-11-22T10:00:00Z")
        def test_sleep(lambda_clock, lambda_context):
            assert lambda_clock.frozen
            assert handler({}, lambda_context) == (3000, 2000)
            lambda_clock.shift(1.5)
            assert lambda_context.get_remaining_time_in_millis() == 500

        @pytest.mark.lambda_clock("2026-11-22T10:00:00Z")
        @pytest.mark.lambda_handler(timeout=900)
        def test_nap(lambda_clock, lambda_context):
            assert nap({}, lambda_context) == 300_000
        """
    )
    result = wired.runpytest("--durations=0", "-vv")
    result.assert_outcomes(passed=2)
    # ten minutes of sleep on the frozen clock, well under that in real time (any load)
    call = re.search(r"([\d.]+)s call +\S*::test_nap\b", result.stdout.str())
    assert call is not None
    assert float(call.group(1)) < 300


def test_clock_is_real_until_move_to_and_shift_first_fails(wired: pytest.Pytester) -> None:
    wired.makepyfile(
        """
        def test_unfrozen(lambda_clock):
            assert not lambda_clock.frozen
            lambda_clock.shift(1)
        """
    )
    result = wired.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.LambdaStateError: LambdaClock.shift(): the clock is not frozen, so there is no "
            "instant to advance; call move_to() first (e.g. lambda_clock.move_to("
            "'2026-11-22T10:00:00Z') or @pytest.mark.lambda_clock(...)). Time is real until move_to()."
        ]
    )


def test_module_marker_is_merged_with_the_closest(wired: pytest.Pytester) -> None:
    wired.makepyfile(
        """
        import time
        from datetime import datetime, timezone
        import pytest

        pytestmark = pytest.mark.lambda_clock("2020-01-01T00:00:00Z", patch_sleep=False)

        def test_module_instant(lambda_clock):
            assert lambda_clock.now() == datetime(2020, 1, 1, tzinfo=timezone.utc)
            assert not lambda_clock.patch_sleep

        @pytest.mark.lambda_clock(when=1795341600, tick=True)
        def test_closest_wins(lambda_clock):
            assert lambda_clock.tick and not lambda_clock.patch_sleep
            assert 1795341600 <= time.time() < 1795341600 + 60
        """
    )
    wired.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'lambda_clock("2026-11-22T10:00:00Z", tik=True)',
            "*TypeError: @pytest.mark.lambda_clock got unexpected keyword(s) tik; valid keywords are when, tick, patch_sleep",
        ),
        (
            'lambda_clock("2026-11-22T10:00:00Z", True)',
            "*TypeError: @pytest.mark.lambda_clock takes at most one positional argument (when), got 2: *; pass tick= and patch_sleep= as keywords",
        ),
        (
            'lambda_clock("2026-11-22", when="2026-11-23")',
            "*TypeError: @pytest.mark.lambda_clock got `when` both by position and by keyword",
        ),
        (
            'lambda_clock(tick="yes")',
            "*TypeError: @pytest.mark.lambda_clock(tick='yes'): tick must be True or False",
        ),
        (
            'lambda_clock("next tuesday")',
            "*InvalidOption: LambdaClock.move_to(): 'next tuesday' is not an ISO 8601 instant*",
        ),
    ],
)
def test_bad_marker_arguments_error_with_our_frames_hidden(
    wired: pytest.Pytester, marker: str, message: str
) -> None:
    wired.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_marked():
            pass
        """
    )
    result = wired.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])
    assert "_fixtures_clock.py" not in result.stdout.str()
    assert "def _marker_options" not in result.stdout.str()


def test_lambda_context_uses_the_resolved_options(wired: pytest.Pytester) -> None:
    wired.makepyfile(
        """
        import pytest

        seen = set()

        @pytest.mark.lambda_clock("2026-11-22T10:00:00Z")
        @pytest.mark.parametrize("n", [1, 2])
        def test_context(lambda_context, n):
            assert lambda_context.get_remaining_time_in_millis() == 10_000
            assert lambda_context.memory_limit_in_mb == "512"
            assert lambda_context.invoked_function_arn.startswith("arn:aws:lambda:eu-west-1:")
            assert lambda_context.log_stream_name.startswith("2026/11/22/[$LATEST]")
            assert lambda_context.aws_request_id not in seen
            seen.add(lambda_context.aws_request_id)
        """
    )
    result = wired.runpytest(
        "--lambda-timeout=10", "--lambda-memory=512", "--lambda-region=eu-west-1"
    )
    result.assert_outcomes(passed=2)


def test_lambda_context_defaults_and_handler_marker(wired: pytest.Pytester) -> None:
    wired.makepyfile(
        """
        import pytest

        @pytest.mark.lambda_clock("2026-11-22T10:00:00Z")
        def test_defaults(lambda_context):
            assert lambda_context.get_remaining_time_in_millis() == 3000
            assert lambda_context.memory_limit_in_mb == "128"
            assert ":us-east-1:" in lambda_context.invoked_function_arn

        @pytest.mark.lambda_clock("2026-11-22T10:00:00Z")
        @pytest.mark.lambda_handler("app.handler", timeout=7, memory_mb=256, function_name="orders")
        def test_handler_marker(lambda_context):
            assert lambda_context.get_remaining_time_in_millis() == 7000
            assert lambda_context.memory_limit_in_mb == "256"
            assert lambda_context.function_name == "orders"
        """
    )
    wired.runpytest().assert_outcomes(passed=2)


def test_move_to_inside_the_test_keeps_the_context_usable(wired: pytest.Pytester) -> None:
    wired.makepyfile(
        """
        import time

        def test_freeze_late(lambda_clock, lambda_context):
            lambda_clock.move_to("2026-11-22T10:00:00Z")
            remaining = lambda_context.get_remaining_time_in_millis()
            assert 2500 <= remaining <= 3000
            time.sleep(2)
            assert lambda_context.get_remaining_time_in_millis() == remaining - 2000
        """
    )
    wired.runpytest().assert_outcomes(passed=1)


def test_marker_refuses_an_active_freezegun_freeze(wired: pytest.Pytester) -> None:
    wired.makepyfile(
        """
        import pytest
        from freezegun import freeze_time

        @pytest.fixture
        def frozen_by_freezegun():
            with freeze_time("2020-01-01"):
                yield

        @pytest.mark.lambda_clock("2026-11-22T10:00:00Z")
        def test_both(frozen_by_freezegun, lambda_clock):
            pass
        """
    )
    result = wired.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            # "E*": another plugin's pytest_fixture_setup wrapper (pytest-asyncio's) can be the
            # frame shown above the error, which indents the line further
            "E*RuntimeError: LambdaClock.move_to() refused: a freezegun freeze_time() started outside LambdaClock is active*"
        ]
    )
