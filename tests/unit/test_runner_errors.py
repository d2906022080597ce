"""Bad input and failing handlers get Lambda's answer, never a crash of pytest."""

from __future__ import annotations

import decimal
import math
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import InvalidEventSpec, LambdaRunner

# Each test runs with the environment on the main thread and on a thread of its own.
pytestmark = pytest.mark.usefixtures("execution")

Make = Callable[..., LambdaRunner]

APP = """
import sys
CALLS = 0

def boom(event, context):
    global CALLS
    CALLS += 1
    raise ValueError(f"boom {CALLS}")

class Quiet(Exception):
    pass

def quiet(event, context):
    raise Quiet()

async def handler_async(event, context):
    return {"never": "awaited"}

class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("__str__ failed")

class NotText(Exception):
    def __str__(self):
        return 42

def unprintable(event, context):
    raise (NotText if event.get("not_text") else Unprintable)()

def returns_set(event, context):
    return {"tags": {"a"}}

def returns_decimal(event, context):
    return {"price": __import__("decimal").Decimal("9.90")}

def returns_bytes(event, context):
    return b"\\x89PNG"

def huge(event, context):
    global CALLS
    CALLS += 1
    return "x" * event["n"]

def count(event, context):
    global CALLS
    CALLS += 1
    return CALLS

def exits(event, context):
    global CALLS
    CALLS += 1
    sys.exit(event["code"])

def interrupted(event, context):
    raise KeyboardInterrupt

def base_exception(event, context):
    raise GeneratorExit("odd")
"""


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    made: list[LambdaRunner] = []

    def make(handler: str) -> LambdaRunner:
        runner = LambdaRunner(handler, root=tmp_path)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()


def test_handler_exception_is_the_runtime_error_and_the_environment_stays_warm(
    make: Make, tmp_path: Path
) -> None:
    runner = make("app.boom")
    first, second = runner.invoke({}), runner.invoke({})
    assert first.error is not None
    assert not first.ok
    assert not first.timed_out
    assert first.response == {
        "errorMessage": "boom 1",
        "errorType": "ValueError",
        "requestId": first.request_id,
        "stackTrace": [
            f'  File "{tmp_path / "app.py"}", line 8, in boom\n    raise ValueError(f"boom {{CALLS}}")\n'
        ],
    }
    assert second.error is not None
    assert second.error.message == "boom 2"
    assert not second.cold_start
    assert isinstance(first.error.exception, ValueError)
    assert (
        f'[ERROR] ValueError: boom 1\rTraceback (most recent call last):\r\u00a0\u00a0File "{tmp_path / "app.py"}", line 8, in boom\r\u00a0\u00a0\u00a0\u00a0raise'
        in first.logs
    )
    assert str(first.error).startswith("ValueError: boom 1\nTraceback (most recent call last):\n")


def test_exception_without_message(make: Make) -> None:
    inv = make("app.quiet").invoke({})
    assert inv.error is not None
    assert (inv.error.type, inv.error.message) == ("Quiet", "")
    assert "[ERROR] Quiet\rTraceback" in inv.logs


@pytest.mark.parametrize("not_text", [False, True])
def test_an_exception_whose_str_fails_ends_the_runtime_not_the_test(
    make: Make, not_text: bool
) -> None:
    """The runtime's error report calls str(exc): when that raises, the runtime process dies
    (Runtime.ExitError, as isolation="runtime" shows), and the test gets that answer, not the
    exception of the exception."""
    runner = make("app.unprintable")
    inv = runner.invoke({"not_text": not_text})
    assert inv.error is not None
    assert inv.error.type == "Runtime.ExitError"
    assert "exit status 1" in inv.error.message
    assert runner.invoke({}).cold_start  # the process died: the next invoke starts a new one


def test_async_handler_is_a_marshal_error_without_a_warning(make: Make) -> None:
    inv = make("app.handler_async").invoke({})  # filterwarnings=error would fail on a warning
    assert inv.response == {
        "errorMessage": "Unable to marshal response: Object of type coroutine is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": inv.request_id,
        "stackTrace": [],
    }
    assert "coroutine 'handler_async' was never awaited" in inv.logs


def test_unserializable_response(make: Make) -> None:
    runner = make("app.returns_set")
    inv = runner.invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.MarshalError"
    assert (
        inv.error.message
        == "Unable to marshal response: Object of type set is not JSON serializable"
    )
    assert inv.raw == {"tags": {"a"}}
    assert runner.invoke({}).cold_start is False  # a marshal error keeps the environment


def test_decimal_and_bytes_responses(make: Make) -> None:
    inv = make("app.returns_decimal").invoke({})
    assert inv.body == b'{"price": 9.90}'
    assert inv.response == {"price": 9.9}
    assert inv.raw == {"price": decimal.Decimal("9.90")}
    raw = make("app.returns_bytes").invoke({})
    assert (raw.response, raw.content_type) == (b"\x89PNG", "application/unknown")


def test_oversized_response_is_rejected_and_the_environment_discarded(make: Make) -> None:
    runner = make("app.huge")
    limit = 6_291_556
    fits = runner.invoke({"n": limit - 2})  # the JSON string adds two quotes
    assert fits.ok
    assert len(fits.body) == limit
    too_big = runner.invoke({"n": limit - 1})
    assert too_big.response == {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    }
    assert "Http response code: 413" in too_big.logs
    assert runner.invoke({"n": 1}).cold_start  # the runtime crashed: a fresh init


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (3, "Runtime exited with error: exit status 3"),
        (None, "Runtime exited without providing a reason"),
        ("bye", "Runtime exited with error: exit status 1"),
    ],
)
def test_sys_exit_is_an_exit_error_and_discards_the_environment(
    make: Make, code: Any, message: str
) -> None:
    runner = make("app.exits")
    inv = runner.invoke({"code": code})
    assert inv.response == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {inv.request_id} Error: {message}",
    }
    assert f"RequestId: {inv.request_id} Error: {message}\nRuntime.ExitError\n" in inv.logs
    assert "Status: error\tError Type: Runtime.ExitError" in inv.logs
    again = runner.invoke({"code": 1})
    assert again.cold_start  # module re-imported: CALLS restarted
    if code == "bye":
        assert "bye\n" in inv.logs  # what Python prints for sys.exit("bye")


def test_other_base_exceptions_crash_the_runtime(make: Make) -> None:
    runner = make("app.base_exception")
    inv = runner.invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.ExitError"
    assert "GeneratorExit: odd" in inv.logs
    assert runner.invoke({}).cold_start


def test_keyboard_interrupt_reaches_pytest(make: Make) -> None:
    runner = make("app.interrupted")
    with pytest.raises(KeyboardInterrupt):
        runner.invoke({})
    assert runner._environment_state() is None  # that environment is gone


def test_an_environment_dropped_after_its_job_ended_leaves_no_thread(make: Make) -> None:
    """The environment dropped for a KeyboardInterrupt from the handler had its idle thread
    sent an exception it never ran to: the thread stayed blocked for the rest of the run and,
    under pytest-cov on CPython 3.11, the test's thread spun forever (issue 15)."""
    import threading

    before = set(threading.enumerate())
    runner = make("app.interrupted")
    with pytest.raises(KeyboardInterrupt):
        runner.invoke({})
    started = [t for t in threading.enumerate() if t not in before and t.name.startswith("lambda-")]
    for thread in started:
        thread.join(5)
    assert [t.name for t in started if t.is_alive()] == []


@pytest.mark.parametrize(
    ("event", "match"),
    [
        ({"tags": {"a"}}, r"not JSON-serializable \(at \$\.tags: a set is not JSON\)"),
        ({"when": __import__("datetime").date(2026, 1, 1)}, r"at \$\.when: a date is not JSON"),
        ({"price": decimal.Decimal("1.5")}, r"at \$\.price: a Decimal is not JSON"),
        ({"list": [1, math.nan]}, r"at \$\.list\[1\]: NaN is not a JSON number"),
        ({(1, 2): "tuple key"}, r"at \$: key \(1, 2\) \(tuple\) is not a JSON object key"),
        (b"{not json", r"the event bytes are not a JSON document"),
    ],
)
def test_an_event_that_is_not_json_is_rejected_before_invoking(
    make: Make, event: Any, match: str
) -> None:
    runner = make("app.count")
    with pytest.raises(InvalidEventSpec, match=match):
        runner.invoke(event)
    assert runner._environment_state() is None  # nothing ran, not even init


def test_json_bytes_are_a_payload(make: Make) -> None:
    runner = make("app.count")
    assert runner.invoke(b'{"a": 1}').ok
    assert runner.invoke("a plain string event").response == 2


def test_an_oversized_event_is_rejected(make: Make) -> None:
    with pytest.raises(
        InvalidEventSpec,
        match=r"is 6,291,560 bytes; a synchronous invoke accepts at most 6,291,556",
    ):
        make("app.count").invoke("x" * 6_291_558)


def test_one_event_at_a_time(tmp_path: Path) -> None:
    (tmp_path / "nested.py").write_text(
        "RUNNER = None\ndef handler(event, context):\n    return RUNNER.invoke({}).error.type\n"
    )
    with LambdaRunner("nested.handler", root=tmp_path) as runner:
        module = runner.module
        assert module is not None
        module.RUNNER = runner
        inv = runner.invoke({})
    assert inv.error is not None
    assert inv.error.type == "LambdaStateError"  # a RuntimeError of ours
    assert "one event at a time" in inv.error.message


def test_invocation_repr_is_short_and_says_the_outcome(tmp_path) -> None:
    from pytest_lambda import LambdaRunner

    (tmp_path / "repr_app.py").write_text(
        "def ok(event, context):\n    return {'n': 1, 'logs': 'x' * 500}\n\n"
        "def bad(event, context):\n    raise KeyError('body')\n"
    )
    with LambdaRunner("repr_app.ok", root=str(tmp_path)) as runner:
        good = runner.invoke({})
    with LambdaRunner("repr_app.bad", root=str(tmp_path)) as runner:
        runner.invoke({})
        failed = runner.invoke({})
    assert repr(good).startswith("Invocation(response={'logs': 'xxxxxx")
    assert ", cold start, " in repr(good)
    assert len(repr(good)) < 200
    assert repr(failed).startswith("Invocation(error=KeyError: 'body', warm, ")
    assert repr(failed).endswith(f"{failed.request_id})")
