"""LambdaContext: the real runtime's attributes and types, remaining time on the clock."""

from __future__ import annotations

import logging
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import freezegun.api as freezegun_api
import pytest

import pytest_lambda
import pytest_lambda._clock.clock as clock_module
from pytest_lambda import InvalidOption, LambdaClock, LambdaContext
from pytest_lambda._runtime.context import Client, ClientContext, CognitoIdentity

NOV22 = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
NOV22_MS = 1795341600_000
STREAM = re.compile(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}")

CLIENT_CONTEXT = {
    "client": {
        "installation_id": "inst-1",
        "app_title": "Shop",
        "app_version_name": "1.2.3",
        "app_version_code": "123",
        "app_package_name": "com.example.shop",
    },
    "custom": {"cart": "42"},
    "env": {"platform": "Android", "locale": "en_US"},
}
IDENTITY = {"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "us-east-1:pool"}


@pytest.fixture
def frozen():
    clock = LambdaClock()
    clock.move_to(NOV22)
    yield clock
    clock.stop()


def test_defaults_have_the_real_types():
    ctx = LambdaContext()
    assert ctx.function_name == "test-function"
    assert ctx.function_version == "$LATEST"
    assert ctx.memory_limit_in_mb == "128"
    assert isinstance(ctx.memory_limit_in_mb, str)
    assert (
        ctx.invoked_function_arn == "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    )
    assert ctx.log_group_name == "/aws/lambda/test-function"
    assert STREAM.fullmatch(ctx.log_stream_name), ctx.log_stream_name
    assert uuid.UUID(ctx.aws_request_id).version == 4
    assert type(ctx.identity) is CognitoIdentity
    assert ctx.identity.cognito_identity_id is None
    assert ctx.identity.cognito_identity_pool_id is None
    assert ctx.client_context is None
    assert ctx.tenant_id is None
    assert ctx.w3c() == {}
    assert ctx.timeout == 3.0


def test_every_context_gets_a_fresh_request_id():
    ids = {LambdaContext().aws_request_id for _ in range(20)}
    assert len(ids) == 20
    assert LambdaContext(aws_request_id="fixed-id").aws_request_id == "fixed-id"


@pytest.mark.parametrize(
    ("kwargs", "arn", "version"),
    [
        (
            {"qualifier": "live"},
            "arn:aws:lambda:us-east-1:123456789012:function:test-function:live",
            "$LATEST",
        ),
        ({"qualifier": "7"}, "arn:aws:lambda:us-east-1:123456789012:function:test-function:7", "7"),
        (
            {"qualifier": "$LATEST"},
            "arn:aws:lambda:us-east-1:123456789012:function:test-function:$LATEST",
            "$LATEST",
        ),
        (
            {"qualifier": "live", "function_version": "3"},
            "arn:aws:lambda:us-east-1:123456789012:function:test-function:live",
            "3",
        ),
        (
            {"region": "eu-west-1", "account_id": "210987654321", "function_name": "orders"},
            "arn:aws:lambda:eu-west-1:210987654321:function:orders",
            "$LATEST",
        ),
        (
            {"region": "cn-north-1"},
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:test-function",
            "$LATEST",
        ),
        (
            {"region": "us-gov-west-1"},
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:test-function",
            "$LATEST",
        ),
        (
            {"invoked_function_arn": "arn:aws:lambda:us-east-1:1:function:x:y"},
            "arn:aws:lambda:us-east-1:1:function:x:y",
            "$LATEST",
        ),
    ],
)
def test_invoked_function_arn(kwargs, arn, version):
    ctx = LambdaContext(**kwargs)
    assert ctx.invoked_function_arn == arn
    assert ctx.function_version == version


def test_log_names_follow_function_and_clock(frozen):
    ctx = LambdaContext(function_name="orders", function_version="7", clock=frozen)
    assert ctx.log_group_name == "/aws/lambda/orders"
    assert re.fullmatch(r"2026/11/22/\[7\][0-9a-f]{32}", ctx.log_stream_name), ctx.log_stream_name
    assert LambdaContext(log_group_name="g", log_stream_name="s").log_stream_name == "s"


@pytest.mark.parametrize(("given", "expected"), [(128, "128"), ("1024", "1024"), (10240, "10240")])
def test_memory_is_a_string(given, expected):
    assert LambdaContext(memory_limit_in_mb=given).memory_limit_in_mb == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"memory_limit_in_mb": 64},
            "memory_limit_in_mb=64: Lambda memory is 128 to 10240 MB",
        ),
        ({"memory_limit_in_mb": "lots"}, "memory_limit_in_mb='lots'"),
        ({"memory_limit_in_mb": True}, "memory_limit_in_mb=True"),
        (
            {"function_name": "my.fn"},
            "function_name='my.fn' is not a Lambda function name (1-64 letters, digits, '-' or '_')",
        ),
        ({"region": "Europe"}, "region='Europe' is not an AWS region name like 'us-east-1'"),
        ({"account_id": "123"}, "account_id='123' is not a 12-digit AWS account id"),
        ({"qualifier": "a:b"}, "qualifier='a:b' is not '$LATEST', a version number or an alias"),
        ({"timeout": 0}, "timeout=0 must be a number of seconds greater than 0"),
        ({"timeout": float("inf")}, "timeout=inf must be"),
        (
            {"identity": {"cognito_identity_id": "x"}},
            "identity has unknown key(s) 'cognito_identity_id'; valid keys are cognitoIdentityId, cognitoIdentityPoolId",
        ),
        ({"client_context": {"clients": {}}}, "client_context has unknown key(s) 'clients'"),
        (
            {"client_context": {"client": {"app": "x"}}},
            "client_context['client'] has unknown key(s) 'app'",
        ),
        ({"client_context": {"client": "x"}}, "client_context['client'] must be a mapping"),
        ({"identity": "abc"}, "identity must be a mapping"),
    ],
)
def test_bad_arguments_are_invalid_options(kwargs, message):
    with pytest.raises(InvalidOption) as excinfo:
        LambdaContext(**kwargs)
    assert str(excinfo.value).startswith("LambdaContext: " + message)
    assert isinstance(excinfo.value, ValueError)


def test_identity_from_the_cognito_header():
    ctx = LambdaContext(identity=IDENTITY)
    assert ctx.identity.cognito_identity_id == "us-east-1:abc"
    assert ctx.identity.cognito_identity_pool_id == "us-east-1:pool"
    partial = LambdaContext(identity={"cognitoIdentityId": "only"})
    assert partial.identity.cognito_identity_pool_id is None


def test_client_context_objects():
    ctx = LambdaContext(client_context=CLIENT_CONTEXT)
    assert type(ctx.client_context) is ClientContext
    assert type(ctx.client_context.client) is Client
    assert ctx.client_context.client.app_title == "Shop"
    assert ctx.client_context.client.installation_id == "inst-1"
    assert ctx.client_context.custom == {"cart": "42"}
    assert ctx.client_context.env == {"platform": "Android", "locale": "en_US"}
    no_client = LambdaContext(client_context={"custom": {"a": 1}})
    assert no_client.client_context.client is None
    assert no_client.client_context.env is None
    partial = LambdaContext(client_context={"client": {"app_title": "T"}})
    assert partial.client_context.client.app_package_name is None


def test_w3c_fields_come_out_of_client_context():
    given = {
        "custom": {},
        "w3c": {"traceparent": "00-abc-def-01", "tracestate": "k=v", "baggage": 5, "other": "x"},
    }
    ctx = LambdaContext(client_context=given)
    assert ctx.w3c() == {"traceparent": "00-abc-def-01", "tracestate": "k=v"}
    assert not hasattr(ctx.client_context, "w3c")
    assert "w3c" in given  # the caller's mapping is not mutated
    ctx.w3c()["traceparent"] = "changed"
    assert ctx.w3c()["traceparent"] == "00-abc-def-01"


def test_repr_matches_the_runtime_format():
    ctx = LambdaContext(
        aws_request_id="rid",
        log_stream_name="stream",
        identity=IDENTITY,
        client_context={"client": {"app_title": "T"}, "custom": {"k": 1}},
        tenant_id="t1",
    )
    assert repr(ctx) == (
        "LambdaContext([aws_request_id=rid,log_group_name=/aws/lambda/test-function,"
        "log_stream_name=stream,function_name=test-function,memory_limit_in_mb=128,"
        "function_version=$LATEST,"
        "invoked_function_arn=arn:aws:lambda:us-east-1:123456789012:function:test-function,"
        "client_context=ClientContext([custom={'k': 1},env=None,client=Client([installation_id=None,"
        "app_title=T,app_version_name=None,app_version_code=None,app_package_name=None])]),"
        "identity=CognitoIdentity([cognito_identity_id=us-east-1:abc,"
        "cognito_identity_pool_id=us-east-1:pool]),tenant_id=t1])"
    )


def test_remaining_time_counts_down_on_the_real_clock():
    ctx = LambdaContext(timeout=2)
    first = ctx.get_remaining_time_in_millis()
    assert 1900 <= first <= 2000
    time.sleep(0.02)
    assert ctx.get_remaining_time_in_millis() <= first - 20
    assert ctx.deadline_ms == ctx._epoch_deadline_time_in_ms


def test_remaining_time_clamps_at_zero():
    ctx = LambdaContext(deadline_ms=int(time.time() * 1000) - 5000)
    assert ctx.get_remaining_time_in_millis() == 0


def test_handler_sleep_takes_exactly_its_time_off_instantly(frozen):
    real_perf_counter = freezegun_api.real_perf_counter  # the frozen clock freezes perf_counter

    def handler(event, context):
        before = context.get_remaining_time_in_millis()
        time.sleep(1)
        return before, context.get_remaining_time_in_millis()

    ctx = LambdaContext(timeout=3, clock=frozen)
    started = real_perf_counter()
    assert handler({}, ctx) == (3000, 2000)
    assert real_perf_counter() - started < 0.5
    frozen.shift(5)
    assert ctx.get_remaining_time_in_millis() == 0


def test_deadline_from_a_frozen_clock_is_exact(frozen):
    ctx = LambdaContext(timeout=0.9, clock=frozen)
    assert ctx.deadline_ms == NOV22_MS + 900
    frozen.shift(0.0005)
    assert ctx.get_remaining_time_in_millis() == 900  # like int(time.time()*1000): truncated
    explicit = LambdaContext(deadline_ms=NOV22_MS + 10_000, clock=frozen)
    assert explicit.get_remaining_time_in_millis() == 10_000
    frozen.shift(0.0005)
    assert explicit.get_remaining_time_in_millis() == 9_999


def test_move_to_keeps_remaining_time_shift_spends_it():
    with LambdaClock() as clock:
        ctx = LambdaContext(timeout=3, clock=clock)
        clock.move_to(NOV22)  # the context was built on real time a moment ago
        remaining = ctx.get_remaining_time_in_millis()
        assert 2900 <= remaining <= 3000
        clock.move_to(NOV22 + timedelta(days=30))
        assert ctx.get_remaining_time_in_millis() == remaining
        clock.shift(1)
        assert ctx.get_remaining_time_in_millis() == remaining - 1000
        pinned = LambdaContext(deadline_ms=NOV22_MS, clock=clock)
        clock.move_to(NOV22 - timedelta(seconds=2))
        assert pinned.get_remaining_time_in_millis() == 2000  # an explicit deadline stays put


def test_restart_is_a_new_invocation_of_the_same_function(frozen):
    ctx = LambdaContext(timeout=3, clock=frozen, identity=IDENTITY, client_context=CLIENT_CONTEXT)
    frozen.shift(2)
    nxt = ctx._restart()
    assert nxt is not ctx
    assert nxt.aws_request_id != ctx.aws_request_id
    assert nxt.get_remaining_time_in_millis() == 3000
    assert ctx.get_remaining_time_in_millis() == 1000
    assert nxt.log_stream_name == ctx.log_stream_name  # fixed for the environment
    assert repr(nxt.identity) == repr(ctx.identity)
    assert nxt.identity is not ctx.identity
    assert nxt.client_context is not ctx.client_context
    assert nxt.client_context.client is not ctx.client_context.client
    nxt.client_context.custom["cart"] = "changed"
    assert ctx.client_context.custom == {"cart": "42"}
    pinned = ctx._restart(aws_request_id="r2", deadline_ms=NOV22_MS + 2500)
    assert pinned.aws_request_id == "r2"
    assert pinned.get_remaining_time_in_millis() == 500
    with pytest.raises(pytest_lambda.ArgumentTypeError, match="deadline_ms"):
        ctx._restart(deadline_ms="soon")


def test_log_writes_to_stdout_without_newline(capsys):
    LambdaContext().log("hello")
    LambdaContext().log(42)
    assert capsys.readouterr().out == "hello42"


def test_log_prefers_a_runtime_log_sink():
    class Sink:
        def __init__(self):
            self.lines = []

        def log(self, msg):
            self.lines.append(msg)

    handler = logging.NullHandler()
    handler.log_sink = Sink()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        LambdaContext().log({"a": 1})
    finally:
        root.removeHandler(handler)
    assert handler.log_sink.lines == ["{'a': 1}"]


# -- parity with the real runtime's class ------------------------------------------------
def _public(obj):
    return {name for name in dir(obj) if not name.startswith("_")}


def test_matches_awslambdaric_lambda_context(monkeypatch, frozen):
    ric = pytest.importorskip("awslambdaric.lambda_context")
    ours = LambdaContext(
        function_name="orders",
        function_version="$LATEST",
        memory_limit_in_mb=512,
        region="eu-west-1",
        qualifier="live",
        aws_request_id="3f1c-req",
        tenant_id="tenant-7",
        identity=IDENTITY,
        client_context={**CLIENT_CONTEXT, "w3c": {"traceparent": "00-1-2-01", "x": "y"}},
        deadline_ms=NOV22_MS + 3000,
        clock=frozen,
    )
    for var, value in {
        "AWS_LAMBDA_FUNCTION_NAME": ours.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": ours.function_version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": ours.log_group_name,
        "AWS_LAMBDA_LOG_STREAM_NAME": ours.log_stream_name,
    }.items():
        monkeypatch.setenv(var, value)
    real = ric.LambdaContext(
        "3f1c-req",
        {**CLIENT_CONTEXT, "w3c": {"traceparent": "00-1-2-01", "x": "y"}},
        IDENTITY,
        NOV22_MS + 3000,
        ours.invoked_function_arn,
        "tenant-7",
    )
    assert ours.invoked_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:orders:live"
    # Same public surface, plus our two documented conveniences.
    assert _public(ours) - _public(real) == {"deadline_ms", "timeout"}
    assert _public(real) <= _public(ours)
    for name in sorted(_public(real) - {"get_remaining_time_in_millis", "log", "w3c"}):
        mine, theirs = getattr(ours, name), getattr(real, name)
        assert type(mine).__name__ == type(theirs).__name__, name
        assert repr(mine) == repr(theirs), name
    for nested in ("identity", "client_context"):
        assert set(type(getattr(ours, nested)).__slots__) == set(
            type(getattr(real, nested)).__slots__
        )
    assert set(Client.__slots__) == set(ric.Client.__slots__)
    assert ours._epoch_deadline_time_in_ms == real._epoch_deadline_time_in_ms
    assert ours.w3c() == real.w3c() == {"traceparent": "00-1-2-01"}
    assert repr(ours) == repr(real)
    # Both read the frozen clock: the real one through time.time().
    assert ours.get_remaining_time_in_millis() == real.get_remaining_time_in_millis() == 3000
    time.sleep(1.25)
    assert ours.get_remaining_time_in_millis() == real.get_remaining_time_in_millis() == 1750
    assert clock_module._active is frozen


def test_matches_awslambdaric_without_optional_headers(monkeypatch):
    ric = pytest.importorskip("awslambdaric.lambda_context")
    ours = LambdaContext(aws_request_id="r", log_stream_name="s", deadline_ms=1)
    for var, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "test-function",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/test-function",
        "AWS_LAMBDA_LOG_STREAM_NAME": "s",
    }.items():
        monkeypatch.setenv(var, value)
    real = ric.LambdaContext("r", None, None, 1, ours.invoked_function_arn)
    assert repr(ours) == repr(real)
    assert ours.client_context is real.client_context is None
    assert type(ours.identity).__name__ == type(real.identity).__name__ == "CognitoIdentity"
    assert ours.get_remaining_time_in_millis() == real.get_remaining_time_in_millis() == 0
