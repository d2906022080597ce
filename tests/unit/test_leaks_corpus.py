"""A corpus of handlers: each warm-reuse leak pattern is caught with its kind and where; well-behaved ones are not errors.

Every handler is written into ``tmp_path`` under its own module name and checked with
``check_warm_reuse`` on a few distinct events (the check replays some of them).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner, StateLeakError, assert_no_state_leak
from pytest_lambda._checks.leaks.check import check_warm_reuse
from pytest_lambda._checks.leaks.report import (
    CACHE,
    CWD,
    DEFAULT_ARG,
    DIVERGENCE,
    ENVIRON,
    FD_GROWTH,
    GLOBAL_CHANGED,
    GLOBAL_GROWTH,
    LAZY_GLOBAL,
    LOGGING_HANDLER,
    SYS_PATH,
    THREAD,
    TMP_FILE,
    TMP_GROWTH,
    LeakReport,
)
from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption

# alice and carol are signed in (a token); bob and dave are anonymous
USERS = [
    {"user": u, "token": f"t-{u}"} if u in ("alice", "carol") else {"user": u}
    for u in ("alice", "bob", "carol", "dave")
]

LEAKY: dict[str, tuple[str, str, str]] = {
    # name: (source, kind, where)
    "global_list": (
        """
        _seen = []

        def handler(event, context):
            _seen.append(event["user"])
            return {"user": event["user"]}
        """,
        GLOBAL_GROWTH,
        "global_list._seen",
    ),
    "mutable_default": (
        """
        def remember(user, seen=[]):
            seen.append(user)
            return user

        def handler(event, context):
            return {"user": remember(event["user"])}
        """,
        DEFAULT_ARG,
        "mutable_default.remember(seen=…)",
    ),
    "current_user": (
        """
        current_user = None

        def handler(event, context):
            global current_user
            if event.get("token"):
                current_user = event["user"]
            return {"orders_of": current_user}
        """,
        DIVERGENCE,
        "event 2",
    ),
    "cache_on_nothing": (
        """
        _cache = None

        def handler(event, context):
            global _cache
            if _cache is None:
                _cache = {"greeting": "hello " + event["user"]}
            return _cache
        """,
        CACHE,
        "cache_on_nothing._cache",
    ),
    "tmp_append": (
        """
        import os, tempfile

        def handler(event, context):
            with open(os.path.join(tempfile.gettempdir(), "audit.log"), "a") as f:
                f.write(event["user"] + "\\n")
            return {"ok": True}
        """,
        TMP_GROWTH,
        "/tmp/audit.log",
    ),
    "log_handler": (
        """
        import logging

        def handler(event, context):
            log = logging.getLogger("corpus_log_handler")
            log.addHandler(logging.NullHandler())
            log.warning("user %s", event["user"])
            return {"ok": True}
        """,
        LOGGING_HANDLER,
        "logger 'corpus_log_handler'",
    ),
    "env_var": (
        """
        import os

        def handler(event, context):
            os.environ["LAST_USER"] = event["user"]
            return {"ok": True}
        """,
        ENVIRON,
        "os.environ['LAST_USER']",
    ),
    "thread_left": (
        """
        import threading, time

        def _flush():
            time.sleep(0.3)

        def handler(event, context):
            threading.Thread(target=_flush, daemon=True).start()
            return {"ok": True}
        """,
        THREAD,
        "running thread_left._flush",
    ),
    "sys_path": (
        """
        import sys

        def handler(event, context):
            sys.path.append("/opt/plugins")
            return {"ok": True}
        """,
        SYS_PATH,
        "sys.path",
    ),
    "chdir": (
        """
        import os, tempfile

        def handler(event, context):
            os.chdir(tempfile.gettempdir())
            return {"ok": True}
        """,
        CWD,
        "cwd",
    ),
}

WELL_BEHAVED: dict[str, str] = {
    "boto3_client": """
        import boto3

        s3 = boto3.client("s3")

        def handler(event, context):
            return {"user": event["user"], "client": type(s3).__name__}
        """,
    "config_at_init": """
        import json, os

        with open(os.path.join(os.path.dirname(__file__), "config.json")) as f:
            CONFIG = json.load(f)

        def handler(event, context):
            return {"user": event["user"], "table": CONFIG["table"]}
        """,
    "lazy_connection": """
        class Connection:
            def __init__(self):
                self.open = True

        _conn = None

        def get_conn():
            global _conn
            if _conn is None:
                _conn = Connection()
            return _conn

        def handler(event, context):
            return {"user": event["user"], "open": get_conn().open}
        """,
    "tmp_cache": """
        import hashlib, json, os, tempfile

        def handler(event, context):
            key = hashlib.sha256(event["user"].encode()).hexdigest()
            path = os.path.join(tempfile.gettempdir(), key + ".json")
            if not os.path.exists(path):
                with open(path, "w") as f:
                    json.dump({"name": event["user"].title()}, f)
            with open(path) as f:
                return json.load(f)
        """,
    "powertools_logger": """
        from aws_lambda_powertools import Logger

        logger = Logger(service="corpus")

        @logger.inject_lambda_context
        def handler(event, context):
            logger.info("hello", extra={"user": event["user"]})
            return {"user": event["user"]}
        """,
}


def _write(tmp_path: Path, name: str, source: str) -> LambdaRunner:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    (tmp_path / "config.json").write_text('{"table": "orders"}')
    return LambdaRunner(f"{name}.handler", root=tmp_path)


def _check(tmp_path: Path, name: str, source: str, **kw: object) -> LeakReport:
    runner = _write(tmp_path, name, source)
    try:
        return check_warm_reuse(runner, USERS, **kw)  # type: ignore[arg-type]
    finally:
        runner.close()


@pytest.mark.parametrize("name", sorted(LEAKY))
def test_leaky_handler_is_caught(tmp_path: Path, name: str) -> None:
    source, kind, where = LEAKY[name]
    report = _check(tmp_path, name, source)
    assert not report.ok, str(report)
    hits = [f for f in report.errors if f.category == kind and where in f.where]
    assert hits, f"expected an error of kind {kind!r} at {where!r}:\n{report}"
    with pytest.raises(StateLeakError):
        report.assert_ok()


def test_cross_request_data_leak_shows_both_outputs(tmp_path: Path) -> None:
    events = [{"user": "alice", "token": "t-a"}, {"user": "bob"}]
    runner = _write(tmp_path, "current_user", LEAKY["current_user"][0])
    with runner:
        report = check_warm_reuse(runner, events)
    (div,) = report.by_category(DIVERGENCE)
    assert div.where == "event 2"
    assert div.before == "{'orders_of': None}"  # cold: bob sees nobody's orders
    assert div.after == "{'orders_of': 'alice'}"  # warm: bob sees alice's
    assert "`current_user.current_user`" in div.message
    (changed,) = report.by_category(GLOBAL_CHANGED)
    assert changed.where == "current_user.current_user"


def test_growth_trend_is_named(tmp_path: Path) -> None:
    report = _check(tmp_path, "global_list", LEAKY["global_list"][0])
    (growth,) = report.by_category(GLOBAL_GROWTH)
    # 4 events then 3 replays: 7 invocations
    assert "`global_list._seen` grew by 1 item per invocation: 0 → 7" in growth.message
    assert growth.before == "[] (0 items)"


def _forget_powertools_logger() -> None:
    # Workaround for a runner limitation: Powertools marks the stdlib logger it configures
    # (attributes ``init``/``powertools_handler``), and the runner's logger reset after an
    # environment removes the handler but not the marks, so the next cold import of
    # ``Logger(service=...)`` finds no handler (IndexError). Clearing the marks first makes
    # each cold environment a true first import.
    import logging

    lg = logging.getLogger("corpus")
    for attr in ("init", "powertools_handler"):
        lg.__dict__.pop(attr, None)


@pytest.mark.parametrize("name", sorted(WELL_BEHAVED))
def test_well_behaved_handler_has_no_error(tmp_path: Path, name: str) -> None:
    reset = _forget_powertools_logger if name == "powertools_logger" else None
    report = _check(tmp_path, name, WELL_BEHAVED[name], reset=reset)
    assert report.ok, str(report)
    assert not report.by_category(DIVERGENCE)


def test_lazy_connection_is_info_and_cache_is_warning(tmp_path: Path) -> None:
    lazy = _check(tmp_path, "lazy_connection", WELL_BEHAVED["lazy_connection"])
    assert [(f.category, f.severity, f.where) for f in lazy.findings] == [
        (LAZY_GLOBAL, "info", "lazy_connection._conn")
    ]
    cache = _check(tmp_path, "tmp_cache", WELL_BEHAVED["tmp_cache"])
    assert {(f.category, f.severity) for f in cache.findings} == {(TMP_FILE, "warning")}


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    source = """
        _memo = {}

        def handler(event, context):
            _memo.setdefault(event["user"], len(event["user"]))
            return {"n": _memo[event["user"]]}
        """
    relaxed = _check(tmp_path, "memo", source)
    assert relaxed.ok
    assert [(f.category, f.severity) for f in relaxed.findings] == [(CACHE, "warning")]
    strict = _check(tmp_path, "memo", source, strict=True)
    assert not strict.ok
    assert strict.errors[0].where == "memo._memo"


def test_allow_silences_a_global(tmp_path: Path) -> None:
    report = _check(tmp_path, "global_list", LEAKY["global_list"][0], allow=["global_list._seen"])
    assert report.ok, str(report)
    assert report.allowed == ("global_list._seen",)
    unused = _check(tmp_path, "global_list", LEAKY["global_list"][0], allow=["global_list.nope"])
    assert not unused.ok
    assert any("global_list.nope" in n for n in unused.notes)


def test_generated_events_are_seeded(tmp_path: Path) -> None:
    runner = _write(tmp_path, "global_list", "X = []\ndef handler(e, c):\n    X.append(1)\n")
    with runner:
        report = check_warm_reuse(runner, ("sqs", 5), seed=11)
    assert report.events == 5
    assert report.seed == 11
    assert report.reproduce == "check_warm_reuse(runner, ('sqs', 5), seed=11)"
    assert "reproduce: check_warm_reuse(runner, ('sqs', 5), seed=11)" in str(report)


def test_reset_is_called_before_warm_and_each_cold_run(tmp_path: Path) -> None:
    calls: list[int] = []
    runner = _write(tmp_path, "ok_handler", "def handler(e, c):\n    return e\n")
    with runner:
        report = check_warm_reuse(runner, USERS[:3], reset=lambda: calls.append(1))
    assert report.ok
    # before each warm invocation (3 events + 3 replays), then the cold runs of events 2 and 3
    assert len(calls) == 6 + 2
    assert report.handler_runs == 3 + 3 + 2


def test_nondeterministic_output_is_not_a_divergence(tmp_path: Path) -> None:
    source = "import uuid\ndef handler(e, c):\n    return {'id': uuid.uuid4().hex}\n"
    report = _check(tmp_path, "random_out", source)
    assert report.ok, str(report)
    assert any("not deterministic" in n for n in report.notes)
    assert report.not_compared == (1, 2, 3, 4)
    assert report.verdict() == (
        "outputs not compared (events 1, 2, 3 and 4 not compared: two cold runs of each gave "
        "different outputs); no state grew across warm invocations"
    )


def test_the_verdict_names_the_events_whose_cold_runs_differed(tmp_path: Path) -> None:
    """Guards: the verdict claims only what was compared. On main it said "4 events gave
    the same output warm and cold" although bob's output was never compared."""
    source = (
        "import uuid\n"
        "def handler(e, c):\n"
        "    return uuid.uuid4().hex if e['user'] == 'bob' else e['user']\n"
    )
    report = _check(tmp_path, "bob_random", source)
    assert report.ok, str(report)
    assert report.not_compared == (2,)
    assert report.verdict() == (
        "no state leak: 3 of 4 events gave the same output warm and cold (event 2 not "
        "compared: two cold runs gave different outputs), and no state grew across warm "
        "invocations"
    )
    assert str(report).splitlines()[0] == report.verdict()


def test_a_failing_verdict_also_says_which_events_were_not_compared(tmp_path: Path) -> None:
    """Guards: with errors too, the verdict line says that some outputs were not compared."""
    source = (
        "import uuid\n"
        "SEEN = []\n"
        "def handler(e, c):\n"
        "    SEEN.append(1)\n"
        "    return uuid.uuid4().hex if e['user'] == 'bob' else e['user']\n"
    )
    report = _check(tmp_path, "bob_random_growth", source)
    assert not report.ok
    assert report.verdict() == (
        "state leaks across warm invocations: 1 error (global-growth); event 2 not compared: "
        "two cold runs gave different outputs"
    )


def test_the_verdict_is_unchanged_when_every_output_was_compared() -> None:
    report = LeakReport(findings=(), handler_runs=5, events=2, replays=2)
    assert report.verdict() == (
        "no state leak: 2 events gave the same output warm and cold, and no state grew "
        "across warm invocations"
    )


def test_hostile_globals_are_summarised_safely(tmp_path: Path) -> None:
    source = """
        class Weird:
            def __repr__(self):
                raise RuntimeError("no repr")
            def __eq__(self, other):
                raise RuntimeError("no eq")
            __hash__ = object.__hash__

        THING = Weird()
        BIG = list(range(100000))

        def handler(event, context):
            return {"ok": True}
        """
    report = _check(tmp_path, "weird", source)
    assert report.ok, str(report)
    assert report.findings == ()


def test_assert_no_state_leak_with_handler_string_and_callable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fine.py").write_text("def handler(e, c):\n    return e\n")
    monkeypatch.chdir(tmp_path)
    report = assert_no_state_leak("fine.handler", USERS[:2])
    assert report.ok
    with pytest.raises(StateLeakError, match=r"\[global-growth\] .*test_leaks_corpus\._SEEN"):
        assert_no_state_leak(_leaky_callable, USERS[:2])


_SEEN: list[object] = []


def _leaky_callable(event: object, context: object) -> None:
    _SEEN.append(event)


def test_bad_arguments() -> None:
    runner = LambdaRunner(lambda e, c: None)
    with runner:
        with pytest.raises(InvalidOption, match=r"events=\('sqs', 0\)"):
            check_warm_reuse(runner, ("sqs", 0))
        with pytest.raises(InvalidOption, match="at least one event"):
            check_warm_reuse(runner, [])
        with pytest.raises(ArgumentTypeError, match="reset="):
            check_warm_reuse(runner, [{}], reset=3)  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="allow="):
            check_warm_reuse(runner, [{}], allow="app.x")


def test_own_class_instance_growing_is_a_leak(tmp_path: Path) -> None:
    source = """
        class Registry:
            def __init__(self):
                self.requests = []

        REGISTRY = Registry()

        def handler(event, context):
            REGISTRY.requests.append(event["user"])
            return {"ok": True}
        """
    report = _check(tmp_path, "registry", source)
    (growth,) = report.by_category(GLOBAL_GROWTH)
    assert growth.where == "registry.REGISTRY"
    assert "grew by 1 item per invocation: 0 → 7" in growth.message
    assert growth.after is not None
    assert growth.after.startswith("Registry(requests=['alice'")


def test_snapshot_and_findings_are_bounded(tmp_path: Path) -> None:
    source = """
        _big = []

        def handler(event, context):
            _big.extend(range(50000))
            return {"ok": True}
        """
    report = _check(tmp_path, "big", source)
    (growth,) = report.by_category(GLOBAL_GROWTH)
    assert "grew by 50000 items per invocation: 0 → 350000" in growth.message
    assert growth.after is not None
    assert len(growth.after) < 300


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")
def test_file_descriptor_leak(tmp_path: Path) -> None:
    source = """
        import os, tempfile

        def handler(event, context):
            os.open(os.path.join(tempfile.gettempdir(), "data.bin"), os.O_RDWR | os.O_CREAT)
            return {"ok": True}
        """
    try:
        report = _check(tmp_path, "fd_leak", source)
    finally:  # close what the handler leaked into this process
        import os

        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}").endswith("data.bin"):
                    os.close(int(fd))
            except OSError:
                pass
    (leak,) = report.by_category(FD_GROWTH)
    assert leak.where == "open file descriptors"
    assert "grew by 1 descriptor per invocation" in leak.message


def test_timeout_discards_the_environment_and_is_noted(tmp_path: Path) -> None:
    source = """
        import time
        _seen = []

        def handler(event, context):
            _seen.append(1)
            if event["user"] == "bob":
                time.sleep(1)
            return {"ok": True}
        """
    (tmp_path / "slow.py").write_text(textwrap.dedent(source))
    with LambdaRunner("slow.handler", root=tmp_path, timeout=0.2) as runner:
        report = check_warm_reuse(runner, [{"user": "alice"}, {"user": "bob"}, {"user": "eve"}])
    assert any("discarded by invocation 2" in n for n in report.notes), str(report)


TIME_DEPENDENT = """
from datetime import datetime, timezone

def handler(event, context):
    return {
        "user": event["user"],
        "left_ms": context.get_remaining_time_in_millis(),
        "at": datetime.now(timezone.utc).timestamp(),
    }
"""


def test_time_dependent_output_is_not_a_leak(tmp_path: Path) -> None:
    report = _check(tmp_path, "time_dependent", TIME_DEPENDENT)
    assert report.ok, str(report)
    assert not report.findings
    assert not report.notes


def test_time_dependent_output_under_a_test_clock(tmp_path: Path) -> None:
    from pytest_lambda import LambdaClock

    runner = _write(tmp_path, "time_dependent", TIME_DEPENDENT)
    with LambdaClock() as clock, runner:
        clock.move_to("2026-11-22T10:00:00Z")
        report = check_warm_reuse(runner, USERS)
        assert clock.time() == 1795341600  # put back where the test left it
    assert report.ok, str(report)


POOL = """
from concurrent.futures import ThreadPoolExecutor

_pool = None

def handler(event, context):
    global _pool
    if _pool is None:  # made on first use: its worker thread then parks between invocations
        _pool = ThreadPoolExecutor(max_workers=1)
    _pool.submit(len, "x").result()
    return {"ok": True}
"""


def test_an_idle_pool_thread_is_a_warning_not_an_error(tmp_path: Path) -> None:
    report = _check(tmp_path, "pool_left", POOL)
    threads = report.by_category(THREAD)
    assert threads
    assert all(f.severity == "warning" for f in threads), str(report)
    assert "a worker pool kept" in threads[0].message
    assert "concurrent.futures.thread._worker" in threads[0].where


def test_a_divergence_after_an_environment_change_is_blamed_on_process_settings(
    tmp_path: Path,
) -> None:
    source = (
        "import os\n"
        "def handler(event, context):\n"
        "    previous = os.environ.get('LAST_USER')\n"
        "    os.environ['LAST_USER'] = event['user']\n"
        "    return {'previous': previous}\n"
    )
    runner = _write(tmp_path, "env_previous", source)
    with runner:
        report = check_warm_reuse(runner, USERS[:2], reset=lambda: None)
    div = report.by_category(DIVERGENCE)[0]
    assert div.code == "leaks.process-settings"
    assert div.message.endswith(
        "; process settings changed by earlier invocations: `os.environ['LAST_USER']`"
    )
    assert div.fix == (
        "reset what the handler sets (os.environ, the working directory, sys.path) in a "
        "finally: block"
    )
    assert [f.code for f in report.by_category(ENVIRON)] == ["leaks.environ"]


def test_every_finding_has_a_dotted_leaks_code(tmp_path: Path) -> None:
    for name in ("global_list", "tmp_append", "log_handler"):
        report = _check(tmp_path, name, LEAKY[name][0])
        assert report.findings
        assert all(
            f.code.startswith("leaks.") and f.code == f.code.lower() for f in report.findings
        )
