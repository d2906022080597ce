"""Parity between ``isolation="module"`` (in-process) and ``isolation="runtime"`` (awslambdaric).

The same corpus of handlers runs in both modes; responses and error types must match. The
differences that remain are listed in docs/explanation/runtime-isolation.md.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner
from pytest_lambda._core.errors import HandlerConfigError, InvalidOption
from pytest_lambda._runtime.invocation import Invocation
from pytest_lambda._runtime.subprocess.environment import live_children, runtime_unavailable

Make = Callable[..., LambdaRunner]

pytest.importorskip("awslambdaric")

if runtime_unavailable() is not None:  # pragma: no cover - not Linux
    pytest.skip(f"runtime isolation unavailable: {runtime_unavailable()}", allow_module_level=True)

CORPUS = {
    "ok.py": """
import os
def handler(event, context):
    return {"echo": event, "name": context.function_name, "left": context.get_remaining_time_in_millis() > 0,
            "mem": context.memory_limit_in_mb, "region": os.environ["AWS_REGION"]}
""",
    "boom.py": """
class MyError(Exception):
    pass
def handler(event, context):
    raise MyError("it broke")
""",
    "initerr.py": """
import os
print("importing")
VALUE = os.environ["PYTEST_LAMBDA_MISSING_ZZ"]
def handler(event, context):
    return VALUE
""",
    "syntax.py": "def handler(event, context)\n    return 1\n",
    "marshalling.py": """
import collections, datetime
from decimal import Decimal
async def _coro():
    return 1
def handler(event, context):
    kind = event["kind"]
    if kind == "decimal":
        return {"price": Decimal("1.10"), "big": Decimal("1E+2")}
    if kind == "set":
        return {"tags": {1}}
    if kind == "datetime":
        return {"at": datetime.datetime(2024, 1, 1)}
    if kind == "bytes":
        return b"raw\\x00bytes"
    if kind == "namedtuple":
        return collections.namedtuple("P", "a b")(1, 2)
    if kind == "coroutine":
        return _coro()
    if kind == "unicode":
        return {"s": "h\\u00e9llo"}
    return {"nan": float("nan")}
""",
    "big.py": """
import os
def handler(event, context):
    with open(os.path.join(os.environ["TMPDIR"], "mark"), "w") as f:
        f.write("x")
    return "x" * (6 * 1024 * 1024 + 200)
""",
    "slow.py": """
import os, time
COUNT = 0
def handler(event, context):
    global COUNT
    COUNT += 1
    with open(os.path.join(os.environ["TMPDIR"], "seen"), "a") as f:
        f.write(str(COUNT))
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {"count": COUNT, "tmp": sorted(os.listdir(os.environ["TMPDIR"]))}
""",
    "exits.py": """
import sys
def handler(event, context):
    print("leaving")
    sys.exit(event.get("code", 3))
""",
    "logs.py": """
import logging
logging.basicConfig(level=logging.DEBUG, format="%(message)s")
log = logging.getLogger("app")
def handler(event, context):
    print("printed")
    log.info("dropped at the default WARNING level")
    log.warning("warned %s", 42)
    return None
""",
    "counter.py": """
import os
N = 0
def handler(event, context):
    global N
    N += 1
    return {"n": N, "pid_same": os.environ.get("SEEN_PID") is None}
""",
}
MODES = ("module", "runtime")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus")
    for name, text in CORPUS.items():
        (path / name).write_text(text.lstrip("\n"))
    return path


@pytest.fixture
def make(root: Path) -> Iterator[Make]:
    runners: list[LambdaRunner] = []

    def _make(handler: str, isolation: str, **kwargs: object) -> LambdaRunner:
        runner = LambdaRunner(handler, root=root, isolation=isolation, **kwargs)  # type: ignore[arg-type]
        runners.append(runner)
        return runner

    yield _make
    for runner in runners:
        runner.close()
    assert live_children() == []


def both(make: Make, handler: str, event: object, **kwargs: object) -> list[Invocation]:
    """Invoke ``handler`` once per mode; the two invocations."""
    return [make(handler, mode, **kwargs).invoke(event) for mode in MODES]


def test_success_is_identical(make: Make) -> None:
    module, runtime = both(make, "ok.handler", {"a": [1, 2.5, None]})
    assert module.error is None
    assert runtime.error is None
    assert module.response == runtime.response
    assert runtime.response["echo"] == {"a": [1, 2.5, None]}
    assert module.body == runtime.body
    assert runtime.cold_start
    assert runtime.init_duration_ms is not None


def test_exception_payload_is_identical(make: Make) -> None:
    module, runtime = both(make, "boom.handler", {})
    assert runtime.error_type == "MyError"
    m, r = module.response, runtime.response
    assert m.pop("requestId")
    assert r.pop("requestId")
    assert m == r
    assert "[ERROR] MyError: it broke" in runtime.logs


@pytest.mark.parametrize(
    ("handler", "error_type"),
    [("initerr.handler", "KeyError"), ("syntax.handler", "Runtime.UserCodeSyntaxError"),
     ("nomodule_zz.handler", "Runtime.ImportModuleError"), ("ok.nothere", "Runtime.HandlerNotFound")],
)  # fmt: skip
def test_init_errors_are_identical_and_retried(make: Make, handler: str, error_type: str) -> None:
    module, runtime = both(make, handler, {})
    assert runtime.error_type == module.error_type == error_type
    m, r = dict(module.response), dict(runtime.response)
    # Difference (documented): module mode appends a hint to Runtime.HandlerNotFound.
    m_message, r_message = m.pop("errorMessage"), r.pop("errorMessage")
    assert m_message == r_message or m_message.startswith(r_message + " (callables in ")
    assert m == r
    assert runtime.error is not None
    assert runtime.error.kind == "init"
    runner = make(handler, "runtime")
    first, second = runner.invoke({}), runner.invoke({})
    assert first.cold_start
    assert second.cold_start
    assert second.error_type == error_type


@pytest.mark.parametrize(
    "kind", ["decimal", "set", "datetime", "bytes", "unicode", "nan", "namedtuple", "coroutine"]
)
def test_marshalling_is_identical(make: Make, kind: str) -> None:
    module, runtime = both(make, "marshalling.handler", {"kind": kind})
    assert runtime.error_type == module.error_type
    if runtime.error is None:
        assert runtime.body == module.body
        assert runtime.content_type == module.content_type
    else:
        assert runtime.error_type == "Runtime.MarshalError"
        m, r = module.response, runtime.response
        assert m.pop("requestId")
        assert r.pop("requestId")
        assert m == r


def test_oversize_response_resets_but_keeps_tmp(make: Make) -> None:
    for mode in MODES:
        runner = make("big.handler", mode)
        inv = runner.invoke({})
        assert inv.error_type == "Function.ResponseSizeTooLarge", mode
        assert inv.response["errorMessage"].endswith("(6291556 bytes).")
        again = runner.invoke({})
        assert again.cold_start, mode


def test_timeout_kills_resets_and_keeps_tmp(make: Make) -> None:
    results = {}
    for mode in MODES:
        runner = make("slow.handler", mode, timeout=0.5)
        assert runner.invoke({}).response["count"] == 1
        started = time.monotonic()
        timed = runner.invoke({"sleep": 5})
        assert time.monotonic() - started < 2.5, mode
        after = runner.invoke({})
        results[mode] = (timed.response["errorType"], timed.response["errorMessage"].split(" Error: ")[1],
                         after.cold_start, after.response)  # fmt: skip
    assert results["module"] == results["runtime"]
    error_type, message, cold, response = results["runtime"]
    assert error_type == "Sandbox.Timedout"
    assert message == "Task timed out after 0.50 seconds"
    assert cold
    assert response["count"] == 1
    assert "seen" in response["tmp"]


@pytest.mark.parametrize("code", [3, 0])
def test_sys_exit_is_an_exit_error(make: Make, code: int) -> None:
    module, runtime = both(make, "exits.handler", {"code": code})
    m, r = module.response, runtime.response
    assert r["errorType"] == "Runtime.ExitError"
    assert m["errorMessage"].split(" Error: ")[1] == r["errorMessage"].split(" Error: ")[1]
    assert "leaving" in runtime.logs


def test_logging_setup_matches(make: Make) -> None:
    module, runtime = both(make, "logs.handler", {})
    for inv in (module, runtime):
        logs = inv.logs
        assert "printed\n" in logs
        assert "dropped" not in logs
        assert "[WARNING]\t" in logs
        assert f"\t{inv.request_id}\twarned 42\n" in logs
        assert inv.response is None


def test_globals_persist_warm_and_reset_on_new_environment(make: Make) -> None:
    for mode in MODES:
        runner = make("counter.handler", mode)
        seen = [runner.invoke({}) for _ in range(3)]
        assert [inv.response["n"] for inv in seen] == [1, 2, 3], mode
        assert [inv.cold_start for inv in seen] == [True, False, False], mode
        runner.new_environment()
        assert runner.invoke({}).response["n"] == 1, mode


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_child_is_frozen_between_invokes_and_killed_on_close(make: Make) -> None:
    runner = make("counter.handler", "runtime")
    runner.invoke({})
    (pid,) = live_children()
    assert _state(pid) == "T"  # stopped: Lambda's freeze
    assert runner.invoke({}).response["n"] == 2
    assert live_children() == [pid]
    runner.close()
    assert live_children() == []
    assert not Path(f"/proc/{pid}").exists()


def test_child_killed_when_runner_is_garbage_collected(root: Path) -> None:
    runner = LambdaRunner("counter.handler", root=root, isolation="runtime")
    runner.invoke({})
    (pid,) = live_children()
    del runner
    gc.collect()
    assert live_children() == []
    assert not Path(f"/proc/{pid}").exists()


def test_ctrl_c_while_waiting_kills_the_child(root: Path) -> None:
    runner = LambdaRunner("slow.handler", root=root, isolation="runtime", timeout=10)
    try:
        runner.invoke({})
        (pid,) = live_children()
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            runner.invoke({"sleep": 5})
        timer.join()
        assert live_children() == []
        assert not Path(f"/proc/{pid}").exists()
        assert runner.invoke({}).cold_start
    finally:
        runner.close()
    assert live_children() == []


def test_load_starts_the_runtime_and_returns_a_proxy(make: Make) -> None:
    runner = make("counter.handler", "runtime")
    handler = runner.load()
    assert runner.module is None
    assert handler({}) == {"n": 1, "pid_same": True}
    assert not runner.invoke({}).cold_start
    broken = make("initerr.handler", "runtime")
    with pytest.raises(HandlerConfigError, match="KeyError"):
        broken.load()


def test_environment_state_is_observable(make: Make) -> None:
    runner = make("slow.handler", "runtime")
    runner.invoke({})
    state = runner._environment_state()
    assert state is not None
    assert state.handler_module is None
    assert state.initialized
    assert state.invocations == 1
    assert os.listdir(state.scratch_dir) == ["seen"]
    assert state.environ["TMPDIR"] == state.scratch_dir


def test_callable_handler_is_refused() -> None:
    with pytest.raises(InvalidOption, match="handler string"):
        LambdaRunner(lambda e, c: None, isolation="runtime")


def test_unavailable_platform_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(InvalidOption) as info:
        LambdaRunner("app.handler", isolation="runtime")
    message = str(info.value)
    assert "pip install 'pytest-lambda-toolkit[runtime]'" in message
    assert "isolation='module'" in message
    assert "darwin" in message


def test_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "awslambdaric" else real(name, *a),
    )
    with pytest.raises(InvalidOption, match=r"awslambdaric is not installed.*\[runtime\]"):
        LambdaRunner("app.handler", isolation="runtime")


PLUGIN = ("-p", "lambda_toolkit", "-p", "no:cacheprovider", "-p", "no:randomly")
FIXTURE_TEST = """
def test_counts(lambda_runner):
    assert lambda_runner.isolation == "runtime"
    first, second = lambda_runner.invoke({}), lambda_runner.invoke({})
    assert (first.cold_start, second.cold_start) == (True, False)
    assert second.response["n"] == 2
"""


def test_fixture_and_suite_follow_lambda_isolation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(counter=CORPUS["counter.py"], test_counter=FIXTURE_TEST)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=counter.handler", "--lambda-isolation=runtime",
        "--lambda-events=sqs", "--lambda-seed=3", "-v",
    )  # fmt: skip
    result.stdout.fnmatch_lines(["*test_counts PASSED*"])
    # The conformance suite runs in runtime mode too: the counter's global leaks across warm
    # invocations and the warm-reuse check sees it from the outputs alone.
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["FAILED counter.handler::sqs::warm-reuse - state leaks*"])
    result.stdout.fnmatch_lines(["*warm (reused environment) : {'n': 2, 'pid_same': True}*"])
    assert live_children() == []


def test_child_dies_with_a_killed_test_process(root: Path) -> None:
    """No cleanup runs on os._exit (or SIGKILL): the kernel kills the child (PDEATHSIG)."""
    import subprocess

    script = (
        "import os, sys\n"
        "from pytest_lambda import LambdaRunner\n"
        "from pytest_lambda._runtime.subprocess.environment import live_children\n"
        f"r = LambdaRunner('counter.handler', root={str(root)!r}, isolation='runtime')\n"
        "r.invoke({})\n"
        "print(live_children()[0], flush=True)\n"
        "os._exit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
    )
    pid = int(done.stdout.split()[0])
    for _ in range(200):
        if not Path(f"/proc/{pid}").exists() or _state(pid) == "Z":
            break
        time.sleep(0.01)
    assert not Path(f"/proc/{pid}").exists() or _state(pid) == "Z"


CONTEXT_APP = """
import os
def handler(event, context):
    cc = context.client_context
    return {
        "id": context.aws_request_id,
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "custom": cc.custom if cc else None,
        "installation": cc.client.installation_id if cc and cc.client else None,
        "tenant": context.tenant_id,
        "arn": context.invoked_function_arn,
        "trace": os.environ.get("_X_AMZN_TRACE_ID", "")[:7],
    }
"""


def test_a_given_context_reaches_the_runtime_through_headers(root: Path, make: Make) -> None:
    from pytest_lambda import LambdaContext

    (root / "ctxapp.py").write_text(CONTEXT_APP)
    seen = []
    for mode in MODES:
        context = LambdaContext(
            aws_request_id="11111111-2222-4333-8444-555555555555",
            identity={"cognitoIdentityId": "cid", "cognitoIdentityPoolId": "pool"},
            client_context={"custom": {"k": 1}, "client": {"installation_id": "inst"}},
            tenant_id="tenant-a",
            qualifier="live",
        )
        seen.append(make("ctxapp.handler", mode).invoke({}, context=context).response)
    assert seen[0] == seen[1]
    assert seen[1]["identity"] == ["cid", "pool"]
    assert (seen[1]["custom"], seen[1]["installation"], seen[1]["tenant"]) == (
        {"k": 1},
        "inst",
        "tenant-a",
    )
    assert seen[1]["arn"].endswith(":live")
    assert seen[1]["trace"] == "Root=1-"


def test_runtime_api_server_protocol() -> None:
    import http.client

    from pytest_lambda._runtime.subprocess.api import PendingEvent, RuntimeApi

    api = RuntimeApi()
    host, port = api.address.split(":")
    base = api.base  # the secret every path starts with
    try:
        api.submit(PendingEvent("rid-1", b'{"a":1}', timeout_ms=3000, invoked_function_arn="arn:x",
                                deadline_ms=0))  # fmt: skip
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", base + "/2018-06-01/runtime/invocation/next")
        reply = conn.getresponse()
        assert reply.status == 200
        assert reply.read() == b'{"a":1}'
        assert reply.getheader("Lambda-Runtime-Aws-Request-Id") == "rid-1"
        assert reply.getheader("Lambda-Runtime-Deadline-Ms") == "1"  # never 0: the client aborts
        assert reply.getheader("Lambda-Runtime-Client-Context") is None  # empty: omitted
        conn.request("POST", base + "/2018-06-01/runtime/invocation/other/response", body=b"1")
        bad_id = conn.getresponse()
        assert (bad_id.status, bad_id.read()) == (400, b'{"errorType":"InvalidRequestID"}')
        big = b'"' + b"x" * (6 * 1024 * 1024 + 100) + b'"'
        conn.request("POST", base + "/2018-06-01/runtime/invocation/rid-1/response", body=big)
        too_big = conn.getresponse()
        too_big.read()
        assert too_big.status == 413
        assert api.result is not None
        assert api.result.kind == "oversize"
        conn.request("GET", base + "/2018-06-01/runtime/nothing")
        missing = conn.getresponse()
        missing.read()
        assert missing.status == 404
        conn.close()
    finally:
        api.close()


def test_checks_in_runtime_mode_list_their_blind_spots(make: Make) -> None:
    from pytest_lambda._runtime.backend import BLIND_SPOTS

    runner = make("counter.handler", "runtime")
    leaks = runner.check_warm_reuse(events=("sqs", 3))
    # The response counts invocations: the warm outputs differ from cold ones.
    assert not leaks.ok
    assert BLIND_SPOTS[0] in leaks.notes
    report = runner.check_idempotency({"orderId": 1})
    assert BLIND_SPOTS[0] in report.notes
    assert any(
        note.startswith("isolation='runtime': no fault was injected") for note in report.notes
    )
    assert not any("no AWS call through botocore" in note for note in report.notes)
