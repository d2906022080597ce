"""``isolation="runtime"`` as a :class:`~pytest_lambda._runtime.backend.Backend`.

The handler runs in an awslambdaric child (``environment.py``): the checks see only what
crosses the process boundary (:data:`~pytest_lambda._runtime.backend.BLIND_SPOTS`), moto's
mock and a frozen LambdaClock do not reach it. Importing this module is cheap: the child's
machinery is imported when the first environment is made. One instance per runner; it
remembers whether the runner's logs already had the frozen-clock note.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_lambda._runtime.backend import BLIND_SPOTS

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock
    from pytest_lambda._runtime.backend import InvokeSettings
    from pytest_lambda._runtime.context import LambdaContext
    from pytest_lambda._runtime.invocation import Invocation
    from pytest_lambda._runtime.sandbox import EnvConfig, Sandbox
    from pytest_lambda._runtime.state import EnvironmentState

__all__ = ["SubprocessBackend"]


def _frozen_clock(clock: LambdaClock | None) -> LambdaClock | None:
    """The frozen clock the test runs on (the runner's, or the active one), or None."""
    if clock is not None and clock.frozen:
        return clock
    module = sys.modules.get("pytest_lambda._clock.clock")
    active: LambdaClock | None = None if module is None else module._active
    return active if active is not None and active.frozen else None


class SubprocessBackend:
    """The handler in a real awslambdaric process talking to a local Runtime API."""

    name: ClassVar[str] = "runtime"
    blind_spots: ClassVar[tuple[str, ...]] = BLIND_SPOTS
    supports_moto: ClassVar[bool] = False
    follows_test_clock: ClassVar[bool] = False
    injects_faults: ClassVar[bool] = False
    exposes_modules: ClassVar[bool] = False

    def __init__(self) -> None:
        self._noted = False  # this runner's logs had the frozen-clock note

    def forget(self) -> None:
        """Nothing kept of the runner's settings between invokes."""

    def refusal(self, handler: object) -> str | None:
        from pytest_lambda._runtime.subprocess.support import runtime_unavailable

        why = runtime_unavailable()
        if why is not None:
            return f"isolation='runtime' is not available: {why}"
        if not isinstance(handler, str):
            return (
                "isolation='runtime' runs the handler in a subprocess, so it needs a handler "
                "string like 'app.handler' (importable from root=), not a callable"
            )
        return None

    def frozen_note(self, clock: LambdaClock | None) -> str:
        """A log line, on a runner's first invoke under a frozen clock: time is real in the child.

        Empty otherwise (no frozen clock, or the runner's logs already had it). A line in the
        logs (echoed with a failing test) rather than a Python warning: real time is this mode's
        documented behaviour, not an error, and a suite run with ``-W error`` and
        ``--lambda-isolation=runtime`` must not fail for it.
        """
        frozen = _frozen_clock(clock)
        if frozen is None or self._noted:
            return ""
        self._noted = True
        from pytest_lambda._core.docs import doc_url

        try:
            at = frozen.now().strftime(" (at %Y-%m-%dT%H:%M:%SZ)")
        except RuntimeError:  # another freeze stacked on it: the runner's clock reads refuse too
            at = ""
        return (
            f"pytest-lambda NOTE: isolation='runtime' with a frozen LambdaClock{at}: the "
            "handler's process runs on real time, which the clock does not reach. time.sleep() "
            "waits; time.time(), the deadline, get_remaining_time_in_millis(), the timeout, the "
            "REPORT durations and the log timestamps are real wall-clock time. Tests that rely on "
            "the frozen clock need isolation='module'. See "
            f"{doc_url('explanation/runtime-isolation', 'time-and-the-test-clock')}\n"
        )

    def new_environment(self, config: EnvConfig, sandbox: Sandbox) -> Any:
        from pytest_lambda._runtime.subprocess.environment import RuntimeEnvironment

        return RuntimeEnvironment(config, sandbox)

    def invoke(
        self,
        settings: InvokeSettings,
        env: Any,
        body: bytes,
        context: LambdaContext | None,
        event: Any,  # the child process decodes ``body`` itself, as the runtime does
    ) -> tuple[Invocation, bool]:
        note = self.frozen_note(settings.config.clock)
        result: tuple[Invocation, bool] = env.invoke(settings, body, context, note)
        if "moto.core.models" in sys.modules:
            _warn_if_moto_is_on()
        return result

    def load(
        self, settings: InvokeSettings, env: Any, invoke: Callable[[Any, Any], Invocation]
    ) -> Any:
        """Start the child (init) and return a proxy: the handler lives in the child, so the
        callable returned invokes it through the runtime and returns the response, or raises
        the handler's error as :meth:`Invocation.raise_for_error` does (as the handler would)."""
        __tracebackhide__ = True
        if not env.initialized:
            out: list[str] = []
            error = env.init(settings, out, "")
            if settings.echo is not None:
                settings.echo("".join(out))
            if error is not None:
                from pytest_lambda._core.errors import handler_not_loaded

                settings.discard_process(False)
                raise handler_not_loaded(settings.config.handler_name, error)
            env.freeze()

        def handler(event: Any, context: Any = None) -> Any:
            __tracebackhide__ = True
            return invoke(event, context).raise_for_error().response

        name = str(settings.config.handler_name).rsplit(".", 1)[-1]
        handler.__name__ = handler.__qualname__ = name
        env.handler = handler
        return handler

    def state(self, env: Any, config: EnvConfig) -> EnvironmentState:
        """What is observable from outside: no module object (``handler_module`` is None,
        ``modules`` empty); the scratch dir, the start variables, cwd and counters are real."""
        from pytest_lambda._runtime.state import EnvironmentState

        return EnvironmentState(
            handler_module=None,
            modules={},
            scratch_dir=env.sandbox.scratch,
            environ=dict(env.environ),
            sys_path=env.sys_path,
            cwd=env.cwd,
            initialized=env.initialized,
            invocations=env.invocations,
            generation=env.sandbox.generation,
            environment=env,
        )


MOTO_NOT_IN_CHILD = (
    "isolation='runtime': moto.mock_aws() is active in the test process, but its mock does not "
    "reach the handler's process: the handler's AWS calls go to the real endpoints. Run it in "
    "isolation='module' (--lambda-isolation=module), where the test's moto applies, or let the "
    "conformance checks run it inside moto with --lambda-moto"
)


def _warn_if_moto_is_on() -> None:
    """The test's own ``moto.mock_aws()`` is on while the handler runs in another process."""
    mock = getattr(sys.modules["moto.core.models"], "MockAWS", None)
    if getattr(mock, "_nested_count", 0) > 0:
        import warnings

        warnings.warn(MOTO_NOT_IN_CHILD, RuntimeWarning, stacklevel=5)
