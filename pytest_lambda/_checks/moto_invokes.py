"""Lambda ``Invoke`` calls as state: recorded at the botocore level, answered without Docker.

moto runs an invoked function in a Docker container, which a unit test rarely has; and a
duplicate ``Invoke`` is a side effect the idempotency check must see. While a
:class:`InvokeLog` is live (from ``moto_state()`` until its ``observe``/``reset`` are
garbage; for the whole mock of ``pytest-lambda check --moto`` and ``--lambda-moto``), the
newest live log records every ``lambda.Invoke`` sent by any botocore client (function
name, qualifier, invocation type, payload), and the call is answered without reaching moto: ``StatusCode``
202 and an empty payload for ``InvocationType="Event"``, 200 and the payload ``{}`` for
``RequestResponse`` (**the function is not run**: its own effects are not in the state).
A call that failed before it was sent (an injected fault) is not recorded; one whose
acknowledgement was lost is.

The hook is one class-level patch of ``BaseClient._make_api_call`` (installed once), which
registers a ``before-call`` handler, last, on each Lambda client it sees: it answers in
botocore's place, so moto never sees the call (moto would still try to run the function);
with no live log, or outside moto's mock (a log whose closures are not yet garbage), it
does nothing and the call goes where it would have gone. While a log is live inside the
mock, SQS ``DeleteMessage``/``ChangeMessageVisibility`` (and their batches) on the receipt
handle of a delivered event succeed, as for a message in flight (:func:`_in_flight`). Cost: a dict lookup per API call.
"""

from __future__ import annotations

import functools
import io
import json
import weakref
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote

__all__ = ["InvokeLog", "install", "invoke_answers", "uninstall"]

_HANDLER_ID: Final = "pytest_lambda_invoke_log"
_live: list[weakref.ref[InvokeLog]] = []  # the newest log still alive records
# function name -> the answer of a RequestResponse invoke (a JSON value, or a callable of
# the payload giving one); see invoke_answers()
_ANSWERS: dict[str, Any] = {}


def invoke_answers(answers: Mapping[str, Any]) -> None:
    """The answers the recorded ``lambda.Invoke`` calls get, per called function.

    While a ``moto_state()`` is in use (and under ``pytest-lambda check --moto`` /
    ``--lambda-moto``), ``lambda.Invoke`` is answered without running the called function:
    a ``RequestResponse`` invoke gets the payload ``{}`` unless its function is named here.
    ``answers`` maps a function name (or ARN) to the JSON value it answers with, or to a
    callable given the request's payload (decoded JSON) that returns it. Call it in your
    moto set-up function; each call replaces the answers of the last one. A value that is
    not JSON is refused here (``TypeError``).

    Example: ``invoke_answers({"price-quote": {"body": "{\\"price\\": 10}"},
    "echo": lambda payload: payload})``
    """
    import json

    fresh: dict[str, Any] = {}
    for name, answer in dict(answers).items():
        if not isinstance(name, str) or not name:  # type: ignore[redundant-expr]
            raise TypeError(f"invoke_answers(): function names are strings, got {name!r}")
        if not callable(answer):
            try:
                json.dumps(answer)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"invoke_answers(): the answer for {name!r} is not JSON ({exc}); give a "
                    "JSON value, or a callable of the payload that returns one"
                ) from None
        fresh[name.split(":function:", 1)[-1].split(":", 1)[0]] = answer
    _ANSWERS.clear()
    _ANSWERS.update(fresh)


def _stub_body(name: str, payload: Any) -> bytes:
    """The payload a RequestResponse invoke of ``name`` gets: its answer from
    :func:`invoke_answers`, else ``{}`` with a line in the logs saying so."""
    import json
    import sys

    answer = _ANSWERS.get(name, _NO_ANSWER)
    if answer is _NO_ANSWER:
        sys.stderr.write(
            f"pytest-lambda: lambda.Invoke of {name!r} was answered with {{}} without running "
            "it (moto cannot); a handler that reads the answer needs one: "
            f"pytest_lambda.invoke_answers({{{name!r}: ...}}) in the moto set-up\n"
        )
        return b"{}"
    value = answer(payload) if callable(answer) else answer
    return json.dumps(value).encode()


_NO_ANSWER: Final = object()
_installed = False


class InvokeLog:
    """The ``Invoke`` calls recorded while this log is live."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def observe(self) -> dict[str, list[Any]]:
        """``{function name: [payloads]}``, payloads in a stable order (async: no order)."""
        out: dict[str, list[Any]] = {}
        for call in self.calls:
            name = call["function"] + (f":{call['qualifier']}" if call["qualifier"] else "")
            out.setdefault(name, []).append(call["payload"])
        return {name: sorted(payloads, key=repr) for name, payloads in sorted(out.items())}


def _payload(body: Any) -> Any:
    if body is None:
        return None
    raw = body if isinstance(body, (bytes, bytearray)) else getattr(body, "read", lambda: body)()
    text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else str(raw)
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


#: SQS calls on a delivered message's receipt handle (the handler settling it itself).
_IN_FLIGHT_OPS: Final = frozenset(
    {
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
    }
)


def _in_flight(original: Any, client: Any, operation: str, params: Any) -> Any:
    """An SQS call on the receipt handle of a message the check delivered.

    The check's SQS events are generated, never received from moto's queue, so moto calls
    their receipt handles invalid; on Lambda the handle of a message in flight is valid and
    deleting it (or changing its visibility) succeeds. Inside the checks' mock, moto's
    ``ReceiptHandleIsInvalid`` is therefore answered as SQS answers a message in flight;
    every other answer, and every other error, is moto's.
    """
    from botocore.exceptions import ClientError

    if getattr(getattr(client, "meta", None), "service_model", None) is None or (
        client.meta.service_model.service_name != "sqs"
    ):
        return original(client, operation, params)
    try:
        result = original(client, operation, params)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ReceiptHandleIsInvalid":
            raise
        return {"ResponseMetadata": {"HTTPStatusCode": 200, "RetryAttempts": 0}}
    failed = result.get("Failed") if isinstance(result, dict) else None
    if failed:
        settled = [f for f in failed if f.get("Code") == "ReceiptHandleIsInvalid"]
        if settled:
            result = {
                **result,
                "Successful": [*result.get("Successful", []), *({"Id": f["Id"]} for f in settled)],
                "Failed": [f for f in failed if f not in settled],
            }
    return result


def _mock_active() -> bool:
    """Whether a ``moto.mock_aws()`` is active now (moto's stubber is enabled)."""
    try:
        from moto.core.models import botocore_stubber
    except ImportError:  # pragma: no cover - another moto layout: trust the live log
        return True
    return bool(getattr(botocore_stubber, "enabled", True))


def _current() -> InvokeLog | None:
    while _live:
        log = _live[-1]()
        if log is not None:
            return log
        _live.pop()
    return None


def _header(headers: Any, name: str, default: str) -> str:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return value.decode() if isinstance(value, bytes) else str(value)
    return default


def _answer(params: Any = None, model: Any = None, **_: Any) -> Any:
    """A ``before-call`` handler, registered last (after the check's fault hook, which may
    fail the call first); answers ``lambda.Invoke`` only."""
    if getattr(model, "name", None) != "Invoke":
        return None
    log = _current()
    if log is None or not isinstance(params, dict) or not _mock_active():
        return None  # outside moto's mock (a log not yet garbage): the call goes out as usual
    from botocore.awsrequest import AWSResponse
    from botocore.response import StreamingBody
    from moto.core.botocore_stubber import MockRawResponse

    parts = str(params.get("url_path", "")).split("?", 1)[0].split("/")
    name = unquote(parts[parts.index("functions") + 1]) if "functions" in parts else "?"
    if ":function:" in name:
        name = name.split(":function:", 1)[1].split(":", 1)[0]
    query = params.get("query_string") or {}
    qualifier = str(query.get("Qualifier", "")) if isinstance(query, dict) else ""
    kind = _header(params.get("headers"), "x-amz-invocation-type", "RequestResponse")
    log.calls.append(
        {
            "function": name,
            "qualifier": qualifier,
            "type": kind,
            "payload": _payload(params.get("body")),
        }
    )
    if kind in ("Event", "DryRun"):
        status, body = (202, b"") if kind == "Event" else (204, b"")
    else:
        status, body = 200, _stub_body(name, log.calls[-1]["payload"])
    headers = {"x-amz-executed-version": "$LATEST", "content-type": "application/json"}
    url = str(params.get("url", ""))
    http = AWSResponse(url, status, headers, MockRawResponse(body))
    parsed = {
        "StatusCode": status,
        "ExecutedVersion": "$LATEST",
        "Payload": StreamingBody(io.BytesIO(body), len(body)),
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers, "RetryAttempts": 0},
    }
    return http, parsed


def _register(client: Any) -> None:
    try:
        if client.meta.service_model.service_name != "lambda":
            return
        # on the generic event: botocore calls more specific handlers before less specific
        # ones, "last" included, and the check's fault hook is on the generic one
        client.meta.events.register_last("before-call", _answer, unique_id=_HANDLER_ID)
    except Exception:  # a client we cannot hook is simply not recorded
        return


def uninstall(log: InvokeLog) -> None:
    """``log`` records no more (the one installed before it, if alive, records again)."""
    _live[:] = [ref for ref in _live if ref() is not None and ref() is not log]


def install(log: InvokeLog) -> None:
    """Make ``log`` the live log (until it is garbage or uninstalled); hook botocore once."""
    global _installed
    _live.append(weakref.ref(log))
    if _installed:
        return
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    @functools.wraps(original)
    def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        if operation_name == "Invoke":
            _register(self)
        elif operation_name in _IN_FLIGHT_OPS and _current() is not None and _mock_active():
            return _in_flight(original, self, operation_name, api_params)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = _make_api_call
    _installed = True
