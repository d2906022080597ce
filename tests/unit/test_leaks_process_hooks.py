"""Process-wide hooks a warm invocation adds (import finders, exit callbacks, thread trace
functions) are leaks the check reports; a hook added once, lazily, is not growth."""

from __future__ import annotations

import atexit
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pytest_lambda import check_warm_reuse, events

APP = """
import atexit, sys, threading

class Finder:
    def find_spec(self, *args, **kwargs):
        return None

FIRST = []

def finders(event, context):
    sys.meta_path.append(Finder())
    return {"ok": True}

def exits(event, context):
    atexit.register(lambda: None)
    return {"ok": True}

def traces(event, context):
    threading.settrace(lambda *args: None)
    return {"ok": True}

def once(event, context):
    if not FIRST:  # a library imported on first use, installing its finder once
        FIRST.append(1)
        sys.meta_path.append(Finder())
    return {"ok": True}
"""


@pytest.fixture
def restored() -> Iterator[None]:
    """The test process's hooks back as they were (the check reports them, it does not undo
    them: docs/known-limitations.md)."""
    finders, hooks = list(sys.meta_path), list(sys.path_hooks)
    exits = atexit._ncallbacks()  # type: ignore[attr-defined]
    yield
    sys.meta_path[:], sys.path_hooks[:] = finders, hooks
    threading.settrace(None)  # type: ignore[arg-type]
    assert atexit._ncallbacks() >= exits  # type: ignore[attr-defined]


@pytest.mark.usefixtures("restored")
@pytest.mark.parametrize(
    ("handler", "where"),
    [("finders", "sys.meta_path"), ("exits", "atexit callbacks"), ("traces", "threading.settrace")],
)
def test_a_hook_added_by_warm_invocations_is_a_leak(
    app_runners: Callable[[str], Callable[..., Any]], handler: str, where: str
) -> None:
    runner = app_runners(APP)(f"app.{handler}")
    report = check_warm_reuse(runner, events.sqs(seed=1))
    assert not report.ok
    codes = {(f.code, f.where) for f in report.errors}
    assert ("leaks.hook-growth", where) in codes, str(report)
    assert "no state grew" not in str(report)


@pytest.mark.usefixtures("restored")
def test_a_hook_added_once_on_first_use_is_not_growth(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    runner = app_runners(APP)("app.once")
    report = check_warm_reuse(runner, events.sqs(seed=1))
    assert report.ok, str(report)
