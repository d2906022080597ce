"""Helpers of ``isolation="runtime"``: the child processes and what crosses the wire.

* processes (the child's bootstrap is :mod:`pytest_lambda._runtime.subprocess.boot`): the registry of live children killed at
  exit, availability (Linux with awslambdaric), the child's peak memory;
* wire: the ``Lambda-Runtime-*`` header values from a given context, the (real) deadline, and the
  runtime's posted error JSON as an :class:`~pytest_lambda._runtime.invocation.InvocationFailure`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
from typing import Any, Final

from pytest_lambda._runtime.invocation import InvocationFailure
from pytest_lambda._runtime.subprocess.api import RuntimeResult, real_epoch, real_monotonic

__all__ = [
    "context_headers",
    "deadline_of",
    "kill_child",
    "live_children",
    "peak_memory_mb",
    "posted_error",
    "register_child",
    "runtime_unavailable",
    "with_request_id",
]

_INSTALL: Final = (
    "isolation='runtime' runs the handler under AWS's runtime interface client (awslambdaric) "
    "in a subprocess, which is available on Linux only: pip install "
    "'pytest-lambda-toolkit[runtime]'. isolation='module' (the default) is the portable mode."
)
_LIVE: Final[dict[int, subprocess.Popen[bytes]]] = {}
_REAP_LIMIT: Final = 5.0  # seconds to wait for a killed child to be reaped


def runtime_unavailable() -> str | None:
    """Why ``isolation="runtime"`` cannot run here (what to install), or None."""
    if not sys.platform.startswith("linux"):
        return f"this platform is {sys.platform}; {_INSTALL}"
    import importlib.util

    for name in ("awslambdaric", "runtime_client"):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"the package awslambdaric is not installed (no {name!r} module); {_INSTALL}"
    return None


def register_child(proc: subprocess.Popen[bytes]) -> None:
    """Remember ``proc`` so that interpreter exit kills it."""
    _LIVE[proc.pid] = proc


def live_children() -> list[int]:
    """Pids of the runtime processes still running (for tests and debugging)."""
    return [pid for pid, proc in _LIVE.items() if proc.poll() is None]


def kill_child(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL and reap ``proc`` (a stopped process dies too); give up after 5 s (D state).

    Not ``proc.wait(timeout=...)``: under a frozen LambdaClock its ``time.sleep`` would move
    the test's clock instead of waiting, and its ``monotonic`` would not advance, so it gave
    up at once and left the child unreaped.
    """
    _LIVE.pop(proc.pid, None)
    if proc.returncode is None and hasattr(os, "killpg"):
        # Everything in a Lambda sandbox ends with it: the processes the handler started too.
        # The child leads its own process group (started in a session of its own), and the
        # ones that left the group (a session of their own) are found as its descendants.
        # Only while the child is not reaped: its pid, the group's id, is still ours.
        escaped = _descendants(proc.pid)
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in escaped:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.kill()
        end = real_monotonic() + _REAP_LIMIT
        while proc.poll() is None and real_monotonic() < end:
            select.select([], [], [], 0.002)  # a real pause, whatever patches time.sleep
    if proc.stdout is not None:
        proc.stdout.close()


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (Linux ``/proc/PID/task/TID/children``; [] elsewhere)."""
    found: list[int] = []
    stack = [pid]
    while stack and len(found) < 4096:
        parent = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as f:
                    children = [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                continue
            found.extend(children)
            stack.extend(children)
    return found


@atexit.register
def _kill_all() -> None:
    for proc in list(_LIVE.values()):
        kill_child(proc)


def peak_memory_mb(pid: int) -> int:
    """The process's peak RSS (``VmHWM``) in MB; 0 when it is gone (read it while it lives)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return 0


def deadline_of(context: Any) -> int | None:
    """The real epoch deadline (ms) for a given context: real now plus its remaining time.

    The remaining time is read on the context's own clock, which may be a frozen
    :class:`~pytest_lambda.LambdaClock`: its ``_epoch_deadline_time_in_ms`` is then an instant
    of the frozen time, meaningless to the child, which runs on real time. That attribute is
    used as is only from a context that cannot tell its remaining time.
    """
    if context is None:
        return None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        return max(1, int(real_epoch() * 1000) + int(remaining()))
    deadline = getattr(context, "_epoch_deadline_time_in_ms", None)
    if isinstance(deadline, int):
        return max(1, deadline)
    return None


def context_headers(context: Any) -> dict[str, str]:
    """``client_context``/``cognito_identity``/``tenant_id`` header values from a given context."""
    if context is None:
        return {}
    headers: dict[str, str] = {}
    identity = getattr(context, "identity", None)
    ids = {
        "cognitoIdentityId": getattr(identity, "cognito_identity_id", None),
        "cognitoIdentityPoolId": getattr(identity, "cognito_identity_pool_id", None),
    }
    if any(v is not None for v in ids.values()):
        headers["cognito_identity"] = json.dumps(ids)
    client_context = getattr(context, "client_context", None)
    if client_context is not None:
        client = getattr(client_context, "client", None)
        raw: dict[str, Any] = {
            "custom": getattr(client_context, "custom", None),
            "env": getattr(client_context, "env", None),
            "client": None
            if client is None
            else {name: getattr(client, name, None) for name in getattr(client, "_FIELDS", ())},
        }
        w3c = getattr(context, "_w3c_fields", None)
        if w3c:
            raw["w3c"] = dict(w3c)
        headers["client_context"] = json.dumps(raw, default=str)
    tenant_id = getattr(context, "tenant_id", None)
    if isinstance(tenant_id, str) and tenant_id:
        headers["tenant_id"] = tenant_id
    return headers


def with_request_id(error: InvocationFailure, request_id: str) -> InvocationFailure:
    message = error.message.replace("RequestId:  Error:", f"RequestId: {request_id} Error:", 1)
    return InvocationFailure(
        type=error.type, message=message, request_id=request_id, kind="platform"
    )


def posted_error(result: RuntimeResult, request_id: str, *, kind: str) -> InvocationFailure:
    """The error the runtime posted, as an :class:`InvocationFailure`."""
    try:
        payload = json.loads(result.body.decode("utf-8"))
    except ValueError:
        payload = {
            "errorType": "Runtime.Unknown",
            "errorMessage": result.body.decode("utf-8", "replace"),
        }
    error_type = str(
        payload.get("errorType") or result.headers.get("Lambda-Runtime-Function-Error-Type", "")
    )
    if kind == "function" and error_type.startswith("Runtime."):
        kind = "runtime"
    trace = payload.get("stackTrace") or ()
    return InvocationFailure(
        type=error_type,
        message=str(payload.get("errorMessage", "")),
        stack_trace=tuple(str(line) for line in trace),
        request_id=str(payload.get("requestId", request_id)),
        kind=kind,  # type: ignore[arg-type]
    )
