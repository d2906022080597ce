"""Interpreter state a handler changes stays in its environment (module isolation, issue 15).

Each case: the handler changes one piece of process state on the first invocation; after
``invoke()`` the test sees its own value again, and a second warm invocation still sees
the handler's value (as a warm Lambda process would).
"""

from __future__ import annotations

import builtins
import faulthandler
import gc
import json
import locale
import os
import random
import socket
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner, ProcessStateWarning, check_warm_reuse

APP = """
import builtins, faulthandler, gc, json, locale, os, random, socket, sys, threading

def handler(event, context):
    if event.get("set"):
        exec(event["set"])
    return repr(eval(event["get"]))

def randoms(event, context):
    if event.get("seed") is not None:
        random.seed(event["seed"])
    return [random.random() for _ in range(3)]
"""

_UMASK = "(lambda m: (os.umask(m), m)[1])(os.umask(0))"
_POPEN = "(lambda p: (p.read().strip(), p.close())[0])(os.popen('echo \"[$PL_C_VAR]\"'))"

# (what, statement run by the handler, expression read on both sides, the handler's value
# as an expression over `before`, the test's value)
CASES = [
    ("socket timeout", "socket.setdefaulttimeout(7.5)", "socket.getdefaulttimeout()", "7.5"),
    ("umask", "os.umask(0o077)", _UMASK, "0o077"),
    ("recursion limit", "sys.setrecursionlimit(4321)", "sys.getrecursionlimit()", "4321"),
    ("gc", "gc.disable()", "gc.isenabled()", "False"),
    ("switch interval", "sys.setswitchinterval(0.0123)", "sys.getswitchinterval()", "0.0123"),
    (
        "faulthandler",
        "faulthandler.disable() if faulthandler.is_enabled() else "
        "faulthandler.enable(file=sys.__stderr__)",
        "faulthandler.is_enabled()",
        "not before",
    ),
    (
        "locale",
        "locale.setlocale(locale.LC_COLLATE, 'C.UTF-8')",
        "locale.setlocale(locale.LC_COLLATE, None)",
        "'C.UTF-8'",
    ),
    ("sys.stdin", "sys.stdin = None", "sys.stdin is None", "True"),
    ("sys.excepthook", "sys.excepthook = print", "sys.excepthook is print", "True"),
    (
        "threading.excepthook",
        "threading.excepthook = print",
        "threading.excepthook is print",
        "True",
    ),
    (
        "builtins",
        "builtins.planted_by_handler = 1",
        "hasattr(builtins, 'planted_by_handler')",
        "True",
    ),
    ("stdlib monkeypatch", "json.dumps = repr", "json.dumps is repr", "True"),
    (
        "stdlib attribute deleted",
        "del json.JSONDecodeError",
        "hasattr(json, 'JSONDecodeError')",
        "False",
    ),
    (
        "sys.modules planted",
        "sys.modules['planted_mod'] = 42",
        "sys.modules.get('planted_mod')",
        "42",
    ),
    ("sys.tracebacklimit", "sys.tracebacklimit = 3", "getattr(sys, 'tracebacklimit', None)", "3"),
    ("random function patched", "random.random = float", "random.random is float", "True"),
    ("putenv", "os.putenv('PL_C_VAR', 'handler')", _POPEN, "'[handler]'"),
    ("unsetenv", "os.unsetenv('PL_C_VAR')", _POPEN, "'[]'"),
]
if hasattr(sys, "set_int_max_str_digits"):
    CASES.append(
        ("int digits", "sys.set_int_max_str_digits(5000)", "sys.get_int_max_str_digits()", "5000")
    )


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[LambdaRunner]:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    made = LambdaRunner("app.handler", root=tmp_path)
    yield made
    made.close()


_NAMESPACE = {
    "builtins": builtins, "faulthandler": faulthandler, "gc": gc, "json": json,
    "locale": locale, "os": os, "random": random, "socket": socket, "sys": sys,
    "threading": threading,
}  # fmt: skip


@pytest.mark.parametrize(("what", "change", "read", "handlers"), CASES, ids=[c[0] for c in CASES])
def test_a_handlers_change_stays_in_its_environment(
    runner: LambdaRunner, monkeypatch: pytest.MonkeyPatch,
    what: str, change: str, read: str, handlers: str,
) -> None:  # fmt: skip
    """Guards: each of these leaked from the handler into the test (and the next test)."""
    if what == "unsetenv":
        monkeypatch.setenv("PL_C_VAR", "test")
    before = eval(read, _NAMESPACE)
    expected = repr(eval(handlers, {"before": before}))
    runner.invoke({"set": change, "get": read})
    assert eval(read, _NAMESPACE) == before  # the test's own value is back
    assert runner.invoke({"get": read}).response == expected  # the environment keeps its own
    assert eval(read, _NAMESPACE) == before
    runner.close()
    assert eval(read, _NAMESPACE) == before


def test_the_test_can_patch_a_stdlib_function_between_invocations(
    runner: LambdaRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards: a monkeypatch by the test is not undone, and reaches an environment that did
    not change that attribute itself."""
    runner.invoke({"get": "1"})
    monkeypatch.setattr(json, "dumps", repr)
    assert runner.invoke({"get": "json.dumps is repr"}).response == "True"
    assert json.dumps is repr


def test_each_environment_has_its_own_random_and_the_tests_is_untouched(
    runner: LambdaRunner, tmp_path: Path
) -> None:
    """Guards: ``random.seed()`` in a handler reset the test's generator (pytest-randomly's)."""
    runner = LambdaRunner("app.randoms", root=tmp_path)
    random.seed(99)
    state = random.getstate()
    seeded = runner.invoke({"seed": 1234}).response
    assert random.getstate() == state
    expected = random.Random(1234)
    assert seeded == [expected.random() for _ in range(3)]
    assert runner.invoke({}).response == [expected.random() for _ in range(3)]  # warm: continues
    assert random.getstate() == state
    runner.new_environment()
    fresh = runner.invoke({}).response
    runner.new_environment()
    assert runner.invoke({}).response != fresh  # a new process seeds from the OS
    assert random.getstate() == state
    runner.close()


def test_a_third_party_monkeypatch_is_reported_not_undone(tmp_path: Path) -> None:
    """Guards: an attribute set on a shared third-party module leaked silently."""
    import iniconfig

    (tmp_path / "app.py").write_text(
        "import iniconfig\n\ndef handler(event, context):\n"
        "    iniconfig.handler_patch = 1\n    return 1\n"
    )
    runner = LambdaRunner("app.handler", root=tmp_path)
    try:
        runner.invoke({})
        assert iniconfig.handler_patch == 1  # type: ignore[attr-defined]  # shared: not undone
        with pytest.warns(ProcessStateWarning) as caught:
            runner.close()
        assert len(caught) == 1
        assert str(caught[0].message) == (
            "the handler changed process state that cannot be put back in-process, so the test "
            "process and later environments see it: iniconfig.handler_patch (attribute of a "
            "third-party module). If the handler's own code does it (aws_xray_sdk's patch_all() at "
            "import, for example), isolation='runtime' keeps it in a process of its own, or filter "
            "this warning where it is intended; from a test, patch third-party code with "
            "monkeypatch and set variables through os.environ; see "
            "https://pytest-lambda-toolkit.readthedocs.io/en/latest/known-limitations/"
        )
    finally:
        del iniconfig.handler_patch  # type: ignore[attr-defined]


def test_a_c_level_setenv_is_reported(tmp_path: Path) -> None:
    """Guards: ``setenv()`` from C (ctypes) changed what ``os.system`` sees in the test, silently."""
    pytest.importorskip("ctypes")
    (tmp_path / "app.py").write_text(
        "import ctypes\n\ndef handler(event, context):\n"
        "    ctypes.CDLL(None).setenv(b'PL_FROM_C', b'1', 1)\n    return 1\n"
    )
    runner = LambdaRunner("app.handler", root=tmp_path)
    try:
        runner.invoke({})
        with pytest.warns(ProcessStateWarning) as caught:
            runner.close()
        assert len(caught) == 1
        assert str(caught[0].message) == (
            "the handler changed process state that cannot be put back in-process, so the test "
            "process and later environments see it: C environment variable PL_FROM_C (set by C "
            "code, not os.environ). If the handler's own code does it (aws_xray_sdk's patch_all() at "
            "import, for example), isolation='runtime' keeps it in a process of its own, or filter "
            "this warning where it is intended; from a test, patch third-party code with "
            "monkeypatch and set variables through os.environ; see "
            "https://pytest-lambda-toolkit.readthedocs.io/en/latest/known-limitations/"
        )
    finally:
        os.unsetenv("PL_FROM_C")


def test_the_warm_reuse_check_names_what_cannot_be_restored(tmp_path: Path) -> None:
    """Guards: the warm-reuse report said nothing about a patched third-party module."""
    import iniconfig

    (tmp_path / "app.py").write_text(
        "import iniconfig\n\ndef handler(event, context):\n"
        "    iniconfig.handler_patch = event['n']\n    return 1\n"
    )
    runner = LambdaRunner("app.handler", root=tmp_path)
    try:
        report = check_warm_reuse(runner, [{"n": 1}, {"n": 2}])
        (finding,) = report.by_category("process-state")
        assert finding.render() == (
            "  warning: [process-state] iniconfig.handler_patch: attribute of a third-party "
            "module set by the handler; shared modules are not reset between environments, so "
            "the test process and every later environment see it\n"
            "    fix: patch third-party code from the test (monkeypatch), or wrap it in your "
            "own module instead of replacing the library's attribute"
        )
        with pytest.warns(ProcessStateWarning):
            runner.close()
    finally:
        del iniconfig.handler_patch  # type: ignore[attr-defined]


def test_the_warm_reuse_check_names_a_c_level_variable(tmp_path: Path) -> None:
    """Guards: a variable set by C code during the check went unreported."""
    pytest.importorskip("ctypes")
    (tmp_path / "app.py").write_text(
        "import ctypes\n\ndef handler(event, context):\n"
        "    ctypes.CDLL(None).setenv(b'PL_FROM_C_CHECK', b'1', 1)\n    return 1\n"
    )
    runner = LambdaRunner("app.handler", root=tmp_path)
    try:
        report = check_warm_reuse(runner, [{"n": 1}])
        (finding,) = report.by_category("process-state")
        assert finding.render() == (
            "  warning: [process-state] C environment variable PL_FROM_C_CHECK: set by C code "
            "(setenv() through ctypes or an extension), not through os.environ; it stays set in "
            "the test process, where os.system() and os.popen() see it\n"
            "    fix: set variables through os.environ"
        )
        with pytest.warns(ProcessStateWarning):
            runner.close()
    finally:
        os.unsetenv("PL_FROM_C_CHECK")


def test_a_check_on_a_handler_string_reports_without_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards: the runner a check builds for itself must not turn its report into a warning
    (an error under ``filterwarnings = error``) when it closes."""
    import iniconfig

    (tmp_path / "patcher.py").write_text(
        "import iniconfig\n\ndef handler(event, context):\n"
        "    iniconfig.handler_patch = 1\n    return 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    try:
        report = check_warm_reuse("patcher.handler", [{"n": 1}])
        assert [f.where for f in report.by_category("process-state")] == ["iniconfig.handler_patch"]
    finally:
        del iniconfig.handler_patch  # type: ignore[attr-defined]
