"""``LambdaRunner``: run a handler the way Lambda does, in this process (``isolation="module"``).

The first invoke initialises an execution environment (a fresh import of the handler
module with Lambda's environment variables, a private ``/tmp``); later invokes reuse it warm.
A timeout, ``sys.exit()`` or an oversized response discards it; an init error is returned
and init runs again on the next invoke; a handler exception keeps it warm. See
``docs/explanation/runner-parity.md`` for every rule and its limits.

Internal hooks (for checks built on the runner, e.g. idempotency and warm-reuse leaks):

* ``runner._environment_state()`` -> :class:`EnvironmentState` or None: the current
  environment's handler module, own modules, scratch dir, variables, counters.
* ``runner._hooks``: objects with optional ``before_invoke(state)`` and
  ``after_invoke(state, invocation)`` methods, called around every invoke (outside the
  environment's process state; ``after_invoke`` gets None as state when the environment
  was discarded by that invoke).
* ``runner._echo``: a callable that receives each invocation's logs (the fixture writes
  them to the test's stdout, so pytest shows them with a failure).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._core.errors import (
    ArgumentTypeError,
    InvalidOption,
    LambdaStateError,
    handler_not_loaded,
)
from pytest_lambda._runtime.handler import handler_name
from pytest_lambda._runtime.inprocess.environment import Environment, clock_time_fn, clock_today
from pytest_lambda._runtime.inprocess.inline import stop_if_past_deadline
from pytest_lambda._runtime.inprocess.invoke import run_invocation
from pytest_lambda._runtime.logs import Platform
from pytest_lambda._runtime.outcome import event_body
from pytest_lambda._runtime.sandbox import EnvConfig, Sandbox, random_hex
from pytest_lambda._runtime.state import EnvironmentState

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock
    from pytest_lambda._runtime.context import LambdaContext
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["Runner"]

_FUNCTION_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_REGION: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_MAX_TIMEOUT: Final = 900.0
_RESERVED_ENV: Final = {
    "_HANDLER": "the handler argument",
    "AWS_REGION": "region=",
    "AWS_DEFAULT_REGION": "region=",
    "AWS_LAMBDA_FUNCTION_NAME": "function_name=",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "memory_mb=",
    "LAMBDA_TASK_ROOT": "root=",
    "AWS_LAMBDA_FUNCTION_VERSION": None,
    "AWS_LAMBDA_LOG_GROUP_NAME": None,
    "AWS_LAMBDA_LOG_STREAM_NAME": None,
    "AWS_LAMBDA_RUNTIME_API": None,
    "AWS_LAMBDA_INITIALIZATION_TYPE": None,
    "LAMBDA_RUNTIME_DIR": None,
    "_X_AMZN_TRACE_ID": None,
}


def _bad(message: str) -> InvalidOption:
    return InvalidOption(f"LambdaRunner: {message}")


def _check_env(env: Mapping[str, str] | None) -> dict[str, str]:
    __tracebackhide__ = True
    if env is None:
        return {}
    given: object = env
    if not isinstance(given, Mapping):
        raise ArgumentTypeError(f"LambdaRunner: env must be a mapping of str to str, not {env!r}")
    checked: dict[str, str] = {}
    for key, value in given.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ArgumentTypeError(
                f"LambdaRunner: env[{key!r}] = {value!r}: Lambda environment variables are "
                "strings (write str(value))"
            )
        if not key or "=" in key or "\0" in key or "\0" in value:
            raise _bad(f"env key {key!r} is not a valid environment variable name")
        if key in _RESERVED_ENV:
            how = _RESERVED_ENV[key]
            fix = f"set it with {how}" if how else "the runner sets it like Lambda does"
            raise _bad(
                f"env[{key!r}]: Lambda reserves this variable (CreateFunction rejects it); {fix}"
            )
        checked[key] = value
    return checked


class Runner:
    """The runtime's runner: cold/warm environments, errors and limits, no checks.

    The public :class:`~pytest_lambda.LambdaRunner` adds the check methods (``_checks/runner.py``).
    """

    def __init__(
        self,
        handler: str | Callable[..., Any],
        *,
        timeout: float = 3.0,
        memory_mb: int = 128,
        function_name: str | None = None,
        region: str = "us-east-1",
        env: Mapping[str, str] | None = None,
        root: str | os.PathLike[str] | None = None,
        clock: LambdaClock | None = None,
        isolation: str = "module",
    ) -> None:
        __tracebackhide__ = True
        if not isinstance(handler, str) and not callable(handler):
            raise ArgumentTypeError(
                f"LambdaRunner: handler must be a handler string like 'app.handler' or a "
                f"callable, not {handler!r}"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"LambdaRunner: timeout={timeout!r} must be a number of seconds")
        if not 0 < timeout <= _MAX_TIMEOUT:
            raise _bad(f"timeout={timeout!r}: Lambda timeouts are above 0 and at most 900 seconds")
        memory: object = memory_mb
        if isinstance(memory, bool) or not isinstance(memory, int):
            raise TypeError(f"LambdaRunner: memory_mb={memory_mb!r} must be an int (MB)")
        if not 128 <= memory_mb <= 10240:
            raise _bad(f"memory_mb={memory_mb!r}: Lambda memory is 128 to 10240 MB")
        name: object = "test-function" if function_name is None else function_name
        if not isinstance(name, str) or not _FUNCTION_NAME.fullmatch(name):
            raise _bad(
                f"function_name={function_name!r} is not a Lambda function name "
                "(1-64 letters, digits, '-' or '_')"
            )
        given_region: object = region
        if not isinstance(given_region, str) or not _REGION.fullmatch(given_region):
            raise _bad(f"region={region!r} is not an AWS region name like 'us-east-1'")
        if isolation not in ("module", "runtime"):
            raise _bad(
                f"isolation={isolation!r}: use 'module' (in this process) or 'runtime' "
                "(awslambdaric in a subprocess)"
            )
        if isolation == "runtime":
            from pytest_lambda._runtime.subprocess.environment import runtime_unavailable

            why = runtime_unavailable()
            if why is not None:
                raise _bad(f"isolation='runtime' is not available: {why}")
            if not isinstance(handler, str):
                raise _bad(
                    "isolation='runtime' runs the handler in a subprocess, so it needs a handler "
                    "string like 'app.handler' (importable from root=), not a callable"
                )
        task_root = os.path.abspath(os.fspath(root)) if root is not None else os.getcwd()
        if not os.path.isdir(task_root):
            raise _bad(f"root={os.fspath(root)!r} is not a directory")  # type: ignore[arg-type]
        if clock is not None and not callable(getattr(clock, "time", None)):
            raise ArgumentTypeError(f"LambdaRunner: clock must be a LambdaClock, not {clock!r}")
        self._config = EnvConfig(
            handler=handler,
            handler_name=handler_name(handler),
            timeout=float(timeout),
            memory_mb=memory_mb,
            function_name=name,
            region=region,
            root=task_root,
            env=_check_env(env),
            clock=clock,
        )
        self._isolation = isolation
        self._platform = Platform(
            json_format=self._config.env.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON",
            memory_mb=memory_mb,
            version=self._config.version,
            region=region,
        )
        self._time = clock_time_fn(clock)
        self._sandbox: Sandbox | None = None
        self._env: Environment | None = None
        self._unrestored: dict[str, None] = {}  # process state environments left behind
        self._template: LambdaContext | None = None
        self._closed = False
        self._busy = False
        self._clock_helper: Any = (
            None  # pytest_lambda._runtime.inprocess.invoke._Clock, made on first use
        )
        self._hooks: list[Any] = []
        self._echo: Callable[[str], None] | None = None

    # -- configuration (read-only) ------------------------------------------------------
    @property
    def handler(self) -> str | Callable[..., Any]:
        """The handler: a ``"module.function"`` string, or the callable given."""
        return self._config.handler

    @property
    def timeout(self) -> float:
        """The function timeout in seconds (the deadline of every invocation)."""
        return self._config.timeout

    @property
    def memory_mb(self) -> int:
        """The configured memory size in MB (``context.memory_limit_in_mb``, as a string there)."""
        return self._config.memory_mb

    @property
    def function_name(self) -> str:
        """The function name (``AWS_LAMBDA_FUNCTION_NAME``, the context and the ARNs)."""
        return self._config.function_name

    @property
    def region(self) -> str:
        """The AWS region (``AWS_REGION``, ``AWS_DEFAULT_REGION`` and the ARNs)."""
        return self._config.region

    @property
    def env(self) -> dict[str, str]:
        """The variables given with ``env=`` (a copy)."""
        return dict(self._config.env)

    @property
    def root(self) -> str:
        """The task root (``LAMBDA_TASK_ROOT``): where the handler is imported from, first on ``sys.path``."""
        return self._config.root

    @property
    def clock(self) -> LambdaClock | None:
        """The :class:`~pytest_lambda.LambdaClock` deadlines are measured on, or None (real time)."""
        return self._config.clock

    @property
    def isolation(self) -> str:
        """``"module"`` (in this process) or ``"runtime"`` (a real runtime process)."""
        return self._isolation

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("warm" if self._warm else "cold")
        return (
            f"LambdaRunner({self._config.handler_name!r}, timeout={self.timeout}, "
            f"memory_mb={self.memory_mb}, function_name={self.function_name!r}, {state})"
        )

    @property
    def _warm(self) -> bool:
        return self._env is not None and self._env.initialized

    # -- invoking -----------------------------------------------------------------------
    def invoke(
        self, event: Any, *, context: LambdaContext | None = None, cold: bool = False
    ) -> Invocation:
        """Invoke the handler with ``event`` (anything JSON) and return the :class:`Invocation`.

        ``context`` replaces the context the runner builds (its request id and deadline are
        used as they are). ``cold=True`` starts a new execution environment first.
        """
        __tracebackhide__ = True
        self._check_open()
        from pytest_lambda._runtime.context import LambdaContext

        if context is not None and not isinstance(context, LambdaContext):
            raise ArgumentTypeError(
                f"LambdaRunner.invoke(): context must be a LambdaContext or None, not {context!r}"
            )
        if not isinstance(cold, bool):
            raise ArgumentTypeError(f"LambdaRunner.invoke(): cold={cold!r} must be True or False")
        if cold:
            self.new_environment()
        body = event_body(event)
        if self._busy:
            raise LambdaStateError(
                "LambdaRunner.invoke() called while an invocation of this runner is running: an "
                "execution environment takes one event at a time. Use one runner per thread."
            )
        stop_if_past_deadline()  # called from a handler whose own deadline passed
        self._busy = True
        try:
            invocation = self._invoke(body, context)
        finally:
            self._busy = False
        object.__setattr__(invocation, "event_payload", body)  # frozen; read by .http
        stop_if_past_deadline()
        return invocation

    def _invoke(self, body: bytes, context: LambdaContext | None) -> Invocation:
        __tracebackhide__ = True
        env = self._environment()
        state = self._environment_state() if self._hooks else None
        for hook in self._hooks:
            before = getattr(hook, "before_invoke", None)
            if before is not None and state is not None:
                before(state)
        if self._isolation == "runtime":
            from pytest_lambda._runtime.subprocess.environment import run_runtime

            invocation, keep = run_runtime(self, env, body, context)
        else:
            invocation, keep = run_invocation(self, env, body, context)
        if not keep:
            self._discard_process(abandoned=invocation.timed_out)
        if self._echo is not None:
            self._echo(invocation.logs)
        if self._hooks:
            after_state = self._environment_state() if keep else None
            for hook in self._hooks:
                after = getattr(hook, "after_invoke", None)
                if after is not None:
                    after(after_state, invocation)
        return invocation

    def load(self) -> Any:
        """The handler callable of the current environment, initialising it (a cold start) if needed.

        Raises :class:`~pytest_lambda.HandlerConfigError` with the runtime's error when the
        init fails (the environment is then discarded, as Lambda does).
        """
        __tracebackhide__ = True
        self._check_open()
        env = self._environment()
        if self._isolation == "runtime":
            from pytest_lambda._runtime.subprocess.environment import load_runtime

            return load_runtime(self, env)
        if not env.initialized:
            from pytest_lambda._runtime.inprocess.invoke import run_init_only

            error = run_init_only(self, env)
            if error is not None:
                self._discard_process(abandoned=error.type == "Sandbox.Timedout")
                # its text has the init's traceback; the runner's own frames would be noise
                raise handler_not_loaded(self._config.handler_name, error) from None
        return env.handler

    @property
    def module(self) -> ModuleType | None:
        """The handler module of the current environment (loading it if needed); None for a callable."""
        __tracebackhide__ = True
        handler = self.load()
        if not isinstance(self._config.handler, str) or self._isolation == "runtime":
            return None
        assert self._env is not None
        modname = self._config.handler.rsplit(".", 1)[0].replace("/", ".")
        module = self._env.modules.modules.get(modname)
        return module if module is not None else sys.modules.get(getattr(handler, "__module__", ""))

    # -- environments ---------------------------------------------------------------------
    def new_environment(self) -> None:
        """Discard the current environment and its ``/tmp``: the next invoke is a cold start."""
        self._check_open()
        self._discard_process(abandoned=False)
        if self._sandbox is not None:
            self._sandbox.remove()
            self._sandbox = None

    def _environment(self) -> Environment:
        if self._sandbox is None:
            self._sandbox = Sandbox(self._config, clock_today(self._config.clock))
        if self._env is None and self._isolation == "runtime":
            from pytest_lambda._runtime.subprocess.environment import new_runtime_environment

            self._env = new_runtime_environment(self._config, self._sandbox)
        elif self._env is None:
            self._env = Environment(self._config, self._sandbox)
            self._template = None
        return self._env

    @contextlib.contextmanager
    def _using_clock(self, clock: LambdaClock) -> Iterator[None]:
        """Run on ``clock`` for a while (the checks' own frozen clock), then on the old one."""
        saved = self._config
        self._config = replace(saved, clock=clock)
        self._time, self._clock_helper, self._template = clock_time_fn(clock), None, None
        try:
            yield
        finally:
            self._config = saved
            self._time, self._clock_helper, self._template = clock_time_fn(saved.clock), None, None

    def _discard_process(self, *, abandoned: bool) -> None:
        """End the runtime process (Lambda's reset): the sandbox and its ``/tmp`` stay."""
        env, self._env, self._template = self._env, None, None
        if env is not None:
            process = getattr(env, "process", None)  # None: a runtime-isolation process
            if process is not None:
                self._unrestored.update(dict.fromkeys(process.unrestored()))
            env.close(abandoned=abandoned)

    def _context(self, env: Environment, request_id: str, deadline_ms: int) -> LambdaContext:
        template = self._template
        if template is None:
            from pytest_lambda._runtime.context import LambdaContext

            config = self._config
            template = self._template = LambdaContext(
                function_name=config.function_name,
                function_version=config.version,
                memory_limit_in_mb=config.memory_mb,
                timeout=config.timeout,
                region=config.region,
                aws_request_id=request_id,
                log_stream_name=env.sandbox.log_stream,
                deadline_ms=deadline_ms,
                clock=config.clock,
            )
            return template
        return template._restart(aws_request_id=request_id, deadline_ms=deadline_ms)

    def _environment_state(self) -> EnvironmentState | None:
        """The current environment, for inspection (None before the first invoke)."""
        env = self._env
        if env is None:
            return None
        if self._isolation == "runtime":
            from pytest_lambda._runtime.subprocess.environment import runtime_state

            return runtime_state(env)
        handler_module = None
        if isinstance(self._config.handler, str) and env.initialized:
            modname = self._config.handler.rsplit(".", 1)[0].replace("/", ".")
            handler_module = env.modules.modules.get(modname)
        decode_key = os.environ.decodekey
        decode_value = os.environ.decodevalue
        return EnvironmentState(
            handler_module=handler_module,
            modules=dict(env.modules.modules),
            scratch_dir=env.sandbox.scratch,
            environ={decode_key(k): decode_value(v) for k, v in env.environ.data.items()},
            sys_path=tuple(env.sys_path),
            cwd=env.cwd,
            initialized=env.initialized,
            invocations=env.invocations,
            generation=env.sandbox.generation,
            environment=env,
        )

    @staticmethod
    def _request_id() -> str:
        """A random (version 4) UUID, as Lambda's request ids are."""
        h = random_hex(16)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"

    # -- lifecycle ------------------------------------------------------------------------
    def _check_open(self) -> None:
        __tracebackhide__ = True
        if self._closed:
            raise LambdaStateError("LambdaRunner is closed; create a new one (or use the fixture)")

    def close(self) -> None:
        """Tear down the environment and remove its ``/tmp`` (idempotent)."""
        if self._closed:
            return
        self._discard_process(abandoned=False)
        if self._sandbox is not None:
            self._sandbox.remove()
            self._sandbox = None
        self._closed = True
        if self._unrestored:
            from pytest_lambda._runtime.inprocess.swap_state import warn_unrestored

            warn_unrestored(list(self._unrestored))

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
