"""Lambda ``Invoke`` calls as state: recorded at the botocore level, answered without Docker.

moto runs an invoked function in a Docker container, which a unit test rarely has; and a
duplicate ``Invoke`` is a side effect the idempotency check must see. While a
:class:`InvokeLog` is live (from ``moto_state()`` until its ``observe``/``reset`` are
garbage), every ``lambda.Invoke`` sent by any botocore client is recorded (function name,
qualifier, invocation type, payload) and answered without reaching moto: ``StatusCode``
202 and an empty payload for ``InvocationType="Event"``, 200 and the payload ``{}`` for
``RequestResponse`` (**the function is not run**: its own effects are not in the state).
A call that failed before it was sent (an injected fault) is not recorded; one whose
acknowledgement was lost is.

The hook is one class-level patch of ``BaseClient._make_api_call`` (installed once), which
registers a ``before-send`` handler on each Lambda client it sees; with no live log the
handler does nothing and moto answers as usual. Cost: a dict lookup per API call.
"""

from __future__ import annotations

import functools
import json
import weakref
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["InvokeLog", "install"]

_HANDLER_ID: Final = "pytest_lambda_invoke_log"
_live: weakref.ref[InvokeLog] | None = None
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


def _answer(request: Any, **_: Any) -> Any:
    log = _live() if _live is not None else None
    if log is None:
        return None
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    url = urlsplit(request.url)
    parts = url.path.split("/")
    name = unquote(parts[parts.index("functions") + 1]) if "functions" in parts else "?"
    if ":function:" in name:
        name = name.split(":function:", 1)[1].split(":", 1)[0]
    qualifier = (parse_qs(url.query).get("Qualifier") or [""])[0]
    headers = {k.lower(): v for k, v in dict(request.headers).items()}
    kind = headers.get("x-amz-invocation-type", b"RequestResponse")
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    log.calls.append(
        {"function": name, "qualifier": qualifier, "type": kind, "payload": _payload(request.body)}
    )
    status, body = (202, b"") if kind == "Event" else (200, b"{}")
    if kind == "DryRun":
        status, body = 204, b""
    out = {"x-amz-executed-version": "$LATEST", "content-type": "application/json"}
    return AWSResponse(request.url, status, out, MockRawResponse(body))


def _register(client: Any) -> None:
    try:
        if client.meta.service_model.service_name != "lambda":
            return
        client.meta.events.register_first(
            "before-send.lambda.Invoke", _answer, unique_id=_HANDLER_ID
        )
    except Exception:  # a client we cannot hook is simply not recorded
        return


def install(log: InvokeLog) -> None:
    """Make ``log`` the live log (until it is garbage) and install the hook once."""
    global _live, _installed
    _live = weakref.ref(log)
    if _installed:
        return
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    @functools.wraps(original)
    def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        if operation_name == "Invoke":
            _register(self)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = _make_api_call
    _installed = True
