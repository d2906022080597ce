"""The ``--lambda-handler`` / ``--lambda-events`` conformance suite, run through pytester."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("_clean_env")

PLUGIN = ("-p", "lambda_toolkit", "-p", "no:cacheprovider")

GOOD = """
import json

def handler(event, context):
    records = event.get("Records") if isinstance(event, dict) else None
    if records is not None:
        return {"batchItemFailures": []}
    try:
        json.loads(event.get("body") or "null")
    except (TypeError, ValueError):
        return {"statusCode": 400, "body": "bad request"}
    return {"statusCode": 200, "body": "ok"}
"""

LEAKY = """
SEEN = []

def handler(event, context):
    SEEN.append(len(event["Records"]))
    return {"count": len(SEEN)}
"""

BLIND_INSERT = """
import uuid
import boto3

def handler(event, context):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    try:
        ddb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ddb.exceptions.ResourceInUseException:
        pass
    for record in event["Records"]:
        ddb.put_item(
            TableName="orders",
            Item={"pk": {"S": str(uuid.uuid4())}, "body": {"S": record["body"]}},
        )
    return {"batchItemFailures": []}
"""

PYPROJECT = """
[tool.pytest.ini_options]
lambda_handler = "app.handler"
lambda_events = "sqs,apigw_v1"

[tool.pytest_lambda.events.sqs]
records = 2
"""

CHECK_NAMES = ("invokes", "idempotent", "warm-reuse", "robust")


def _leaks_available() -> bool:
    try:
        from pytest_lambda._checks.leaks.check import check_warm_reuse  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("HANDLER", "EVENTS", "SEED", "MOTO", "TIMEOUT", "REGION"):
        monkeypatch.delenv(f"PYTEST_LAMBDA_{name}", raising=False)


def _seed(result: pytest.RunResult) -> str:
    match = re.search(r"lambda suite: .*seed=(\d+)", result.stdout.str())
    assert match is not None, result.stdout.str()
    return match.group(1)


def test_a_handler_without_event_kinds_says_how_to_get_the_suite(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(app=GOOD)
    result = pytester.runpytest(*PLUGIN, "--lambda-handler=app.handler")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(
        [
            "lambda: no conformance suite: the handler is set, but no event kinds. *--lambda-events=sqs*"
        ]
    )
    pytester.makepyfile(test_own="def test_own():\n    pass\n")
    result = pytester.runpytest(*PLUGIN, "--lambda-handler=app.handler")
    result.assert_outcomes(passed=1)  # the user's own tests: no hint
    assert "no conformance suite" not in result.stdout.str()


def test_repository_with_only_a_handler_and_pyproject(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=GOOD)
    pytester.makefile(".toml", pyproject=PYPROJECT)
    result = pytester.runpytest(*PLUGIN, "--lambda-seed=11", "-v")
    expected = 8 if _leaks_available() else 6
    result.assert_outcomes(passed=expected, skipped=8 - expected)
    result.stdout.fnmatch_lines(
        [
            "lambda suite: handler=app.handler (ini lambda_handler), events=sqs,apigw_v1 "
            "(ini lambda_events), seed=11 (command line), moto=off (default)",
            "lambda suite: sqs parameters (records) from [[]tool.pytest_lambda.events.sqs[]] in *",
        ]
    )
    result.stdout.fnmatch_lines(["*collected 8 items"])
    result.stdout.fnmatch_lines(
        [f"app.handler::sqs::{c} *" for c in CHECK_NAMES]
        + [f"app.handler::apigw_v1::{c} *" for c in CHECK_NAMES],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "*= lambda conformance suite =*",
            "app.handler (seed 11)",
            "  kind      invokes     idempotent  warm-reuse  robust    invocations",
            "  sqs       passed      passed[*]     * passed    *",
            "  apigw_v1  passed      passed[*]     * passed    *",
            "[*] idempotent: state not observed (responses, errors and repeated sends only): pass "
            "--lambda-moto (pytest-lambda check --moto), with moto installed, to compare "
            "DynamoDB, S3, SQS, SNS and SES state and Lambda Invoke calls",
        ],
        consecutive=True,
    )


def test_leaky_handler_fails_warm_reuse_with_the_finding(pytester: pytest.Pytester) -> None:
    if not _leaks_available():
        pytest.skip(
            "pytest_lambda._checks.leaks.check (the warm-reuse check) is not in this version"
        )
    pytester.makepyfile(leaky=LEAKY)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=leaky.handler", "--lambda-events=sqs", "--lambda-seed=5"
    )
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ sqs::warm-reuse (leaky.handler) _*",
            "state leaks across warm invocations: *",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "*leaky.SEEN*grew*",
            "reproduce with --lambda-seed=5: pytest --lambda-handler=leaky.handler "
            "--lambda-events=sqs --lambda-seed=5 -k 'sqs and warm-reuse'  "
            f"(or: pytest-lambda check leaky.handler --events sqs --seed 5 --root {pytester.path})",
        ]
    )
    result.stdout.fnmatch_lines(["  sqs       passed      passed[*]     failed      passed    *"])


@pytest.fixture
def blind_insert_direct(tmp_path_factory: pytest.TempPathFactory):
    """The moto check run directly, before ``pytester`` takes its ``sys.modules`` snapshot.

    This imports, in this process, every module the inner run needs. Otherwise pytester
    drops the moto/botocore modules first imported by the inner run, and later tests would
    see second copies of botocore's exception classes.
    """
    pytest.importorskip("moto")
    from pytest_lambda._suite.engine import SuiteOptions, run_check

    root = tmp_path_factory.mktemp("direct")
    (root / "orders.py").write_text(BLIND_INSERT)
    options = SuiteOptions(seed=3, moto=True, root=str(root))
    return run_check("orders.handler", "sqs", "idempotent", options)


def test_blind_insert_under_moto_fails_idempotent(blind_insert_direct, pytester) -> None:
    assert blind_insert_direct.outcome == "failed"
    assert "a blind insert wrote the same data again" in blind_insert_direct.report
    pytester.makepyfile(orders=BLIND_INSERT)
    result = pytester.runpytest(
        *PLUGIN,
        "--lambda-handler=orders.handler",
        "--lambda-events=sqs",
        "--lambda-moto",
        "--lambda-seed=3",
        "-k",
        "idempotent",
    )
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(
        [
            "*_ sqs::idempotent (orders.handler) _*",
            "orders.handler is not idempotent for sqs events",
            "",
            "event seed *:",
            "not idempotent: *",
            "  [[]duplicate delivery, warm[]] a duplicate delivery changed the state (* added): "
            "a blind insert wrote the same data again (table 'orders')",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(["*state?'dynamodb'??'orders'?*", "*--lambda-seed=3*"])
    assert "state not observed" not in result.stdout.str()


@pytest.mark.parametrize(
    ("args", "selected"),
    [
        (["-k", "sqs and idempotent"], ["app.handler::sqs::idempotent"]),
        (["-k", "robust"], ["app.handler::sqs::robust", "app.handler::apigw_v1::robust"]),
        (["-m", "not lambda_check"], []),
        (["-m", "lambda_check", "-k", "apigw_v1 and invokes"], ["app.handler::apigw_v1::invokes"]),
    ],
)
def test_selection_with_k_and_m(pytester: pytest.Pytester, args, selected) -> None:
    pytester.makepyfile(app=GOOD)
    pytester.makefile(".toml", pyproject=PYPROJECT)
    pytester.makepyfile(test_own="def test_own():\n    pass\n")
    result = pytester.runpytest(*PLUGIN, "--collect-only", "-q", *args)
    ids = [line for line in result.outlines if line.startswith("app.handler::")]
    assert ids == selected
    if args == ["-m", "not lambda_check"]:
        assert "test_own.py::test_own" in result.outlines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--lambda-handler=app.handler", "--lambda-events=sqs,bogus"],
            "ERROR: --lambda-events (from command line)='sqs,bogus': unknown event kind "
            "'bogus'; valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka; see *",
        ),
        (
            ["--lambda-handler=app", "--lambda-events=sqs"],
            "ERROR: --lambda-handler (from command line)='app' is not a handler string; "
            "valid forms: module.function (app.handler), package.module.function "
            "(app.api.handler) or path/module.function (src/app.handler); see *",
        ),
        (
            [
                "--lambda-handler=a.h",
                "--lambda-events=sqs",
                "--lambda-moto",
                "--lambda-isolation=runtime",
            ],
            "ERROR: --lambda-moto (from command line) with --lambda-isolation=runtime (from "
            "command line): moto's mock does not reach the runtime subprocess, so the handler "
            "would call real AWS; use --lambda-isolation=module with --lambda-moto; see *",
        ),
        (
            ["--lambda-events=sqs"],
            "ERROR: --lambda-events='sqs' (from command line) needs a handler: set "
            "--lambda-handler=module.function (ini lambda_handler, env PYTEST_LAMBDA_HANDLER); "
            "see *",
        ),
    ],
)
def test_bad_option_values_are_usage_errors(pytester: pytest.Pytester, args, message) -> None:
    result = pytester.runpytest(*PLUGIN, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_unknown_generator_param_names_the_table(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=GOOD)
    pytester.makefile(
        ".toml",
        pyproject='[tool.pytest_lambda.events.sqs]\nrecords = 2\nbodyschema = "x.json"\n',
    )
    result = pytester.runpytest(*PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: [[]tool.pytest_lambda.events.sqs[]] in */pyproject.toml: unknown parameter "
            "'bodyschema'; valid parameters: records, body, bodies, body_schema, *"
        ]
    )


def test_body_schema_path_is_relative_to_pyproject(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        app="""
import json

def handler(event, context):
    for record in event["Records"]:
        assert json.loads(record["body"])["orderId"] >= 1
    return {}
"""
    )
    schema = pytester.mkdir("schemas") / "order.json"
    schema.write_text(
        '{"type": "object", "required": ["orderId"], "additionalProperties": false,'
        ' "properties": {"orderId": {"type": "integer", "minimum": 1}}}'
    )
    pytester.makefile(
        ".toml", pyproject='[tool.pytest_lambda.events.sqs]\nbody_schema = "schemas/order.json"\n'
    )
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs", "-k", "invokes"
    )
    result.assert_outcomes(passed=1, deselected=3)


def test_crashing_handler_fails_invokes_and_robust(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        app="""
def handler(event, context):
    return {"statusCode": 200, "body": event["body"].upper()}
"""
    )
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=apigw_v2", "--lambda-seed=2"
    )
    result.stdout.fnmatch_lines(
        [
            "*_ apigw_v2::robust (app.handler) _*",
            "app.handler is not robust to unexpected apigw_v2 input: it must answer with a "
            "status code (a 4xx for a bad request) and never time out",
            "",
            "  no body (no body key, as for a GET): raised KeyError: 'body'",
        ],
        consecutive=True,
    )


@pytest.mark.slow
def test_xdist_gives_the_same_outcomes_and_seed(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(app=GOOD, leaky=LEAKY)
    pytester.makefile(".toml", pyproject=PYPROJECT)
    args = (*PLUGIN, "--lambda-handler=leaky.handler")
    serial = pytester.runpytest(*args)
    parallel = pytester.runpytest(*args, "-p", "xdist", "-n", "2")
    assert _seed(serial) != ""
    seed = _seed(parallel)
    serial_again = pytester.runpytest(*args, f"--lambda-seed={seed}")
    assert serial.parseoutcomes() == parallel.parseoutcomes() == serial_again.parseoutcomes()
    assert f"leaky.handler (seed {seed})" in parallel.stdout.str()
    table = [line for line in parallel.outlines if line.startswith("  sqs ")]
    assert table == [line for line in serial_again.outlines if line.startswith("  sqs ")]


def test_docs_anchors_in_messages_exist() -> None:
    import pathlib

    from pytest_lambda._suite import engine as _suite
    from pytest_lambda._suite import robust as _robust

    source = "".join(pathlib.Path(m.__file__).read_text() for m in (_suite, _robust))
    anchors = set(re.findall(r"\{DOCS_SUITE\}#([a-z-]+)", source))
    assert anchors == {"configuration", "robust", "filters"}
    page = pathlib.Path(__file__).parents[2] / "docs" / "how-to" / "conformance-suite.md"
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in page.read_text().splitlines()
        if line.startswith("#")
    }
    assert anchors <= headings


RAISES = "def handler(event, context):\n    raise ValueError('boom')\n"
HEADLINE = "app.handler could not be checked for idempotency on sqs events: the first*"


@pytest.mark.parametrize("ci", ["", "true"], ids=["terminal", "on-ci"])
def test_a_failing_item_prints_its_note_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    # On CI pytest prints each failure's whole crash message in the short summary;
    # it must be the report's first line, not the report again.
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)
    if ci:
        monkeypatch.setenv("CI", ci)
    pytester.makepyfile(app=RAISES)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs", "--lambda-seed=2",
        "-k", "idempotent",
    )  # fmt: skip
    out = result.stdout.str()
    assert (
        out.count("state not observed (responses, errors and repeated sends only)") == 2
    )  # item + footnote
    assert out.count("scenarios:") == 1
    assert "Captured lambda call" not in out
    summary = out.split("short test summary info")[1].splitlines()[1:]
    result.stdout.fnmatch_lines(["FAILED app.handler::sqs::idempotent - app.handler could not*"])
    assert len(summary) == 2  # the FAILED line and the closing line


def test_tb_line_prints_one_line_per_failing_item(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=RAISES)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs", "--lambda-seed=2",
        "-k", "idempotent", "--tb=line",
    )  # fmt: skip
    result.stdout.fnmatch_lines(["*FAILURES*", "*app.py:1: " + HEADLINE, "*lambda conformance*"])
    assert "scenarios:" not in result.stdout.str()


def test_a_failing_item_crosses_xdist_with_its_headline(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(app=RAISES)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=sqs", "--lambda-seed=2",
        "-k", "idempotent", "-n", "1", "-p", "xdist",
    )  # fmt: skip
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*scenarios:*", "*short test summary*", "FAILED * - app.handler could not*"]
    )


def test_explicit_test_paths_leave_an_ini_configured_suite_out(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=GOOD, test_mine="def test_mine():\n    pass\n")
    pytester.makefile(".toml", pyproject=PYPROJECT)
    picked = pytester.runpytest(*PLUGIN, "test_mine.py")
    picked.assert_outcomes(passed=1)
    picked.stdout.fnmatch_lines(["lambda suite: not collected (test paths were given;*"])
    everything = pytester.runpytest(*PLUGIN)
    everything.assert_outcomes(passed=9)  # the suite's 8 items and test_mine
    asked = pytester.runpytest(*PLUGIN, "test_mine.py", "--lambda-events=sqs")
    asked.assert_outcomes(passed=5)
    whole = pytester.runpytest(*PLUGIN, ".")
    whole.assert_outcomes(passed=9)  # `pytest .` is the whole project


STREAM_COUNTER = """
import boto3

def handler(event, context):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    try:
        ddb.create_table(
            TableName="counts",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ddb.exceptions.ResourceInUseException:
        pass
    for record in event["Records"]:
        ddb.update_item(
            TableName="counts",
            Key={"k": {"S": record["eventName"]}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    return {"batchItemFailures": []}
"""


def test_dynamodb_stream_suite_passes_a_good_handler_and_catches_a_counter(pytester) -> None:
    pytester.makepyfile(app=GOOD, counter=STREAM_COUNTER)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=dynamodb", "--lambda-seed=2"
    )
    result.assert_outcomes(passed=4)
    result = pytester.runpytest(
        *PLUGIN,
        "--lambda-handler=counter.handler",
        "--lambda-events=dynamodb",
        "--lambda-moto",
        "--lambda-seed=2",
        "-k",
        "idempotent",
    )
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(["counter.handler is not idempotent for dynamodb events"])


BAD_KEY = """
def handler(event, context):
    return {"batchItemFailures": [{"SequenceNumber": r["dynamodb"]["SequenceNumber"]}
                                  for r in event["Records"][:1]]}
"""


def test_dynamodb_suite_checks_the_partial_batch_response_contract(pytester) -> None:
    pytester.makepyfile(badkey=BAD_KEY)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=badkey.handler", "--lambda-events=dynamodb", "--lambda-seed=2",
        "-k", "robust",
    )  # fmt: skip
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(
        [
            "*answered {'batchItemFailures': [[]{'SequenceNumber': '*'}[]]} : an empty, null or "
            "non-numeric itemIdentifier (or another key) fails the whole batch; report each failed "
            'record as {"itemIdentifier": record[[]"dynamodb"[]][[]"SequenceNumber"[]]}*'
        ]
    )


EVENT_COUNTER = """
import boto3

def handler(event, context):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    try:
        ddb.create_table(
            TableName="counts",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ddb.exceptions.ResourceInUseException:
        pass
    ddb.update_item(
        TableName="counts",
        Key={"pk": {"S": event["detail-type"]}},
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
"""


@pytest.fixture
def event_counter_direct(tmp_path_factory: pytest.TempPathFactory):
    """Issue 21: an EventBridge handler counting events without the event id (run directly
    first, for the same reason as ``blind_insert_direct``)."""
    pytest.importorskip("moto")
    from pytest_lambda._suite.engine import SuiteOptions, run_check

    root = tmp_path_factory.mktemp("counter")
    (root / "counter.py").write_text(EVENT_COUNTER)
    options = SuiteOptions(seed=3, moto=True, root=str(root))
    return run_check("counter.handler", "eventbridge", "idempotent", options)


def test_eventbridge_counter_without_the_event_id_fails_idempotent(
    event_counter_direct, pytester
) -> None:
    assert event_counter_direct.outcome == "failed"
    assert "a counter grew again" in event_counter_direct.report
    pytester.makepyfile(counter=EVENT_COUNTER)
    result = pytester.runpytest(
        *PLUGIN,
        "--lambda-handler=counter.handler",
        "--lambda-events=eventbridge",
        "--lambda-moto",
        "--lambda-seed=3",
    )
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ eventbridge::idempotent (counter.handler) _*",
            "counter.handler is not idempotent for eventbridge events",
        ],
        consecutive=True,
    )


FIREHOSE_DROPS_A_RECORD = """
def handler(event, context):
    first = event["records"][0]
    return {"records": [{"recordId": first["recordId"], "result": "Ok", "data": first["data"]}]}
"""


def test_firehose_handler_breaking_the_response_contract_fails(pytester: pytest.Pytester) -> None:
    """Issue 21: a transformation that does not answer every recordId fails invokes and robust."""
    pytester.makepyfile(fh=FIREHOSE_DROPS_A_RECORD)
    pytester.makefile(".toml", pyproject="[tool.pytest_lambda.events.firehose]\nrecords = 2\n")
    result = pytester.runpytest(
        *PLUGIN,
        "--lambda-handler=fh.handler",
        "--lambda-events=firehose",
        "--lambda-seed=4",
        "-k",
        "invokes",
    )
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(
        [
            "fh.handler failed on * of * seeded firehose events: an unhandled exception, a "
            "timeout or a response Lambda cannot marshal or Firehose rejects",
            "",
            "  event seed *: the response breaks the Firehose transformation contract: "
            "recordId '*' is missing from the response",
        ],
        consecutive=True,
    )


KAFKA_COUNTER = """
import boto3

def handler(event, context):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    try:
        ddb.create_table(
            TableName="counts",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except ddb.exceptions.ResourceInUseException:
        pass
    for partition, records in event["records"].items():
        for record in records:
            ddb.update_item(
                TableName="counts",
                Key={"k": {"S": partition}},
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
"""


def test_kafka_suite_passes_a_good_handler_and_catches_a_counter(pytester) -> None:
    pytester.makepyfile(app=GOOD, counter=KAFKA_COUNTER)
    result = pytester.runpytest(
        *PLUGIN, "--lambda-handler=app.handler", "--lambda-events=kafka", "--lambda-seed=2"
    )
    result.assert_outcomes(passed=4)
    result = pytester.runpytest(
        *PLUGIN,
        "--lambda-handler=counter.handler",
        "--lambda-events=kafka",
        "--lambda-moto",
        "--lambda-seed=2",
        "-k",
        "idempotent",
    )
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(["counter.handler is not idempotent for kafka events"])
