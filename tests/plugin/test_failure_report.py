"""A failing test shows its invocations' logs and how to replay their events; --pdb opens in the handler (issue 20)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pytest_lambda._plugin.failure import MAX_LINES, replay_stem

APP = """
def handler(event, context):
    print("processing", event.get("id"))
    for n in range(event.get("lines", 0)):
        print("line", n)
    return event["order_id"]
"""

TEST = """
import pytest

@pytest.mark.lambda_handler("app.handler", timeout=5)
def test_fails(lambda_runner):
    lambda_runner.invoke({"id": 1, "order_id": 1})
    inv = lambda_runner.invoke({"id": 7, "lines": LINES})
    assert inv.ok

@pytest.mark.lambda_handler("app.handler")
def test_passes(lambda_runner):
    assert lambda_runner.invoke({"order_id": 2}).ok
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("PYTEST_LAMBDA_HANDLER", raising=False)
    pytester.makepyfile(app=APP)
    return pytester


ARGS = ("-p", "lambda_toolkit", "-p", "no:randomly", "--lambda-seed=1")


def test_the_report_has_each_invocations_logs_and_a_replay_command(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_app=TEST.replace("LINES", "0"))
    result = project.runpytest(*ARGS, "--junitxml=report.xml")
    result.assert_outcomes(failed=1, passed=1)
    replay = (
        project.path
        / ".pytest_cache"
        / "d"
        / "lambda-replay"
        / f"{replay_stem('test_app.py::test_fails')}-2.json"
    )
    result.stdout.fnmatch_lines(
        [
            "*- lambda invocations -*",
            "--- invocation 1 (ok) ---",
            "START RequestId: * Version: $LATEST",
            "processing 1",
            "END RequestId: *",
            "REPORT RequestId: *",
            "--- invocation 2 (KeyError) ---",
            "processing 7",
            "[[]ERROR[]] KeyError: 'order_id'",
            "*- lambda replay -*",
            "replay the events with:",
            f"  pytest-lambda invoke app.handler --event {project.path}/.pytest_cache/d/lambda-replay/"
            f"{replay_stem('test_app.py::test_fails')}-1.json --root {project.path} --timeout 5",
            f"  pytest-lambda invoke app.handler --event {replay} --root {project.path} --timeout 5",
        ]
    )
    assert json.loads(replay.read_text()) == {"id": 7, "lines": 0}
    assert result.stdout.str().count("lambda invocations") == 1  # not for the passing test
    xml = (project.path / "report.xml").read_text()
    assert '<property name="lambda_replay" value="pytest-lambda invoke app.handler --event ' in xml
    assert '<property name="lambda_invocations" value="--- invocation 1 (ok) ---' in xml


def test_long_logs_are_cut_and_say_so(project: pytest.Pytester) -> None:
    project.makepyfile(test_app=TEST.replace("LINES", "500"))
    result = project.runpytest(*ARGS, "-p", "no:cacheprovider", "test_app.py::test_fails")
    result.assert_outcomes(failed=1)
    # the second invocation has START, INIT-less 1 + 500 printed lines, the error (4), END, REPORT
    result.stdout.fnmatch_lines(["... (* lines cut; invocation.logs has them all)"])
    assert "line 499" in result.stdout.str()  # the end is kept
    section = result.stdout.str().split("lambda invocations")[1].split("lambda replay")[0]
    assert "line 250" not in section
    # without pytest's cache the events go to a new temporary directory
    result.stdout.fnmatch_lines(
        [
            "  pytest-lambda invoke app.handler --event */pytest-lambda-replay-*/test_app.py_test_fails-*-2.json *"
        ]
    )
    assert MAX_LINES == 40


def test_replay_files_never_overwrite_a_directory_the_plugin_did_not_make(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_app=TEST.replace("LINES", "0"))
    theirs = project.path / ".pytest_cache" / "d" / "lambda-replay"
    theirs.mkdir(parents=True)
    (theirs / f"{replay_stem('test_app.py::test_fails')}-2.json").write_text("mine")
    result = project.runpytest(*ARGS)
    assert (theirs / f"{replay_stem('test_app.py::test_fails')}-2.json").read_text() == "mine"
    result.stdout.fnmatch_lines(
        [
            "  pytest-lambda invoke app.handler --event */pytest-lambda-replay-*/test_app.py_test_fails-*-2.json *"
        ]
    )


def test_the_replay_command_replays_the_event(project: pytest.Pytester) -> None:
    project.makepyfile(test_app=TEST.replace("LINES", "0"))
    project.runpytest(*ARGS)
    from pytest_lambda.cli import main

    replay = Path(
        project.path,
        ".pytest_cache",
        "d",
        "lambda-replay",
        f"{replay_stem('test_app.py::test_fails')}-2.json",
    )
    code = main(["invoke", "app.handler", "--event", str(replay), "--root", str(project.path)])
    assert code == 1  # the handler raises KeyError again


def test_pdb_opens_in_the_handlers_frame(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import sys

    import pytest_lambda

    package = str(Path(pytest_lambda.__file__).parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([package, str(project.path)]))
    project.makepyfile(test_app=TEST.replace("LINES", "0"))
    result = project.run(
        sys.executable, "-m", "pytest", *ARGS, "--pdb", "test_app.py::test_fails", stdin=b"c\n"
    )
    result.stdout.fnmatch_lines(
        ["*PDB post_mortem*", f"> {project.path / 'app.py'}(5)handler()", "-> return event*"]
    )


def test_generated_events_a_test_did_not_invoke_are_saved_too(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_direct="""
        import pytest

        @pytest.mark.lambda_handler("app.handler")
        def test_direct(lambda_event, lambda_handler):
            event = lambda_event.sqs(records=1)
            assert lambda_handler(event, None) == "never"
        """
    )
    result = project.runpytest(*ARGS)
    result.assert_outcomes(failed=1)
    saved = (
        project.path
        / ".pytest_cache/d/lambda-replay"
        / f"{replay_stem('test_direct.py::test_direct')}-event-1.json"
    )
    result.stdout.fnmatch_lines(
        [
            "replay the events with:",
            f"  pytest-lambda invoke app.handler --event {saved} --root {project.path}",
        ]
    )
    assert json.loads(saved.read_text())["Records"][0]["eventSource"] == "aws:sqs"
    assert "lambda invocations" not in result.stdout.str()  # no invocation through a runner


@pytest.mark.skipif(sys.platform != "linux", reason="runtime isolation runs on Linux")
def test_the_lambda_handler_fixture_raises_in_runtime_isolation(project: pytest.Pytester) -> None:
    """It used to return the error payload: a test checking only the return value passed."""
    project.makepyfile(
        test_rt="""
        import pytest

        @pytest.mark.lambda_handler("app.handler")
        def test_it(lambda_handler):
            assert lambda_handler({"id": 1}, None) != "x"
        """
    )
    result = project.runpytest(*ARGS, "--lambda-isolation=runtime")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "pytest_lambda.RemoteTraceback: ",
            "Traceback (most recent call last):",
            '*app.py", line 5, in handler',
            '    return event["order_id"]',
            "The above exception was the direct cause of the following exception:",
            "*",
            "E       KeyError: 'order_id'",  # the key itself, as the handler raised it
        ]
    )


def test_a_src_layout_import_error_names_the_root_setting(project: pytest.Pytester) -> None:
    """Through lambda_runner.invoke (not only the lambda_handler fixture), a module that is not
    found says where modules are imported from and which setting changes it."""
    (project.path / "src" / "svc").mkdir(parents=True)
    (project.path / "src" / "svc" / "__init__.py").write_text("")
    (project.path / "src" / "svc" / "app.py").write_text(
        "def handler(event, context):\n    return 1\n"
    )
    project.makepyfile(
        test_src="""
        def test_it(lambda_runner):
            assert lambda_runner.invoke({}).ok
        """
    )
    result = project.runpytest(*ARGS, "--lambda-handler=svc.app.handler")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [f"Modules are imported from {project.path}; for a src layout set --lambda-root=src (ini "
         "lambda_root, env PYTEST_LAMBDA_ROOT) or the marker's root="]
    )  # fmt: skip
    project.runpytest(
        *ARGS, "--lambda-handler=svc.app.handler", "--lambda-root=src"
    ).assert_outcomes(passed=1)


def test_what_a_test_kept_for_its_report_is_dropped_after_its_last_report(
    project: pytest.Pytester,
) -> None:
    # pytest keeps every item to the end of the session: the runners, invocations and
    # events an item kept for a failure report would stay alive (and walked by every full
    # garbage collection) unless dropped once the teardown report is made
    project.makepyfile(test_app=TEST.replace("LINES", "0"))
    project.makeconftest(
        """
import gc
import weakref

import pytest

RUNNERS = []

@pytest.fixture(autouse=True)
def _watch(request):
    if "lambda_runner" in request.fixturenames:
        RUNNERS.append((request.node.name, weakref.ref(request.getfixturevalue("lambda_runner"))))
    yield

def pytest_sessionfinish(session):
    from pytest_lambda._plugin import failure
    from pytest_lambda import plugin

    kept = [item.name for item in session.items if failure._RECORDED in item.stash]
    factories = [item.name for item in session.items if plugin._EVENT_FACTORY in item.stash]
    alive = [name for name, ref in RUNNERS if ref() is not None]
    print(f"\\nKEPT={kept} FACTORIES={factories} RUNNERS={len(RUNNERS)} ALIVE={alive}")
"""
    )
    project.makepyfile(
        test_events="""
def test_uses_events(lambda_event):
    assert lambda_event.sqs()["Records"]
"""
    )
    result = project.runpytest(*ARGS, "-s", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=2)
    # the passing test's runner is freed at once; the failing one's traceback (kept by
    # pytest for the report and post-mortem debugging) may still hold it
    line = next(x for x in result.stdout.lines if x.startswith("KEPT="))
    assert line.startswith("KEPT=[] FACTORIES=[] RUNNERS=2 ALIVE=")
    assert "test_passes" not in line
    result.stdout.fnmatch_lines(["*- lambda invocations -*"])  # the failing test's report


def test_two_tests_whose_ids_differ_only_in_unsafe_characters_get_their_own_files() -> None:
    """test[acme corp] and test[acme_corp] used to share a replay file: the command printed
    for one replayed the other's event."""
    one, other = replay_stem("t.py::test[acme corp]"), replay_stem("t.py::test[acme_corp]")
    assert one != other
    assert one.startswith("t.py_test_acme_corp_-")


def test_a_handler_that_breaks_the_process_never_makes_an_internal_error(
    project: pytest.Pytester,
) -> None:
    """A handler that poisons ``sys.modules`` (``json`` set to None) made the failure report's
    own import of ``json`` raise in a hook: pytest stopped with INTERNALERROR (exit 3) and
    later tests never ran."""
    project.makepyfile(
        poison="""
import sys

def handler(event, context):
    sys.modules["json"] = None
    sys.modules["hashlib"] = None
    return 1
""",
        test_poison="""
import pytest
import sys

@pytest.mark.lambda_handler("poison.handler")
def test_fails(lambda_runner):
    lambda_runner.invoke({})
    assert sys.modules["json"] is not None, "sys.modules was poisoned"

def test_later():
    pass
""",
    )
    result = project.runpytest(*ARGS, "-p", "no:cacheprovider")
    assert result.ret == 1, result.outlines
    result.assert_outcomes(failed=1, passed=1)
