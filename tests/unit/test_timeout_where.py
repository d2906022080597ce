"""A timeout says where the handler was stopped, and a wait on AWS is a set-up problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pytest_lambda._checks.setup import UNREACHABLE, diagnose, diagnose_all
from pytest_lambda._runtime.invocation import InvocationFailure
from pytest_lambda._runtime.outcome import timeout_error
from pytest_lambda.cli import main

SPINS = """
import time


def spin():
    while True:
        time.monotonic()


def handler(event, context):
    spin()
"""

BOTOCORE = "/venv/lib/python3.12/site-packages/botocore"


@pytest.mark.parametrize("execution", ["main-thread", "own-thread"], indirect=True)
def test_a_timed_out_handler_is_stopped_in_its_own_frames(
    app_runners: Callable[[str], Callable[..., Any]], execution: str
) -> None:
    invocation = app_runners(SPINS)("app.handler", timeout=0.3).invoke({})

    assert invocation.timed_out
    assert invocation.error is not None
    where = invocation.error.stopped_in
    assert where[0].endswith(" in handler")
    assert "app.py:" in where[0]
    assert where[-1].endswith(" in spin") or where[-2].endswith(" in spin")
    assert not any("pytest_lambda" in frame for frame in where)
    # the payload is still only Lambda's
    assert set(invocation.error.payload()) == {"errorType", "errorMessage"}


def _timeout(request_id: str, frames: tuple[str, ...]) -> InvocationFailure:
    error = timeout_error(request_id, 3.0)
    return InvocationFailure(
        error.type, error.message, request_id=request_id, kind="platform", stopped_in=frames
    )


def test_a_timeout_inside_botocore_retrying_is_an_unreachable_endpoint() -> None:
    frames = (
        "/app/app.py:12 in handler",
        f"{BOTOCORE}/client.py:1076 in _make_api_call",
        f"{BOTOCORE}/endpoint.py:379 in _needs_retry",
    )
    problem = diagnose(_timeout("r1", frames))
    assert problem is not None
    assert problem.code == UNREACHABLE
    assert problem.what.startswith(
        "the handler was still waiting for an AWS endpoint when its timeout (3.00 s) ended"
    )
    # every event the same way, though each message holds its own request id
    both = diagnose_all([_timeout("r1", frames), _timeout("r2", frames)])
    assert both is not None
    assert both.code == UNREACHABLE


def test_a_timeout_elsewhere_is_not_a_set_up_problem() -> None:
    assert diagnose(_timeout("r1", ("/app/app.py:3 in spin",))) is None
    # botocore, but not sending or retrying (building a request in a loop of the handler's)
    assert diagnose(_timeout("r1", (f"{BOTOCORE}/validate.py:10 in validate",))) is None
    assert diagnose(_timeout("r1", ())) is None


def test_the_cli_names_where_the_deadline_stopped_the_handler(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(SPINS)
    argv = ["invoke", "app.handler", "--root", str(tmp_path), "--timeout", "0.3", "--kind", "sqs"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "pytest-lambda: the deadline stopped the handler in (innermost last):\n" in err
    assert f"  {tmp_path / 'app.py'}:11 in handler\n" in err


def test_a_slow_call_moto_answers_or_a_long_answered_call_is_not_an_unreachable_endpoint() -> None:
    inside_moto = (
        "/app/app.py:5 in handler",
        f"{BOTOCORE}/endpoint.py:200 in _send_request",
        "/venv/lib/python3.12/site-packages/moto/core/botocore_stubber.py:40 in __call__",
    )
    assert diagnose(_timeout("r1", inside_moto)) is None
    parsing = (
        "/app/app.py:5 in handler",
        f"{BOTOCORE}/endpoint.py:200 in _send_request",
        f"{BOTOCORE}/endpoint.py:250 in _do_get_response",
        f"{BOTOCORE}/parsers.py:300 in parse",
        f"{BOTOCORE}/parsers.py:310 in _parse_shape",
        f"{BOTOCORE}/parsers.py:320 in _handle_structure",
        f"{BOTOCORE}/parsers.py:330 in _parse_shape",
    )
    assert diagnose(_timeout("r1", parsing)) is None
    windows = (
        r"C:\\app\\app.py:12 in handler",
        r"C:\\venv\\Lib\\site-packages\\botocore\\endpoint.py:379 in _needs_retry",
    )
    problem = diagnose(_timeout("r1", windows))
    assert problem is not None
    assert problem.code == UNREACHABLE
