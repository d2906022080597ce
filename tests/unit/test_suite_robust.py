"""The robust check's findings (codes, severity by source, consequence) and the suite's filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_lambda._suite.engine import SuiteOptions, run_check
from pytest_lambda._suite.filtering import generate_matching, load_filter

DOCS = "https://pytest-lambda-toolkit.readthedocs.io/en/latest/how-to/conformance-suite/"
BATCH_FIX = (
    "Fix: catch the failure per record and report it in batchItemFailures "
    "(ReportBatchItemFailures on the mapping), or send the record to a dead-letter queue, so "
    f"one bad record does not fail the batch; see {DOCS}#robust"
)


@pytest.fixture
def root(tmp_path):
    def write(source: str) -> str:
        (tmp_path / "app.py").write_text(source)
        return str(tmp_path)

    return write


ASCII_KINESIS = """
import base64, json

def handler(event, context):
    for record in event["Records"]:
        text = base64.b64decode(record["kinesis"]["data"]).decode("ascii")
        try:
            json.loads(text)
        except json.JSONDecodeError:
            continue
"""


def test_a_kinesis_consumer_crashing_on_utf8_is_an_error_that_stalls_the_shard(root, tmp_path):
    result = run_check(
        "app.handler", "kinesis", "robust", SuiteOptions(seed=7, root=root(ASCII_KINESIS))
    )
    assert result.outcome == "failed"
    lines = result.report.splitlines()
    assert lines[:4] == [
        "app.handler is not robust to unexpected kinesis input: it raised on 2 realistic "
        "kinesis inputs, and Lambda retries the whole batch from this record: the shard stalls "
        "until the record expires (or the mapping's MaximumRetryAttempts gives up on it)",
        "",
        "  Records.0.kinesis.data decodes to bytes that are not UTF-8: raised "
        "UnicodeDecodeError: 'ascii' codec can't decode byte 0xff in position 0: ordinal not "
        "in range(128)",
        "  Records.0.kinesis.data decodes to JSON with non-ASCII text (UTF-8): raised "
        "UnicodeDecodeError: 'ascii' codec can't decode byte 0xc3 in position 160: ordinal "
        "not in range(128)",
    ]
    assert lines[5] == BATCH_FIX
    assert lines[6] == (
        "reproduce with --lambda-seed=7: pytest --lambda-handler=app.handler "
        "--lambda-events=kinesis --lambda-seed=7 -k 'kinesis and robust'  (or: pytest-lambda "
        f"check app.handler --events kinesis --seed 7 --root {tmp_path})"
    )
    assert [(f.code, f.severity) for f in result.findings] == [
        ("robust.unhandled-exception", "error"),
        ("robust.unhandled-exception", "error"),
    ]
    assert result.findings[0].message == lines[2].strip()


def test_an_sqs_consumer_raising_on_a_bad_body_redelivers_the_whole_batch(root):
    source = "import json\n\ndef handler(event, context):\n    for r in event['Records']:\n        json.loads(r['body'])['id']\n"
    result = run_check("app.handler", "sqs", "robust", SuiteOptions(seed=2, root=root(source)))
    assert result.outcome == "failed"
    assert result.report.splitlines()[:6] == [
        "app.handler is not robust to unexpected sqs input: it raised on 3 realistic sqs "
        "inputs, and Lambda retries the whole batch: the whole batch is redelivered (the "
        "messages already handled too) until maxReceiveCount moves it to the dead-letter queue",
        "",
        "  Records.0.body is a JSON array, not an object: raised TypeError: list indices must "
        "be integers or slices, not str",
        "  Records.0.body is not JSON: raised JSONDecodeError: Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1)",
        "  Records.0.body is large (300 kB): raised JSONDecodeError: Expecting value: line 1 "
        "column 1 (char 0)",
        "",
    ]
    assert {f.code for f in result.findings} == {"robust.unhandled-exception"}


PARTIAL_BATCH_THAT_RAISES_WHEN_ALL_FAIL = """
import json

def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            json.loads(record["body"])["id"]
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    if len(failures) == len(event["Records"]):  # as Powertools' process_partial_response does
        raise RuntimeError("All records failed processing")
    return {"batchItemFailures": failures}
"""


def test_reporting_the_bad_record_passes_even_when_a_batch_of_bad_records_raises(root):
    """Powertools' batch utility raises when every record failed, by design: in a batch of
    the hostile record alone that retries the same one record reporting it would. The
    hostile record goes with a well-formed one, so only a handler that fails the good record
    with it (raising) is reported."""
    result = run_check(
        "app.handler", "sqs", "robust",
        SuiteOptions(seed=2, root=root(PARTIAL_BATCH_THAT_RAISES_WHEN_ALL_FAIL)),
    )  # fmt: skip
    assert result.outcome == "passed", result.report
    assert not result.findings


UNDECODED_S3 = """
def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    if "+" in key or "%" in key:
        raise FileNotFoundError(key)
"""


def test_an_s3_handler_failing_on_encoded_keys_passes_with_a_warning_naming_the_variant(
    root, tmp_path
):
    result = run_check("app.handler", "s3", "robust", SuiteOptions(seed=3, root=root(UNDECODED_S3)))
    assert result.outcome == "passed"
    assert [f.severity for f in result.findings] == ["warning"] * 4
    assert result.note == (
        "4 of 5 realistic s3 variants raised (warning robust.unhandled-exception: S3 invokes "
        "asynchronously: Lambda retries the event twice, then the event is dropped or goes to "
        "the on-failure destination): Records.0.s3.object.key has encoded spaces and unicode: "
        "raised FileNotFoundError: a+b/%C3%A9t%C3%A9+%281%29.txt; reproduce with "
        "--lambda-seed=3: pytest --lambda-handler=app.handler --lambda-events=s3 "
        "--lambda-seed=3 -k 's3 and robust'  (or: pytest-lambda check app.handler --events s3 "
        f"--seed 3 --root {tmp_path})"
    )
    assert result.report.splitlines()[2:6] == [
        "  Records.0.s3.object.key has encoded spaces and unicode: raised FileNotFoundError: "
        "a+b/%C3%A9t%C3%A9+%281%29.txt",
        "  Records.0.s3.object.key has a space, sent as '+' (uploads/my photo.jpg): raised "
        "FileNotFoundError: uploads/my+photo.jpg",
        "  Records.0.s3.object.key has a literal '+', sent as '%2B' (uploads/a+b.jpg): raised "
        "FileNotFoundError: uploads/a%2Bb.jpg",
        "  Records.0.s3.object.key is unicode, sent URL-encoded (uploads/写真.jpg): raised "
        "FileNotFoundError: uploads/%E5%86%99%E7%9C%9F.jpg",
    ]
    assert (
        "Fix: decode the key with urllib.parse.unquote_plus(record['s3']['object']['key'])"
        in result.report
    )


def test_a_decoding_s3_handler_has_no_finding(root):
    source = "from urllib.parse import unquote_plus\n\ndef handler(event, context):\n    unquote_plus(event['Records'][0]['s3']['object']['key']).encode()\n"
    result = run_check("app.handler", "s3", "robust", SuiteOptions(seed=3, root=root(source)))
    assert (result.outcome, result.findings, result.note) == ("passed", (), "")
    assert result.report == "app.handler handled 5 s3 events with unexpected input"


WRONG_ID = """
def handler(event, context):
    return {"batchItemFailures": [{"itemIdentifier": r["eventID"]} for r in event["Records"]]}
"""


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("kinesis", 'record["kinesis"]["sequenceNumber"]'),
        ("dynamodb", 'record["dynamodb"]["SequenceNumber"]'),
    ],
)
def test_the_stream_partial_batch_contract_is_one_rule_for_kinesis_and_dynamodb(root, kind, field):
    result = run_check("app.handler", kind, "robust", SuiteOptions(seed=5, root=root(WRONG_ID)))
    assert result.outcome == "failed"
    lines = result.report.splitlines()
    assert lines[0] == (
        f"app.handler is not robust to unexpected {kind} input: it must answer "
        "batchItemFailures with identifiers Lambda can read"
    )
    assert lines[2].endswith(
        " : an empty, null or non-numeric itemIdentifier (or another key) fails the whole "
        f'batch; report each failed record as {{"itemIdentifier": {field}}}'
    )
    assert f'Fix: report each failed record as {{"itemIdentifier": {field}}}; see ' in result.report
    assert {f.code for f in result.findings} == {"robust.partial-batch-contract"}


def test_sqs_item_identifiers_must_be_message_ids_of_the_batch(root):
    source = 'def handler(e, c):\n    return {"batchItemFailures": [{"itemIdentifier": "m-" + r["messageId"]} for r in e["Records"]]}\n'
    result = run_check("app.handler", "sqs", "robust", SuiteOptions(seed=5, root=root(source)))
    assert result.outcome == "failed"
    assert result.report.splitlines()[2].endswith(
        " : an itemIdentifier that is empty, null or not a messageId of the batch (or another "
        'key) fails the whole batch; report each failed record as {"itemIdentifier": '
        'record["messageId"]}'
    )
    ok = 'def handler(e, c):\n    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in e["Records"]]}\n'
    assert (
        run_check("app.handler", "sqs", "robust", SuiteOptions(seed=5, root=root(ok))).outcome
        == "passed"
    )


ORDERS_ONLY = """
import json

def handler(event, context):
    for record in event["Records"]:
        if json.loads(record["body"])["type"] != "order":
            raise ValueError("not an order")
"""
ORDER_FILTER = ({"body": {"type": ["order"]}},)


def test_with_a_filter_only_matching_records_are_sent_and_the_rest_is_counted(root):
    path = root(ORDERS_ONLY)
    bare = SuiteOptions(seed=4, root=path)
    assert run_check("app.handler", "sqs", "invokes", bare).outcome == "failed"
    opts = SuiteOptions(
        seed=4, root=path, filters=ORDER_FILTER, filter_arg='{"body": {"type": ["order"]}}'
    )
    for check in ("invokes", "idempotent", "warm-reuse"):
        assert run_check("app.handler", "sqs", check, opts).outcome == "passed", check
    robust = run_check("app.handler", "sqs", "robust", opts)
    assert (robust.outcome, robust.invocations) == ("passed", 1)
    assert robust.note == "3 variants not sent: the filter would not deliver them"


def test_generated_records_are_steered_to_the_filter(tmp_path):
    patterns = [{"data": {"order": {"type": ["buy"]}, "qty": [{"numeric": [">", 100, "<=", 200]}]}}]
    event = generate_matching("kinesis", 3, {"records": 4}, patterns)
    from pytest_lambda import events

    assert len(event["Records"]) == 4
    assert all(events.matches_filter(r, patterns) for r in event["Records"])
    assert events.check_invariants(event, "kinesis") == []
    ddb = generate_matching("dynamodb", 3, {}, [{"eventName": ["INSERT"]}])
    assert ddb["Records"][0]["eventName"] == "INSERT"
    assert "OldImage" not in ddb["Records"][0]["dynamodb"]


def test_a_filter_no_generated_record_passes_fails_the_check_saying_why(root):
    impossible = ({"body": {"amount": [{"numeric": [">", 5, "<", 3]}]}},)
    opts = SuiteOptions(
        seed=1, root=root("def handler(e, c):\n    return {}\n"), filters=impossible
    )
    result = run_check("app.handler", "sqs", "invokes", opts)
    assert result.outcome == "failed"
    assert result.report.splitlines()[0] == (
        "invokes could not run: none of the sqs records generated in 20 tries passes the "
        'filter {"body": {"amount": [{"numeric": [">", 5, "<", 3]}]}}, so Lambda would deliver '
        "none of them and nothing was tested. Fix: give records that match it: set "
        "body_schema (or body) in [tool.pytest_lambda.events.sqs] so the generated payloads "
        "have the fields and values the filter asks for, or check the filter against a real "
        "record with pytest_lambda.events.matches_filter(record, pattern); see "
        f"{DOCS}#filters"
    )
    assert [(f.code, f.severity) for f in result.findings] == [
        ("suite.filter-matches-nothing", "error")
    ]


def test_load_filter_reads_files_and_names_each_mistake(tmp_path):
    (tmp_path / "filter.json").write_text(
        json.dumps({"Filters": [{"Pattern": '{"body": {"a": ["b"]}}'}]})
    )
    assert load_filter("@filter.json", ["sqs"], base=str(tmp_path)) == (
        ({"body": {"a": ["b"]}},),
        "@filter.json",
    )
    from pytest_lambda._core.errors import InvalidOption

    with pytest.raises(InvalidOption) as info:
        load_filter("@nope.json", ["sqs"], base=str(tmp_path))
    assert str(info.value) == (
        f"--lambda-filter='@nope.json': cannot read {Path(tmp_path, 'nope.json')}: No such file or directory"
    )
    with pytest.raises(InvalidOption) as info:
        load_filter('{"body": ["x"]}', ["sqs", "kinesis"])
    assert str(info.value) == (
        '--lambda-filter=\'{"body": ["x"]}\': a filter belongs to one event source mapping; '
        "the event kinds (sqs, kinesis) must include exactly one of sqs, kinesis, dynamodb"
    )
    with pytest.raises(
        InvalidOption,
        match=r"^--lambda-filter='\{\"body\": \{\"a\": 1\}\}': filter pattern: body.a: a key",
    ):
        load_filter('{"body": {"a": 1}}', ["sqs"])


def test_robust_is_skipped_when_the_filter_drops_every_input(root):
    opts = SuiteOptions(
        seed=4,
        root=root("def handler(e, c):\n    return {}\n"),
        filters=({"body": [{"prefix": "ORDER#"}]},),
    )
    result = run_check("app.handler", "sqs", "robust", opts)
    assert (result.outcome, result.invocations) == ("skipped", 0)
    assert result.report == (
        "robust: the filter would deliver none of the 4 unexpected sqs inputs, so none was "
        "sent and nothing was tested; the filter's own rules keep malformed records away from "
        "the handler"
    )
    assert run_check("app.handler", "sqs", "invokes", opts).outcome == "passed"


def test_a_raise_in_a_batch_of_the_bad_record_alone_is_said_not_called_handled(root):
    """records = 1: each hostile batch is the bad record alone. A raise then retries that one
    record as reporting it would (no finding), and the note says the handler raised."""
    source = "import json\n\ndef handler(event, context):\n    for r in event['Records']:\n        json.loads(r['body'])['id']\n"
    opts = SuiteOptions(seed=2, root=root(source), params_by_kind={"sqs": {"records": 1}})
    result = run_check("app.handler", "sqs", "robust", opts)
    assert result.outcome == "passed", result.report
    assert "3 variants raised in a batch of the bad record alone: no finding" in result.note
