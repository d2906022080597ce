"""A Runtime API server (2018-06-01) on loopback, for one ``awslambdaric`` child process.

Stdlib only: a :class:`http.server.ThreadingHTTPServer` on ``127.0.0.1`` and an ephemeral
port, with Nagle's algorithm disabled (without ``TCP_NODELAY`` each invoke costs 45-90 ms of
delayed-ACK wait with curl; docs/internals/runtime.md §8). It serves ``GET /runtime/invocation/next``
(blocking until :meth:`RuntimeApi.submit` gives an event), ``POST .../{id}/response``
(413 above 6,291,556 bytes), ``POST .../{id}/error`` and ``POST /runtime/init/error``.

Only the child it was made for may use it: every path must start with a per-server secret
(:attr:`RuntimeApi.base`, ``/`` plus 32 random URL-safe characters); the child's
``AWS_LAMBDA_RUNTIME_API`` is :attr:`RuntimeApi.endpoint`, ``127.0.0.1:port/secret``. Any other
request gets 403 without reading its body or seeing an event, and is counted in
:attr:`RuntimeApi.refused`. Header lines may be up to 1 MiB long (awslambdaric sends the X-Ray
error cause of a handler error in one header, up to 1 MiB; ``http.server`` alone refuses
lines above 64 KiB with 431, which made the runtime exit instead of posting the error).

The test side never blocks on the server: every state change writes a byte to a wake-up
pipe (:attr:`RuntimeApi.wake_fd`) so the caller can ``select()`` on it together with the
child's log pipe.

Times here are real (:func:`real_epoch`, :func:`real_monotonic`): the child runs on real
time, and a frozen :class:`~pytest_lambda.LambdaClock` in the test process (freezegun
patches ``time.time`` and ``time.monotonic``) must not shape its deadline.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from pytest_lambda._runtime.marshal import MAX_RESPONSE_BYTES

__all__ = ["PendingEvent", "RuntimeApi", "RuntimeResult", "real_epoch", "real_monotonic"]

_PREFIX: Final = "/2018-06-01/runtime"
_NEXT: Final = f"{_PREFIX}/invocation/next"
_INIT_ERROR: Final = f"{_PREFIX}/init/error"
_ACCEPTED: Final = b'{"status":"OK"}'
_FORBIDDEN: Final = (
    b'{"errorType":"Forbidden","errorMessage":"This Runtime API serves one pytest-lambda child '
    b'process only."}'
)
_LINE_LIMIT: Final = 1024 * 1024 + 4096  # awslambdaric sends an X-Ray cause below 1 MiB
_HEADERS_LIMIT: Final = 2 * 1024 * 1024  # all header lines of one request together
_STDLIB_LINE: Final = 65536  # http.client's own limit, which super().parse_request applies


def real_epoch() -> float:
    """Epoch seconds on the real clock, whatever freeze the test process is under."""
    return time.clock_gettime(time.CLOCK_REALTIME)  # freezegun does not patch clock_gettime


def real_monotonic() -> float:
    """Seconds on the real monotonic clock, whatever freeze the test process is under."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


@dataclass(frozen=True)
class PendingEvent:
    """One event for ``/next``: the body and the values of the ``Lambda-Runtime-*`` headers.

    ``deadline_ms`` is the epoch deadline sent as ``Lambda-Runtime-Deadline-Ms``; when None
    the server computes it as the (real) time ``/next`` is answered plus ``timeout_ms``. It is
    always sent as at least 1: the C++ client aborts the process on 0 (docs/internals/runtime.md §1).
    """

    request_id: str
    body: bytes
    timeout_ms: int
    invoked_function_arn: str
    trace_id: str = ""
    deadline_ms: int | None = None
    client_context: str = ""
    cognito_identity: str = ""
    tenant_id: str = ""
    content_type: str = "application/json"


@dataclass(frozen=True)
class RuntimeResult:
    """What the runtime posted: ``kind`` is ``response``, ``error``, ``init_error`` or
    ``oversize`` (a response the server refused with 413)."""

    kind: str
    request_id: str
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: RuntimeApi

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a killed runtime drops its connection mid-request: not an error here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: curl reuses one connection
    disable_nagle_algorithm = True  # TCP_NODELAY on every accepted connection
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # the runtime's own logs are what the test sees

    def parse_request(self) -> bool:
        """The stdlib's, except that header lines longer than 64 KiB are accepted (up to
        1 MiB): they are read here and added to :attr:`headers` after the stdlib parsed the
        others."""
        real, lines, long_lines, total = self.rfile, [], [], 0
        while True:
            line = real.readline(_LINE_LIMIT + 1)
            total += len(line)
            if len(line) > _LINE_LIMIT or total > _HEADERS_LIMIT:
                self.command, self.request_version = "", "HTTP/1.0"
                raw: bytes = getattr(self, "raw_requestline", b"")  # set by handle_one_request
                self.requestline = raw.decode("iso-8859-1").rstrip("\r\n")
                self.close_connection = True
                self.send_error(431, "Request header fields too large")
                return False
            if len(line) >= _STDLIB_LINE:
                long_lines.append(line)
                continue
            lines.append(line)
            if line in (b"\r\n", b"\n", b""):
                break
        self.rfile = io.BytesIO(b"".join(lines))
        try:
            ok = super().parse_request()
        finally:
            self.rfile = real
        if ok:
            for line in long_lines:
                name, _, value = line.decode("iso-8859-1").partition(":")
                self.headers[name.strip()] = value.strip()
        return ok

    def _route(self) -> str | None:
        """The path without the secret prefix; None (after a 403) when it lacks the secret."""
        api, path = self.server.api, self.path
        base = api.base
        given = path[: len(base)]
        if hmac.compare_digest(given.encode(), base.encode()) and path[len(base) :].startswith("/"):
            return path[len(base) :]
        api._refuse()
        self.close_connection = True  # the body, if any, is not read
        self._send(403, _FORBIDDEN)
        return None

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        if body and not headers:
            self.send_header("Content-Type", "application/json")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    def do_GET(self) -> None:
        path = self._route()
        if path is None:
            return
        if path != _NEXT:
            self._send(404, b'{"errorType":"NotFound"}')
            return
        event = self.server.api._wait_for_event()
        if event is None:  # the server is closing: the child is being killed
            self.close_connection = True
            self._send(500, b'{"errorType":"ShuttingDown"}')
            return
        deadline = event.deadline_ms
        if deadline is None:
            deadline = int(real_epoch() * 1000) + event.timeout_ms
        deadline = self.server.api.served_deadline_ms = max(1, deadline)
        headers = {
            "Content-Type": event.content_type,
            "Lambda-Runtime-Aws-Request-Id": event.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": event.invoked_function_arn,
            "Lambda-Runtime-Trace-Id": event.trace_id,
            "Lambda-Runtime-Client-Context": event.client_context,
            "Lambda-Runtime-Cognito-Identity": event.cognito_identity,
            "Lambda-Runtime-Aws-Tenant-Id": event.tenant_id,
        }
        self._send(200, event.body, {k: v for k, v in headers.items() if v})

    def _other(self) -> None:
        if self._route() is not None:
            self.close_connection = True
            self._send(405, b'{"errorType":"MethodNotAllowed"}')

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _other

    def do_POST(self) -> None:
        api = self.server.api
        path = self._route()
        if path is None:
            return
        body = self._body()
        content_type = self.headers.get("Content-Type", "application/json")
        headers = dict(self.headers.items())
        if path == _INIT_ERROR:
            api._post(RuntimeResult("init_error", "", body, content_type, headers))
            self._send(202, _ACCEPTED)
            return
        prefix = f"{_PREFIX}/invocation/"
        if not path.startswith(prefix) or path.count("/") != 5:
            self._send(404, b'{"errorType":"NotFound"}')
            return
        request_id, _, action = path[len(prefix) :].partition("/")
        if action not in ("response", "error"):
            self._send(404, b'{"errorType":"NotFound"}')
            return
        if request_id != api._current_id or api._result is not None:
            self._send(400, b'{"errorType":"InvalidRequestID"}')
            return
        if action == "response" and len(body) > MAX_RESPONSE_BYTES:
            api._post(RuntimeResult("oversize", request_id, b"", content_type, headers))
            message = (
                f'{{"errorMessage":"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} '
                'bytes).","errorType":"RequestEntityTooLarge"}'
            )
            self._send(413, message.encode())
            return
        api._post(RuntimeResult(action, request_id, body, content_type, headers))
        self._send(202, _ACCEPTED)


class RuntimeApi:
    """The server and its state: at most one event in flight, and the runtime's answers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._event: PendingEvent | None = None
        self._current_id: str | None = None
        self._result: RuntimeResult | None = None
        self.init_error: RuntimeResult | None = None
        self.next_calls = 0
        """How many times the runtime asked ``/next`` (it is idle when a call is waiting)."""
        self.served_at: float | None = None
        """:func:`real_monotonic` when the current event was handed to the runtime."""
        self.served_deadline_ms: int | None = None
        """The ``Lambda-Runtime-Deadline-Ms`` sent with the current event (real epoch ms)."""
        self._closed = False
        self.refused = 0
        """Requests refused with 403 (no or a wrong secret): another process tried to get in."""
        token = secrets.token_urlsafe(24)
        self.base = f"/{token}"
        """The secret path prefix every request must start with."""
        self.wake_fd, self._wake_w = os.pipe()
        os.set_blocking(self.wake_fd, False)
        os.set_blocking(self._wake_w, False)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        host, port = self._server.server_address[:2]
        self.address = f"{host!s}:{port}"
        """``host:port`` of the server."""
        self.endpoint = f"{self.address}/{token}"
        """``host:port/secret``, the child's ``AWS_LAMBDA_RUNTIME_API``."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.25},
            name=f"lambda-runtime-api-{port}",
            daemon=True,
        )
        self._thread.start()

    # -- the test side ------------------------------------------------------------------
    def submit(self, event: PendingEvent) -> None:
        """Queue ``event`` for the runtime's (current or next) ``/next`` call."""
        with self._cond:
            self._event = event
            self._current_id = event.request_id
            self._result = None
            self.served_at = None
            self.served_deadline_ms = None
            self._cond.notify_all()

    @property
    def result(self) -> RuntimeResult | None:
        return self._result

    @property
    def served(self) -> bool:
        return self.served_at is not None

    def drain_wake(self) -> None:
        try:
            while os.read(self.wake_fd, 4096):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        """Stop serving (waiting ``/next`` calls get a 500) without waiting for the loop."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
            for fd in (self.wake_fd, self._wake_w):
                with contextlib.suppress(OSError):
                    os.close(fd)
        server = self._server

        def stop() -> None:
            server.shutdown()
            server.server_close()

        threading.Thread(target=stop, name="lambda-runtime-api-stop", daemon=True).start()

    # -- the server side ----------------------------------------------------------------
    def _wake(self) -> None:
        # Called with the lock held; after close() the pipe may be closed (and its fd reused).
        if self._closed:
            return
        with contextlib.suppress(OSError):  # pipe full: the caller wakes anyway
            os.write(self._wake_w, b"!")

    def _refuse(self) -> None:
        with self._cond:
            self.refused += 1

    def _wait_for_event(self) -> PendingEvent | None:
        with self._cond:
            self.next_calls += 1
            self._wake()
            while self._event is None and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            event, self._event = self._event, None
            self.served_at = real_monotonic()
            return event

    def _post(self, result: RuntimeResult) -> None:
        with self._cond:
            if result.kind == "init_error":
                self.init_error = result
            else:
                self._result = result
            self._wake()
