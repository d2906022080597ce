"""The seam between the Runner and an isolation mode: the :class:`Backend` protocol.

A backend runs a handler's execution environments one way: ``inprocess/backend.py``
(``isolation="module"``: in this process, process state swapped per invoke) or
``subprocess/backend.py`` (``isolation="runtime"``: awslambdaric in a child process). The
Runner chooses one, once, from the isolation name (``_runtime/runner.py``, ``BACKENDS``); no
other module compares isolation names. What a check or the suite may rely on in a mode is a
capability attribute of its backend (``blind_spots``, ``supports_moto``, ...), read on the
class (no instance needed) or on ``runner.backend``.

A backend instance belongs to one runner (it may cache per-runner state, e.g. the clock
helper); its methods are called with the runner's :class:`InvokeSettings` and the
environment object it made. Cost: one attribute lookup per call, nothing per invoke beyond
the mode's own work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Protocol

if TYPE_CHECKING:
    from pytest_lambda._runtime.context import LambdaContext
    from pytest_lambda._runtime.invocation import Invocation
    from pytest_lambda._runtime.logs import Platform
    from pytest_lambda._runtime.sandbox import EnvConfig, Sandbox
    from pytest_lambda._runtime.state import EnvironmentState

__all__ = ["BLIND_SPOTS", "Backend", "InvokeSettings"]


BLIND_SPOTS: Final = (
    "isolation='runtime': the handler runs in a child process, so module globals, logging "
    "handlers, threads and botocore calls inside it are not visible to this check; only "
    "responses, errors, logs, the scratch dir (/tmp) and the start environment were compared",
)
"""What checks cannot see in runtime isolation (for their reports)."""


@dataclass(frozen=True)
class InvokeSettings:
    """What an invocation needs from its runner, passed explicitly (built once per change).

    The Runner builds it when first needed and again only when one of its parts changes
    (``_using_clock``, a new ``_echo``), so a warm invoke reads a cached object.
    """

    config: EnvConfig
    platform: Platform
    time: Callable[[], float]
    """The runner's clock (seconds since the epoch): the LambdaClock's, or real time."""
    echo: Callable[[str], None] | None
    """Receives each invocation's (and a load's) logs, or None."""
    context: Callable[[Any, str, int], LambdaContext]
    """``context(env, request_id, deadline_ms)``: the runner's context for an invocation."""
    request_id: Callable[[], str]
    """A new request id (a random UUID)."""
    discard_process: Callable[[bool], None]
    """``discard_process(abandoned)``: end the environment's process (Lambda's reset)."""


class Backend(Protocol):
    """One isolation mode. Capabilities are class attributes; methods act on one environment."""

    name: ClassVar[str]
    """The isolation name (``facts.ISOLATIONS``)."""
    blind_spots: ClassVar[tuple[str, ...]]
    """What the checks cannot observe in this mode (added to their reports' notes)."""
    supports_moto: ClassVar[bool]
    """Whether moto's in-process mock reaches the handler."""
    follows_test_clock: ClassVar[bool]
    """Whether a frozen LambdaClock in the test reaches the handler."""
    injects_faults: ClassVar[bool]
    """Whether the idempotency check can inject faults between the handler's AWS calls."""
    exposes_modules: ClassVar[bool]
    """Whether the handler's module objects are visible to the test (``runner.module``)."""

    def refusal(self, handler: object) -> str | None:
        """Why this mode cannot run ``handler`` here (the text after ``LambdaRunner: ``), or None."""
        ...

    def new_environment(self, config: EnvConfig, sandbox: Sandbox) -> Any:
        """A new execution environment in ``sandbox`` (not initialised yet)."""
        ...

    def invoke(
        self,
        settings: InvokeSettings,
        env: Any,
        body: bytes,
        context: LambdaContext | None,
        event: Any,
    ) -> tuple[Invocation, bool]:
        """Invoke once: ``(invocation, keep)``, keep False when the environment ended.

        ``event`` is ``body`` already decoded (a new object, never the test's), or
        ``outcome.NO_COPY``; a mode that runs the handler here may hand it over as it is.
        """
        ...

    def load(
        self, settings: InvokeSettings, env: Any, invoke: Callable[[Any, Any], Invocation]
    ) -> Any:
        """Initialise ``env`` if needed and return its handler callable (``invoke`` runs one
        event through the runner, for a mode whose handler lives elsewhere)."""
        ...

    def state(self, env: Any, config: EnvConfig) -> EnvironmentState:
        """What the test can observe of ``env``."""
        ...

    def forget(self) -> None:
        """Drop what it keeps of its runner's settings (the runner closed; they refer to it)."""
        ...
