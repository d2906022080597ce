"""Public names: the deprecated ``InvocationError`` alias, and public tracebacks."""

from __future__ import annotations

from typing import Any

import pytest

import pytest_lambda


def test_invocation_error_is_a_deprecated_alias_of_invocation_failure() -> None:
    with pytest.warns(DeprecationWarning, match="InvocationError is deprecated") as record:
        old = pytest_lambda.InvocationError
    assert old is pytest_lambda.InvocationFailure
    assert [str(w.message) for w in record] == [
        "pytest_lambda.InvocationError is deprecated, use pytest_lambda.InvocationFailure "
        "(the old name goes away in 0.2)"
    ]
    assert record[0].filename == __file__  # blamed on the caller, not on pytest_lambda


def test_importing_the_old_name_warns_every_time() -> None:
    for _ in range(2):
        with pytest.warns(DeprecationWarning, match="use pytest_lambda.InvocationFailure"):
            from pytest_lambda import InvocationError  # noqa: F401
    assert "InvocationError" not in pytest_lambda.__all__
    assert "InvocationError" not in dir(pytest_lambda)


def test_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'pytest_lambda' has no attribute 'Nope'"):
        pytest_lambda.Nope  # noqa: B018


def _handler(event: object, context: object) -> object:
    return {"ok": True}


def _runner(**kw: Any) -> object:
    return pytest_lambda.LambdaRunner(_handler, **kw)


# Wrong-type arguments of the public entry points: a TypeError that is also a LambdaTestError
# (pytest_lambda.ArgumentTypeError), with one line naming the argument.
WRONG_TYPES: list[Any] = [
    (
        "LambdaRunner(timeout='3')",
        lambda: _runner(timeout="3"),
        "LambdaRunner: timeout='3' must be a number of seconds",
    ),
    (
        "LambdaRunner(memory_mb='128')",
        lambda: _runner(memory_mb="128"),
        "LambdaRunner: memory_mb='128' must be an int (MB)",
    ),
    (
        "LambdaRunner(handler=5)",
        lambda: pytest_lambda.LambdaRunner(5),
        "LambdaRunner: handler must be a handler string like 'app.handler' or a callable, not 5",
    ),
    (
        "LambdaRunner(env=[1])",
        lambda: _runner(env=[1]),
        "LambdaRunner: env must be a mapping of str to str, not [1]",
    ),
    (
        "LambdaRunner(env={'A': 1})",
        lambda: _runner(env={"A": 1}),
        "LambdaRunner: env['A'] = 1: Lambda environment variables are strings (write str(value))",
    ),
    (
        "LambdaRunner(clock=5)",
        lambda: _runner(clock=5),
        "LambdaRunner: clock must be a LambdaClock, not 5",
    ),
    (
        "LambdaClock(tick='yes')",
        lambda: pytest_lambda.LambdaClock(tick="yes"),
        "LambdaClock: tick='yes' must be True or False",
    ),
    (
        "LambdaClock(patch_sleep=1)",
        lambda: pytest_lambda.LambdaClock(patch_sleep=1),
        "LambdaClock: patch_sleep=1 must be True or False",
    ),
    (
        "LambdaClock().shift('1')",
        lambda: pytest_lambda.LambdaClock().shift("1"),
        "LambdaClock.shift(): expected seconds (int, float or timedelta), got '1'",
    ),
]

# Still a plain TypeError, a ValueError of ours or no error at all: the runner's and the
# context's limits are being moved into the facts validators (issue 16, item 3, another
# branch), the events' and the checks' parameters are not converted yet. Strict: each flips
# when fixed.
NOT_YET: list[Any] = [
    ("LambdaRunner(function_name=5)", lambda: _runner(function_name=5)),
    ("LambdaRunner(region=5)", lambda: _runner(region=5)),
    ("LambdaRunner(isolation=5)", lambda: _runner(isolation=5)),
    ("LambdaRunner(root=5)", lambda: _runner(root=5)),
    ("LambdaContext(timeout='3')", lambda: pytest_lambda.LambdaContext(timeout="3")),
    (
        "LambdaContext(memory_limit_in_mb='128')",
        lambda: pytest_lambda.LambdaContext(memory_limit_in_mb="128"),
    ),
    ("LambdaContext(region=5)", lambda: pytest_lambda.LambdaContext(region=5)),
    ("LambdaContext(deadline_ms='5')", lambda: pytest_lambda.LambdaContext(deadline_ms="5")),
    ("events.sqs(records='x')", lambda: pytest_lambda.events.sqs(records="x")),
    ("events.sqs(seed='x')", lambda: pytest_lambda.events.sqs(seed="x")),
    ("events.s3(key=5)", lambda: pytest_lambda.events.s3(key=5)),
    ("events.detect(5)", lambda: pytest_lambda.events.detect(5)),
    ("check_warm_reuse(h, 5)", lambda: pytest_lambda.check_warm_reuse(_handler, 5)),
    (
        "check_idempotency(h, e, retries='2')",
        lambda: pytest_lambda.check_idempotency(
            _handler, pytest_lambda.events.sqs(seed=1), retries="2"
        ),
    ),
    ("LambdaRunner(h).invoke({}, context=5)", lambda: _runner().invoke({}, context=5)),
]


@pytest.mark.parametrize(
    ("call", "message"), [(c, m) for _, c, m in WRONG_TYPES], ids=[i for i, _, _ in WRONG_TYPES]
)
def test_a_wrong_type_is_a_type_error_of_ours(call: Any, message: str) -> None:
    with pytest.raises(pytest_lambda.ArgumentTypeError) as info:
        call()
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, pytest_lambda.LambdaTestError)
    assert str(info.value) == message


@pytest.mark.xfail(strict=True, reason="wrong type not yet an ArgumentTypeError")
@pytest.mark.parametrize("call", [c for _, c in NOT_YET], ids=[i for i, _ in NOT_YET])
def test_a_wrong_type_is_a_type_error_of_ours_not_yet(call: Any) -> None:
    with pytest.raises(pytest_lambda.ArgumentTypeError):
        call()
