"""StateLeakError messages from assert_no_state_leak, word for word (pytester, in-process)."""

from __future__ import annotations

import textwrap

import pytest

from pytest_lambda._checks.leaks.report import DOCS

HANDLERS = {
    "seen.py": """
        _seen = []

        def handler(event, context):
            _seen.append(event["user"])
            return {"user": event["user"]}
    """,
    "session.py": """
        current_user = None

        def handler(event, context):
            global current_user
            if event.get("token"):
                current_user = event["user"]
            return {"orders_of": current_user}
    """,
    "defaults.py": """
        def handler(event, context, batch=[]):
            batch.append(len(event["Records"]))
            return {"batches": len(batch)}
    """,
    "noisy.py": """
        import logging

        def handler(event, context):
            logger = logging.getLogger("noisy")
            logger.addHandler(logging.NullHandler())
            return {"ok": True}
    """,
    "tmp_seen.py": """
        def handler(event, context):
            with open("/tmp/seen.txt", "a") as f:
                f.write(event["user"] + "\\n")
            with open("/tmp/seen.txt") as f:
                return {"seen": len(f.read().splitlines())}
    """,
    "random_for_bob.py": """
        import uuid

        def handler(event, context):
            return uuid.uuid4().hex if event["user"] == "bob" else event["user"]
    """,
    "rows.py": """
        import json, os

        DB = os.environ["ROWS_DB"]  # a file outside /tmp standing in for a table

        def handler(event, context):
            rows = set()
            if os.path.exists(DB):
                with open(DB) as f:
                    rows = set(json.load(f))
            others = sorted(rows - {event["user"]})
            with open(DB, "w") as f:
                json.dump(sorted(rows | {event["user"]}), f)
            return {"others": others}
    """,
    "memo.py": """
        _names = {}

        def handler(event, context):
            _names.setdefault(event["user"], event["user"].title())
            return {"name": _names[event["user"]]}
    """,
}

ALICE_BOB = '[{"user": "alice", "token": "t-1"}, {"user": "bob"}]'


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    for name, source in HANDLERS.items():
        pytester.path.joinpath(name).write_text(textwrap.dedent(source))
    return pytester


def _run(project: pytest.Pytester, body: str) -> pytest.RunResult:
    project.makepyfile(test_check=textwrap.dedent(body))
    return project.runpytest(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
        "-p", "no:benchmark", "-p", "no:xdist",
    )  # fmt: skip


def test_growing_global_names_it_with_its_trend(project: pytest.Pytester) -> None:
    result = _run(
        project,
        f"""
        from pytest_lambda import assert_no_state_leak

        def test_it():
            assert_no_state_leak("seen.handler", {ALICE_BOB})
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.StateLeakError: handler state leaks across warm invocations: 1 error (global-growth)",
            "E       ",
            "E       [[]global-growth] seen._seen: `seen._seen` grew by 1 item per invocation: 0 → 4, also when an event repeats (2 replayed invocations): it grows without bound (a memory leak)",
            "E         after init         : [[]] (0 items)",
            "E         after invocation 4 : [[]'alice', 'bob', 'alice', 'bob'] (4 items)",
            "E         fix: move per-request state into the handler (a local variable), not a module global",
            "E       ",
            "E       handler runs: 5 (2 warm + 2 replayed, 1 cold)",
            f"E       see {DOCS}",
            "E       reproduce: run the check again with the same events (it is deterministic for a deterministic handler)",
        ],
        consecutive=True,
    )


def test_cross_request_data_leak_shows_cold_and_warm_outputs(project: pytest.Pytester) -> None:
    result = _run(
        project,
        f"""
        from pytest_lambda import assert_no_state_leak

        def test_it():
            assert_no_state_leak("session.handler", {ALICE_BOB})
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.StateLeakError: handler state leaks across warm invocations: 1 error (divergence)",
            "E       ",
            "E       [[]divergence] event 2: warm invocation 2 returned another output than a cold start on the same event: state left by earlier invocations changed the result (another request's data may reach this caller); globals changed by earlier invocations: `session.current_user`",
            "E         cold (fresh environment)  : {'orders_of': None}",
            "E         warm (reused environment) : {'orders_of': 'alice'}",
            "E         fix: move per-request state into the handler (a local variable), not a module global; reset what the handler sets in a finally: block; key any cache on the input",
            "E       ",
            "E       not failing the check (1 finding):",
            "E         warning: [[]global-changed] session.current_user: changed on 2 of 4 invocations: per-request state in a module global",
            "E       ",
            "E       handler runs: 6 (2 warm + 2 replayed, 2 cold)",
            f"E       see {DOCS}",
        ],
        consecutive=True,
    )


def test_mutable_default_and_seeded_events_give_the_reproduce_line(
    project: pytest.Pytester,
) -> None:
    result = _run(
        project,
        """
        from pytest_lambda import assert_no_state_leak

        def test_it():
            assert_no_state_leak("defaults.handler", ("sqs", 3), seed=42)
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.StateLeakError: handler state leaks across warm invocations: 4 errors (divergence, mutable-default)",
            "E       ",
            "E       [[]divergence] event 2: warm invocation 2 returned another output than a cold start on the same event: *; globals changed by earlier invocations: `defaults.handler(batch=…)`",
            "E         cold (fresh environment)  : {'batches': 1}",
            "E         warm (reused environment) : {'batches': 2}",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "E       [[]mutable-default] defaults.handler(batch=…): `defaults.handler(batch=…)` grew by 1 item per invocation: 0 → 6, also when an event repeats (3 replayed invocations): it grows without bound (a memory leak)",
            "E         after init         : [[]] (0 items)",
            "E         after invocation 6 : [[]*] (6 items)",
            "E         fix: use None as the default and create the container inside the function",
            "E       ",
            "E       (and 1 more diverging event: event 1)",
            "E       ",
            "E       handler runs: 11 (3 warm + 3 replayed, 5 cold)",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        ["E       reproduce: check_warm_reuse(runner, ('sqs', 3), seed=42)"]
    )


def test_logging_handler_per_call(project: pytest.Pytester) -> None:
    result = _run(
        project,
        f"""
        from pytest_lambda import LambdaRunner
        from pytest_lambda._checks.leaks.check import check_warm_reuse

        def test_it():
            with LambdaRunner("noisy.handler") as runner:
                check_warm_reuse(runner, {ALICE_BOB}).assert_ok()
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            # the raising line is inside a with block: pytest indents the message 4 more
            "E           pytest_lambda.StateLeakError: handler state leaks across warm invocations: 1 error (logging-handler)",
            "E           ",
            "E           [[]logging-handler] logger 'noisy': the handlers of the logger 'noisy' grew by 1 handler per invocation: 0 → 4: every log line is then printed once per handler",
            "E             after init         : 0 handlers",
            "E             after invocation 4 : 4 handlers",
            "E             fix: add logging handlers once, at import time (or check logger.handlers first)",
        ],
        consecutive=True,
    )


def test_cache_keyed_by_input_passes_with_a_warning_and_fails_when_strict(
    project: pytest.Pytester,
) -> None:
    result = _run(
        project,
        """
        import pytest
        from pytest_lambda import StateLeakError, assert_no_state_leak

        EVENTS = [{"user": "alice"}, {"user": "bob"}, {"user": "carol"}]

        def test_relaxed():
            report = assert_no_state_leak("memo.handler", EVENTS)
            print(report)

        def test_strict():
            assert_no_state_leak("memo.handler", EVENTS, strict=True)

        def test_allowed():
            report = assert_no_state_leak("memo.handler", EVENTS, strict=True, allow=["memo._names"])
            assert report.findings == ()
        """,
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.StateLeakError: handler state leaks across warm invocations: 1 error (cache)",
            "E       ",
            "E       [[]cache] memo._names: `memo._names` grew on 3 of 6 invocations: 0 → 3 items, only with new events (a cache keyed by input?); outputs did not change (strict)",
        ],
        consecutive=True,
    )


def test_a_file_appended_under_the_literal_tmp_is_named(project: pytest.Pytester) -> None:
    """Guards the issue's example: on main this handler passed as "no state leak: 2 events
    gave the same output warm and cold" (its /tmp was the machine's, so two cold runs
    differed and nothing was compared); now /tmp is the environment's own."""
    result = _run(
        project,
        f"""
        from pytest_lambda import assert_no_state_leak

        def test_it():
            assert_no_state_leak("tmp_seen.handler", {ALICE_BOB})
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.StateLeakError: handler state leaks across warm invocations: 3 errors (divergence, tmp-growth)",
            "E       ",
            "E       [[]divergence] event 2: warm invocation 2 returned another output than a cold start on the same event: state left by earlier invocations changed the result (another request's data may reach this caller); /tmp files changed by earlier invocations: `/tmp/seen.txt`",
            "E         cold (fresh environment)  : {'seen': 1}",
            "E         warm (reused environment) : {'seen': 2}",
            "E         fix: do not read per-request data back from /tmp: name files after the input, or delete them in a finally: block",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "E       [[]tmp-growth] /tmp/seen.txt: `/tmp/seen.txt` grew on 3 of 3 invocations: 6 → 20 bytes: a file appended on every invocation fills /tmp",
            "E         after invocation 1 : 6 bytes",
            "E         after invocation 4 : 20 bytes",
            "E         fix: write the file once (or overwrite it), or delete it in a finally: block",
            "E       ",
            "E       handler runs: 7 (2 warm + 2 replayed, 3 cold)",
        ],
        consecutive=True,
    )


def test_the_verdict_says_which_outputs_were_not_compared(project: pytest.Pytester) -> None:
    """Guards: the verdict line claims only what was compared; on main it read "2 events
    gave the same output warm and cold" with bob's output never compared."""
    result = _run(
        project,
        f"""
        from pytest_lambda import check_warm_reuse

        def test_it():
            report = check_warm_reuse("random_for_bob.handler", {ALICE_BOB})
            assert report.ok
            raise AssertionError(str(report))  # to show the report in the failure
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: no state leak: 1 of 2 events gave the same output warm and cold (event 2 not compared: two cold runs gave different outputs), and no state grew across warm invocations",
            "E       handler runs: 6 (2 warm + 2 replayed, 2 cold)",
            "E       note: event 2: two cold runs gave different outputs (not deterministic); its warm output was not compared",
        ],
        consecutive=True,
    )


THREE = '[{"user": "alice"}, {"user": "bob"}, {"user": "carol"}]'
EXTERNAL_STATE = """
    import os
    from pytest_lambda import check_warm_reuse

    def forget(db):
        if os.path.exists(db):
            os.remove(db)

    def test_it(tmp_path, monkeypatch):
        db = str(tmp_path / "rows.json")
        monkeypatch.setenv("ROWS_DB", db)
        report = check_warm_reuse("rows.handler", {THREE}{reset})
        raise AssertionError(str(report) + "\\ncodes: " + ", ".join(f.code for f in report.findings))
"""


def test_rows_left_by_an_earlier_event_are_not_a_leak_once_external_state_is_reset(
    project: pytest.Pytester,
) -> None:
    """The issue's case: each event sees the rows earlier ones wrote. With reset= the warm
    sequence starts each event from the same external state as its cold run: no finding."""
    result = _run(project, EXTERNAL_STATE.format(THREE=THREE, reset=", reset=lambda: forget(db)"))
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: no state leak: 3 events gave the same output warm and cold, and no state grew across warm invocations",
            "E       handler runs: 8 (3 warm + 3 replayed, 2 cold)",
            "E       codes:",
        ],
        consecutive=True,
    )


def test_without_reset_a_divergence_nothing_in_the_process_explains_is_external_state(
    project: pytest.Pytester,
) -> None:
    result = _run(project, EXTERNAL_STATE.format(THREE=THREE, reset=""))
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: state leaks across warm invocations: 1 error (divergence); event 1 not compared: two cold runs gave different outputs",
            "E         [[]divergence] event 2: warm invocation 2 returned another output than a cold start on the same event: state left by earlier invocations changed the result (another request's data may reach this caller); no module global, /tmp file or process setting changed before it, and external state was not reset between invocations: most likely data an earlier invocation wrote (a table row, an object, a message) changed the answer",
            "E           cold (fresh environment)  : {'others': ['alice', 'carol']}",
            "E           warm (reused environment) : {'others': ['alice']}",
            "E           fix: give the check reset= (the suite and pytest-lambda check: --moto-setup) so that every invocation starts from the same external state; a difference that remains is then state of the process",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(["E       codes: leaks.external-state"])


def test_a_divergence_blamed_on_a_global_has_the_module_global_code(
    project: pytest.Pytester,
) -> None:
    result = _run(
        project,
        f"""
        from pytest_lambda import check_warm_reuse

        def test_it():
            report = check_warm_reuse("session.handler", {ALICE_BOB}, reset=lambda: None)
            raise AssertionError(", ".join(f"{{f.code}}:{{f.severity}}" for f in report.findings))
        """,
    )
    result.stdout.fnmatch_lines(
        ["E       AssertionError: leaks.module-global:error, leaks.global-changed:warning"]
    )
