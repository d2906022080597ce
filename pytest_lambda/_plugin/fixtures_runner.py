"""The ``lambda_runner`` and ``lambda_handler`` fixtures and the ``lambda_handler`` marker.

The handler comes from ``@pytest.mark.lambda_handler("app.handler", ...)`` (closest marker
wins; module ``pytestmark`` works too) or the session setting ``--lambda-handler`` / env
``PYTEST_LAMBDA_HANDLER`` / ini ``lambda_handler``. The marker's keywords are exactly
``LambdaRunner``'s; they override ``--lambda-timeout``, ``--lambda-memory``,
``--lambda-region`` and ``--lambda-isolation``. ``@pytest.mark.lambda_function("Id")``
configures the same from the app's template (:mod:`pytest_lambda._plugin.template`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Final

import pytest

from pytest_lambda._core import facts
from pytest_lambda._core.docs import doc_url
from pytest_lambda._core.errors import ArgumentTypeError, HandlerConfigError
from pytest_lambda._plugin.options import resolve

if TYPE_CHECKING:
    import os

    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._clock.clock import LambdaClock

__all__ = ["MARKER_HELP", "lambda_handler", "lambda_runner", "runner_arguments"]

MARKER_HELP: Final = (
    "lambda_handler(handler=None, *, timeout=3.0, memory_mb=128, function_name=None, "
    "region='us-east-1', env=None, root=None, clock=None, isolation='module'): the handler "
    "string (or callable) and LambdaRunner keywords for this test's lambda_runner and "
    "lambda_handler; keywords override --lambda-timeout/--lambda-memory/--lambda-region/"
    "--lambda-isolation/--lambda-root. "
    f"See {doc_url('reference/fixtures', 'lambda_runner')}"
)


@dataclass(frozen=True, kw_only=True)
class _RunnerOptions:
    """The marker's keywords: exactly ``LambdaRunner``'s, so a typo is a ``TypeError``."""

    timeout: float = facts.DEFAULT_TIMEOUT
    memory_mb: int = facts.DEFAULT_MEMORY_MB
    function_name: str | None = None
    region: str = facts.DEFAULT_REGION
    env: Mapping[str, str] | None = None
    root: str | os.PathLike[str] | None = None
    clock: LambdaClock | None = None
    isolation: str = facts.DEFAULT_ISOLATION


_KEYWORDS: Final = tuple(f.name for f in fields(_RunnerOptions))
_SESSION: Final = (("timeout", "timeout"), ("memory", "memory_mb"), ("region", "region"),
                   ("isolation", "isolation"))  # fmt: skip


def _no_handler() -> HandlerConfigError:
    return HandlerConfigError(
        "No Lambda handler is configured, so lambda_runner has nothing to run.\n"
        "Set one in any of these ways:\n"
        "  - command line: pytest --lambda-handler=app.handler\n"
        "  - ini file: lambda_handler = app.handler   (pytest.ini, [tool.pytest.ini_options])\n"
        "  - environment: PYTEST_LAMBDA_HANDLER=app.handler\n"
        "  - per test or module: @pytest.mark.lambda_handler('app.handler')\n"
        f"See {doc_url('reference/options')}"
    )


def _merge(marks: Iterable[pytest.Mark]) -> tuple[Any, dict[str, Any]]:
    """``(handler or None, keywords)`` from ``lambda_handler`` marks, closest first."""
    __tracebackhide__ = True
    handler: Any = None
    merged: dict[str, Any] = {}
    for mark in reversed(list(marks)):
        if len(mark.args) > 1:
            raise ArgumentTypeError(
                f"@pytest.mark.lambda_handler takes one positional argument (the handler), got "
                f"{len(mark.args)}: {mark.args!r}; pass the runner settings as keywords "
                f"({', '.join(_KEYWORDS)})"
            )
        kwargs = dict(mark.kwargs)
        if "handler" in kwargs:
            if mark.args:
                raise ArgumentTypeError(
                    "@pytest.mark.lambda_handler got the handler both by position and by keyword"
                )
            mark_handler = kwargs.pop("handler")
        else:
            mark_handler = mark.args[0] if mark.args else None
        unknown = sorted(set(kwargs) - set(_KEYWORDS))
        if unknown:
            raise ArgumentTypeError(
                f"@pytest.mark.lambda_handler got unexpected keyword(s) {', '.join(unknown)}; "
                f"valid keywords are handler (positional) and {', '.join(_KEYWORDS)}, "
                "the keywords of LambdaRunner"
            )
        if mark_handler is not None:
            handler = mark_handler
        merged.update(kwargs)
    return handler, merged


def runner_arguments(request: pytest.FixtureRequest) -> tuple[Any, dict[str, Any]]:
    """``(handler, keywords)`` for this test's runner: marker > CLI > env > ini > default."""
    __tracebackhide__ = True
    handler, marked = _merge(request.node.iter_markers("lambda_handler"))
    config = request.config
    from pytest_lambda._plugin.template import template_arguments  # @mark.lambda_function

    from_template = template_arguments(request)
    if handler is None and from_template is not None:
        handler = from_template[0]
    if handler is None:
        handler = resolve(config, "handler")[0]
    if handler is None or handler == "":
        raise _no_handler()
    keywords: dict[str, Any] = {}
    for setting, keyword in _SESSION:
        value, source = resolve(config, setting)
        if source != "default":
            keywords[keyword] = value
    from pytest_lambda._plugin.roots import lambda_root

    keywords["root"] = lambda_root(config)[0]  # the marker's root= wins (below)
    if from_template is not None:  # the template's function: over the session, under the marker
        keywords.update(from_template[1])
        if isinstance(marked.get("env"), Mapping):
            marked["env"] = {**from_template[1]["env"], **marked["env"]}
    keywords.update(marked)
    _RunnerOptions(**keywords)  # the same TypeError a LambdaRunner call would give
    return handler, keywords


def _echo(text: str) -> None:
    """Copy an invocation's logs to the test's stdout, so pytest shows them with a failure.

    The runtime joins the lines of an error record with carriage returns (one CloudWatch
    event); a terminal would print each over the last, so they are shown as indented lines
    here. ``invocation.logs`` keeps the exact text.
    """
    if text:
        sys.stdout.write(text.replace("\r", "\n    "))


def _record_invocations(item: pytest.Item, runner: LambdaRunner) -> None:
    """Keep each invocation for the failure report (``_plugin/failure.py``)."""
    from pytest_lambda._plugin.failure import record

    invoke = runner.invoke

    def recorded(event: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        invocation = invoke(event, **kwargs)
        record(item, runner, invocation)
        return invocation

    recorded.__doc__ = invoke.__doc__
    runner.invoke = recorded  # type: ignore[method-assign]


@pytest.fixture
def lambda_runner(
    request: pytest.FixtureRequest, lambda_clock: LambdaClock
) -> Generator[LambdaRunner, None, None]:
    """A :class:`~pytest_lambda.LambdaRunner` for the configured handler, on ``lambda_clock``.

    Configure it with ``--lambda-handler`` (ini ``lambda_handler``, env
    ``PYTEST_LAMBDA_HANDLER``) or ``@pytest.mark.lambda_handler("app.handler", timeout=...)``.
    Each invocation's logs are written to the test's stdout. Closed after the test.
    """
    __tracebackhide__ = True
    from pytest_lambda._checks.idempotency.options import MARKER as IDEMPOTENCY_MARKER
    from pytest_lambda._checks.idempotency.options import IdempotencyOptions
    from pytest_lambda._checks.runner import LambdaRunner

    handler, keywords = runner_arguments(request)
    keywords.setdefault("clock", lambda_clock)
    runner = LambdaRunner(handler, **keywords)
    runner._echo = _echo
    _record_invocations(request.node, runner)
    from pytest_lambda._plugin.template import idempotency_defaults

    marker = request.node.get_closest_marker(IDEMPOTENCY_MARKER)
    from_template = idempotency_defaults(request)  # @mark.lambda_function's batch triggers
    if marker is not None or from_template:
        args, kwargs = (marker.args, marker.kwargs) if marker is not None else ((), {})
        runner._idempotency_defaults = IdempotencyOptions.from_marker(
            args, {**from_template, **kwargs}
        )
    try:
        yield runner
    finally:
        runner.close()
        # the recording wrapper and the runner refer to each other: broken here, the runner
        # is freed now rather than by a later garbage collection pass
        vars(runner).pop("invoke", None)


@pytest.fixture
def lambda_handler(lambda_runner: LambdaRunner) -> Callable[..., Any]:
    """The handler callable, from a fresh import in ``lambda_runner``'s environment.

    Calling it directly skips the runtime (no marshalling, no timeout, the test's
    ``os.environ``); ``lambda_runner.invoke()`` runs the same module object as Lambda would.
    Requesting it initialises ``lambda_runner``'s environment, so its first invoke is warm.
    """
    __tracebackhide__ = True
    try:
        handler: Callable[..., Any] = lambda_runner.load()
    except HandlerConfigError as exc:
        raise _with_root_hint(exc, lambda_runner.root) from None
    return handler


def _with_root_hint(exc: HandlerConfigError, root: str) -> HandlerConfigError:
    """``exc`` with where modules are imported from, when a module was not found."""
    error = exc.error
    if (
        error is None
        or error.type != "Runtime.ImportModuleError"
        or "No module named" not in error.message
    ):
        return exc
    hinted = HandlerConfigError(
        f"{exc}\nModules are imported from {root}; for a src layout set --lambda-root=src "
        "(ini lambda_root, env PYTEST_LAMBDA_ROOT) or the marker's root="
    )
    hinted.error = error
    return hinted
