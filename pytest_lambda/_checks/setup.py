"""Set-up problems: a handler that fails before doing anything because its set-up is missing.

When every event fails the same way with an error that says the function's set-up is
missing (an environment variable read with ``os.environ[...]``, a module, an AWS resource
moto does not have, an endpoint nothing listens on, credentials), the checks' other
findings would only repeat it with advice about events. :func:`diagnose` names what was
missing and how to supply it as one :class:`SetupProblem`; :func:`diagnose_all` applies the
"every event, the same way" rule. Used by ``pytest-lambda check`` and the conformance suite
(:mod:`pytest_lambda._suite.setup_probe`). Pure functions of the errors: no cost beyond a
scan of the error text and its stack trace.

Codes: ``setup.missing-env-var``, ``setup.import-error``, ``setup.missing-aws-resource``,
``setup.unreachable-endpoint``, ``setup.no-aws-credentials``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pytest_lambda._runtime.invocation import InvocationFailure

__all__ = [
    "SETUP_CODES", "SetupProblem", "diagnose", "diagnose_all", "env_var_read", "some_events_env_fix",
]  # fmt: skip

MISSING_ENV: Final = "setup.missing-env-var"
IMPORT_ERROR: Final = "setup.import-error"
MISSING_RESOURCE: Final = "setup.missing-aws-resource"
UNREACHABLE: Final = "setup.unreachable-endpoint"
NO_CREDENTIALS: Final = "setup.no-aws-credentials"
SETUP_CODES: Final = (MISSING_ENV, IMPORT_ERROR, MISSING_RESOURCE, UNREACHABLE, NO_CREDENTIALS)

_ENV_NAME: Final = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")
_NO_MODULE: Final = re.compile(r"No module named '([\w.]+)'")
_ENDPOINT: Final = re.compile(r'endpoint URL: "([^"]+)"')
_OPERATION: Final = re.compile(r"when calling the (\w+) operation")
_MOTO_SETUP: Final = (
    "create it in a moto set-up function: pytest-lambda check --moto-setup MODULE:FUNCTION "
    "(the suite: --lambda-moto-setup), e.g. tests.aws:create_tables"
)

# error type (botocore's modeled exception name) -> what does not exist
_RESOURCE_ERRORS: Final[dict[str, str]] = {
    "NoSuchBucket": "S3 bucket",
    "QueueDoesNotExist": "SQS queue",
    "AWS.SimpleQueueService.NonExistentQueue": "SQS queue",
    "ParameterNotFound": "SSM parameter",
}
_DYNAMODB_OPERATIONS: Final = frozenset(
    [
        "PutItem",
        "GetItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
        "DescribeTable",
    ]
)
_BY_OPERATION: Final[dict[str, str]] = {
    **dict.fromkeys(_DYNAMODB_OPERATIONS, "DynamoDB table"),
    "PutRecord": "Kinesis stream",
    "PutRecords": "Kinesis stream",
    "Publish": "SNS topic",
    "PublishBatch": "SNS topic",
    "GetSecretValue": "Secrets Manager secret",
    "PutEvents": "EventBridge event bus",
    "Invoke": "Lambda function",
}
_UNREACHABLE_TYPES: Final = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ConnectionRefusedError",
     "NewConnectionError", "ConnectionError"}
)  # fmt: skip
_REJECTED_CREDENTIALS: Final = frozenset(
    {"UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId",
     "ExpiredToken", "ExpiredTokenException", "AuthFailure", "SignatureDoesNotMatch"}
)  # fmt: skip


@dataclass(frozen=True)
class SetupProblem:
    """One missing piece of set-up: ``what`` was missing, why it is that, and the fix.

    ``code`` is one of :data:`SETUP_CODES`; ``severity`` is always ``"error"`` (nothing
    was checked); ``message`` is the one-line form ``--json`` prints.
    """

    code: str
    what: str
    error: str
    fix: str
    severity: str = "error"

    @property
    def message(self) -> str:
        return f"{self.what}; fix: {self.fix}"

    def report(self, handler: str, scope: str, failed: int) -> str:
        """The failure text: ``scope`` did not run (e.g. "the checks on sqs events");
        ``failed`` events failed the same way (0: the handler's init failed)."""
        how = (
            "its init (the import of its module) failed:"
            if failed == 0
            else f"every event ({failed} of {failed}) failed the same way:"
        )
        return (
            f"{handler}: a set-up problem, not a bug of the handler ({self.code}), so {scope} "
            f"did not run\n{how}\n  {self.error}\n{self.what}\n\nFix: {self.fix}"
        )


def _env_fix(name: str) -> str:
    return (
        f"give the function the variable: pytest-lambda check --env {name}=VALUE; for the "
        f"pytest suite, set it where pytest runs ({name}=VALUE pytest ...); in your own tests, "
        f"LambdaRunner(env={{'{name}': VALUE}}) or monkeypatch.setenv('{name}', VALUE)"
    )


def _env_var(failure: InvocationFailure) -> SetupProblem | None:
    found = _ENV_NAME.fullmatch(failure.message.strip())
    if failure.type != "KeyError" or found is None:
        return None
    name = found.group(1)
    frames = "".join(failure.stack_trace)
    if "environ[" not in frames and "environ.__getitem__" not in frames:
        return None
    return SetupProblem(
        MISSING_ENV,
        f"the handler reads the environment variable {name} with os.environ[{name!r}] and "
        "it is not set",
        f"KeyError: {failure.message}",
        _env_fix(name),
    )


# Libraries that fail for want of a variable, with a message of their own: (error type,
# words of the message) -> the variable
_LIBRARY_VARIABLES: Final = (
    ("SchemaValidationError", "Must contain a metric namespace", "POWERTOOLS_METRICS_NAMESPACE"),
)


def _library_env_var(failure: InvocationFailure) -> SetupProblem | None:
    """A library's own error for a variable it needs (Powertools Metrics' namespace)."""
    for error_type, words, name in _LIBRARY_VARIABLES:
        if failure.type == error_type and words in failure.message:
            return SetupProblem(
                MISSING_ENV,
                f"the environment variable {name} is not set, and the library that reads it "
                f"failed without it ({words.lower()})",
                f"{failure.type}: {failure.message}",
                _env_fix(name),
            )
    return None


def env_var_read(failure: InvocationFailure) -> str | None:
    """The variable a ``KeyError`` of ``os.environ[...]`` names, else None."""
    if _env_var(failure) is None:
        return None
    found = _ENV_NAME.fullmatch(failure.message.strip())
    return None if found is None else found.group(1)


def some_events_env_fix(name: str) -> str:
    """The fix when only some events read a variable that is not set (not a set-up
    problem of every event: the handler fails on those events only)."""
    return (
        f"only these events read the environment variable {name} (os.environ[{name!r}]), "
        f"which is not set: if the function has it, give it (pytest-lambda check --env "
        f"{name}=VALUE); if it may be absent, read it with os.environ.get and answer an "
        "error on purpose"
    )


def _import(failure: InvocationFailure, own: str) -> SetupProblem | None:
    found = _NO_MODULE.search(failure.message)
    if found is None or failure.type not in (
        "Runtime.ImportModuleError", "ModuleNotFoundError", "ImportError",
    ):  # fmt: skip
        return None
    module = found.group(1)
    if module.partition(".")[0] in {own, own.partition(".")[0]}:
        return None  # the handler's own module: a misnamed handler, not a missing dependency
    return SetupProblem(
        IMPORT_ERROR,
        f"the module {module!r} the handler imports is not installed where the function "
        "imports from",
        f"{failure.type}: {failure.message}",
        "install it into the root directory (pip install --target DIR), or add the Lambda "
        "layer or folder that provides it: pytest-lambda check --layer DIR (a layer folder "
        "holding python/) or --path DIR",
    )


def _resource(failure: InvocationFailure) -> SetupProblem | None:
    operation = _OPERATION.search(failure.message)
    op = operation.group(1) if operation else ""
    what = _RESOURCE_ERRORS.get(failure.type)
    if what is None and "NonExistentQueue" in failure.message:
        what = "SQS queue"
    if what is None and failure.type in (
        "ResourceNotFoundException",
        "NotFound",
        "NotFoundException",
    ):
        what = _BY_OPERATION.get(op, "AWS resource")
    if what is None:
        return None
    name = _resource_name(failure)
    called = f" (called by {op})" if op else ""
    return SetupProblem(
        MISSING_RESOURCE,
        f"the {what}{name} the handler uses does not exist in moto{called}",
        f"{failure.type}: {failure.message}",
        _MOTO_SETUP,
    )


def _resource_name(failure: InvocationFailure) -> str:
    response = getattr(failure.exception, "response", None)
    if isinstance(response, dict):
        error = response.get("Error")
        if isinstance(error, dict):
            for key in ("BucketName", "QueueName", "TableName", "ResourceName"):
                if isinstance(error.get(key), str):
                    return f" {error[key]!r}"
    return ""


def _endpoint(failure: InvocationFailure) -> SetupProblem | None:
    text = f"{failure.type}: {failure.message}"
    if failure.type == "NoCredentialsError" or failure.type in _REJECTED_CREDENTIALS:
        return SetupProblem(
            NO_CREDENTIALS,
            "the handler called AWS without usable credentials: the runner gives it fake "
            "ones, so it reached (or tried to reach) AWS itself instead of a mock",
            text,
            "run the checks inside moto: pytest-lambda check --moto-setup MODULE:FUNCTION "
            "(creates the tables, buckets and queues; --moto without one), the suite: "
            "--lambda-moto-setup",
        )
    if failure.type not in _UNREACHABLE_TYPES and "Connection refused" not in failure.message:
        return None
    url = _ENDPOINT.search(failure.message)
    where = f"the endpoint {url.group(1)}" if url else "an endpoint"
    return SetupProblem(
        UNREACHABLE,
        f"the handler could not connect to {where}: nothing answers there during the checks",
        text,
        "start the service it needs (e.g. DynamoDB Local) and give its address with --env, "
        "or run the checks inside moto: pytest-lambda check --moto-setup MODULE:FUNCTION",
    )


# Where botocore waits for an endpoint that does not answer: opening the connection (a name
# lookup, a connect) or sleeping before a retry of a failed one.
_WAITING_FRAMES: Final = (
    "/urllib3/connection.py", "/socket.py", " in _needs_retry", "/botocore/retryhandler.py",
    "/botocore/retries/",
)  # fmt: skip
_SECONDS: Final = re.compile(r"after ([\d.]+) seconds")


def _timed_out_on_aws(failure: InvocationFailure) -> SetupProblem | None:
    """A timeout that stopped the handler while botocore connected, or waited to retry a
    connection: nothing answered at the endpoint (botocore retries an unreachable one for
    longer than the default 3 s timeout before raising ``EndpointConnectionError``). Not
    when moto answered the call (a slow handler inside moto), nor in a long answered call."""
    frames = [f.replace("\\", "/") for f in failure.stopped_in]  # Windows paths too
    if failure.type != "Sandbox.Timedout" or not any("/botocore/" in f for f in frames):
        return None
    if any("/moto/" in f or "/responses/" in f for f in frames):
        return None  # moto (through responses) answered: the endpoint is there
    if not any(marker in f for f in frames[-4:] for marker in _WAITING_FRAMES):
        return None
    seconds = _SECONDS.search(failure.message)
    timeout = f" ({seconds.group(1)} s)" if seconds else ""
    inner = next(f for f in reversed(frames) if "/botocore/" in f or "/urllib3/" in f)
    where = inner.rsplit("/", 1)[-1]
    return SetupProblem(
        UNREACHABLE,
        f"the handler was still waiting for an AWS endpoint when its timeout{timeout} ended "
        f"(stopped in botocore's sending or retrying, at {where}): nothing answers there "
        "during the checks",
        f"Sandbox.Timedout: Task timed out after {seconds.group(1) if seconds else '?'} seconds",
        "run the checks inside moto: pytest-lambda check --moto-setup MODULE:FUNCTION (the "
        "suite: --lambda-moto-setup), or start the service it needs (e.g. DynamoDB Local) and "
        "give its address with --env; a longer --timeout shows botocore's own error",
    )


def diagnose(failure: InvocationFailure, handler: str = "") -> SetupProblem | None:
    """The set-up problem ``failure`` shows, or None when it looks like the handler's own bug.

    ``handler`` (``module.function``) tells a missing dependency from the handler's own
    module not being found (a misnamed handler, reported elsewhere).
    """
    own = handler.rpartition("/")[2].rpartition(".")[0]
    return (
        _env_var(failure) or _library_env_var(failure) or _import(failure, own)
        or _resource(failure) or _endpoint(failure) or _timed_out_on_aws(failure)
    )  # fmt: skip


def diagnose_all(
    failures: Sequence[InvocationFailure | None], handler: str = ""
) -> SetupProblem | None:
    """A set-up problem when every event failed, all the same way, and that way is one."""
    if not failures or any(f is None for f in failures):
        return None
    first = failures[0]
    assert first is not None
    said = first.message.replace(first.request_id, "") if first.request_id else first.message
    for f in failures:  # the same way: a platform error's message holds its request id
        assert f is not None
        text = f.message.replace(f.request_id, "") if f.request_id else f.message
        if (f.type, text) != (first.type, said):
            return None
    return diagnose(first, handler)
