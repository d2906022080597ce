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
        "LambdaRunner(function_name=5)",
        lambda: _runner(function_name=5),
        "LambdaRunner: function_name=5 must be a str",
    ),
    ("LambdaRunner(region=5)", lambda: _runner(region=5), "LambdaRunner: region=5 must be a str"),
    (
        "LambdaRunner(isolation=5)",
        lambda: _runner(isolation=5),
        "LambdaRunner: isolation=5 must be a str ('module' or 'runtime')",
    ),
    (
        "LambdaRunner(root=5)",
        lambda: _runner(root=5),
        "LambdaRunner: root=5 must be a path (str or os.PathLike)",
    ),
    (
        "LambdaContext(timeout='3')",
        lambda: pytest_lambda.LambdaContext(timeout="3"),
        "LambdaContext: timeout='3' must be a number of seconds",
    ),
    (
        "LambdaContext(region=5)",
        lambda: pytest_lambda.LambdaContext(region=5),
        "LambdaContext: region=5 must be a str",
    ),
    (
        "LambdaContext(deadline_ms='5')",
        lambda: pytest_lambda.LambdaContext(deadline_ms="5"),
        "LambdaContext: deadline_ms='5' must be epoch milliseconds (an int)",
    ),
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
    (
        "events.sqs(records='x')",
        lambda: pytest_lambda.events.sqs(records="x"),
        "records='x': expected an int; an SQS event has at least 1 record",
    ),
    (
        "events.sqs(fifo='yes')",
        lambda: pytest_lambda.events.sqs(fifo="yes"),
        "fifo='yes': expected True or False",
    ),
    (
        "events.sqs(seed='x')",
        lambda: pytest_lambda.events.sqs(seed="x"),
        "seed='x': expected an int",
    ),
    (
        "events.s3(key=5)",
        lambda: pytest_lambda.events.s3(key=5),
        "key=5: expected the decoded object key as a string, e.g. 'photos/red flower.jpg'",
    ),
    (
        "check_warm_reuse(h, 5)",
        lambda: pytest_lambda.check_warm_reuse(_handler, 5),
        "events=5: pass a list of events, or (kind, count) such as ('sqs', 5)",
    ),
    (
        "check_warm_reuse(h, [{}], allow='app.cache')",
        lambda: pytest_lambda.check_warm_reuse(_handler, [{}], allow="app.cache"),
        "allow='app.cache': expected a list of names like ['app.cache']",
    ),
    (
        "check_warm_reuse(h, [{}], reset=5)",
        lambda: pytest_lambda.check_warm_reuse(_handler, [{}], reset=5),
        "reset=5: expected a callable taking no arguments",
    ),
    (
        "check_idempotency(h, e, retries='2')",
        lambda: pytest_lambda.check_idempotency(
            _handler, pytest_lambda.events.sqs(seed=1), retries="2"
        ),
        "retries='2': expected an int >= 0 (the source's retries)",
    ),
    (
        "check_idempotency(h, 5)",
        lambda: pytest_lambda.check_idempotency(_handler, 5),
        "event must be an event object (a dict), not int",
    ),
    (
        "check_idempotency(h, e, observe=5)",
        lambda: pytest_lambda.check_idempotency(
            _handler, pytest_lambda.events.sqs(seed=1), observe=5
        ),
        "observe=5: expected a callable taking no arguments",
    ),
    (
        "events.sqs(overrides=5)",
        lambda: pytest_lambda.events.sqs(overrides=5),
        "overrides must be a dict, e.g. {'Records.0.body': 'x'}; got int",
    ),
    (
        "events.s3(size='x')",
        lambda: pytest_lambda.events.s3(size="x"),
        "size='x': expected an int from 0 to 5497558138880 (5 TiB)",
    ),
    (
        "events.s3(event_name=5)",
        lambda: pytest_lambda.events.s3(event_name=5),
        "event_name=5: expected a string such as 'ObjectCreated:Put'",
    ),
    (
        "events.sns(subject=5)",
        lambda: pytest_lambda.events.sns(subject=5),
        "subject=5: a subject is a str (or None for no subject)",
    ),
    (
        "events.kinesis(records='x')",
        lambda: pytest_lambda.events.kinesis(records="x"),
        "records='x': a Kinesis batch holds 1 to 10000 records (an int)",
    ),
    (
        "events.generate(5)",
        lambda: pytest_lambda.events.generate(5),
        "unknown event kind 5; valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka",
    ),
    (
        "events.validate(e, kind=5)",
        lambda: pytest_lambda.events.validate(pytest_lambda.events.sqs(seed=1), kind=5),
        "unknown event kind 5; valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka",
    ),
    (
        "redeliver(5)",
        lambda: pytest_lambda.redeliver(5),
        "redeliver() needs an event object, got int",
    ),
    (
        "redeliver(e, attempt='x')",
        lambda: pytest_lambda.redeliver(pytest_lambda.events.sqs(seed=1), attempt="x"),
        "attempt='x': expected an int >= 1 (1 = first redelivery)",
    ),
    (
        "redeliver(e, kind=5)",
        lambda: pytest_lambda.redeliver(pytest_lambda.events.sqs(seed=1), kind=5),
        "unknown event kind 5; valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka",
    ),
    (
        "check_idempotency(h, e, fault_points=5)",
        lambda: pytest_lambda.check_idempotency(
            _handler, pytest_lambda.events.sqs(seed=1), fault_points=5
        ),
        "fault_points=5: expected a list of dotted names like ['app.db.insert_order']",
    ),
    (
        "check_idempotency(h, e, seed='x')",
        lambda: pytest_lambda.check_idempotency(
            _handler, pytest_lambda.events.sqs(seed=1), seed="x"
        ),
        "seed='x': expected an int or None",
    ),
    (
        "check_idempotency(h, e, faults='no')",
        lambda: pytest_lambda.check_idempotency(
            _handler, pytest_lambda.events.sqs(seed=1), faults="no"
        ),
        "faults='no': expected True or False",
    ),
    (
        "check_warm_reuse(h, ('sqs', 2), seed='x')",
        lambda: pytest_lambda.check_warm_reuse(_handler, ("sqs", 2), seed="x"),
        "seed='x': expected an int or None",
    ),
    (
        "LambdaRunner(h).invoke({}, cold='yes')",
        lambda: _runner().invoke({}, cold="yes"),
        "LambdaRunner.invoke(): cold='yes' must be True or False",
    ),
    (
        "LambdaRunner(h).invoke({}, context=5)",
        lambda: _runner().invoke({}, context=5),
        "LambdaRunner.invoke(): context must be a LambdaContext or None, not 5",
    ),
]

# A wrong value (right type) stays the ValueError it was, its message unchanged.
WRONG_VALUES: list[Any] = [
    (
        "events.kinesis(records=0)",
        lambda: pytest_lambda.events.kinesis(records=0),
        pytest_lambda.InvalidEventSpec,
        "records=0: a Kinesis batch holds 1 to 10000 records (an int)",
    ),
    (
        "events.s3(size=-1)",
        lambda: pytest_lambda.events.s3(size=-1),
        pytest_lambda.InvalidEventSpec,
        "size=-1: expected an int from 0 to 5497558138880 (5 TiB)",
    ),
    (
        "events.generate('nope')",
        lambda: pytest_lambda.events.generate("nope"),
        pytest_lambda.InvalidEventSpec,
        "unknown event kind 'nope'; valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka",
    ),
    (
        "redeliver(e, attempt=0)",
        lambda: pytest_lambda.redeliver(pytest_lambda.events.sqs(seed=1), attempt=0),
        pytest_lambda.InvalidEventSpec,
        "attempt=0: expected an int >= 1 (1 = first redelivery)",
    ),
    (
        "events.sqs(records=0)",
        lambda: pytest_lambda.events.sqs(records=0),
        pytest_lambda.InvalidEventSpec,
        "records=0: an SQS event has at least 1 record",
    ),
    (
        "events.sqs(seed=-1)",
        lambda: pytest_lambda.events.sqs(seed=-1),
        pytest_lambda.InvalidEventSpec,
        "seed=-1: expected an int >= 0 (random.Random(-n) draws the same numbers as "
        "random.Random(n), so a negative seed would repeat another seed's event)",
    ),
    (
        "check_idempotency(h, e, retries=-1)",
        lambda: pytest_lambda.check_idempotency(
            _handler, pytest_lambda.events.sqs(seed=1), retries=-1
        ),
        pytest_lambda.InvalidOption,
        "retries=-1: expected an int >= 0 (the source's retries)",
    ),
    (
        "check_warm_reuse(h, ('sqs', 0))",
        lambda: pytest_lambda.check_warm_reuse(_handler, ("sqs", 0)),
        pytest_lambda.InvalidOption,
        "events=('sqs', 0): the count must be an int >= 1",
    ),
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


def test_context_memory_may_be_the_runtimes_string() -> None:
    """Not a wrong type: the runtime's ``memory_limit_in_mb`` is a str, so "128" is accepted."""
    assert pytest_lambda.LambdaContext(memory_limit_in_mb="128").memory_limit_in_mb == "128"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [(c, e, m) for _, c, e, m in WRONG_VALUES],
    ids=[i for i, _, _, _ in WRONG_VALUES],
)
def test_a_wrong_value_stays_a_value_error(call: Any, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, TypeError)
    assert str(info.value) == message


def test_detect_takes_any_json_value() -> None:
    # A direct invocation's payload may be any JSON value (5, "x", [1]): detect() tells it is
    # none of the event kinds it knows, it is not a wrong type.
    assert pytest_lambda.events.detect(5) is None
    assert pytest_lambda.events.detect([1]) is None


def test_state_error_is_public_and_a_runtime_error() -> None:
    error = pytest_lambda.LambdaStateError
    assert error.__module__ == "pytest_lambda"
    assert issubclass(error, pytest_lambda.LambdaTestError)
    assert issubclass(error, RuntimeError)
    assert "LambdaStateError" in pytest_lambda.__all__


def test_a_closed_runner_raises_a_state_error() -> None:
    runner = pytest_lambda.LambdaRunner(_handler)
    runner.close()
    with pytest.raises(pytest_lambda.LambdaStateError) as info:
        runner.invoke({})
    assert str(info.value) == "LambdaRunner is closed; create a new one (or use the fixture)"


def test_shifting_a_real_clock_raises_a_state_error() -> None:
    with pytest.raises(pytest_lambda.LambdaStateError) as info:
        pytest_lambda.LambdaClock().shift(1)
    assert str(info.value).startswith(
        "LambdaClock.shift(): the clock is not frozen, so there is no instant to advance; "
    )
