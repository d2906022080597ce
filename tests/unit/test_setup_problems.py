"""Set-up problems: which errors are diagnosed, the messages word for word, and the suite's use."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_lambda._checks.setup import diagnose, diagnose_all
from pytest_lambda._runtime.invocation import InvocationFailure
from pytest_lambda._suite.engine import SuiteOptions, run_check

ENV_FRAME = '  File "/var/task/app.py", line 4, in handler\n    table = os.environ["TABLE_NAME"]\n'


def _failure(type_: str, message: str, *frames: str) -> InvocationFailure:
    return InvocationFailure(type_, message, tuple(frames))


def test_a_key_error_from_os_environ_names_the_variable_and_the_flags() -> None:
    problem = diagnose(_failure("KeyError", "'TABLE_NAME'", ENV_FRAME))
    assert problem is not None
    assert problem.code == "setup.missing-env-var"
    assert problem.report("app.handler", "the checks on sqs events", 2) == (
        "app.handler: a set-up problem, not a bug of the handler (setup.missing-env-var), so "
        "the checks on sqs events did not run\n"
        "every event (2 of 2) failed the same way:\n"
        "  KeyError: 'TABLE_NAME'\n"
        "the handler reads the environment variable TABLE_NAME with os.environ['TABLE_NAME'] "
        "and it is not set\n"
        "\n"
        "Fix: give the function the variable: pytest-lambda check --env TABLE_NAME=VALUE; for "
        "the pytest suite, set it where pytest runs (TABLE_NAME=VALUE pytest ...); in your own "
        "tests, LambdaRunner(env={'TABLE_NAME': VALUE}) or monkeypatch.setenv('TABLE_NAME', "
        "VALUE)"
    )


def test_a_key_error_of_a_dict_is_the_handlers_own_bug() -> None:
    frame = '  File "/var/task/app.py", line 4, in handler\n    user = event["user"]\n'
    assert diagnose(_failure("KeyError", "'user'", frame)) is None


@pytest.mark.parametrize(
    ("type_", "message", "code", "what"),
    [
        (
            "ResourceNotFoundException",
            "An error occurred (ResourceNotFoundException) when calling the PutItem operation: "
            "Requested resource not found",
            "setup.missing-aws-resource",
            "the DynamoDB table the handler uses does not exist in moto (called by PutItem)",
        ),
        (
            "NoSuchBucket",
            "An error occurred (NoSuchBucket) when calling the GetObject operation: The "
            "specified bucket does not exist",
            "setup.missing-aws-resource",
            "the S3 bucket the handler uses does not exist in moto (called by GetObject)",
        ),
        (
            "QueueDoesNotExist",
            "An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the "
            "SendMessage operation: The specified queue does not exist.",
            "setup.missing-aws-resource",
            "the SQS queue the handler uses does not exist in moto (called by SendMessage)",
        ),
        (
            "EndpointConnectionError",
            'Could not connect to the endpoint URL: "http://localhost:8000/"',
            "setup.unreachable-endpoint",
            "the handler could not connect to the endpoint http://localhost:8000/: nothing "
            "answers there during the checks",
        ),
        (
            "NoCredentialsError",
            "Unable to locate credentials",
            "setup.no-aws-credentials",
            "the handler called AWS without usable credentials: the runner gives it fake "
            "ones, so it reached (or tried to reach) AWS itself instead of a mock",
        ),
        (
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'requests'",
            "setup.import-error",
            "the module 'requests' the handler imports is not installed where the function "
            "imports from",
        ),
    ],
)
def test_each_set_up_error_names_what_was_missing(
    type_: str, message: str, code: str, what: str
) -> None:
    problem = diagnose(_failure(type_, message), "app.handler")
    assert problem is not None
    assert (problem.code, problem.what) == (code, what)
    assert problem.error == f"{type_}: {message}"


def test_the_handlers_own_module_missing_is_not_an_import_problem() -> None:
    failure = _failure(
        "Runtime.ImportModuleError", "Unable to import module 'app': No module named 'app'"
    )
    assert diagnose(failure, "app.handler") is None


def test_every_event_must_fail_the_same_way() -> None:
    env = _failure("KeyError", "'TABLE_NAME'", ENV_FRAME)
    assert diagnose_all([env, env]) is not None
    assert diagnose_all([env, None]) is None  # one event succeeded
    other = _failure("KeyError", "'OTHER'", ENV_FRAME)
    assert diagnose_all([env, other]) is None
    assert diagnose_all([]) is None


def _root(tmp_path: Path, source: str) -> str:
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    return str(tmp_path)


def test_the_suite_fails_invokes_once_and_skips_the_other_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    root = _root(tmp_path, 'import os\n\ndef handler(e, c):\n    return os.environ["TABLE_NAME"]\n')
    opts = SuiteOptions(seed=2, root=root)
    invokes = run_check("app.handler", "sqs", "invokes", opts)
    assert invokes.outcome == "failed"
    assert [f.code for f in invokes.findings] == ["setup.missing-env-var"]
    assert invokes.report.startswith(
        "app.handler: a set-up problem, not a bug of the handler (setup.missing-env-var), so "
        "the checks on sqs events did not run\n"
    )
    for check in ("idempotent", "warm-reuse", "robust"):
        result = run_check("app.handler", "sqs", check, opts)
        assert (result.outcome, result.report) == (
            "skipped",
            "not run: a set-up problem (setup.missing-env-var), reported by "
            "app.handler::sqs::invokes",
        )
    env_opts = SuiteOptions(seed=2, root=root, env={"TABLE_NAME": "orders"})
    assert run_check("app.handler", "sqs", "invokes", env_opts).outcome == "passed"


def test_a_failure_after_a_write_is_not_a_set_up_problem(tmp_path: Path) -> None:
    pytest.importorskip("moto")
    (tmp_path / "writes_aws.py").write_text(
        "import boto3\n\ndef create():\n    boto3.client('s3').create_bucket(Bucket='write-bucket')\n"
    )
    root = _root(
        tmp_path,
        """
        import os, uuid
        import boto3

        def handler(event, context):
            boto3.client("s3").put_object(Bucket="write-bucket", Key=str(uuid.uuid4()), Body=b"x")
            return os.environ["NEVER_SET_IN_THIS_TEST"]
        """,
    )
    opts = SuiteOptions(seed=2, root=root, moto_setup="writes_aws:create")
    result = run_check("app.handler", "sqs", "invokes", opts)
    assert result.outcome == "failed"
    assert "set-up problem" not in result.report
    assert "KeyError: 'NEVER_SET_IN_THIS_TEST'" in result.report


def test_powertools_metrics_without_a_namespace_is_a_missing_variable() -> None:
    failure = InvocationFailure(
        "SchemaValidationError", "Must contain a metric namespace.", request_id="r"
    )
    problem = diagnose(failure)
    assert problem is not None
    assert problem.code == "setup.missing-env-var"
    assert "POWERTOOLS_METRICS_NAMESPACE" in problem.what
    assert "--env POWERTOOLS_METRICS_NAMESPACE=VALUE" in problem.fix
    other = InvocationFailure("SchemaValidationError", "Must contain a dimension.", request_id="r")
    assert diagnose(other) is None


CAUGHT = """
import boto3
from botocore.exceptions import ClientError

ddb = boto3.client("dynamodb", region_name="us-east-1")


def handler(event, context):
    try:
        ddb.get_item(TableName="flags", Key={"pk": {"S": "global"}})
    except ClientError:
        return {"statusCode": 503, "body": "temporarily unavailable"}
    return {"statusCode": 200, "body": "ok"}
"""


def test_a_missing_table_the_handler_caught_and_answered_503_is_a_set_up_problem(
    tmp_path: Path,
) -> None:
    pytest.importorskip("moto")
    opts = SuiteOptions(seed=3, root=_root(tmp_path, CAUGHT), moto=True)
    result = run_check("app.handler", "apigw_v1", "invokes", opts)
    assert result.outcome == "failed"
    assert [f.code for f in result.findings] == ["setup.missing-aws-resource"]
    assert "(the handler caught it and answered HTTP 503)" in result.report
    for check in ("idempotent", "warm-reuse", "robust"):
        assert run_check("app.handler", "apigw_v1", check, opts).outcome == "skipped"
