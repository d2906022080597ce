"""The ``--lambda-handler`` conformance suite as pytest items: ``<handler>::<kind>::<check>``.

Registered from ``pytest_configure`` when a handler and event kinds are configured. The
items are added in a ``tryfirst`` ``pytest_collection_modifyitems``, before ``-k``/``-m``
deselection, so both apply; collection is deterministic, so xdist workers agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest

from pytest_lambda._core.errors import InvalidOption, LambdaTestError
from pytest_lambda._plugin.options import DOCS_OPTIONS, resolve
from pytest_lambda._suite.config import load_event_params, param_sets, parse_handler, parse_kinds
from pytest_lambda._suite.engine import CHECKS, SuiteOptions, run_check, summary_table

__all__ = ["CheckFailed", "LambdaCheckItem", "LambdaSuitePlugin", "register_suite"]

PLUGIN_NAME: Final = "lambda_toolkit_suite"
_PROPERTY: Final = "lambda_check"


class CheckFailed(LambdaTestError, AssertionError):
    """A conformance check failed; the message is the check's report."""


class _Group(pytest.Collector):
    """The handler, or one event kind of it: holds the next level of the suite."""

    def __init__(
        self, *, children_of: list[pytest.Item | pytest.Collector] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.children: list[pytest.Item | pytest.Collector] = children_of or []

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return list(self.children)


class LambdaCheckItem(pytest.Item):
    """One built-in check of one handler for one event kind."""

    def __init__(self, *, handler: str, kind: str, options: SuiteOptions, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handler = handler
        self.kind = kind
        self.options = options
        self.add_marker("lambda_check")

    def runtest(self) -> None:
        __tracebackhide__ = True
        result = run_check(self.handler, self.kind, self.name, self.options)
        self.user_properties.append((_PROPERTY, result.row()))
        if result.note and result.outcome != "failed":  # a failure's report already has it
            self.add_report_section("call", "lambda", result.note)
        if result.outcome == "skipped":
            pytest.skip(result.report)
        if result.outcome == "failed":
            raise CheckFailed(result.report)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> Any:
        if isinstance(excinfo.value, CheckFailed):
            line_only = self.config.getoption("tbstyle", "auto") == "line"
            return _check_failure(str(excinfo.value), self.reportinfo()[0], line_only=line_only)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # Not a suffix of the node id, so `-v` prints the node id as it is.
        domain = f"{self.kind}::{self.name} ({self.handler})"
        return _module_file(self.config, self.handler), None, domain


def _check_failure(report: str, path: Path | str, *, line_only: bool = False) -> Any:
    """The report as the failure's text, with its first line alone as the crash message.

    pytest prints the crash message in the short summary (all of it on CI, where it does
    not trim); a plain string would print the whole report twice there. With
    ``--tb=line`` the failure is that line alone, as for any test. The result has
    the shape of a traceback representation, so xdist carries it as it is. Should pytest's
    representation classes change, the report is returned as a plain string.
    """
    headline = report.partition("\n")[0]
    try:
        from _pytest._code.code import (
            ReprEntryNative,
            ReprExceptionInfo,
            ReprFileLocation,
            ReprTraceback,
        )

        entries = [] if line_only else [ReprEntryNative([report.rstrip("\n") + "\n"])]
        return ReprExceptionInfo(
            reprtraceback=ReprTraceback(entries, None, "native"),
            reprcrash=ReprFileLocation(str(path), 1, headline),
        )
    except (ImportError, TypeError):  # pragma: no cover - a future pytest
        return report


def _module_file(config: pytest.Config, handler: str) -> Path:
    """The handler's module file (for the location pytest prints), else the root directory."""
    folder, _, dotted = handler.rpartition("/")
    module = dotted.rpartition(".")[0]
    candidate = Path(_root(config), folder, *module.split(".")).with_suffix(".py")
    return candidate if candidate.is_file() else Path(config.rootpath)


def _root(config: pytest.Config) -> str:
    from pytest_lambda._plugin.roots import lambda_root

    return lambda_root(config)[0]


def _explicit_paths(config: pytest.Config) -> bool:
    """Whether the command line named test paths or node ids (not testpaths or the cwd)."""
    source = getattr(config, "args_source", None)
    args_source = getattr(pytest.Config, "ArgsSource", None)
    if args_source is None or source != args_source.ARGS:
        return False
    whole = {Path(config.rootpath).resolve(), Path(config.invocation_params.dir).resolve()}
    for arg in config.args:
        path = arg.split("::", 1)[0]
        if "::" in arg or Path(path).resolve() not in whole:
            return True  # a file, a sub-directory or a node id: tests were picked
    return False  # `pytest .`: the whole project, as a plain `pytest`


def _pyproject(config: pytest.Config) -> Path:
    inipath = config.inipath
    if inipath is not None and inipath.name == "pyproject.toml":
        return Path(inipath)
    return Path(config.rootpath) / "pyproject.toml"


class LambdaSuitePlugin:
    """Collects the suite's items, adds header lines and the summary table."""

    def __init__(
        self, config: pytest.Config, handler: str, kinds: list[str], *, asked: bool = True
    ) -> None:
        self.handler = handler
        self.kinds = kinds
        # Configured in ini/env and the run names its own test paths: the user picked tests,
        # so the suite stays out (it joins when --lambda-handler/--lambda-events is given).
        self.left_out = not asked and _explicit_paths(config)
        self.pyproject = _pyproject(config)
        try:
            self.params = load_event_params(self.pyproject)
        except InvalidOption as exc:
            raise pytest.UsageError(f"{exc}; see {DOCS_OPTIONS}") from None
        self.results: list[dict[str, Any]] = []
        self.filters: tuple[tuple[Any, ...], str | None] = ((), None)
        raw_filter, filter_source = resolve(config, "filter")
        if raw_filter:
            from pytest_lambda._suite.filtering import load_filter

            origin = f"--lambda-filter (from {filter_source})"
            try:
                self.filters = load_filter(raw_filter, kinds, origin, str(config.rootpath))
            except InvalidOption as exc:
                raise pytest.UsageError(f"{exc}; see {DOCS_OPTIONS}") from None

    def _options(self, config: pytest.Config) -> SuiteOptions:
        return SuiteOptions(
            seed=resolve(config, "seed")[0],
            timeout=resolve(config, "timeout")[0],
            memory_mb=resolve(config, "memory")[0],
            region=resolve(config, "region")[0],
            isolation=resolve(config, "isolation")[0],
            moto=resolve(config, "moto")[0],
            moto_setup=resolve(config, "moto_setup")[0],
            ignore_state=tuple(resolve(config, "ignore_state")[0] or ()),
            root=_root(config),
            params_by_kind=self.params,
            filters=self.filters[0],
            filter_arg=self.filters[1],
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if self.left_out:
            return
        options = self._options(config)
        top = _Group.from_parent(session, name=self.handler, nodeid=self.handler)
        new: list[pytest.Item] = []
        for kind in self.kinds:
            group = _Group.from_parent(top, name=kind)
            for check in CHECKS:
                item = LambdaCheckItem.from_parent(
                    group, name=check, handler=self.handler, kind=kind, options=options
                )
                group.children.append(item)
                new.append(item)
            top.children.append(group)
        report = pytest.CollectReport(top.nodeid, "passed", None, list(new))
        session.ihook.pytest_collectreport(report=report)  # counted in "collected N items"
        items.extend(new)

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        parts = []
        for label, name in (("handler", "handler"), ("events", "events"), ("seed", "seed")):
            value, source = resolve(config, name)
            shown = ",".join(self.kinds) if name == "events" else value
            parts.append(f"{label}={shown} ({source})")
        moto, source = resolve(config, "moto")
        setup, setup_source = resolve(config, "moto_setup")
        if setup:
            parts.append(f"moto=on, setup {setup} ({setup_source})")
        else:
            parts.append(f"moto={'on' if moto else 'off'} ({source})")
        lines = ["lambda suite: " + ", ".join(parts)]
        raw_filter, filter_source = resolve(config, "filter")
        if raw_filter:
            lines.append(f"lambda suite: filter {raw_filter} ({filter_source})")
        if self.left_out:
            lines.append(
                "lambda suite: not collected (test paths were given; add --lambda-events or "
                "--lambda-handler on the command line to run it with them)"
            )
        for kind in self.kinds:
            if kind in self.params:
                sets = param_sets(self.params, kind)
                names = ", ".join(sorted({n for s in sets for n in s}))
                what = f"{len(sets)} parameter sets" if len(sets) > 1 else "parameters"
                lines.append(
                    f"lambda suite: {kind} {what} ({names}) from "
                    f"[tool.pytest_lambda.events.{kind}] in {self.pyproject}"
                )
        return lines

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" and not (report.when == "setup" and report.skipped):
            return
        for name, value in report.user_properties:
            if name == _PROPERTY and isinstance(value, dict):
                self.results.append(value)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.results:
            return
        tr = terminalreporter
        tr.write_sep("=", "lambda conformance suite")
        tr.write_line(f"{self.handler} (seed {self.results[0]['seed']})")
        for line in summary_table(self.kinds, self.results):
            tr.write_line(line)


def check_ignore_state(config: pytest.Config) -> None:
    """Refuse ``--lambda-ignore-state`` without moto: there is no state to leave parts of out."""
    ignored, source = resolve(config, "ignore_state")
    if ignored and not (resolve(config, "moto")[0] or resolve(config, "moto_setup")[0]):
        raise InvalidOption(
            f"--lambda-ignore-state={','.join(ignored)} (from {source}) leaves parts of the "
            "moto state out of the idempotent check, but moto is off, so no state is compared; "
            "add --lambda-moto (or --lambda-moto-setup), or drop --lambda-ignore-state"
        )


def register_suite(config: pytest.Config) -> None:
    """Register the suite plugin when a handler and event kinds are configured."""
    raw_kinds, kinds_source = resolve(config, "events")
    handler, handler_source = resolve(config, "handler")
    if not raw_kinds or (not handler and resolve(config, "template")[0]):
        return  # no suite, or the template's (pytest_lambda._plugin.template_suite)
    try:
        kinds = parse_kinds(raw_kinds, f"--lambda-events (from {kinds_source})")
        if not handler:
            raise InvalidOption(
                f"--lambda-events={raw_kinds!r} (from {kinds_source}) needs a handler: "
                "set --lambda-handler=module.function (ini lambda_handler, "
                "env PYTEST_LAMBDA_HANDLER)"
            )
        handler = parse_handler(handler, f"--lambda-handler (from {handler_source})")
        moto, moto_source = resolve(config, "moto")
        setup, setup_source = resolve(config, "moto_setup")
        if setup and not moto:
            moto, moto_source = True, f"--lambda-moto-setup, {setup_source}"
        check_ignore_state(config)
        isolation, isolation_source = resolve(config, "isolation")
        from pytest_lambda._runtime.runner import backend_class

        if moto and not backend_class(isolation).supports_moto:
            raise InvalidOption(
                f"--lambda-moto (from {moto_source}) with --lambda-isolation=runtime (from "
                f"{isolation_source}): moto's mock does not reach the runtime subprocess, so the "
                "handler would call real AWS; use --lambda-isolation=module with --lambda-moto"
            )
    except InvalidOption as exc:
        raise pytest.UsageError(f"{exc}; see {DOCS_OPTIONS}") from None
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        asked = "command line" in (handler_source, kinds_source)
        plugin = LambdaSuitePlugin(config, handler, kinds, asked=asked)
        config.pluginmanager.register(plugin, PLUGIN_NAME)
