"""The warm-reuse check claims "no state leak" only for invocations that did their work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_lambda import check_warm_reuse

EVENTS = [{"user": "ann"}, {"user": "bob"}, {"user": "cid"}]


def test_a_handler_failing_on_every_event_is_not_shown_free_of_leaks(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    make = app_runners(
        """
        _seen = []

        def handler(event, context):
            batch = event["batch"]  # every event lacks it: the work below never runs
            _seen.append(batch)
            return {"seen": len(_seen)}
        """
    )
    report = check_warm_reuse(make("app.handler"), EVENTS)

    assert not report.ok
    assert [f.code for f in report.errors] == ["leaks.invocations-failed"]
    assert report.verdict() == (
        "not shown free of state leaks: the handler failed on every invocation, of 3 events "
        "(KeyError: 'batch')"
    )
    assert "no state leak" not in str(report)


def test_an_event_failing_everywhere_among_others_is_noted_and_the_rest_compared(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    make = app_runners(
        """
        def handler(event, context):
            if event["user"] == "bob":
                raise ValueError("no such user")
            return {"user": event["user"]}
        """
    )
    report = check_warm_reuse(make("app.handler"), EVENTS)

    assert report.ok, str(report)
    assert report.verdict().startswith("no state leak: 3 events")
    assert any(
        n.startswith("event 2 failed in every invocation (ValueError: no such user)")
        for n in report.notes
    ), report.notes


def test_a_leak_before_the_failure_is_still_found(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    make = app_runners(
        """
        _seen = []

        def handler(event, context):
            _seen.append(event["user"])
            raise RuntimeError("downstream is down")
        """
    )
    report = check_warm_reuse(make("app.handler"), EVENTS)

    codes = {f.code for f in report.errors}
    assert "leaks.global-growth" in codes
    assert "leaks.invocations-failed" in codes
    assert report.verdict().startswith("state leaks across warm invocations")
