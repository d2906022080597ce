"""Execution environments: cold and warm, Lambda's variables, and nothing leaking into the test."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import InvalidOption, LambdaContext, LambdaRunner

Make = Callable[..., LambdaRunner]

APP = """
import json, logging, os, sys, tempfile, time
CALLS = 0
IMPORTED_AT_CWD = os.getcwd()

def handler(event, context):
    global CALLS
    CALLS += 1
    return {"calls": CALLS, "event": event}

def env(event, context):
    return {k: os.environ.get(k) for k in event["keys"]}

def ctx(event, context):
    return {
        "request_id": context.aws_request_id,
        "memory": context.memory_limit_in_mb,
        "function_name": context.function_name,
        "arn": context.invoked_function_arn,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": context.identity.cognito_identity_id,
        "client_context": context.client_context,
    }

def pollute(event, context):
    os.environ["POLLUTED"] = "yes"
    os.environ["TZ"] = "America/New_York"
    os.chdir(tempfile.gettempdir())
    sys.path.append("/polluted")
    logging.getLogger().addHandler(logging.NullHandler())
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("app.sub").setLevel(logging.DEBUG)
    with open(os.path.join(tempfile.gettempdir(), "state.txt"), "a") as f:
        f.write("x")
    return {"tmp": tempfile.gettempdir(), "cwd": os.getcwd()}

def read_state(event, context):
    path = os.path.join(tempfile.gettempdir(), "state.txt")
    content = None
    if os.path.exists(path):
        with open(path) as f:
            content = f.read()
    return {
        "env": os.environ.get("POLLUTED"),
        "tmp_file": content,
        "cwd": os.getcwd(),
        "polluted_path": "/polluted" in sys.path,
        "root_level": logging.getLogger().level,
        "local_tz": time.strftime("%Z", time.localtime(0)),
    }

def mutate(event, context):
    event["items"].append("added")
    return event
"""


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    made: list[LambdaRunner] = []

    def make(handler: Any = "app.handler", **kwargs: Any) -> LambdaRunner:
        kwargs.setdefault("root", tmp_path)
        runner = LambdaRunner(handler, **kwargs)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()


def test_first_invoke_is_cold_then_warm_and_globals_persist(make: Make) -> None:
    runner = make()
    first, second = runner.invoke({"n": 1}), runner.invoke({"n": 2})
    assert (first.cold_start, second.cold_start) == (True, False)
    assert (first.response["calls"], second.response["calls"]) == (1, 2)
    assert first.init_duration_ms is not None
    assert second.init_duration_ms is None
    assert first.request_id != second.request_id


def test_new_environment_and_cold_flag_force_a_fresh_import(make: Make) -> None:
    runner = make()
    runner.invoke({})
    runner.new_environment()
    inv = runner.invoke({})
    assert inv.cold_start
    assert inv.response["calls"] == 1
    assert runner.invoke({}, cold=True).response["calls"] == 1


def test_the_module_is_a_new_object_not_the_tests_cached_one(make: Make, tmp_path: Path) -> None:
    sys.path.insert(0, str(tmp_path))
    try:
        import app  # type: ignore[import-not-found]

        app.CALLS = 100
        runner = make()
        assert runner.invoke({}).response["calls"] == 1
        assert runner.module is not app
        assert sys.modules["app"] is app
        assert app.CALLS == 100
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("app", None)


def test_handler_modules_are_not_left_in_sys_modules(make: Make) -> None:
    runner = make()
    runner.invoke({})
    assert "app" not in sys.modules
    assert runner._environment_state() is not None
    state = runner._environment_state()
    assert state is not None
    assert "app" in state.modules
    assert state.handler_module is not None
    assert state.handler_module.CALLS == 1


def test_lambda_environment_variables(make: Make, tmp_path: Path) -> None:
    keys = [
        "_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "LAMBDA_TASK_ROOT", "TZ",
    ]  # fmt: skip
    runner = make("app.env", function_name="orders", memory_mb=512, region="eu-west-1")
    values = runner.invoke({"keys": keys}).response
    assert values == {
        "_HANDLER": "app.env",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info[0]}.{sys.version_info[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "orders",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/orders",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "LAMBDA_TASK_ROOT": str(tmp_path),
        "TZ": ":UTC",
    }
    more = runner.invoke(
        {"keys": ["AWS_LAMBDA_LOG_STREAM_NAME", "_X_AMZN_TRACE_ID", "TMPDIR"]}
    ).response
    assert more["AWS_LAMBDA_LOG_STREAM_NAME"].split("/")[-1].startswith("[$LATEST]")
    assert more["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert Path(more["TMPDIR"]).is_dir()


def test_fake_credentials_replace_the_developers(
    make: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALREALREAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.path.expanduser("~/.aws/credentials"))
    keys = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
            "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"]  # fmt: skip
    values = make("app.env").invoke({"keys": keys}).response
    assert values["AWS_ACCESS_KEY_ID"] == values["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert values["AWS_SESSION_TOKEN"] == values["AWS_SECURITY_TOKEN"] == "testing"
    assert values["AWS_PROFILE"] is None
    for key in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):  # empty files, not ~/.aws
        assert os.path.getsize(values[key]) == 0
        assert not values[key].startswith(os.path.expanduser("~"))
    explicit = make("app.env", env={"AWS_ACCESS_KEY_ID": "mine", "TABLE": "orders"})
    assert explicit.invoke({"keys": ["AWS_ACCESS_KEY_ID", "TABLE"]}).response == {
        "AWS_ACCESS_KEY_ID": "mine",
        "TABLE": "orders",
    }


def test_reserved_and_bad_env_values_are_rejected(make: Make) -> None:
    with pytest.raises(
        InvalidOption, match=r"env\['AWS_REGION'\]: Lambda reserves .* set it with region="
    ):
        make(env={"AWS_REGION": "eu-west-1"})
    with pytest.raises(
        TypeError, match=r"env\['PORT'\] = 8080: Lambda environment variables are strings"
    ):
        make(env={"PORT": 8080})


def test_context_matches_the_runtime(make: Make) -> None:
    runner = make("app.ctx", function_name="orders", memory_mb=256, region="eu-west-1", timeout=5)
    first, second = runner.invoke({}), runner.invoke({})
    value = first.response
    assert value["request_id"] == first.request_id != second.request_id
    assert value["memory"] == "256"
    assert value["function_name"] == "orders"
    assert value["arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:orders"
    assert value["group"] == "/aws/lambda/orders"
    assert value["stream"] == second.response["stream"]  # fixed for the life of an environment
    assert 4000 < value["remaining"] <= 5000
    assert value["identity"] is None
    assert value["client_context"] is None
    assert isinstance(first.context, LambdaContext)


def test_a_given_context_is_used_as_is(make: Make) -> None:
    context = LambdaContext(aws_request_id="my-request", function_name="fn", timeout=1)
    inv = make("app.ctx").invoke({}, context=context)
    assert inv.request_id == "my-request"
    assert inv.response["request_id"] == "my-request"
    assert inv.context is context


def test_the_test_process_state_is_restored_after_every_invoke(make: Make) -> None:
    environ, cwd, path = dict(os.environ), os.getcwd(), list(sys.path)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    tempdir = tempfile.tempdir
    runner = make("app.pollute")
    polluted = runner.invoke({}).response
    assert dict(os.environ) == environ
    assert os.getcwd() == cwd
    assert sys.path == path
    assert root.handlers == handlers
    assert root.level == level
    assert tempfile.tempdir == tempdir
    assert logging.getLogger("app.sub").level == logging.DEBUG  # until the environment ends
    assert polluted["tmp"] != tempfile.gettempdir()
    runner.close()
    assert logging.getLogger("app.sub").level == logging.NOTSET
    assert not os.path.exists(polluted["tmp"])


@pytest.mark.parametrize("order", ["first-opened-first", "last-opened-first"])
def test_loggers_come_back_whichever_open_environment_closes_first(make: Make, order: str) -> None:
    """A second environment opened while the first is open used to take the first one's
    logger changes for the test's: closing them in the order opened left ``app.sub`` at
    DEBUG in the test process, for every later test (found under pytest-randomly, issue 15)."""
    sub = logging.getLogger("app.sub")
    level = sub.level
    first, second = make("app.pollute"), make("app.read_state")
    first.invoke({})
    second.invoke({})
    assert sub.level == logging.DEBUG  # the first environment's, until it ends
    for runner in [first, second] if order == "first-opened-first" else [second, first]:
        runner.close()
    assert sub.level == level


def test_changes_persist_inside_a_warm_environment(make: Make) -> None:
    runner = make("app.pollute")
    first = runner.invoke({}).response
    second = runner.invoke({}).response
    assert second == first  # same private /tmp, and the cwd the handler moved to
    assert Path(first["tmp"], "state.txt").read_text() == "xx"


def test_warm_state_is_visible_to_the_next_invocation(make: Make) -> None:
    runner = make("app.pollute")
    runner.invoke({})
    state = runner._environment_state()
    assert state is not None
    assert state.handler_module is not None
    # swap the handler for one reading the state, inside the same environment
    state.environment.handler = state.handler_module.read_state
    seen = runner.invoke({}).response
    assert seen["env"] == "yes"
    assert seen["tmp_file"] == "x"
    assert seen["polluted_path"] is True
    assert seen["root_level"] == logging.DEBUG
    assert seen["cwd"] == os.path.realpath(seen["cwd"])
    fresh = make("app.read_state").invoke({}).response
    assert fresh["env"] is None
    assert fresh["tmp_file"] is None
    assert fresh["root_level"] == logging.WARNING
    assert fresh["local_tz"] == "UTC"


def test_the_event_is_a_fresh_json_copy(make: Make) -> None:
    event = {"items": ["a"], "pair": (1, 2)}
    inv = make("app.mutate").invoke(event)
    assert event == {"items": ["a"], "pair": (1, 2)}
    assert inv.response == {"items": ["a", "added"], "pair": [1, 2]}
    assert inv.raw == {"items": ["a", "added"], "pair": [1, 2]}


def test_a_callable_handler_runs_in_an_environment_too(make: Make) -> None:
    def handler(event: Any, context: Any) -> Any:
        return {
            "fn": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
            "remaining": context.get_remaining_time_in_millis() > 0,
        }

    runner = make(handler)
    assert runner.invoke({}).response == {"fn": "test-function", "remaining": True}
    assert os.environ.get("AWS_LAMBDA_FUNCTION_NAME") is None
    assert runner.load() is handler
    assert runner.module is None


def test_runner_is_a_context_manager_and_close_is_final(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    with LambdaRunner("app.handler", root=tmp_path) as runner:
        scratch = runner.invoke({}).response and runner._environment_state()
        assert scratch is not None
    assert not os.path.exists(scratch.scratch_dir)
    with pytest.raises(RuntimeError, match="LambdaRunner is closed"):
        runner.invoke({})
    runner.close()  # idempotent


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"timeout": 0}, InvalidOption, r"timeout=0: Lambda timeouts are above 0 and at most 900"),
        ({"timeout": "3"}, TypeError, r"timeout='3' must be a number"),
        ({"memory_mb": 64}, InvalidOption, r"memory_mb=64: Lambda memory is 128 to 10240 MB"),
        (
            {"function_name": "has space"},
            InvalidOption,
            r"function_name='has space' is not a Lambda function name",
        ),
        ({"region": "mars"}, InvalidOption, r"region='mars' is not an AWS region"),
        ({"isolation": "docker"}, InvalidOption, r"isolation='docker': use 'module'"),
        ({"root": "/does/not/exist"}, InvalidOption, r"root='/does/not/exist' is not a directory"),
    ],
)
def test_bad_runner_arguments(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        LambdaRunner("app.handler", **kwargs)
    with pytest.raises(TypeError, match="handler must be a handler string"):
        LambdaRunner(42)  # type: ignore[arg-type]


SUBPROCESS_APP = """
import os, subprocess, sys, time

def child(event, context):
    os.environ["SET_BY_HANDLER"] = "1"
    code = "import os, json, time; print(json.dumps([os.environ.get(k) for k in %r] + [time.strftime('%%Z')]))"
    keys = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_ACCESS_KEY_ID", "SET_BY_HANDLER", "AWS_PROFILE"]
    out = subprocess.run([sys.executable, "-c", code % keys], capture_output=True, text=True, check=True)
    return out.stdout
"""


def test_subprocesses_and_the_c_level_see_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub_app.py").write_text(SUBPROCESS_APP)
    monkeypatch.setenv("AWS_PROFILE", "production")
    with LambdaRunner("sub_app.child", root=tmp_path) as runner:
        inv = runner.invoke({})
    assert json.loads(inv.response) == ["test-function", "testing", "1", None, "UTC"]
    assert os.environ.get("SET_BY_HANDLER") is None
    assert os.environ["AWS_PROFILE"] == "production"
    # the C level is the test's again: a child started now sees the test's variables
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('SET_BY_HANDLER'), os.environ.get('AWS_ACCESS_KEY_ID'), os.environ.get('AWS_PROFILE'))"],
        env=None, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.split() == ["None", str(os.environ.get("AWS_ACCESS_KEY_ID")), "production"]


TZ_APP = """
import os, time

def handler(event, context):
    if event.get("tz"):
        os.environ["TZ"] = event["tz"]
        time.tzset()
    return time.strftime("%Z", time.localtime(0))
"""


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset() is POSIX-only")
@pytest.mark.parametrize("test_tz", [None, "UTC", "Asia/Tokyo"])
def test_the_handler_runs_in_utc_and_the_tests_time_zone_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_tz: str | None
) -> None:
    (tmp_path / "tz_app.py").write_text(TZ_APP)
    if test_tz is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", test_tz)
    time.tzset()
    try:
        own = time.strftime("%Z", time.localtime(0))
        with LambdaRunner("tz_app.handler", root=tmp_path) as runner:
            assert runner.invoke({}).response == "UTC"
            assert time.strftime("%Z", time.localtime(0)) == own
            # the handler's own zone stays in its (warm) environment, not in the test
            assert runner.invoke({"tz": "America/New_York"}).response == "EST"
            assert time.strftime("%Z", time.localtime(0)) == own
            assert runner.invoke({}).response == "EST"
            assert time.strftime("%Z", time.localtime(0)) == own
            assert os.environ.get("TZ") == test_tz
            assert runner.invoke({}, cold=True).response == "UTC"
        assert time.strftime("%Z", time.localtime(0)) == own
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs Linux and two CPUs",
)
@pytest.mark.parametrize(("memory_mb", "one_cpu"), [(128, True), (2048, False)])
@pytest.mark.usefixtures("thread_environments")
def test_the_handler_thread_follows_the_test_threads_cpu_below_one_vcpu(
    make: Make, memory_mb: int, one_cpu: bool
) -> None:
    runner = make(memory_mb=memory_mb)
    runner.invoke({})
    state = runner._environment_state()
    assert state is not None
    thread = state.environment.worker.thread
    assert thread is not None
    assert thread.native_id is not None
    cpus = os.sched_getaffinity(thread.native_id)
    assert (len(cpus) == 1) is one_cpu
