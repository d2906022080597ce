"""An execution environment: the handler module imported fresh, with Lambda's process state.

A :class:`Sandbox` is what outlives a reset: the private ``/tmp`` directory (exposed as
``TMPDIR`` and ``tempfile.gettempdir()``) and the log stream name. Lambda resets a sandbox
after a timeout or a crash (the process is killed and the next invoke initialises again)
but keeps ``/tmp``; :meth:`LambdaRunner.new_environment` starts a new sandbox.

An :class:`Environment` is one runtime process in a sandbox: its own ``os.environ``
(docs/internals/runtime.md §5), ``sys.path`` (task root first), cwd (the task root), root logger, and a
new module object for the handler module and every module under the task root. Its
thread runs the init and the handler: the test's main thread, as in Lambda
(:mod:`pytest_lambda._runtime.inprocess.inline`), or a thread of its own (:mod:`pytest_lambda._runtime.inprocess.worker`).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._runtime.handler import load_handler
from pytest_lambda._runtime.inprocess.code_cache import code_cache
from pytest_lambda._runtime.inprocess.inline import make_worker
from pytest_lambda._runtime.inprocess.module_index import INDEX, SharedPackages
from pytest_lambda._runtime.inprocess.signals import SignalSwap
from pytest_lambda._runtime.inprocess.swap import EnvironSwap, ModuleSwap, PopenEnv, encode_environ
from pytest_lambda._runtime.inprocess.swap_logging import (
    LoggerSnapshot,
    LoggingSwap,
    reset_loggers,
    snapshot_loggers,
    unconfigure_marked_loggers,
)
from pytest_lambda._runtime.inprocess.swap_process import ProcessSwap
from pytest_lambda._runtime.inprocess.tmp_redirect import TmpRedirect
from pytest_lambda._runtime.logs import (
    EnvironmentStream,
    LambdaLogHandler,
    LogCapture,
    log_level_from_env,
)
from pytest_lambda._runtime.marshal import ensure_ascii_for
from pytest_lambda._runtime.sandbox import (
    _CREDENTIAL_SOURCES,
    EnvConfig,
    Sandbox,
    _trace_id,
    empty_aws_files,
    lambda_variables,
)

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock

__all__ = ["Environment"]

_ONE_VCPU_MB: Final = 1769  # from this memory size up, Lambda gives a function more than one vCPU
# Set at the C level too (putenv), for time.tzset() and C libraries that read credentials.
_C_LEVEL_KEYS: Final = ("TZ", *_CREDENTIAL_SOURCES)


def reset_cold_start_flags(*, sync: bool = True) -> None:
    """Tell libraries shared across environments that a new process starts.

    Third-party modules are imported once per test process, but AWS Lambda Powertools keeps
    "is this the first invocation?" in module globals (``is_cold_start`` in its logger,
    tracer and metrics), which a new Lambda process would start as True. Only the
    Powertools modules the process index lists are looked at, not every loaded module
    (``sync=False``: the caller has just brought the index up to date).
    """
    with INDEX.lock:
        if sync:
            INDEX.sync()
        names = list(INDEX.powertools)
    modules = sys.modules
    for name in names:
        module = modules.get(name)
        flag = getattr(module, "is_cold_start", None)
        if isinstance(flag, bool):
            vars(module)["is_cold_start"] = True  # a module global: not a handler's patch


# The genuine functions (tmp_redirect.py wraps chdir while any environment exists) and
# tempfile's namespace (its module records attribute changes a handler makes, not ours).
_chdir: Final = getattr(os.chdir, "__wrapped__", os.chdir)
_getcwd: Final = os.getcwd
_tempfile_ns: Final = vars(tempfile)
_TRACE_KEY: Final = os.environ.encodekey("_X_AMZN_TRACE_ID")
_encode_value: Final = os.environ.encodevalue


# Environments open at the same time (two runners in one test), oldest first. Each keeps the
# named loggers' configuration from before it started, to give back when it closes; that of
# a newer one includes the older ones' changes, so when an older one closes first, the newer
# one takes over its snapshot, and the test gets its own loggers back when the last one closes.
_OPEN: list[weakref.ref[Environment]] = []
_OPEN_LOCK: Final = threading.Lock()


def _open_environment(env: Environment) -> None:
    with _OPEN_LOCK:
        _OPEN[:] = [ref for ref in _OPEN if ref() is not None]
        _OPEN.append(weakref.ref(env))


def _close_environment(env: Environment) -> Environment | None:
    """Forget ``env``; the oldest environment opened after it that is still open, if any."""
    with _OPEN_LOCK:
        envs = [e for e in (ref() for ref in _OPEN) if e is not None]
        at = next((i for i, e in enumerate(envs) if e is env), len(envs))
        _OPEN[:] = [weakref.ref(e) for e in envs if e is not env]
        return envs[at + 1] if at + 1 < len(envs) else None


def _toolkit_imports() -> None:
    """Import, once per process, what the toolkit itself imports lazily around a handler
    (the context module with ``uuid`` and ``platform``, ``subprocess`` for
    :class:`PopenEnv`), so that no clock of an init or invocation (``Duration``,
    ``init_duration_ms``) counts them: they measure the handler only.
    """
    if "pytest_lambda._runtime.context" not in sys.modules:
        import pytest_lambda._runtime.context  # noqa: F401
    PopenEnv.preload()


_ENCODED_CREDENTIAL_SOURCES: Final = frozenset(os.environ.encodekey(k) for k in _CREDENTIAL_SOURCES)


# The sandbox's own variables: every other Lambda variable is the runner's configuration.
_PER_SANDBOX: Final = ("AWS_LAMBDA_LOG_STREAM_NAME", "TMPDIR")
_ENCODED_PER_SANDBOX: Final = tuple(os.environ.encodekey(k) for k in _PER_SANDBOX)
# (what the Lambda variables are made of, their encoded form): runners of one configuration
# (the fixture's, one per test) make and encode them once; compared by value, so a change
# is seen
_LAST_ENCODED: list[tuple[tuple[Any, ...], dict[Any, Any]]] = []


def _encoded_variables(config: EnvConfig, sandbox: Sandbox) -> dict[Any, Any]:
    """:func:`lambda_variables` as ``os.environ`` stores them (a new dict)."""
    aws_files = empty_aws_files()  # checked for every environment (a handler may write them)
    made_of = (
        config.handler_name, config.region, config.python, config.function_name,
        config.version, config.memory_mb, config.root, tuple(config.env.items()), aws_files,
    )  # fmt: skip
    if _LAST_ENCODED and _LAST_ENCODED[0][0] == made_of:
        encoded = dict(_LAST_ENCODED[0][1])  # the same order: os.environ keeps it
        own = (sandbox.log_stream, sandbox.scratch)
        for key, name, value in zip(_ENCODED_PER_SANDBOX, _PER_SANDBOX, own, strict=True):
            if key in encoded and name not in config.env:  # the user's env= value stays
                encoded[key] = _encode_value(value)
        return encoded
    encoded = encode_environ(lambda_variables(config, sandbox, aws_files))
    _LAST_ENCODED[:] = [(made_of, encoded.copy())]
    return encoded


def _environ_data(config: EnvConfig, sandbox: Sandbox) -> tuple[dict[Any, Any], _Values]:
    """:func:`lambda_environ` as ``os.environ`` stores it, made from the test's stored form
    (only the Lambda variables are encoded, and those of the last configuration are reused:
    ~5 us, not ~30 us), and a reader of its values."""
    base: dict[Any, Any] = os.environ._data  # type: ignore[attr-defined]
    data = base.copy()  # in C; then the credential sources out (usually none is there)
    if not _ENCODED_CREDENTIAL_SOURCES.isdisjoint(data):
        for key in _ENCODED_CREDENTIAL_SOURCES:
            data.pop(key, None)
    data.update(_encoded_variables(config, sandbox))
    return data, _Values(data)


class _Values:
    """``get(name)`` of the encoded variables, decoded (the few the environment reads)."""

    def __init__(self, data: dict[Any, Any]) -> None:
        self._data = data

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self._data.get(os.environ.encodekey(name))
        return default if value is None else os.environ.decodevalue(value)


class Environment:
    """One runtime process: state swapped in by :meth:`activate`, jobs run on :attr:`worker`."""

    def __init__(self, config: EnvConfig, sandbox: Sandbox) -> None:
        _toolkit_imports()
        sandbox.generation += 1
        self.config = config
        self.sandbox = sandbox
        data, values = _environ_data(config, sandbox)
        self.json_logs = (values.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"
        # The runtime builds its encoder once, at start: a later change of the variable is ignored.
        self.ensure_ascii = ensure_ascii_for(values.get("AWS_EXECUTION_ENV"))
        self.log_handler = LambdaLogHandler(json_format=self.json_logs)
        self.environ = EnvironSwap(data, _C_LEVEL_KEYS)
        self.popen = PopenEnv()
        by_name = isinstance(config.handler, str)
        self.modules = ModuleSwap(config.root if by_name else None, config.packages)
        self.logging = LoggingSwap(
            self.log_handler, log_level_from_env(values.get("AWS_LAMBDA_LOG_LEVEL"))
        )
        self.sys_path = [config.root, *(p for p in sys.path if p != config.root)]
        self.cwd = config.root
        self.worker = make_worker(
            f"lambda-{config.function_name}-{sandbox.generation}",
            pin=config.memory_mb < _ONE_VCPU_MB,
            handler=config.handler_name,
        )
        self.signals = SignalSwap(main_thread=self.worker.inline)
        self.process = ProcessSwap(lambda: self.environ._test)
        aws_files = (values.get("AWS_CONFIG_FILE"), values.get("AWS_SHARED_CREDENTIALS_FILE"))
        self.tmp = TmpRedirect(  # the literal /tmp: _tmp_redirect
            sandbox.scratch, config.root, keep=[os.path.dirname(f) for f in aws_files if f]
        )
        self.handler: Any = None
        self.initialized = False
        self.init_duration_ms: float | None = None
        self.invocations = 0
        self.closed = False
        self._loggers = snapshot_loggers()
        _open_environment(self)
        self._saved: tuple[Any, ...] | None = None
        self.stream = EnvironmentStream()  # the handler's sys.stdout/stderr, kept across invokes
        self._restoring: tuple[Any, ...] = ()
        # deactivate() runs each, even after one failed, so nothing stays in the test
        self._undos: tuple[Callable[[], None], ...] = (
            self.tmp.deactivate,  # first: the steps below use real paths
            self.process.deactivate, self._restore_process, self.logging.deactivate,
            self.modules.deactivate, self.signals.deactivate, self.popen.deactivate,
            self.environ.deactivate,
        )  # fmt: skip

    # -- state ------------------------------------------------------------------------
    def activate(self, capture: LogCapture, request_id: str, now: float) -> None:
        """Put the environment's process state in place (undo with :meth:`deactivate`)."""
        try:
            cwd: str | None = _getcwd()
        except OSError:  # the test's cwd was removed
            cwd = None
        saved = (cwd, sys.path, sys.stdout, sys.stderr, tempfile.tempdir)
        self.environ.activate({_TRACE_KEY: _encode_value(_trace_id(now))})
        self.popen.activate()
        self.signals.activate()
        self.modules.activate()
        self.logging.activate()
        self.log_handler.request_id = request_id
        sys.path = self.sys_path
        if cwd != self.cwd:
            _chdir(self.cwd)
        self.stream.target = capture
        sys.stdout = sys.stderr = self.stream
        _tempfile_ns["tempdir"] = self.sandbox.scratch
        self.tmp.activate()  # last: the swaps above use real paths
        self._saved = saved
        self.process.activate()  # last: what the lines above set is not the environment's change

    def deactivate(self) -> None:
        """Give the test process its own state back, keeping the environment's changes."""
        saved = self._saved
        if saved is None:
            return
        self._saved = None
        self._restoring = saved
        first: BaseException | None = None
        for undo in self._undos:
            try:
                undo()
            except BaseException as exc:  # the other parts must still go back
                first = first if first is not None else exc
        if first is not None:
            raise first

    def _restore_process(self) -> None:
        cwd, path, stdout, stderr, tempdir = self._restoring
        self.sys_path = sys.path
        sys.path, sys.stdout, sys.stderr = path, stdout, stderr
        self.stream.target = None
        _tempfile_ns["tempdir"] = tempdir
        try:
            now_cwd = _getcwd()
        except OSError:  # the handler removed its cwd: keep the last one
            now_cwd = self.cwd
        self.cwd = now_cwd
        if cwd is not None and cwd != self.cwd:
            _chdir(cwd)

    # -- jobs (run on the worker thread while active) --------------------------------------
    def init_job(self) -> Any:
        """The init phase: import the handler module (or take the callable) and resolve it."""
        reset_cold_start_flags()  # brings the module index up to date
        unconfigure_marked_loggers(self.modules.view.shared_on_demand(), self._loggers)
        handler = self.config.handler
        if callable(handler):
            return handler
        with code_cache(self.modules.root):
            return load_handler(handler)

    def _shared_packages(self) -> SharedPackages:
        """Top-level names of the modules this environment shares with the test process."""
        return self.modules.shared()

    # -- teardown -------------------------------------------------------------------------
    def close(self, *, abandoned: bool = False) -> None:
        """Drop the process: stop its thread, forget its modules, undo its logger changes."""
        if self.closed:
            return
        self.closed = True
        if abandoned or self.worker.busy:  # busy: a job that ran on after os._exit()
            self.worker.abandon()
        else:
            self.worker.stop()
        newer = _close_environment(self)
        if newer is None:
            # the shared packages are only asked about for loggers made since the snapshot
            reset_loggers(self._loggers, self.modules.view.shared_on_demand())
        else:  # its snapshot holds this environment's changes: they go when it closes
            newer._loggers = self._loggers
        self.modules.modules.clear()
        self.handler = None
        self.log_handler.close()
        self.tmp.close()
        # Break the environment's own reference cycles (its undo list holds a method of
        # its own, its process swap a closure over it), so what it holds (the loggers'
        # snapshot, its variables, its swaps) is freed now by reference counting, not
        # left to the garbage collector's later (and, past two generations, full) passes.
        self._undos = ()
        self._loggers = LoggerSnapshot()
        self.process._test_environ = _no_environ


def _no_environ() -> None:
    """A closed environment's process swap: no test variables to give back."""
    return None


def clock_today(clock: LambdaClock | None) -> datetime:
    """Today's date on the runner's clock (for the log stream name)."""
    return clock.now() if clock is not None else datetime.now(timezone.utc)


def clock_time_fn(clock: LambdaClock | None) -> Callable[[], float]:
    """Epoch seconds on the runner's clock (``time.time`` looked up at each call without one)."""
    if clock is not None:
        return clock.time
    return lambda: time.time()
