"""The idempotency report and NotIdempotentError messages, word for word (pytester, in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda._checks.idempotency.report import DOCS

STORE = """
import json, os

PATH = os.environ["FAKE_DB"]

def _load():
    with open(PATH) as f:
        return json.load(f)

def _save(data):
    with open(PATH, "w") as f:
        json.dump(data, f)

def get(table, key):
    return _load().get(table, {}).get(key)

def put(table, key, value):
    data = _load()
    data.setdefault(table, {})[key] = value
    _save(data)

def insert(table, row):
    data = _load()
    data.setdefault(table, []).append(row)
    _save(data)
"""

CONFTEST = """
import json, os, pathlib
import pytest
from pytest_lambda import LambdaRunner, events

# outside the project: the task root is read-only while a handler runs, as in Lambda
DB = pathlib.Path(os.environ["STORE_DIR"]) / "db.json"

def observe():
    return json.loads(DB.read_text())

def reset():
    DB.write_text("{}")

@pytest.fixture
def runner():
    reset()
    with LambdaRunner(HANDLER, env={"FAKE_DB": str(DB)}) as r:
        yield r

@pytest.fixture
def event():
    return events.sqs(seed=1, records=1, body={"order": "o-1"})

HANDLER = None

def pytest_collection_modifyitems(items):
    global HANDLER
    HANDLER = items[0].module.HANDLER
"""

HANDLERS = {
    "blind.py": """
        import json, store
        def handler(event, context):
            for record in event["Records"]:
                store.insert("orders", json.loads(record["body"]))
    """,
    "by_receipt.py": """
        import json, store
        def handler(event, context):
            for record in event["Records"]:
                if store.get("seen", record["receiptHandle"]) is None:
                    store.put("seen", record["receiptHandle"], True)
                    store.insert("orders", json.loads(record["body"]))
    """,
    "marker.py": """
        import json, store
        def handler(event, context):
            for record in event["Records"]:
                if store.get("processed", record["messageId"]):
                    continue
                store.insert("orders", json.loads(record["body"]))
                store.put("processed", record["messageId"], True)
    """,
    "upsert.py": """
        import json, store
        def handler(event, context):
            for record in event["Records"]:
                store.put("orders", record["messageId"], json.loads(record["body"]))
            return {"batchItemFailures": []}
    """,
}


@pytest.fixture
def project(
    pytester: pytest.Pytester,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> pytest.Pytester:
    import textwrap

    monkeypatch.setenv("STORE_DIR", str(tmp_path_factory.mktemp("store")))

    pytester.makeconftest(CONFTEST)
    pytester.path.joinpath("store.py").write_text(STORE)
    for name, source in HANDLERS.items():
        pytester.path.joinpath(name).write_text(textwrap.dedent(source))
    return pytester


def _run(project: pytest.Pytester, body: str) -> pytest.RunResult:
    project.makepyfile(test_check=body)
    return project.runpytest(
        "-s",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        "-p",
        "no:benchmark",
        "-p",
        "no:xdist",
    )


REPRODUCE = (
    "E       reproduce: the check is deterministic: run the check again on the same event "
    "(sqs, 1 message, first messageId '*')"
)


def test_blind_insert_message(project: pytest.Pytester) -> None:
    result = _run(
        project,
        """
        from pytest_lambda import assert_idempotent
        from conftest import observe, reset
        HANDLER = "blind.handler"

        def test_it(runner, event):
            assert_idempotent(runner, event, observe=observe, reset=reset, fault_points=["store.insert"])
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.NotIdempotentError: blind.handler is not idempotent: 2 findings in duplicate delivery and crash and retry (sqs event)",
            "E       ",
            "E       [duplicate delivery, warm] a duplicate delivery changed the state (1 added): a blind insert wrote the same data again",
            "E         state: - after 1 delivery, + after 2 deliveries:",
            "E           + state['orders'][1]: {'order': 'o-1'}",
            "E         fix: make the write conditional on messageId: e.g. DynamoDB put_item with ConditionExpression='attribute_not_exists(pk)', treating ConditionalCheckFailed as done, or an upsert keyed by it",
            "E       ",
            "E       [crash and retry, warm and cold retry] when store.insert (point 1) succeeded but its acknowledgement was lost, the retry repeated store.insert",
            "E         fault: store.insert (point 1) succeeded but its acknowledgement was lost",
            "E         duplicated call: store.insert('orders', {'order': 'o-1'}) (ran more often than in one clean delivery)",
            "E         state: - after 1 delivery, + after the failure and the retries:",
            "E           + state['orders'][1]: {'order': 'o-1'}",
            "E         fix: make store.insert a conditional write keyed on messageId (treat 'already exists' as done)",
            "E       ",
            "E       scenarios:",
            "E         duplicate delivery: failed (warm: failed, cold: failed)",
            "E         crash and retry: failed (failed: after point 1 (store.insert); ran 1 point, each failed before and after, retried warm and cold)",
            "E       side-effect points (1): store.insert",
            "E       handler runs: 13 (duplicate delivery 3, diagnosis 2, crash and retry 8)",
            f"E       see {DOCS}",
            REPRODUCE,
        ],
        consecutive=True,
    )


def test_dedup_on_receipt_handle_names_the_field(project: pytest.Pytester) -> None:
    result = _run(
        project,
        """
        from pytest_lambda import assert_idempotent
        from conftest import observe, reset
        HANDLER = "by_receipt.handler"

        def test_it(runner, event):
            assert_idempotent(runner, event, observe=observe, reset=reset, faults=False)
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.NotIdempotentError: by_receipt.handler is not idempotent: 1 finding in duplicate delivery (sqs event)",
            "E       ",
            "E       [duplicate delivery, warm] a duplicate delivery changed the state (2 added): the handler dedups on receiptHandle, which changes on every redelivery (an exact copy was idempotent, a copy differing only in receiptHandle was not)",
            "E         state: - after 1 delivery, + after 2 deliveries:",
            "E           + state[[]'seen'][[]'AQEB*…']: True",
            "E           + state['orders'][1]: {'order': 'o-1'}",
            "E         fix: key your dedup on messageId, not receiptHandle: SQS issues a new receiptHandle on every receive",
            "E       ",
            "E       scenarios:",
            "E         duplicate delivery: failed (warm: failed, cold: failed)",
            "E         crash and retry: skipped (faults=False)",
            "E       side-effect points (0): none seen",
            "E       handler runs: 7 (duplicate delivery 3, diagnosis 4)",
            "E       note: no AWS call through botocore was seen; declare your own side effects with fault_points=",
            f"E       see {DOCS}",
            REPRODUCE,
        ],
        consecutive=True,
    )


def test_write_then_marker_is_caught_by_crash_and_retry(project: pytest.Pytester) -> None:
    result = _run(
        project,
        """
        from pytest_lambda import assert_idempotent
        from conftest import observe, reset
        HANDLER = "marker.handler"

        def test_it(runner, event):
            assert_idempotent(
                runner, event, observe=observe, reset=reset,
                fault_points=["store.get", "store.put", "store.insert"],
            )
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.NotIdempotentError: marker.handler is not idempotent: 2 findings in crash and retry (sqs event)",
            "E       ",
            "E       [crash and retry, warm and cold retry] when store.insert (point 2) succeeded but its acknowledgement was lost, the retry repeated store.insert",
            "E         fault: store.insert (point 2) succeeded but its acknowledgement was lost",
            "E         duplicated call: store.insert('orders', {'order': 'o-1'}) (ran more often than in one clean delivery)",
            "E         state: - after 1 delivery, + after the failure and the retries:",
            "E           + state['orders'][1]: {'order': 'o-1'}",
            "E         fix: make the write and the marker one conditional write (e.g. DynamoDB TransactWriteItems, or one put_item with ConditionExpression='attribute_not_exists(pk)'), so a retry finds both done or neither; or make store.insert a conditional write keyed on messageId (treat 'already exists' as done)",
            "E       ",
            "E       1 more finding:",
            "E         [crash and retry, warm and cold retry] when store.put (point 3) failed before the call was made, the retry repeated store.insert, which had already succeeded",
            "E       ",
            "E       scenarios:",
            "E         duplicate delivery: passed (warm: passed, cold: passed)",
            "E         crash and retry: failed (failed: after point 2 (store.insert), before point 3 (store.put); ran 3 points, each failed before and after, retried warm and cold)",
            "E       side-effect points (3): [1] store.get, [2] store.insert, [3] store.put",
            "E       handler runs: 27 (duplicate delivery 3, crash and retry 24)",
            f"E       see {DOCS}",
            REPRODUCE,
        ],
        consecutive=True,
    )


def test_passing_report_reads_on_its_own(project: pytest.Pytester) -> None:
    result = _run(
        project,
        """
        from pytest_lambda import assert_idempotent
        from conftest import observe, reset
        HANDLER = "upsert.handler"

        def test_it(runner, event):
            report = assert_idempotent(runner, event, observe=observe, reset=reset, fault_points=["store.put"])
            assert report.ok
            print()
            print(report)
        """,
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "idempotent: upsert.handler passed duplicate delivery, crash and retry (sqs event)",
            "scenarios:",
            "  duplicate delivery: passed (warm: passed, cold: passed)",
            "  crash and retry: passed (ran 1 point, each failed before and after, retried warm and cold)",
            "side-effect points (1): store.put",
            "handler runs: 11 (duplicate delivery 3, crash and retry 8)",
        ],
        consecutive=True,
    )


def test_without_reset_the_report_says_why_crash_and_retry_was_skipped(
    project: pytest.Pytester,
) -> None:
    result = _run(
        project,
        """
        from pytest_lambda._checks.idempotency.check import check_idempotency
        HANDLER = "upsert.handler"

        def test_it(runner, event):
            print()
            print(check_idempotency(runner, event))
        """,
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "idempotent: upsert.handler passed duplicate delivery (sqs event)",
            "scenarios:",
            "  duplicate delivery: passed (warm: passed, cold: passed)",
            "  crash and retry: skipped (needs reset= to restore the starting state before each faulted run)",
            "side-effect points (0): none seen",
            "handler runs: 3 (duplicate delivery 3)",
            "note: no observe=: only responses, and messages sent again, were compared; pass "
            "observe= to compare state",
            "note: no AWS call through botocore was seen; declare your own side effects with fault_points=",
        ],
        consecutive=True,
    )


def test_a_handler_that_never_succeeds_is_not_reported_idempotent(project: pytest.Pytester) -> None:
    project.path.joinpath("broken.py").write_text(
        "def handler(event, context):\n    raise ValueError('bad order')\n"
    )
    result = _run(
        project,
        """
        from pytest_lambda import assert_idempotent
        HANDLER = "broken.handler"

        def test_it(runner, event):
            assert_idempotent(runner, event)
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_lambda.NotIdempotentError: broken.handler is not shown to be idempotent: the first delivery never succeeded, so there is nothing to compare a redelivery with (sqs event)",
            "E       ",
            "E       [duplicate delivery] the first delivery never succeeded in 3 attempts (ValueError: bad order): a failing handler cannot be shown idempotent",
            "E         fix: make the handler succeed on this event, or check it with an event it accepts",
            "E       ",
            "E       scenarios:",
            "E         duplicate delivery: failed (the first delivery never succeeded)",
            "E         crash and retry: skipped (the first delivery never succeeded)",
        ],
        consecutive=True,
    )


def test_the_docs_page_the_messages_link_to_exists() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "idempotency.md"
    assert DOCS.endswith("/how-to/idempotency/")
    assert page.is_file()
