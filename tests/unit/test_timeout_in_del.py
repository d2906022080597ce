"""The deadline's exception landing in a __del__ is not reported as a later test's error."""

from __future__ import annotations

import pytest

SPIN_IN_DEL = """
class Spins:
    def __del__(self):
        while True:  # the deadline's signal lands here, where Python can only ignore it
            pass


def handler(event, context):
    Spins()
    while True:  # then the signal, sent again, stops the handler in its own code
        pass
"""


def test_a_deadline_landing_in_a_finaliser_leaves_no_unraisable_report(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(app=SPIN_IN_DEL)
    pytester.makepyfile(
        test_it="""
        from pytest_lambda import LambdaRunner

        def test_times_out():
            with LambdaRunner("app.handler", root=".", timeout=0.3) as runner:
                assert runner.invoke({}).timed_out

        def test_next():
            import gc
            gc.collect()
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-W", "error::pytest.PytestUnraisableExceptionWarning"
    )
    result.assert_outcomes(passed=2)
    assert "HandlerAbandoned" not in result.stdout.str()
