"""``isolation="module"`` as a :class:`~pytest_lambda._runtime.backend.Backend`.

The handler runs in this process (``environment.py``, ``invoke.py``): everything is visible
to the checks, moto's mock and a frozen LambdaClock reach it. One instance per runner; it
keeps the runner's clock helper, rebuilt only when the runner's settings object changes (a
warm invoke only re-reads whether the clock is frozen).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_lambda._runtime.inprocess.environment import Environment
from pytest_lambda._runtime.inprocess.invoke import Clock, run_init_only, run_invocation
from pytest_lambda._runtime.state import EnvironmentState

if TYPE_CHECKING:
    from pytest_lambda._runtime.backend import InvokeSettings
    from pytest_lambda._runtime.context import LambdaContext
    from pytest_lambda._runtime.invocation import Invocation
    from pytest_lambda._runtime.sandbox import EnvConfig, Sandbox

__all__ = ["InProcessBackend"]


class InProcessBackend:
    """The handler in this process, its process state swapped in and out per invoke."""

    name: ClassVar[str] = "module"
    blind_spots: ClassVar[tuple[str, ...]] = ()
    supports_moto: ClassVar[bool] = True
    follows_test_clock: ClassVar[bool] = True
    injects_faults: ClassVar[bool] = True
    exposes_modules: ClassVar[bool] = True

    def __init__(self) -> None:
        self._clock: Clock | None = None
        self._clock_for: InvokeSettings | None = None

    def clock(self, settings: InvokeSettings) -> Clock:
        """The clock helper of ``settings`` (made once per settings object, then refreshed)."""
        clock = self._clock
        if clock is None or self._clock_for is not settings:
            clock = self._clock = Clock(settings.config.clock, settings.time)
            self._clock_for = settings
            return clock
        return clock.refresh()

    def forget(self) -> None:
        """Drop the clock kept for the last settings (their runner closed: they refer to it)."""
        self._clock = self._clock_for = None

    def refusal(self, handler: object) -> str | None:
        return None

    def new_environment(self, config: EnvConfig, sandbox: Sandbox) -> Environment:
        return Environment(config, sandbox)

    def invoke(
        self,
        settings: InvokeSettings,
        env: Any,
        body: bytes,
        context: LambdaContext | None,
        event: Any,
    ) -> tuple[Invocation, bool]:
        return run_invocation(settings, self.clock(settings), env, body, context, event)

    def load(
        self, settings: InvokeSettings, env: Any, invoke: Callable[[Any, Any], Invocation]
    ) -> Any:
        __tracebackhide__ = True
        if not env.initialized:
            from pytest_lambda._core.errors import handler_not_loaded

            error = run_init_only(settings, self.clock(settings), env)
            if error is not None:
                settings.discard_process(error.type == "Sandbox.Timedout")
                # its text has the init's traceback; the runner's own frames would be noise
                raise handler_not_loaded(settings.config.handler_name, error) from None
        return env.handler

    def state(self, env: Any, config: EnvConfig) -> EnvironmentState:
        handler_module = None
        if isinstance(config.handler, str) and env.initialized:
            modname = config.handler.rsplit(".", 1)[0].replace("/", ".")
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
