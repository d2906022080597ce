"""``pytest-lambda invoke`` in-process: response on stdout, logs on stderr, exit codes."""

from __future__ import annotations

import codecs
import io
import json
import os
import textwrap

import pytest

from pytest_lambda.cli import main

HANDLERS = """
import os
import time

calls = 0


def echo(event, context):
    print("hello from the handler")
    return {"got": event}


def body(event, context):
    return event["Records"][0]["body"]


def count(event, context):
    global calls
    calls += 1
    return calls


def env(event, context):
    return os.environ.get("GREETING")


def boom(event, context):
    raise ValueError("boom")


def region(event, context):
    return [event["Records"][0]["awsRegion"], os.environ["AWS_REGION"]]


def raw(event, context):
    return b"not json"


def slow(event, context):
    time.sleep(0.5)
    return "late"
"""


@pytest.fixture
def root(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent(HANDLERS), "utf-8")
    return str(tmp_path)


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_event_file(capsys, root, tmp_path):
    event = tmp_path / "event.json"
    event.write_text('{"orderId": 7}', "utf-8")
    code, out, err = run(capsys, "invoke", "app.echo", "--event", str(event), "--root", root)
    assert code == 0
    assert out == '{\n  "got": {\n    "orderId": 7\n  }\n}\n'
    assert "hello from the handler\n" in err
    assert "pytest-lambda: invocation 1 of 1: ok, cold start, " in err


def test_event_from_stdin_compact(capsys, root, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("[1, 2]"))
    code, out, _ = run(capsys, "invoke", "app.echo", "--event", "-", "--root", root, "--compact")
    assert (code, out) == (0, '{"got":[1,2]}\n')


def test_event_file_with_a_utf8_bom(capsys, root, tmp_path):
    event = tmp_path / "event.json"
    event.write_bytes(codecs.BOM_UTF8 + b'{"orderId": 7}')
    code, out, _ = run(capsys, "invoke", "app.echo", "--event", str(event), "--root", root)
    assert (code, out) == (0, '{\n  "got": {\n    "orderId": 7\n  }\n}\n')


def test_event_from_stdin_with_a_utf8_bom(capsys, root, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(codecs.BOM_UTF8 + '["é"]'.encode()), encoding="cp1252")
    monkeypatch.setattr("sys.stdin", stdin)  # the bytes are read, not the locale's text
    code, out, _ = run(capsys, "invoke", "app.echo", "--event", "-", "--root", root, "--compact")
    assert (code, out) == (0, '{"got":["é"]}\n')


def test_utf16_event_file_says_it_must_be_utf8(capsys, root, tmp_path):
    event = tmp_path / "event.json"
    event.write_text('{"orderId": 7}', "utf-16")
    assert one_error(capsys, "invoke", "app.echo", "--event", str(event), "--root", root) == (
        f"pytest-lambda: error: event file {event} is not UTF-8 (UTF-16 LE text); JSON must "
        "be UTF-8: save the file as UTF-8 (a byte order mark is fine)\n"
    )


def test_generated_event(capsys, root):
    code, out, err = run(
        capsys, "invoke", "app.body", "--root", root, "--kind", "sqs", "--seed", "3",
        "--body", "hi there",
    )  # fmt: skip
    assert (code, out) == (0, '"hi there"\n')
    assert "pytest-lambda: seed" not in err  # the seed was given


def test_handler_error_prints_the_error_payload_and_exits_1(capsys, root):
    code, out, err = run(
        capsys, "invoke", "app.boom", "--root", root, "--kind", "sns", "--seed", "1"
    )
    assert code == 1
    payload = json.loads(out)
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (payload["errorType"], payload["errorMessage"]) == ("ValueError", "boom")
    assert any("raise ValueError" in line for line in payload["stackTrace"])
    assert "pytest-lambda: invocation 1 of 1: error ValueError, cold start, " in err


def test_warm_invocations_share_one_environment(capsys, root, tmp_path):
    event = tmp_path / "e.json"
    event.write_text("{}", "utf-8")
    code, out, err = run(capsys, "invoke", "app.count", "--event", str(event), "--root", root,
                         "--warm", "3")  # fmt: skip
    assert (code, out) == (0, "1\n2\n3\n")
    assert "invocation 1 of 3: ok, cold start, " in err
    assert "invocation 2 of 3: ok, warm, " in err
    assert "invocation 3 of 3: ok, warm, " in err


def test_env(capsys, root, tmp_path):
    event = tmp_path / "e.json"
    event.write_text("{}", "utf-8")
    argv = ("invoke", "app.env", "--event", str(event), "--root", root)
    assert run(capsys, *argv, "--env", "GREETING=hi")[:2] == (0, '"hi"\n')
    assert run(capsys, *argv)[:2] == (0, "null\n")


def test_missing_module_is_a_handler_error(capsys, root, tmp_path):
    event = tmp_path / "e.json"
    event.write_text("{}", "utf-8")
    code, out, _ = run(capsys, "invoke", "nope.handler", "--event", str(event), "--root", root)
    assert code == 1
    payload = json.loads(out)
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'nope'" in payload["errorMessage"]


def one_error(capsys, *argv):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    return err


def test_generator_flag_with_event_file(capsys, root):
    assert one_error(capsys, "invoke", "app.echo", "--event", "x.json", "--body", "hi") == (
        "pytest-lambda: error: --body applies only with --kind, not with --event\n"
    )


def test_event_or_kind_is_required(capsys):
    assert one_error(capsys, "invoke", "app.echo") == (
        "pytest-lambda: error: one of the arguments --event --kind is required "
        "(see 'pytest-lambda invoke --help')\n"
    )


def test_not_both_event_and_kind(capsys):
    assert one_error(capsys, "invoke", "app.echo", "--event", "e.json", "--kind", "sqs") == (
        "pytest-lambda: error: argument --kind: not allowed with argument --event "
        "(see 'pytest-lambda invoke --help')\n"
    )


def test_unreadable_event_file(capsys, root, tmp_path):
    missing = tmp_path / "missing.json"
    assert one_error(capsys, "invoke", "app.echo", "--event", str(missing), "--root", root) == (
        f"pytest-lambda: error: cannot read event file {missing}: No such file or directory\n"
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_event_file_is_refused_not_read_forever(capsys, root):
    err = one_error(capsys, "invoke", "app.echo", "--event", "/dev/zero", "--root", root)
    assert err == (
        "pytest-lambda: error: cannot read event file /dev/zero: more than 256 MB: not an "
        "event file (a device such as /dev/zero?)\n"
    )


def test_malformed_event_file(capsys, root, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", "utf-8")
    err = one_error(capsys, "invoke", "app.echo", "--event", str(bad), "--root", root)
    assert err.startswith(f"pytest-lambda: error: event file {bad} is not valid JSON: ")


def test_bad_generator_flag_for_kind(capsys, root):
    err = one_error(capsys, "invoke", "app.echo", "--kind", "sqs", "--bucket", "b", "--root", root)
    assert err.startswith("pytest-lambda: error: --bucket does not apply to sqs events; ")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--warm", "0"], "--warm 0: give the number of invocations, 1 or more"),
        (["--timeout", "0"], "--timeout 0.0: Lambda timeouts are above 0 and at most 900 seconds"),
        (["--env", "NOEQUALS"], "argument --env: expected NAME=VALUE, got 'NOEQUALS' "
                                "(see 'pytest-lambda invoke --help')"),
    ],
)  # fmt: skip
def test_bad_runner_flags(capsys, root, flags, message):
    assert one_error(capsys, "invoke", "app.echo", "--kind", "sqs", "--root", root, *flags) == (
        f"pytest-lambda: error: {message}\n"
    )


def test_bytes_response_is_printed_as_the_runtime_sends_it(capsys, root):
    code, out, _ = run(capsys, "invoke", "app.raw", "--root", root, "--kind", "s3", "--seed", "1")
    assert (code, out) == (0, "not json\n")


def test_timeout_prints_the_platform_error_and_exits_1(capsys, root):
    argv = ("invoke", "app.slow", "--root", root, "--kind", "sqs", "--seed", "1")
    code, out, err = run(capsys, *argv, "--timeout", "0.05")
    assert code == 1
    payload = json.loads(out)
    assert list(payload) == ["errorType", "errorMessage"]
    assert payload["errorType"] == "Sandbox.Timedout"
    assert payload["errorMessage"].endswith("Task timed out after 0.05 seconds")
    assert "pytest-lambda: invocation 1 of 1: timed out, cold start, " in err


def test_runner_option_errors_are_usage_errors(capsys, root):
    err = one_error(capsys, "invoke", "app.echo", "--kind", "sqs", "--root", root, "--memory", "1")
    assert (
        err == "pytest-lambda: error: LambdaRunner: memory_mb=1: Lambda memory is 128 to 10240 MB\n"
    )


def test_function_and_generated_event_share_one_region(capsys, root):
    argv = ("invoke", "app.region", "--root", root, "--kind", "sqs", "--seed", "1", "--compact")
    assert run(capsys, *argv)[:2] == (0, '["us-east-1","us-east-1"]\n')
    assert run(capsys, *argv, "--region", "eu-west-1")[:2] == (0, '["eu-west-1","eu-west-1"]\n')


def _runtime_or_skip() -> None:
    from pytest_lambda._runtime.subprocess.environment import runtime_unavailable

    why = runtime_unavailable()
    if why:
        pytest.skip(f"runtime isolation unavailable: {why}")


def test_isolation_runtime_runs_under_the_runtime_client(capsys, root, tmp_path):
    _runtime_or_skip()
    event = tmp_path / "e.json"
    event.write_text("{}", "utf-8")
    code, out, err = run(capsys, "invoke", "app.count", "--event", str(event), "--root", root,
                         "--warm", "2", "--isolation", "runtime")  # fmt: skip
    assert (code, out) == (0, "1\n2\n")
    assert "invocation 1 of 2: ok, cold start, " in err
    assert "invocation 2 of 2: ok, warm, " in err


def test_bad_isolation_is_a_usage_error(capsys, root):
    argv = ("invoke", "app.echo", "--kind", "sqs", "--root", root, "--isolation", "docker")
    assert "argument --isolation: invalid choice: 'docker'" in one_error(capsys, *argv)


S3_APP = """
import urllib.parse

import boto3


def handler(event, context):
    rec = event["Records"][0]["s3"]
    key = urllib.parse.unquote_plus(rec["object"]["key"])
    body = boto3.client("s3").get_object(Bucket=rec["bucket"]["name"], Key=key)["Body"].read()
    return {"key": key, "body": body.decode()}
"""

S3_SETUP = """
import boto3


def create():
    boto3.client("s3").create_bucket(Bucket="uploads")
    boto3.client("s3").put_object(Bucket="uploads", Key="in/report 2024.csv", Body=b"a,b")
"""


def test_moto_setup_makes_the_objects_the_handler_reads(capsys, tmp_path, monkeypatch):
    pytest.importorskip("moto")
    (tmp_path / "s3_app.py").write_text(S3_APP, "utf-8")
    (tmp_path / "aws_setup_cli.py").write_text(S3_SETUP, "utf-8")
    monkeypatch.chdir(tmp_path)
    argv = ["invoke", "s3_app.handler", "--kind", "s3", "--seed", "1", "--bucket", "uploads"]
    argv += ["--key", "in/report 2024.csv", "--compact"]
    code, out, err = run(capsys, *argv, "--moto-setup", "aws_setup_cli:create")
    assert (code, out) == (0, '{"key":"in/report 2024.csv","body":"a,b"}\n'), err
    # --moto alone: inside the mock, where nothing exists (never real AWS)
    code, out, err = run(capsys, *argv, "--moto")
    assert code == 1
    assert "NoSuchBucket" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--moto-setup", "aws_setup_cli:nothere"], "has no attribute 'nothere'"),
        (["--moto-setup", "not a reference"], "name a callable as package.module:function"),
        (["--moto", "--isolation", "runtime"], "moto's mock does not reach the runtime"),
    ],
)
def test_bad_moto_arguments_are_usage_errors(capsys, tmp_path, monkeypatch, extra, message):
    pytest.importorskip("moto")
    (tmp_path / "s3_app.py").write_text(S3_APP, "utf-8")
    (tmp_path / "aws_setup_cli.py").write_text(S3_SETUP, "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "invoke", "s3_app.handler", "--kind", "s3", *extra)
    assert code == 2
    assert out == ""
    assert message in err


HTTP_HANDLER = """
import json


def api(event, context):
    return {"statusCode": 201, "headers": {"X-Id": "7"}, "body": json.dumps({"id": 7})}


def broken(event, context):
    return {"statusCode": 200, "body": {"id": 7}}
"""


@pytest.fixture
def http_root(tmp_path):
    (tmp_path / "web.py").write_text(textwrap.dedent(HTTP_HANDLER), "utf-8")
    return str(tmp_path)


def test_http_event_says_what_the_client_gets_on_stderr(capsys, http_root):
    args = ["invoke", "web.api", "--kind", "apigw_v1", "--seed", "1", "--root", http_root]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["statusCode"] == 201  # stdout stays the Lambda response
    assert "pytest-lambda: the HTTP client gets 201 from API Gateway (REST API)\n" in err


def test_http_flag_prints_the_response_as_the_client_sees_it(capsys, http_root):
    args = ["invoke", "web.api", "--kind", "apigw_v2", "--seed", "1", "--root", http_root]
    assert main([*args, "--http"]) == 0
    out, _ = capsys.readouterr()
    assert out == 'HTTP/1.1 201 Created\nX-Id: 7\n\n{"id": 7}\n'


def test_malformed_proxy_response_shows_the_gateways_502(capsys, http_root):
    args = ["invoke", "web.broken", "--kind", "apigw_v1", "--seed", "1", "--root", http_root]
    assert main([*args, "--http"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "HTTP/1.1 502 Bad Gateway\nContent-Type: application/json\n\n"
        '{"message": "Internal server error"}\n'
    )
    assert (
        "pytest-lambda: the HTTP client gets 502 from API Gateway (REST API) (malformed response "
        "for API Gateway (REST API): body is not a string but dict: \"{'id': 7}\")\n" in err
    )


def test_http_flag_refuses_a_non_http_event(capsys, root):
    assert main(["invoke", "app.echo", "--kind", "sqs", "--root", root, "--http"]) == 2
    err = capsys.readouterr().err
    assert (
        "--http: the event is not an HTTP request (API Gateway REST or HTTP API, ALB or "
        "Function URL); drop --http to see the Lambda response" in err
    )
