"""``pytest-lambda events validate`` in-process: per-file verdicts and exit codes."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest

from pytest_lambda import events
from pytest_lambda.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), "utf-8")
    return str(path)


@pytest.mark.parametrize("kind", events.KINDS)
def test_valid_file_is_ok_with_its_detected_kind(capsys, tmp_path, kind):
    path = write(tmp_path, f"{kind}.json", events.generate(kind, seed=1))
    assert run(capsys, "events", "validate", path) == (0, f"{path}: ok ({kind})\n", "")


def test_invalid_file_prints_the_json_path_and_exits_1(capsys, tmp_path):
    good = write(tmp_path, "good.json", events.sqs(seed=1))
    bad_event = events.sqs(seed=2)
    bad_event["Records"][0]["attributes"]["ApproximateReceiveCount"] = 1
    bad = write(tmp_path, "bad.json", bad_event)
    code, out, err = run(capsys, "events", "validate", good, bad)
    assert (code, err) == (1, "")
    with pytest.raises(events.EventValidationError) as info:
        events.validate(bad_event)
    assert out == f"{good}: ok (sqs)\n{bad}: {info.value}\n"
    assert "Records[0].attributes.ApproximateReceiveCount" in out


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(events.sns(seed=3))))
    assert run(capsys, "events", "validate", "-") == (0, "<stdin>: ok (sns)\n", "")


def test_kind_forces_the_schema(capsys, tmp_path):
    path = write(tmp_path, "sns.json", events.sns(seed=3))
    code, out, _ = run(capsys, "events", "validate", path, "--kind", "sqs")
    assert code == 1
    assert out.startswith(f"{path}: sqs event invalid at ")


def test_undetectable_event_asks_for_kind(capsys, tmp_path):
    path = write(tmp_path, "odd.json", {"hello": "world"})
    code, out, _ = run(capsys, "events", "validate", path)
    assert code == 1
    assert out == (
        f"{path}: cannot tell the event kind of an object with keys hello; "
        "pass --kind, one of apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka\n"
    )


def test_strict_checks_invariants(capsys, tmp_path):
    event = events.sqs(seed=5)
    event["Records"][0]["body"] = "edited by hand"  # md5OfBody no longer matches
    path = write(tmp_path, "edited.json", event)
    assert run(capsys, "events", "validate", path) == (0, f"{path}: ok (sqs)\n", "")
    code, out, _ = run(capsys, "events", "validate", "--strict", path)
    assert code == 1
    assert out.startswith(f"{path}: sqs event breaks an invariant of real events: ")
    assert "md5OfBody" in out


def test_unreadable_file_is_a_usage_error_and_others_still_run(capsys, tmp_path):
    good = write(tmp_path, "good.json", events.s3(seed=1))
    missing = str(tmp_path / "missing.json")
    code, out, err = run(capsys, "events", "validate", missing, good)
    assert code == 2
    assert out == f"{good}: ok (s3)\n"
    assert err == f"pytest-lambda: error: cannot read file {missing}: No such file or directory\n"


def test_malformed_json_is_a_usage_error(capsys, tmp_path):
    path = write(tmp_path, "broken.json", '{"Records": [')
    code, out, err = run(capsys, "events", "validate", path)
    assert (code, out) == (2, "")
    assert err == (
        f"pytest-lambda: error: file {path} is not valid JSON: "
        "Expecting value: line 1 column 14 (char 13)\n"
    )


def test_utf8_bom_is_accepted(capsys, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps(events.sqs(seed=1)).encode("utf-8"))
    assert run(capsys, "events", "validate", str(path)) == (0, f"{path}: ok (sqs)\n", "")


@pytest.mark.parametrize("as_text", [False, True], ids=["bytes", "text"])
def test_utf8_bom_on_stdin_is_accepted(capsys, monkeypatch, as_text):
    data = codecs.BOM_UTF8 + json.dumps(events.sns(seed=3)).encode("utf-8")
    stdin = io.StringIO(data.decode("utf-8")) if as_text else io.TextIOWrapper(io.BytesIO(data))
    monkeypatch.setattr("sys.stdin", stdin)
    assert run(capsys, "events", "validate", "-") == (0, "<stdin>: ok (sns)\n", "")


@pytest.mark.parametrize(
    ("encoding", "found"),
    [
        ("utf-16", "UTF-16 LE text"),
        ("utf-32", "UTF-32 text"),
        ("latin-1", "invalid UTF-8 at byte 12"),
    ],
)
def test_a_file_that_is_not_utf8_is_a_usage_error(capsys, tmp_path, encoding, found):
    path = tmp_path / "wide.json"
    path.write_bytes('{"name": "Zoë"}'.encode(encoding))
    good = write(tmp_path, "good.json", events.s3(seed=1))
    code, out, err = run(capsys, "events", "validate", str(path), good)
    assert (code, out) == (2, f"{good}: ok (s3)\n")
    assert err == (
        f"pytest-lambda: error: file {path} is not UTF-8 ({found}); JSON must be UTF-8: "
        "save the file as UTF-8 (a byte order mark is fine)\n"
    )


def test_invalid_utf8_after_a_bom_names_the_byte_in_the_file(capsys, tmp_path):
    path = tmp_path / "mixed.json"
    path.write_bytes(codecs.BOM_UTF8 + '{"name": "Zoë"}'.encode("latin-1"))
    code, _, err = run(capsys, "events", "validate", str(path))
    assert code == 2
    assert "is not UTF-8 (invalid UTF-8 at byte 15); " in err


def test_stdin_that_is_not_utf8_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("[1]".encode("utf-16"))))
    assert run(capsys, "events", "validate", "-") == (
        2,
        "",
        "pytest-lambda: error: file <stdin> is not UTF-8 (UTF-16 LE text); JSON must be "
        "UTF-8: send it as UTF-8 (a byte order mark is fine)\n",
    )


def test_unknown_kind_is_reported_once(capsys, tmp_path):
    path = write(tmp_path, "a.json", events.sqs(seed=1))
    assert run(capsys, "events", "validate", path, path, "--kind", "queue") == (
        2,
        "",
        "pytest-lambda: error: unknown event kind 'queue'; "
        "valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka\n",
    )


def test_needs_a_file(capsys):
    assert run(capsys, "events", "validate") == (
        2,
        "",
        "pytest-lambda: error: the following arguments are required: FILE "
        "(see 'pytest-lambda events validate --help')\n",
    )


AWS_SAMPLES = Path(__file__).resolve().parents[1] / "data" / "aws_samples"


def _sqs_as_s3(tmp_path):
    return write(tmp_path, "sqs.json", events.sqs(seed=3, records=2))


def test_long_values_are_cut_to_one_short_repr(capsys, tmp_path):
    path = _sqs_as_s3(tmp_path)
    code, out, _ = run(capsys, "events", "validate", "--kind", "s3", path)
    assert code == 1
    assert out.count("\n") == 1
    line = out.removeprefix(f"{path}: ")
    assert len(line) < 300, line
    value = line.split("invalid at Records: ", 1)[1].split(" is too long")[0]
    assert len(value) == 80
    assert value.endswith("...")
    assert out.count("'messageId'") == 1
    assert "(the event looks like sqs, not s3)" in out
    assert out.endswith(" (and 16 more; --all lists them)\n")


def test_all_lists_every_error_once(capsys, tmp_path):
    path = _sqs_as_s3(tmp_path)
    code, out, _ = run(capsys, "events", "validate", "--kind", "s3", "--all", path)
    assert code == 1
    head, *rest = out.splitlines()
    assert head.startswith(f"{path}: s3 event invalid at Records: ")
    assert "more" not in head.removeprefix(path)
    assert len(rest) == 16
    assert rest[0] == "  - Records[0]: 'eventVersion' is a required property"
    assert "  - Records[1].eventSource: 'aws:sqs': 'aws:s3' was expected" in rest
    with pytest.raises(events.EventValidationError) as info:
        events.validate(json.loads(Path(path).read_text("utf-8")), "s3")
    assert [line.removeprefix("  - ") for line in rest] == [
        f"{p}: {m}" for p, m in info.value.errors[1:]
    ]


def test_strict_more_tells_how_to_see_all(capsys, tmp_path):
    event = events.sqs(seed=5, records=5)
    for record in event["Records"]:
        record["body"] = "edited by hand"
    path = write(tmp_path, "edited.json", event)
    code, out, _ = run(capsys, "events", "validate", "--strict", path)
    assert code == 1
    assert out.endswith(" (and 4 more; --all lists them)\n")
    code, out, _ = run(capsys, "events", "validate", "--strict", "--all", path)
    lines = out.splitlines()
    assert len(lines) == 5
    assert "more" not in lines[0].removeprefix(path)
    assert [line[:24] for line in lines[1:]] == [f"  - Records[{i}].md5OfBody" for i in range(1, 5)]


def test_all_with_a_single_error_prints_one_line(capsys, tmp_path):
    event = events.sqs(seed=2)
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = 1
    path = write(tmp_path, "bad.json", event)
    code, out, _ = run(capsys, "events", "validate", "--all", path)
    assert (code, out.count("\n")) == (1, 1)
    assert "more" not in out.removeprefix(path)


def _sns_doc_sample(tmp_path, url_edit):
    event = json.loads((AWS_SAMPLES / "sns_doc.json").read_text("utf-8"))
    sns = event["Records"][0]["Sns"]
    sns["UnsubscribeUrl"] = url_edit(sns["UnsubscribeUrl"])
    return write(tmp_path, "sns.json", event)


def test_html_escaped_url_gets_a_hint_and_the_value_once(capsys, tmp_path):
    path = _sns_doc_sample(tmp_path, lambda url: url.replace("&", "&amp;"))
    code, out, _ = run(capsys, "events", "validate", path)
    assert code == 1
    assert out.count("https://sns.us-east-2.amazonaws.com") == 1
    assert "'https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe&amp;SubscriptionArn=..." in out
    assert out.endswith(
        "; the URL looks HTML-escaped (copied from a web page?): write '&' for '&amp;'\n"
    )


def test_other_url_pattern_errors_get_no_html_hint(capsys, tmp_path):
    path = _sns_doc_sample(tmp_path, lambda url: url.replace("Unsubscribe", "Unsub"))
    code, out, _ = run(capsys, "events", "validate", path)
    assert code == 1
    assert "UnsubscribeUrl" in out
    assert "HTML-escaped" not in out


def test_help_documents_all(capsys):
    code, out, _ = run(capsys, "events", "validate", "--help")
    assert code == 0
    assert "--all" in out
    assert "list every error of an invalid file" in out


def test_a_json_array_of_events_is_validated_one_by_one(capsys, tmp_path):
    bad_event = events.sqs(seed=2)
    bad_event["Records"][0]["attributes"]["ApproximateReceiveCount"] = 1
    path = write(tmp_path, "many.json", [events.s3(seed=1), bad_event, events.sns(seed=3)])
    code, out, err = run(capsys, "events", "validate", path)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == f"{path}[0]: ok (s3)"
    assert lines[1].startswith(f"{path}[1]: ")
    assert "Records[0].attributes.ApproximateReceiveCount" in lines[1]
    assert lines[2] == f"{path}[2]: ok (sns)"


def test_json_lines_are_validated_line_by_line(capsys, tmp_path):
    text = "\n".join(json.dumps(e) for e in (events.kinesis(seed=1), events.sqs(seed=1))) + "\n\n"
    path = write(tmp_path, "events.jsonl", text)
    assert run(capsys, "events", "validate", path) == (
        0, f"{path}:1: ok (kinesis)\n{path}:2: ok (sqs)\n", "",
    )  # fmt: skip


def test_a_broken_json_line_is_its_own_verdict(capsys, tmp_path):
    path = write(tmp_path, "events.jsonl", json.dumps(events.sqs(seed=1)) + "\n{oops\n")
    code, out, err = run(capsys, "events", "validate", path)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == f"{path}:1: ok (sqs)"
    assert lines[1].startswith(f"{path}:2: not valid JSON: Expecting property name")


def test_empty_array_and_empty_file(capsys, tmp_path):
    empty_array = write(tmp_path, "none.json", "[]")
    assert run(capsys, "events", "validate", empty_array) == (
        1, f"{empty_array}: no events (an empty array)\n", "",
    )  # fmt: skip
    blank = write(tmp_path, "blank.json", "\n\n")
    code, out, err = run(capsys, "events", "validate", blank)
    assert (code, out) == (2, "")
    assert err == f"pytest-lambda: error: file {blank} is empty: it should hold a JSON event\n"
