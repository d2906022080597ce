"""The template's conformance suite as pytest items: ``<LogicalId>::<kind>::<check>``.

Registered from ``pytest_configure`` when a template is named (``--lambda-template``, ini
``lambda_template``, env ``PYTEST_LAMBDA_TEMPLATE``) and no ``--lambda-handler`` is set:
every Python function of the template x each of its triggers' event kinds x the built-in
checks, with the function's own settings (:mod:`pytest_lambda._suite.from_template`).
``--lambda-events`` narrows the kinds. A function that cannot run is one failing item with
the template's message; a non-Python function or a trigger no kind models is one skipped
item with the reason. With ``--lambda-moto`` the template's resources are created in moto
before each check, then the ``--lambda-moto-setup`` hook runs (for seed data).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Final

import pytest

from pytest_lambda._core.errors import InvalidOption
from pytest_lambda._plugin.options import DOCS_OPTIONS, resolve
from pytest_lambda._plugin.suite import (
    LambdaCheckItem,
    LambdaSuitePlugin,
    _Group,
    check_ignore_state,
)
from pytest_lambda._plugin.template import app_for
from pytest_lambda._suite.engine import CHECKS, summary_table
from pytest_lambda._suite.from_template import with_template_filter
from pytest_lambda._template.load import TemplateError

if TYPE_CHECKING:
    from pytest_lambda._suite.engine import SuiteOptions
    from pytest_lambda._suite.from_template import PlannedFunction

__all__ = ["TemplateSuitePlugin", "register_template_suite"]

PLUGIN_NAME: Final = "lambda_toolkit_template_suite"


class TemplateProblem(pytest.Item):
    """A function (or trigger) of the template the checks cannot run: fails or skips with why."""

    def __init__(self, *, problem: str | None, skip_reason: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem
        self.skip_reason = skip_reason
        self.add_marker("lambda_check")

    def runtest(self) -> None:
        if self.problem is not None:
            pytest.fail(self.problem, pytrace=False)
        pytest.skip(self.skip_reason or "")

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


class TemplateCheckItem(LambdaCheckItem):
    """A built-in check of one function of the template; its summary row names the function."""

    def __init__(self, *, function: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.function = function

    def runtest(self) -> None:
        __tracebackhide__ = True
        try:
            super().runtest()
        finally:
            for name, value in self.user_properties:
                if name == "lambda_check" and isinstance(value, dict):
                    value["function"] = self.function


class TemplateSuitePlugin(LambdaSuitePlugin):
    """The suite's items for every function of the template, and one table per function."""

    def __init__(self, config: pytest.Config, kinds: list[str], *, asked: bool) -> None:
        super().__init__(config, "template", kinds, asked=asked)
        self.app = app_for(config)

    def plan(self, config: pytest.Config) -> list[PlannedFunction]:
        from pytest_lambda._suite.from_template import suite_plan

        assert self.app is not None  # checked by register_template_suite
        given = resolve(config, "template_parameters")[0]  # replayed by the reproduce lines
        options = dataclasses.replace(self._options(config), template_parameters=given)
        return suite_plan(self.app, options, kinds=self.kinds)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if self.left_out:
            return
        for planned in self.plan(config):
            top = _Group.from_parent(session, name=planned.logical_id, nodeid=planned.logical_id)
            new: list[pytest.Item] = []
            if planned.options is None:
                new.append(TemplateProblem.from_parent(
                    top, name="template", problem=planned.problem, skip_reason=planned.skip_reason
                ))  # fmt: skip
            for trigger, why in planned.skipped_triggers:
                new.append(TemplateProblem.from_parent(
                    top, name=trigger, problem=None, skip_reason=f"trigger {trigger}: {why}"
                ))  # fmt: skip
            top.children.extend(new)
            for kind in planned.kinds if planned.options is not None else ():
                group = _Group.from_parent(top, name=kind)
                assert self.app is not None
                assert planned.options is not None
                criteria = self.app.functions[planned.logical_id].filter_criteria(kind)
                options: SuiteOptions | None
                try:  # the mapping's FilterCriteria: only records that pass it are sent
                    options = with_template_filter(planned.options, criteria, kind)
                except InvalidOption as exc:
                    options = None
                    bad = TemplateProblem.from_parent(
                        group, name="FilterCriteria", problem=str(exc), skip_reason=None
                    )
                    group.children.append(bad)
                    new.append(bad)
                for check in CHECKS if options is not None else ():
                    item = TemplateCheckItem.from_parent(
                        group, name=check, handler=planned.handler, kind=kind,
                        options=options, function=planned.logical_id,
                    )  # fmt: skip
                    group.children.append(item)
                    new.append(item)
                top.children.append(group)
            report = pytest.CollectReport(top.nodeid, "passed", None, list(new))
            session.ihook.pytest_collectreport(report=report)  # counted in "collected N items"
            items.extend(new)

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        assert self.app is not None
        runnable = [f for f in self.app.functions.values() if f.runnable]
        source = resolve(config, "template")[1]
        kinds = f", events={','.join(self.kinds)}" if self.kinds else ""
        return [
            f"lambda suite: template={self.app.file} ({source}), {len(runnable)} of "
            f"{len(self.app.functions)} functions runnable{kinds}, moto="
            f"{'on' if resolve(config, 'moto')[0] or resolve(config, 'moto_setup')[0] else 'off'}"
        ]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.results:
            return
        tr = terminalreporter
        tr.write_sep("=", "lambda conformance suite (template)")
        by_function: dict[str, list[dict[str, Any]]] = {}
        for row in self.results:
            by_function.setdefault(str(row.get("function", row["handler"])), []).append(row)
        for function, rows in by_function.items():
            kinds = list(dict.fromkeys(str(r["kind"]) for r in rows))
            tr.write_line(f"{function} ({rows[0]['handler']}, seed {rows[0]['seed']})")
            for line in summary_table(kinds, rows):
                tr.write_line(line)
            fn = self.app.functions.get(function) if self.app is not None else None
            for note in fn.notes if fn is not None else ():  # unset variables, architecture
                tr.write_line(f"  note: {note}")


def register_template_suite(config: pytest.Config) -> None:
    """Register the template suite when a template is named and no handler is set."""
    named, source = resolve(config, "template")
    if not named or resolve(config, "handler")[0]:
        return
    raw_kinds, kinds_source = resolve(config, "events")
    try:
        from pytest_lambda._suite.config import parse_kinds

        kinds = (
            parse_kinds(raw_kinds, f"--lambda-events (from {kinds_source})") if raw_kinds else []
        )
        check_ignore_state(config)
        app = app_for(config)
    except (InvalidOption, TemplateError) as exc:
        raise pytest.UsageError(f"{exc}; see {DOCS_OPTIONS}") from None
    if app is None or config.pluginmanager.has_plugin(PLUGIN_NAME):
        return
    asked = source == "command line"
    config.pluginmanager.register(TemplateSuitePlugin(config, kinds, asked=asked), PLUGIN_NAME)
