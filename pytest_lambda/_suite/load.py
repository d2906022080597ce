"""Whether the suite's handler can be loaded at all, asked once per process.

A handler that cannot be imported (a misspelt handler string, a module that raises at
import) would fail every check of every kind with advice about events that does not apply.
The suite loads it first and, if that fails, every check reports that one cause instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from pytest_lambda._core.docs import doc_url

if TYPE_CHECKING:
    from pytest_lambda._checks.setup import SetupProblem
    from pytest_lambda._suite.engine import SuiteOptions

__all__ = ["LoadProblem", "load_problem"]

_CACHE: Final[dict[tuple[object, ...], LoadProblem | None]] = {}
_NAMING_ERRORS: Final = ("Runtime.HandlerNotFound", "Runtime.MalformedHandlerName")


@dataclass(frozen=True)
class LoadProblem:
    """Why the handler could not be loaded; ``misnamed`` when the handler string is wrong."""

    handler: str
    error: str
    misnamed: bool
    setup: SetupProblem | None = None  # the init failed for want of set-up (a variable, a module)
    root: str = ""  # where the handler's module was looked for

    def report(self, what: str) -> str:
        """The failure text for ``what`` (a check, or "the checks") that could not run."""
        if self.setup is not None:
            return self.setup.report(self.handler, what, 0)
        if self.misnamed:
            fix = (
                "Fix: give the handler as 'module.function' (or 'dir/module.function'), "
                f"relative to the root directory{' ' + self.root if self.root else ''}, where "
                "it was looked for (--lambda-root, pytest-lambda check --root)"
            )
        else:
            fix = "Fix: the error is raised while the handler's module is imported (Lambda's init)"
        return (
            f"{self.handler} could not be loaded, so {what} did not run:\n"
            f"{self.error}\n\n{fix}; see {doc_url('how-to/conformance-suite')}"
        )


def _misnamed(handler: str, error_type: str, message: str) -> bool:
    if error_type in _NAMING_ERRORS:
        return True
    module = handler.rpartition("/")[2].rpartition(".")[0]
    top = module.partition(".")[0]
    return error_type == "Runtime.ImportModuleError" and any(
        f"No module named '{name}'" in message for name in {module, top}
    )


def load_problem(handler: str, opts: SuiteOptions) -> LoadProblem | None:
    """None if ``handler`` initialises in a fresh environment, else why not (cached)."""
    key = (
        handler, opts.root, opts.isolation, opts.timeout, opts.memory_mb, opts.region,
        opts.uses_moto, opts.moto_setup, tuple(sorted(opts.env.items())), opts.layers, opts.import_paths,
    )  # fmt: skip
    if key in _CACHE:
        return _CACHE[key]
    from pytest_lambda._core.errors import HandlerConfigError
    from pytest_lambda._suite.runners import aws_for, runner_for_suite

    problem = None
    with aws_for(opts), runner_for_suite(handler, opts) as runner:
        try:
            runner.load()
        except HandlerConfigError as exc:
            error = exc.error  # the runtime's InvocationFailure
            if error is None:  # not an init failure: nothing to report on the checks' behalf
                raise
            from pytest_lambda._checks.setup import diagnose

            misnamed = _misnamed(handler, error.type, error.message)
            setup = None if misnamed else diagnose(error, handler)
            problem = LoadProblem(handler, str(error), misnamed, setup, opts.root or "")
    _CACHE[key] = problem
    return problem
