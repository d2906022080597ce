"""``isolation="runtime"``: an execution environment that is a real ``awslambdaric`` process.

A :class:`RuntimeEnvironment` is one child ``python -m awslambdaric <handler>`` (through a
three-line bootstrap that asks Linux to kill it when the test process dies), talking to its
own :class:`~pytest_lambda._runtime.subprocess.api.RuntimeApi` on loopback. It has the Lambda
variables of :func:`~pytest_lambda._runtime.sandbox.lambda_environ`, the sandbox's scratch dir
as ``TMPDIR`` (kept across resets, as Lambda keeps ``/tmp``), cwd = the task root and the
root on ``PYTHONPATH``.

Between invokes the child is stopped (``SIGSTOP``, Lambda's freeze) and continued
(``SIGCONT``) before the next. A timeout kills it (``SIGKILL``); so does ``close()``, the
garbage collection of the environment, the test process's exit, and Ctrl-C while waiting.
An init error makes the runtime exit by itself; the next invoke starts a new child.

The child runs on real time: a frozen :class:`~pytest_lambda.LambdaClock` in the test process
does not reach it. So everything here is timed on the real clock (the deadline it gets, the
timeout, init and REPORT durations, the platform lines' timestamps and the trace id), and the
first invoke of a runner while a clock is frozen says so in its logs (``backend.py``).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import weakref
from typing import TYPE_CHECKING, Any

from pytest_lambda._runtime.invocation import Invocation, InvocationFailure
from pytest_lambda._runtime.machine_tmp import writable_dirs
from pytest_lambda._runtime.memory import WATCH_EVERY, out_of_memory
from pytest_lambda._runtime.outcome import exit_error
from pytest_lambda._runtime.sandbox import Sandbox, lambda_environ
from pytest_lambda._runtime.subprocess.api import (
    RuntimeApi,
    real_monotonic,
)
from pytest_lambda._runtime.subprocess.guard import (
    BOOT_SCRIPT,
    TmpStatus,
    refused_note,
    secret_pipe,
    shared_tmp_note,
)
from pytest_lambda._runtime.subprocess.invoke import init_child, invoke_child
from pytest_lambda._runtime.subprocess.support import (
    kill_child,
    live_children,
    peak_memory_mb,
    register_child,
    runtime_unavailable,
)

if TYPE_CHECKING:
    from pytest_lambda._runtime.backend import InvokeSettings
    from pytest_lambda._runtime.sandbox import EnvConfig

__all__ = ["RuntimeEnvironment", "live_children", "runtime_unavailable"]


class _ChildLogging:
    """Stands in for the in-process environment's logging swap: the child's handlers are not
    visible from here (``handlers`` is empty)."""

    handlers: tuple[Any, ...] = ()


class RuntimeEnvironment:
    """One runtime process in a sandbox, started on the first invoke."""

    def __init__(self, config: EnvConfig, sandbox: Sandbox) -> None:
        sandbox.generation += 1
        self.config = config
        self.sandbox = sandbox
        self.environ = lambda_environ(config, sandbox, os.environ)
        path = os.environ.get("PYTHONPATH")
        self.environ["PYTHONPATH"] = config.root + (os.pathsep + path if path else "")
        self.environ["PWD"] = config.root
        self.json_logs = self.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
        self.logging = _ChildLogging()
        self.cwd = config.root
        self.sys_path = (config.root,)
        self.handler: Any = None
        self.initialized = False
        self.init_duration_ms: float | None = None
        self.invocations = 0
        self.closed = False
        self.api: RuntimeApi | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self._logs: list[bytes] = []
        self._eof = False
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self.peak_memory_mb = 0
        """The child's last known peak RSS: read while it lives, kept when it exits."""
        self._memory_at = 0.0
        self.out_of_memory = False
        """The child was killed for passing ``memory_mb`` (Lambda's ``Runtime.OutOfMemory``)."""
        self.tmp: TmpStatus | None = None
        self.shared_tmp: str | None = None
        """Why the child shares the machine's /tmp ("" when it has a private one; None before
        its first init)."""
        self._refused = 0  # the Runtime API's refusals already reported

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    # -- the child --------------------------------------------------------------------
    def spawn(self) -> None:
        api = self.api = RuntimeApi()
        tmp = self.tmp = TmpStatus()
        secret_fd = secret_pipe(api.base[1:])
        environ = dict(self.environ, AWS_LAMBDA_RUNTIME_API=api.address)
        environ["_PYTEST_LAMBDA_PARENT"] = str(os.getpid())
        environ["_PYTEST_LAMBDA_TMP"] = self.sandbox.scratch
        # the test's folders that stay writable inside a read-only task root (boot.py)
        environ["_PYTEST_LAMBDA_WRITABLE"] = os.pathsep.join(
            (tempfile.gettempdir(), *writable_dirs())
        )
        environ["_PYTEST_LAMBDA_STATUS_FD"] = str(tmp.write_fd)
        environ["_PYTEST_LAMBDA_SECRET_FD"] = str(secret_fd)
        handler = self.config.handler
        assert isinstance(handler, str)
        try:
            proc = self.proc = subprocess.Popen(
                [sys.executable, BOOT_SCRIPT, handler],
                cwd=self.config.root,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                close_fds=True,
                pass_fds=(tmp.write_fd, secret_fd),
                start_new_session=True,  # a process group: the handler's processes die with it
            )
        finally:
            tmp.child_started()
            os.close(secret_fd)
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        register_child(proc)
        self._finalizer = weakref.finalize(self, kill_child, proc)
        self._stopped, self._eof, self._logs = False, False, []
        self.peak_memory_mb, self._memory_at, self.out_of_memory = 0, 0.0, False
        self._refused = 0

    def read_memory(self, *, every: float = 0.0) -> int:
        """Update the child's peak memory (at most once per ``every`` seconds); the peak.

        A peak past ``memory_mb`` kills the child, as Lambda's memory limit does.
        """
        proc, now = self.proc, real_monotonic()
        if proc is not None and now - self._memory_at >= every and proc.returncode is None:
            self._memory_at = now
            self.peak_memory_mb = max(self.peak_memory_mb, peak_memory_mb(proc.pid))
            if self.peak_memory_mb > self.config.memory_mb and not self.out_of_memory:
                self.out_of_memory = True
                with contextlib.suppress(OSError):
                    proc.kill()
        if self.out_of_memory:
            return self.config.memory_mb  # what Lambda's REPORT line shows
        return self.peak_memory_mb

    def notes(self, *, cold: bool) -> tuple[str, ...]:
        """Warnings for this invocation: a shared /tmp (on a cold start), refused requests."""
        notes: list[str] = []
        if cold and self.shared_tmp:
            notes.append(shared_tmp_note(self.shared_tmp))
        refused = 0 if self.api is None else self.api.refused
        if refused > self._refused:
            notes.append(refused_note(refused - self._refused))
            self._refused = refused
        return tuple(notes)

    def _read_logs(self) -> None:
        proc = self.proc
        if proc is None or proc.stdout is None or self._eof:
            return
        fd = proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._eof = True
                return
            self._logs.append(data)

    def take_logs(self) -> str:
        self._read_logs()
        text = b"".join(self._logs).decode("utf-8", "replace")
        self._logs = []
        return text

    def wait(self, until: Any, deadline: float) -> bool:
        """Wait until ``until()`` is true (True), the child exits or ``deadline`` (False)."""
        proc, api = self.proc, self.api
        assert proc is not None
        assert api is not None
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            if not self._eof:
                sel.register(proc.stdout.fileno(), selectors.EVENT_READ)
            sel.register(api.wake_fd, selectors.EVENT_READ)
            while True:
                api.drain_wake()
                self._read_logs()
                if until():
                    return True
                if proc.poll() is not None:
                    self._read_logs()
                    return bool(until())
                self.read_memory(every=WATCH_EVERY)
                left = deadline - real_monotonic()
                if left <= 0:
                    return False
                if self._eof and len(sel.get_map()) == 2:
                    sel.unregister(proc.stdout.fileno())
                sel.select(min(left, WATCH_EVERY))

    def kill(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # kills and reaps, once
            self._finalizer = None
        if self.api is not None:
            self.api.close()
        if self.tmp is not None:
            self.tmp.close()
        self.proc, self.api, self.tmp, self.initialized = None, None, None, False

    def freeze(self) -> None:
        """SIGSTOP the child and wait until it is stopped (the freeze is done on return)."""
        proc = self.proc
        if proc is None or self._stopped or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGSTOP)
        self._stopped = True
        try:
            pid, status = os.waitpid(proc.pid, os.WUNTRACED)
        except ChildProcessError:  # pragma: no cover - reaped elsewhere
            return
        if pid and not os.WIFSTOPPED(status):  # it exited meanwhile: we reaped it, record it
            proc.returncode = os.waitstatus_to_exitcode(status)

    def thaw(self) -> None:
        if self.proc is not None and self._stopped:
            os.kill(self.proc.pid, signal.SIGCONT)
            self._stopped = False

    def exit_failure(self, request_id: str) -> InvocationFailure:
        if self.out_of_memory:
            return out_of_memory(request_id)
        code = self.proc.returncode if self.proc is not None else None
        if code is not None and code < 0:
            name = signal.Signals(-code).name[3:].lower()
            return InvocationFailure(
                type="Runtime.ExitError",
                message=f"RequestId: {request_id} Error: Runtime exited with error: signal: {name}",
                request_id=request_id,
                kind="platform",
            )
        return exit_error(request_id, (code or 0) & 0xFF)

    # -- init and invoke (``invoke.py``) ------------------------------------------------
    def init(
        self, settings: InvokeSettings, out: list[str], request_id: str
    ) -> InvocationFailure | None:
        """Start the child and wait for its first ``/next``; the error if init failed."""
        return init_child(self, settings, out, request_id)

    def invoke(
        self, settings: InvokeSettings, body: bytes, context: Any, note: str
    ) -> tuple[Invocation, bool]:
        """Invoke once; ``(invocation, keep)``: keep is False when the process ended.

        ``note`` starts the logs (the frozen-clock note of the backend, or "").
        """
        try:
            return invoke_child(self, settings, body, context, note)
        except BaseException:  # Ctrl-C while waiting: the child must not outlive the test
            self.kill()
            raise

    # -- teardown -----------------------------------------------------------------------
    def close(self, *, abandoned: bool = False) -> None:
        """End the child (SIGKILL, as Lambda's reset does); the sandbox stays."""
        if self.closed:
            return
        self.closed = True
        self.kill()
