"""``pytest-lambda events validate`` in-process: per-file verdicts and exit codes."""

from __future__ import annotations

import io
import json

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
        "pass --kind, one of apigw_v1, apigw_v2, s3, sns, sqs, kinesis\n"
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


def test_unknown_kind_is_reported_once(capsys, tmp_path):
    path = write(tmp_path, "a.json", events.sqs(seed=1))
    assert run(capsys, "events", "validate", path, path, "--kind", "queue") == (
        2,
        "",
        "pytest-lambda: error: unknown event kind 'queue'; "
        "valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis\n",
    )


def test_needs_a_file(capsys):
    assert run(capsys, "events", "validate") == (
        2,
        "",
        "pytest-lambda: error: the following arguments are required: FILE "
        "(see 'pytest-lambda events validate --help')\n",
    )
