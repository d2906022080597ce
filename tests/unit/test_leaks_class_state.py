"""A class attribute of the handler's own module is module-level state: a divergence it
causes is blamed on it (it was blamed on "external state", with the wrong fix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_lambda import check_warm_reuse, events

APP = """
class Session:
    user = None
    __slots__ = ()

def handler(event, context):
    previous = Session.user
    Session.user = event["Records"][0]["messageId"]
    return {"previous": previous}
"""


def test_a_class_attribute_set_by_an_invocation_is_named_as_the_cause(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    runner = app_runners(APP)("app.handler")
    report = check_warm_reuse(runner, [events.generate("sqs", seed=i) for i in range(3)])
    assert not report.ok
    text = str(report)
    assert "globals changed by earlier invocations: `app.Session.user`" in text
    assert "external state" not in text
