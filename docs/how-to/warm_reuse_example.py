"""Warm-reuse recipes: check a handler for state kept across warm invocations."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda import assert_no_state_leak, check_warm_reuse

HERE = Path(__file__).parent
pytestmark = pytest.mark.lambda_handler("warm_reuse_app.handler", root=HERE)

SIGNED_IN = {"user": "alice", "token": "t-1"}
ANONYMOUS = {"user": "bob"}


def test_orders_handler_keeps_no_state(lambda_runner):
    report = assert_no_state_leak(lambda_runner, ("sqs", 10), seed=1)

    # the settings loaded once and reused are fine, and the report says why
    assert [(f.category, f.where) for f in report.findings] == [
        ("lazy-global", "warm_reuse_app._settings")
    ]


@pytest.mark.lambda_handler("warm_reuse_app.profile", root=HERE)
def test_profile_handler_with_my_events(lambda_runner):
    assert_no_state_leak(lambda_runner, [SIGNED_IN, ANONYMOUS])


@pytest.mark.lambda_handler("warm_reuse_app.leaky_profile", root=HERE)
def test_leaky_profile_is_caught(lambda_runner):
    report = check_warm_reuse(lambda_runner, [SIGNED_IN, ANONYMOUS])

    assert not report.ok
    (leak,) = report.errors
    assert (leak.category, leak.where) == ("divergence", "event 2")
    # cold, bob sees no orders; warm, after alice signed in, he sees hers
    assert (leak.before, leak.after) == ("{'orders_of': None}", "{'orders_of': 'alice'}")
