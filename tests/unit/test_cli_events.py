"""``pytest-lambda events list | generate | schema`` in-process: output and error paths."""

from __future__ import annotations

import json
import os

import pytest

from pytest_lambda import events
from pytest_lambda.cli import main

posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links, FIFOs, /dev/null")


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def pretty(event):
    return json.dumps(event, ensure_ascii=False, indent=2) + "\n"


# -- list -----------------------------------------------------------------------------


def test_list_shows_every_kind_and_parameter(capsys):
    code, out, err = run(capsys, "events", "list")
    assert (code, err) == (0, "")
    for kind in events.KINDS:
        assert f"\n{kind}: " in "\n" + out
        for name, text in events.params(kind).items():
            assert any(
                line.startswith(f"  {name} ") and line.endswith(text) for line in out.splitlines()
            )
    assert out.endswith(
        "Generate one with 'pytest-lambda events generate KIND [flags]'; every kind also "
        "takes --seed, --set PATH=VALUE and --no-validate.\n"
    )


def test_list_one_kind_names_the_flag_of_each_parameter(capsys):
    code, out, _ = run(capsys, "events", "list", "s3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "s3: S3 event notification (one record)"
    rows = {line.split()[0]: line.split()[1] for line in lines[1:] if line.startswith("  ")}
    assert rows["bucket"] == "--bucket"
    assert rows["event_name"] == "--event-name"
    assert rows["region"] == "--region"
    assert rows["account_id"] == "--account-id"
    assert rows["sequencer"] == "--sequencer"  # every parameter has its flag
    assert list(rows) == list(events.params("s3"))
    assert "\nsqs: " not in out


def test_list_unknown_kind(capsys):
    assert run(capsys, "events", "list", "rest") == (
        2,
        "",
        "pytest-lambda: error: unknown event kind 'rest' (did you mean 'apigw_v1'?); "
        "valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka\n",
    )


# -- generate: output ------------------------------------------------------------------


@pytest.mark.parametrize("kind", events.KINDS)
def test_generate_prints_the_library_event(capsys, kind):
    code, out, err = run(capsys, "events", "generate", kind, "--seed", "7")
    assert (code, err) == (0, "")
    assert out == pretty(events.generate(kind, seed=7))
    assert events.validate(json.loads(out)) == kind


def test_generate_is_byte_identical_for_the_same_seed(capsys):
    argv = ("events", "generate", "sqs", "--seed", "11", "--records", "3")
    first = run(capsys, *argv)
    assert first[0] == 0
    assert run(capsys, *argv) == first
    assert run(capsys, "events", "generate", "sqs", "--seed", "12", "--records", "3")[1] != first[1]


def test_generate_compact(capsys):
    code, out, _ = run(capsys, "events", "generate", "sns", "--seed", "3", "--compact")
    assert code == 0
    assert out == json.dumps(events.sns(seed=3), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert out.count("\n") == 1


def test_generate_to_a_file(capsys, tmp_path):
    target = tmp_path / "event.json"
    assert run(capsys, "events", "generate", "kinesis", "--seed", "5", "-o", str(target)) == (
        0,
        "",
        "",
    )
    assert target.read_text("utf-8") == pretty(events.kinesis(seed=5))


def test_generate_to_an_unwritable_file(capsys, tmp_path):
    target = tmp_path / "missing-dir" / "event.json"
    code, out, err = run(capsys, "events", "generate", "sqs", "--seed", "5", "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"pytest-lambda: error: cannot write {target}: No such file or directory\n"


def test_generate_without_seed_prints_a_replayable_seed(capsys):
    code, out, err = run(capsys, "events", "generate", "sqs")
    assert code == 0
    assert err.startswith("pytest-lambda: seed ")
    seed = err.split()[2]
    assert err == f"pytest-lambda: seed {seed} (pass --seed {seed} to get this event again)\n"
    assert run(capsys, "events", "generate", "sqs", "--seed", seed)[1] == out


def test_generate_accepts_hyphenated_kind(capsys):
    assert run(capsys, "events", "generate", "apigw-v2", "--seed", "1")[1] == pretty(
        events.apigw_v2(seed=1)
    )


# -- generate: flags map to generator parameters ------------------------------------------


FLAG_CASES = [
    ("sqs", ["--body", "hello"], {"body": "hello"}),
    ("sqs", ["--records", "4"], {"records": 4}),
    ("sqs", ["--queue-name", "orders.fifo"], {"queue": "orders.fifo"}),
    ("sqs", ["--fifo"], {"fifo": True}),
    ("sqs", ["--sns-envelope"], {"sns_envelope": True}),
    (
        "sqs",
        ["--message-attribute", "kind=order", "--message-attribute", "n=3"],
        {"message_attributes": {"kind": "order", "n": 3}},
    ),
    (
        "sns",
        ["--topic", "orders", "--subject", "Hi", "--message", "hello"],
        {"topic": "orders", "subject": "Hi", "message": "hello"},
    ),
    (
        "s3",
        ["--bucket", "my-bucket", "--key", "a b+c.txt", "--event-name", "ObjectRemoved:Delete"],
        {"bucket": "my-bucket", "key": "a b+c.txt", "event_name": "ObjectRemoved:Delete"},
    ),
    ("s3", ["--size", "42", "--versioned"], {"size": 42, "versioned": True}),
    (
        "kinesis",
        ["--data", "hello", "--partition-key", "pk-1", "--records", "2"],
        {"data": "hello", "partition_key": "pk-1", "records": 2},
    ),
    (
        "dynamodb",
        [
            "--table",
            "Orders",
            "--view-type",
            "NEW_IMAGE",
            "--event-name",
            "INSERT",
            "--key-schema",
            '{"id": "N"}',
            "--item",
            '{"id": 7, "note": "x"}',
            "--records",
            "2",
        ],
        {
            "table": "Orders",
            "view_type": "NEW_IMAGE",
            "event_name": "INSERT",
            "key_schema": {"id": "N"},
            "item": {"id": 7, "note": "x"},
            "records": 2,
        },
    ),
    ("dynamodb", ["--event-name", "REMOVE", "--ttl"], {"event_name": "REMOVE", "ttl": True}),
    (
        "apigw_v1",
        ["--method", "POST", "--path", "/orders", "--stage", "prod", "--body", "{}"],
        {"method": "POST", "path": "/orders", "stage": "prod", "body": "{}"},
    ),
    (
        "apigw_v1",
        ["--query", "tag=a", "--query", "tag=b", "--query", "q="],
        {"query": [["tag", "a"], ["tag", "b"], ["q", ""]]},
    ),
    (
        "apigw_v1",
        ["--header", "X-Id=1", "--header", "X-Id=2", "--header", "Accept=*/*"],
        {"headers": {"X-Id": ["1", "2"], "Accept": "*/*"}},
    ),
    (
        "apigw_v2",
        ["--cookie", "a=1", "--cookie", "b=2", "--method", "PUT"],
        {"cookies": ["a=1", "b=2"], "method": "PUT"},
    ),
    (
        "sqs",
        ["--region", "eu-west-1", "--account-id", "123456789012"],
        {"region": "eu-west-1", "account_id": "123456789012"},
    ),
    ("sns", ["--time", "2026-01-02T03:04:05Z"], {"time": "2026-01-02T03:04:05Z"}),
    ("sns", ["--time", "1767323045"], {"time": 1767323045}),
]


@pytest.mark.parametrize(("kind", "flags", "params"), FLAG_CASES)
def test_flags_feed_generator_parameters(capsys, kind, flags, params):
    code, out, err = run(capsys, "events", "generate", kind, "--seed", "9", *flags)
    assert (code, err) == (0, "")
    assert out == pretty(events.generate(kind, seed=9, **params))
    assert out != pretty(events.generate(kind, seed=9))


def test_body_schema_flag_reads_the_file(capsys, tmp_path):
    schema = {
        "type": "object",
        "properties": {"orderId": {"type": "integer"}},
        "required": ["orderId"],
    }
    path = tmp_path / "order.json"
    path.write_text(json.dumps(schema), "utf-8")
    code, out, _ = run(
        capsys, "events", "generate", "sqs", "--seed", "2", "--body-schema", str(path)
    )
    assert code == 0
    assert out == pretty(events.sqs(seed=2, body_schema=schema))
    assert isinstance(json.loads(json.loads(out)["Records"][0]["body"])["orderId"], int)


def test_param_values_are_json_when_they_parse(capsys):
    code, out, _ = run(
        capsys,
        "events",
        "generate",
        "sqs",
        "--seed",
        "4",
        "--param",
        'bodies=["a", {"b": 1}]',
        "--param",
        "queue=work",
    )
    assert code == 0
    assert out == pretty(events.sqs(seed=4, bodies=["a", {"b": 1}], queue="work"))


def test_set_values_are_json_when_they_parse_else_strings(capsys):
    code, out, _ = run(
        capsys,
        "events",
        "generate",
        "sqs",
        "--seed",
        "4",
        "--set",
        "Records.0.body=plain text",
        "--set",
        "Records.0.messageAttributes={}",
    )
    assert code == 0
    overrides = {"Records.0.body": "plain text", "Records.0.messageAttributes": {}}
    assert out == pretty(events.sqs(seed=4, overrides=overrides))


def test_no_validate_allows_a_malformed_event(capsys):
    argv = ("events", "generate", "sqs", "--seed", "4", "--set", "Records.0.eventSource=aws:nope")
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("pytest-lambda: error: sqs event invalid at Records[0].eventSource: ")
    assert err.endswith(" (pass --no-validate to allow a malformed event)\n")
    assert err.count("\n") == 1
    code, out, _ = run(capsys, *argv, "--no-validate")
    assert code == 0
    assert json.loads(out)["Records"][0]["eventSource"] == "aws:nope"


# -- generate: errors are one line and exit 2 ------------------------------------------


def one_error(capsys, *argv):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert err.startswith("pytest-lambda: error: ")
    return err[len("pytest-lambda: error: ") : -1]


def test_flag_not_for_this_kind(capsys):
    message = one_error(capsys, "events", "generate", "sqs", "--bucket", "b")
    assert message.startswith("--bucket does not apply to sqs events; sqs flags: --records, --body")
    assert "--queue," in message
    assert "--bucket," not in message


def test_unknown_kind(capsys):
    assert one_error(capsys, "events", "generate", "lambda") == (
        "unknown event kind 'lambda'; valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka"
    )


def test_bad_set_path(capsys):
    assert one_error(
        capsys, "events", "generate", "sqs", "--seed", "1", "--set", "Records.3.body=x"
    ) == (
        "override 'Records.3.body': index 3 is out of range at Records "
        "(a list of 1 item(s): use an index 0..0 or *)"
    )


def test_set_without_equals(capsys):
    assert one_error(capsys, "events", "generate", "sqs", "--set", "Records.0.body") == (
        "argument --set: expected PATH=VALUE, e.g. Records.0.body=hi, got 'Records.0.body' "
        "(see 'pytest-lambda events generate --help')"
    )


def test_a_set_value_read_as_json_where_a_string_belongs_says_to_quote_it(capsys):
    path = "Records.0.attributes.ApproximateReceiveCount"
    message = one_error(capsys, "events", "generate", "sqs", "--set", f"{path}=2")
    assert message.endswith(
        "2 is not of type 'string' (a --set VALUE is JSON when it parses: quote a string, "
        "e.g. --set 'PATH=\"2\"')"
    )
    assert main(["events", "generate", "sqs", "--set", f'{path}="2"']) == 0


def test_unknown_param(capsys):
    message = one_error(capsys, "events", "generate", "sns", "--param", "colour=red")
    assert message.startswith("--param colour=…: sns has no parameter 'colour'; valid: ")
    assert "message" in message


def test_param_repeating_a_flag(capsys):
    assert one_error(capsys, "events", "generate", "sqs", "--body", "a", "--param", "body=b") == (
        "--param body=… repeats --body; give the body parameter once"
    )


def test_param_naming_a_cli_option(capsys):
    assert one_error(capsys, "events", "generate", "sqs", "--param", "seed=3") == (
        "--param seed=…: use --seed N instead"
    )


def test_bad_generator_value(capsys):
    assert one_error(capsys, "events", "generate", "s3", "--size", "-1") == (
        events_error(lambda: events.s3(size=-1))
    )


def test_bad_region(capsys):
    assert one_error(capsys, "events", "generate", "sqs", "--region", "mars") == (
        "region='mars' is not an AWS region name; e.g. 'us-east-1', 'eu-west-1'"
    )


def test_wrong_type_from_param_is_a_usage_error(capsys):
    message = one_error(capsys, "events", "generate", "sqs", "--param", "records=[1]")
    assert "records" in message


def test_body_schema_unreadable(capsys, tmp_path):
    missing = tmp_path / "nope.json"
    assert one_error(capsys, "events", "generate", "sqs", "--body-schema", str(missing)) == (
        f"cannot read body schema {missing}: No such file or directory"
    )


def test_body_schema_malformed(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", "utf-8")
    message = one_error(capsys, "events", "generate", "sqs", "--body-schema", str(bad))
    assert message.startswith(f"body schema {bad} is not valid JSON: Expecting property name")


def test_body_schema_with_a_utf8_bom(capsys, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text('\ufeff{"type": "object", "required": ["id"], '
                      '"properties": {"id": {"const": 5}}}', "utf-8")  # fmt: skip
    code, out, _ = run(capsys, "events", "generate", "sqs", "--seed", "1",
                       "--body-schema", str(schema))  # fmt: skip
    assert code == 0
    assert json.loads(json.loads(out)["Records"][0]["body"])["id"] == 5


def test_bad_int_flag(capsys):
    assert one_error(capsys, "events", "generate", "sqs", "--records", "many") == (
        "argument --records: invalid int value: 'many' (see 'pytest-lambda events generate --help')"
    )


def events_error(call):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    return str(info.value)


# -- schema -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", events.KINDS)
def test_schema(capsys, kind):
    code, out, err = run(capsys, "events", "schema", kind)
    assert (code, err) == (0, "")
    assert out == pretty(events.schema(kind))
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_unknown_kind(capsys):
    assert one_error(capsys, "events", "schema", "http") == (
        "unknown event kind 'http' (did you mean 'apigw_v2'?); "
        "valid kinds: apigw_v1, apigw_v2, s3, sns, sqs, kinesis, dynamodb, alb, function_url, websocket, eventbridge, firehose, cloudwatch_logs, kafka"
    )


# -- generate -o: never destroy a file (issue 15) --------------------------------------


def test_generate_refuses_to_replace_an_existing_different_file(capsys, tmp_path):
    """Guards: -o replaced any file (a captured event, say) without a word."""
    target = tmp_path / "event.json"
    target.write_text('{"captured": true}\n', "utf-8")
    assert run(capsys, "events", "generate", "sqs", "--seed", "5", "-o", str(target)) == (
        2,
        "",
        f"pytest-lambda: error: not overwriting {target}: it exists with other content; "
        "pass --force to replace it\n",
    )
    assert target.read_text("utf-8") == '{"captured": true}\n'


def test_generate_same_content_is_fine_and_force_replaces(capsys, tmp_path):
    """Guards: rerunning the same command works; --force is the way to replace a file."""
    target = tmp_path / "event.json"
    argv = ("events", "generate", "sqs", "--seed", "5", "-o", str(target))
    assert run(capsys, *argv) == (0, "", "")
    assert run(capsys, *argv) == (0, "", "")  # the same bytes: nothing to refuse
    target.write_text("{}\n", "utf-8")
    assert run(capsys, *argv, "--force") == (0, "", "")
    assert target.read_text("utf-8") == pretty(events.sqs(seed=5))
    assert [p.name for p in tmp_path.iterdir()] == ["event.json"]  # no temp file left


@posix_only
def test_generate_never_writes_through_a_symlink(capsys, tmp_path):
    """Guards: -o LINK wrote into the file the link points to."""
    outside = tmp_path / "outside.json"
    outside.write_text('{"mine": 1}\n', "utf-8")
    link = tmp_path / "event.json"
    link.symlink_to(outside)
    assert run(capsys, "events", "generate", "sqs", "--seed", "5", "-o", str(link)) == (
        2,
        "",
        f"pytest-lambda: error: not overwriting {link}: it is a symbolic link (--force "
        "replaces the link, never its target); pass --force to replace it\n",
    )
    assert (
        run(capsys, "events", "generate", "sqs", "--seed", "5", "-o", str(link), "--force")[0] == 0
    )
    assert not link.is_symlink()
    assert link.read_text("utf-8") == pretty(events.sqs(seed=5))
    assert outside.read_text("utf-8") == '{"mine": 1}\n'


def test_generate_failure_mid_write_keeps_the_old_file_whole(capsys, tmp_path, monkeypatch):
    """Guards: a failed write left a truncated file; now the old one stays and no temp is left."""
    import errno

    target = tmp_path / "event.json"
    target.write_text("{}\n", "utf-8")

    def failing_fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    argv = ("events", "generate", "sqs", "--seed", "5", "-o", str(target), "--force")
    assert run(capsys, *argv) == (
        2,
        "",
        f"pytest-lambda: error: cannot write {target}: No space left on device\n",
    )
    assert target.read_text("utf-8") == "{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["event.json"]


@posix_only
def test_generate_into_a_directory_or_dev_null(capsys, tmp_path):
    """Guards: a directory is refused even with --force; /dev/null is written into, not replaced."""
    assert run(
        capsys, "events", "generate", "sqs", "-o", str(tmp_path), "--force", "--seed", "1"
    ) == (
        2,
        "",
        f"pytest-lambda: error: cannot write {tmp_path}: it is a directory\n",
    )
    assert run(capsys, "events", "generate", "sqs", "--seed", "1", "-o", os.devnull) == (0, "", "")


def test_generate_into_an_empty_path_says_so(capsys):
    assert run(capsys, "events", "generate", "sqs", "--seed", "1", "-o", "") == (
        2,
        "",
        "pytest-lambda: error: -o: the output path is empty; give a file name (or leave -o "
        "out to print)\n",
    )


def test_generate_force_without_output_is_a_usage_error(capsys):
    assert run(capsys, "events", "generate", "sqs", "--seed", "1", "--force") == (
        2,
        "",
        "pytest-lambda: error: --force goes with -o FILE (it allows replacing FILE)\n",
    )
