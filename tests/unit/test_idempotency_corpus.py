"""A corpus of handlers: every non-idempotent one is caught by the right scenario, no idempotent one is flagged.

Most handlers keep their state in a JSON file outside the handler root (the runner
imports the handler's modules fresh per environment, so module globals would not do),
through ``store.py``, whose functions are declared as fault points. Two handlers use
real boto3 against moto's DynamoDB with ``moto_state()``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import LambdaRunner, NotIdempotentError, assert_idempotent, events
from pytest_lambda._checks.idempotency.check import check_idempotency
from pytest_lambda._checks.idempotency.report import CRASH, DUPLICATE

STORE = '''
"""A tiny JSON-file database: every call reads and writes the file (no module state)."""
import json, os

PATH = os.environ["FAKE_DB"]

def _load():
    with open(PATH) as f:
        return json.load(f)

def _save(data):
    with open(PATH, "w") as f:
        json.dump(data, f, sort_keys=True)

def get(table, key):
    return _load().get(table, {}).get(key)

def put(table, key, value):
    data = _load()
    data.setdefault(table, {})[key] = value
    _save(data)

def put_if_absent(table, key, value):
    data = _load()
    rows = data.setdefault(table, {})
    if key in rows:
        return False
    rows[key] = value
    _save(data)
    return True

def insert(table, value):
    data = _load()
    data.setdefault(table, {})[str(len(data.get(table, {})))] = value
    _save(data)

def incr(table, key, by=1):
    data = _load()
    rows = data.setdefault(table, {})
    rows[key] = rows.get(key, 0) + by
    _save(data)
'''

HANDLERS = {
    # -- idempotent ------------------------------------------------------------------------
    "dedup_conditional": """
        import store
        def handler(event, context):
            for record in event["Records"]:
                store.put_if_absent("orders", record["messageId"], record["body"])
            return {"batchItemFailures": []}
    """,
    "powertools_style": """
        import json, store
        def handler(event, context):
            key = (event.get("headers") or {}).get("Idempotency-Key") or json.loads(event["body"])["order"]
            done = store.get("idempotency", key)
            if done is not None:
                return done
            store.put("orders", key, event["body"])
            response = {
                "statusCode": 201,
                "headers": {"x-request-id": event["requestContext"]["requestId"]},
                "body": json.dumps({"order": key, "request": context.aws_request_id}),
            }
            store.put("idempotency", key, response)
            return response
    """,
    "dedup_reports_new": """
        import store
        def handler(event, context):
            new = [r for r in event["Records"] if store.put_if_absent("orders", r["messageId"], r["body"])]
            return {"processed": len(new)}
    """,
    "natural_upsert": """
        import store
        def handler(event, context):
            for record in event["Records"]:
                obj = record["s3"]["object"]
                store.put("objects", record["s3"]["bucket"]["name"] + "/" + obj["key"], obj["size"])
    """,
    # -- not idempotent --------------------------------------------------------------------
    "blind_insert": """
        import store
        def handler(event, context):
            for record in event["Records"]:
                store.insert("orders", record["body"])
    """,
    "counter": """
        import store
        def handler(event, context):
            store.incr("counters", "notifications")
    """,
    "dedup_receipt_handle": """
        import store
        def handler(event, context):
            for record in event["Records"]:
                if store.put_if_absent("seen", record["receiptHandle"], True):
                    store.insert("orders", record["body"])
    """,
    "dedup_request_id": """
        import json, store
        def handler(event, context):
            if store.put_if_absent("seen", event["requestContext"]["requestId"], True):
                store.insert("orders", event["body"])
            return {"statusCode": 200, "body": json.dumps({"ok": True})}
    """,
    "dedup_invocation_id": """
        import store
        def handler(event, context):
            if store.put_if_absent("seen", context.aws_request_id, True):
                for record in event["Records"]:
                    store.insert("clicks", record["kinesis"]["data"])
    """,
    "stream_counter": """
        import store
        def handler(event, context):
            for record in event["Records"]:
                if record["eventName"] == "INSERT":
                    store.incr("counts", "inserts")
    """,
    "stream_dedup_event_id": """
        import store
        def handler(event, context):
            for record in event["Records"]:
                store.put_if_absent("changes", record["eventID"], record["dynamodb"]["SequenceNumber"])
    """,
    "write_then_marker": """
        import store
        def handler(event, context):
            for record in event["Records"]:
                if store.get("processed", record["messageId"]):
                    continue
                store.insert("orders", record["body"])
                store.put("processed", record["messageId"], True)
    """,
    "partial_batch_reprocess": """
        import store
        def handler(event, context):
            ids = [r["messageId"] for r in event["Records"]]
            if all(store.get("processed", i) for i in ids):
                return {"batchItemFailures": []}
            for record in event["Records"]:
                store.insert("orders", record["body"])
            for i in ids:
                store.put("processed", i, True)
            return {"batchItemFailures": []}
    """,
    "in_memory_dedup": """
        import store
        SEEN = set()
        def handler(event, context):
            for record in event["Records"]:
                if record["messageId"] in SEEN:
                    continue
                store.insert("orders", record["body"])
                SEEN.add(record["messageId"])
    """,
}

FAULT_POINTS = ("store.get", "store.put", "store.put_if_absent", "store.insert", "store.incr")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("corpus")
    root = base / "root"
    root.mkdir()
    (root / "store.py").write_text(STORE)
    for name, source in HANDLERS.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))
    return base


def _check(corpus: Path, name: str, event: dict[str, Any], **kw: Any):
    db = corpus / f"{name}.json"

    def reset() -> None:
        db.write_text("{}")

    def observe() -> Any:
        return json.loads(db.read_text())

    reset()
    with LambdaRunner(f"{name}.handler", root=corpus / "root", env={"FAKE_DB": str(db)}) as runner:
        return check_idempotency(
            runner, event, observe=observe, reset=reset, fault_points=FAULT_POINTS, **kw
        )


SQS1 = {"seed": 11, "records": 1}


@pytest.mark.parametrize(
    ("name", "event"),
    [
        ("dedup_conditional", events.sqs(seed=11, records=3)),
        ("natural_upsert", events.s3(seed=13)),
        ("stream_dedup_event_id", events.dynamodb(seed=3, records=3)),
    ],
)
def test_idempotent_handlers_pass(corpus: Path, name: str, event: dict[str, Any]) -> None:
    report = _check(corpus, name, event)
    assert report.ok, str(report)
    assert [s.status for s in report.scenarios] == ["passed", "passed"], str(report)
    assert report.findings == ()


def test_powertools_style_key_passes_and_masks_per_delivery_values(corpus: Path) -> None:
    event = events.apigw_v1(seed=12, method="POST", body={"order": "o-1"})
    report = _check(corpus, "powertools_style", event)
    assert report.ok, str(report)
    assert [s.status for s in report.scenarios] == ["passed", "passed"]
    assert report.side_effect_points == ("store.get", "store.put", "store.put")
    assert report.handler_runs == 3 + 8 * 3
    # the stored response carries the first request's ids; a retry's differ
    assert set(report.ignored) >= {"aws_request_id", "requestContext.requestId"}


@pytest.mark.parametrize(
    ("name", "event", "scenario", "fix"),
    [
        ("blind_insert", events.sqs(**SQS1), DUPLICATE, "make the write conditional on messageId"),
        (
            "counter",
            events.sns(seed=3),
            DUPLICATE,
            "record Sns.MessageId and the increment in one conditional write",
        ),
        (
            "dedup_receipt_handle",
            events.sqs(**SQS1),
            DUPLICATE,
            "key your dedup on messageId, not receiptHandle",
        ),
        (
            "dedup_request_id",
            events.apigw_v2(seed=4, method="POST", body={"x": 1}),
            DUPLICATE,
            "not requestContext.requestId: API Gateway gives every client retry a new request id",
        ),
        (
            "in_memory_dedup",
            events.sqs(**SQS1),
            DUPLICATE,
            "keep the dedup record in durable storage",
        ),
        (
            "dedup_invocation_id",
            events.kinesis(seed=6, records=2),
            DUPLICATE,
            "not context.aws_request_id: every kinesis redelivery is a new invocation",
        ),
        (
            "stream_counter",
            events.dynamodb(seed=6, records=2, event_name="INSERT"),
            DUPLICATE,
            "eventID",
        ),
        (
            "write_then_marker",
            events.sqs(**SQS1),
            CRASH,
            "make the write and the marker one conditional write",
        ),
        (
            "partial_batch_reprocess",
            events.sqs(seed=5, records=2),
            CRASH,
            "report only the failed records in batchItemFailures",
        ),
    ],
)
def test_non_idempotent_handlers_are_caught_by_the_right_scenario(
    corpus: Path, name: str, event: dict[str, Any], scenario: str, fix: str
) -> None:
    report = _check(corpus, name, event)
    assert not report.ok
    first = report.errors[0]
    assert first.scenario == scenario, str(report)
    assert fix in first.fix, str(report)
    failed = {s.name for s in report.scenarios if s.status == "failed"}
    if scenario == CRASH:
        assert failed == {CRASH}, str(report)  # a duplicate alone is handled correctly


def test_in_memory_dedup_passes_warm_and_fails_cold(corpus: Path) -> None:
    report = _check(corpus, "in_memory_dedup", events.sqs(**SQS1), faults=False)
    assert report.scenarios[0].detail == "warm: passed, cold: failed"
    assert report.errors[0].environment == "cold"
    assert report.scenarios[1].status == "skipped"


def test_a_response_only_difference_is_a_warning_for_sqs(corpus: Path) -> None:
    report = _check(corpus, "dedup_reports_new", events.sqs(**SQS1), faults=False)
    assert report.ok, str(report)
    assert [f.severity for f in report.findings] == ["warning"]
    assert report.scenarios[0].detail == "warm: warning, cold: warning"
    assert report.findings[0].responses == ({"processed": 1}, {"processed": 0})


def test_without_reset_the_crash_scenario_is_skipped_and_says_why(corpus: Path) -> None:
    db = corpus / "noreset.json"
    db.write_text("{}")
    with LambdaRunner(
        "dedup_conditional.handler", root=corpus / "root", env={"FAKE_DB": str(db)}
    ) as runner:
        report = check_idempotency(
            runner, events.sqs(**SQS1), observe=lambda: json.loads(db.read_text())
        )
    assert report.ok
    assert report.scenarios[1].status == "skipped"
    assert (
        report.scenarios[1].detail
        == "needs reset= to restore the starting state before each faulted run"
    )
    assert report.handler_runs == 3


# -- real boto3 under moto --------------------------------------------------------------

DDB_HANDLERS = {
    "ddb_blind": """
        import uuid, boto3
        TABLE = boto3.resource("dynamodb").Table("orders")
        def handler(event, context):
            for record in event["Records"]:
                TABLE.put_item(Item={"pk": str(uuid.uuid4()), "body": record["body"]})
    """,
    "ddb_conditional": """
        import boto3
        from botocore.exceptions import ClientError
        DDB = boto3.client("dynamodb")
        def handler(event, context):
            for record in event["Records"]:
                try:
                    DDB.put_item(
                        TableName="orders",
                        Item={"pk": {"S": record["messageId"]}, "body": {"S": record["body"]}},
                        ConditionExpression="attribute_not_exists(pk)",
                    )
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
    """,
    "ddb_two_tables": """
        import boto3
        DDB = boto3.client("dynamodb")
        def handler(event, context):
            for record in event["Records"]:
                key = {"pk": {"S": record["messageId"]}}
                if "Item" in DDB.get_item(TableName="markers", Key=key):
                    continue
                DDB.update_item(
                    TableName="orders", Key={"pk": {"S": "o-1"}},
                    UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}},
                )
                DDB.update_item(
                    TableName="markers", Key=key, UpdateExpression="SET done = :t",
                    ExpressionAttributeValues={":t": {"BOOL": True}},
                )
    """,
}


@pytest.fixture
def moto_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    from pytest_lambda._checks.moto import moto_state

    for name, source in DDB_HANDLERS.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        for table in ("orders", "markers"):
            boto3.client("dynamodb", region_name="us-east-1").create_table(
                TableName=table,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield tmp_path, moto_state()


def test_moto_conditional_put_is_idempotent(moto_table) -> None:
    root, (observe, reset) = moto_table
    report = assert_idempotent(
        LambdaRunner("ddb_conditional.handler", root=root),
        events.sqs(**SQS1),
        observe=observe,
        reset=reset,
    )
    assert report.side_effect_points == ("dynamodb.PutItem",)
    assert report.handler_runs == 3 + 8
    assert observe()["dynamodb"]["orders"] != {}


def test_moto_blind_put_is_caught(moto_table) -> None:
    root, (observe, reset) = moto_table
    with pytest.raises(NotIdempotentError) as info:
        assert_idempotent(
            LambdaRunner("ddb_blind.handler", root=root),
            events.sqs(**SQS1),
            observe=observe,
            reset=reset,
            faults=False,
        )
    message = str(info.value)
    assert message.startswith(
        "ddb_blind.handler is not idempotent: 1 finding in duplicate delivery (sqs event)"
    )
    assert "+ state['dynamodb']['orders']" in message
    assert "a blind insert wrote the same data again" in message


def test_the_duplicated_call_is_the_one_on_the_table_that_changed(moto_table) -> None:
    # Both writes are dynamodb.UpdateItem; only the one on "orders" repeats after a lost ack.
    root, (observe, reset) = moto_table
    report = check_idempotency(
        LambdaRunner("ddb_two_tables.handler", root=root),
        events.sqs(**SQS1),
        observe=observe,
        reset=reset,
    )
    assert not report.ok
    crash = [f for f in report.errors if f.scenario == CRASH and f.duplicated_call]
    assert crash, str(report)
    for finding in crash:
        assert "'TableName': 'orders'" in finding.duplicated_call, finding.duplicated_call
