"""``LambdaRunner``: run a handler the way Lambda does, in this process (``isolation="module"``).

The first invoke initialises an execution environment (a fresh import of the handler
module with Lambda's environment variables, a private ``/tmp``); later invokes reuse it warm.
A timeout, ``sys.exit()`` or an oversized response discards it; an init error is returned
and init runs again on the next invoke; a handler exception keeps it warm. See
``docs/explanation/runner-parity.md`` for every rule and its limits.

The isolation mode is a :class:`~pytest_lambda._runtime.backend.Backend` chosen once from
``BACKENDS`` (``runner.backend``); the backend gets the runner's
:class:`~pytest_lambda._runtime.backend.InvokeSettings` (cached, rebuilt only when the clock
or ``_echo`` changes, so a warm invoke builds nothing).

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
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._core import facts
from pytest_lambda._core.errors import (
    ArgumentTypeError,
    LambdaStateError,
)
from pytest_lambda._runtime.arguments import runner_config
from pytest_lambda._runtime.backend import Backend, InvokeSettings
from pytest_lambda._runtime.inprocess.backend import InProcessBackend
from pytest_lambda._runtime.inprocess.environment import clock_time_fn, clock_today
from pytest_lambda._runtime.inprocess.inline import stop_if_past_deadline
from pytest_lambda._runtime.logs import Platform
from pytest_lambda._runtime.outcome import event_payload
from pytest_lambda._runtime.sandbox import Sandbox, request_id
from pytest_lambda._runtime.state import EnvironmentState
from pytest_lambda._runtime.subprocess.backend import SubprocessBackend

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock
    from pytest_lambda._runtime.context import LambdaContext
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["BACKENDS", "Runner", "backend_class"]

# (function name, version, memory, timeout, region) -> its context, for each environment's
# first context (a copy with the environment's stream, clock, request id and deadline)
_FUNCTION_CONTEXTS: dict[tuple[Any, ...], LambdaContext] = {}

BACKENDS: Final[dict[str, type[Backend]]] = {
    InProcessBackend.name: InProcessBackend,
    SubprocessBackend.name: SubprocessBackend,
}
"""The one place an isolation name becomes a backend (``facts.ISOLATIONS``, in order)."""


def backend_class(isolation: str) -> type[Backend]:
    """The backend of a valid isolation name, for its capability attributes."""
    return BACKENDS[isolation]


class Runner:
    """The runtime's runner: cold/warm environments, errors and limits, no checks.

    The public :class:`~pytest_lambda.LambdaRunner` adds the check methods (``_checks/runner.py``).
    """

    def __init__(
        self,
        handler: str | Callable[..., Any],
        *,
        timeout: float = facts.DEFAULT_TIMEOUT,
        memory_mb: int = facts.DEFAULT_MEMORY_MB,
        function_name: str | None = None,
        region: str = facts.DEFAULT_REGION,
        env: Mapping[str, str] | None = None,
        root: str | os.PathLike[str] | None = None,
        clock: LambdaClock | None = None,
        isolation: str = facts.DEFAULT_ISOLATION,
    ) -> None:
        __tracebackhide__ = True
        self._config, backend = runner_config(
            handler, timeout=timeout, memory_mb=memory_mb, function_name=function_name,
            region=region, env=env, root=root, clock=clock, isolation=isolation,
            backends=BACKENDS,
        )  # fmt: skip
        self.backend: Backend = backend
        """The isolation mode's backend (its capability attributes are for the checks)."""
        self._platform = Platform(
            json_format=self._config.env.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON",
            memory_mb=self._config.memory_mb,
            version=self._config.version,
            region=self._config.region,
        )
        self._time = clock_time_fn(clock)
        self._sandbox: Sandbox | None = None
        self._env: Any = None  # the backend's environment
        self._unrestored: dict[str, None] = {}  # process state environments left behind
        self._template: LambdaContext | None = None
        self._closed = False
        self._busy = False
        self._hooks: list[Any] = []
        self._echo_to: Callable[[str], None] | None = None
        self._settings: InvokeSettings | None = None

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
        return self.backend.name

    @property
    def _echo(self) -> Callable[[str], None] | None:
        """Receives each invocation's logs (set by the fixture), or None."""
        return self._echo_to

    @_echo.setter
    def _echo(self, echo: Callable[[str], None] | None) -> None:
        self._echo_to, self._settings = echo, None

    def _invoke_settings(self) -> InvokeSettings:
        """What the backend needs from this runner, built once per change of its parts."""
        settings = self._settings
        if settings is None:
            settings = self._settings = InvokeSettings(
                config=self._config,
                platform=self._platform,
                time=self._time,
                echo=self._echo_to,
                context=self._context,
                request_id=request_id,
                discard_process=self._discard_abandoned,
            )
        return settings

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
        if context is not None:
            from pytest_lambda._runtime.context import LambdaContext

            if not isinstance(context, LambdaContext):
                raise ArgumentTypeError(
                    "LambdaRunner.invoke(): context must be a LambdaContext or None, not "
                    f"{context!r}"
                )
        if cold is not False and cold is not True:
            raise ArgumentTypeError(f"LambdaRunner.invoke(): cold={cold!r} must be True or False")
        if cold:
            self.new_environment()
        body, copy = event_payload(event)
        if self._busy:
            raise LambdaStateError(
                "LambdaRunner.invoke() called while an invocation of this runner is running: an "
                "execution environment takes one event at a time. Use one runner per thread."
            )
        stop_if_past_deadline()  # called from a handler whose own deadline passed
        self._busy = True
        try:
            invocation = self._invoke(body, context, copy)
        finally:
            self._busy = False
        object.__setattr__(invocation, "event_payload", body)  # frozen; read by .http
        stop_if_past_deadline()
        return invocation

    def _invoke(self, body: bytes, context: LambdaContext | None, copy: Any) -> Invocation:
        __tracebackhide__ = True
        env = self._environment()
        state = self._environment_state() if self._hooks else None
        for hook in self._hooks:
            before = getattr(hook, "before_invoke", None)
            if before is not None and state is not None:
                before(state)
        settings = self._invoke_settings()
        invocation, keep = self.backend.invoke(settings, env, body, context, copy)
        if not keep:
            self._discard_process(abandoned=invocation.timed_out)
        if settings.echo is not None:
            settings.echo(invocation.logs)
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
        return self.backend.load(self._invoke_settings(), env, self._invoke_for_load)

    def _invoke_for_load(self, event: Any, context: Any) -> Invocation:
        return self.invoke(event, context=context)

    @property
    def module(self) -> ModuleType | None:
        """The handler module of the current environment (loading it if needed); None for a callable."""
        __tracebackhide__ = True
        handler = self.load()
        if not isinstance(self._config.handler, str) or not self.backend.exposes_modules:
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

    def _environment(self) -> Any:
        if self._sandbox is None:
            self._sandbox = Sandbox(self._config, clock_today(self._config.clock))
        if self._env is None:
            self._env = self.backend.new_environment(self._config, self._sandbox)
            self._template = None
        return self._env

    @contextlib.contextmanager
    def _using_clock(self, clock: LambdaClock) -> Iterator[None]:
        """Run on ``clock`` for a while (the checks' own frozen clock), then on the old one."""
        saved = self._config
        self._config = replace(saved, clock=clock)
        self._time, self._settings, self._template = clock_time_fn(clock), None, None
        try:
            yield
        finally:
            self._config = saved
            self._time, self._settings, self._template = clock_time_fn(saved.clock), None, None

    def _discard_abandoned(self, abandoned: bool) -> None:
        self._discard_process(abandoned=abandoned)

    def _discard_process(self, *, abandoned: bool) -> None:
        """End the runtime process (Lambda's reset): the sandbox and its ``/tmp`` stay."""
        env, self._env, self._template = self._env, None, None
        if env is not None:
            process = getattr(env, "process", None)  # None: a runtime-isolation process
            if process is not None:
                self._unrestored.update(dict.fromkeys(process.unrestored()))
            env.close(abandoned=abandoned)

    def _context(self, env: Any, request_id: str, deadline_ms: int) -> LambdaContext:
        template = self._template
        if template is None:
            config = self._config
            # the function's part, checked and made once per process for these settings
            key = (config.function_name, config.version, config.memory_mb, config.timeout,
                   config.region)  # fmt: skip
            function = _FUNCTION_CONTEXTS.get(key)
            if function is None:
                from pytest_lambda._runtime.context import LambdaContext

                function = LambdaContext(
                    function_name=config.function_name,
                    function_version=config.version,
                    memory_limit_in_mb=config.memory_mb,
                    timeout=config.timeout,
                    region=config.region,
                    aws_request_id="",
                    log_stream_name="-",
                    deadline_ms=0,
                )
                if len(_FUNCTION_CONTEXTS) >= 64:
                    _FUNCTION_CONTEXTS.clear()
                _FUNCTION_CONTEXTS[key] = function
            template = function._restart(aws_request_id=request_id, deadline_ms=deadline_ms)
            template._clock = config.clock
            template.log_stream_name = env.sandbox.log_stream
            self._template = template
            return template
        return template._restart(aws_request_id=request_id, deadline_ms=deadline_ms)

    def _environment_state(self) -> EnvironmentState | None:
        """The current environment, for inspection (None before the first invoke)."""
        env = self._env
        if env is None:
            return None
        return self.backend.state(env, self._config)

    @staticmethod
    def _request_id() -> str:
        """A random (version 4) UUID, as Lambda's request ids are."""
        return request_id()

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
        # its invoke settings hold bound methods of its own: without this cycle, a closed
        # runner is freed when its last reference goes, not by a garbage collection pass
        self._settings = self._template = None
        self.backend.forget()  # and what the backend kept of them
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
