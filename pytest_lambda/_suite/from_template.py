"""The conformance suite of a template: every Python function x each of its triggers' kinds.

``suite_plan(app, base)`` gives one :class:`PlannedFunction` per function of the template:
the kinds to check and the :class:`~pytest_lambda._suite.engine.SuiteOptions` the checks of
that function run with (its code root, timeout, memory, name, environment, layers, the
trigger's generator parameters, and with moto its resources created from the template).
A function that cannot run keeps why (``problem``: a template error; ``skip_reason``: not
Python, inline code), and a trigger no kind models is listed with its reason, so the
pytest items and ``pytest-lambda check --template`` report them instead of dropping them.
Per-kind parameters of ``[tool.pytest_lambda.events.<kind>]`` are laid over each trigger's.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from pytest_lambda._suite.config import PARAM_SETS

if TYPE_CHECKING:
    from pytest_lambda._suite.engine import SuiteOptions
    from pytest_lambda._template.model import App, Function

__all__ = ["NAME_KINDS", "PlannedFunction", "suite_plan", "with_template_filter"]

NAME_KINDS = (
    "name the kinds of the events it receives with --events (pytest: --lambda-events), "
    "e.g. --events sqs"
)


@dataclass(frozen=True)
class PlannedFunction:
    """One function's part of the suite."""

    logical_id: str
    handler: str
    kinds: tuple[str, ...]
    options: SuiteOptions | None
    problem: str | None = None
    skip_reason: str | None = None
    skipped_triggers: tuple[tuple[str, str], ...] = ()  # (trigger name, why)


def _params(
    fn: Function, user: Mapping[str, Mapping[str, Any]], kinds: Sequence[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in kinds:
        mine = user.get(kind, {})
        if PARAM_SETS in mine or kind not in fn.kinds:  # the user's own replace the template's
            out[kind] = dict(mine)
            continue
        sets = [{**p, **mine} for p in fn.param_sets(kind)]
        out[kind] = sets[0] if len(sets) == 1 else {PARAM_SETS: sets}
    return out


def suite_plan(
    app: App, base: SuiteOptions, *, only: Sequence[str] = (), kinds: Sequence[str] = ()
) -> list[PlannedFunction]:
    """The suite of ``app``: functions named in ``only`` (all if empty), ``kinds`` (all if empty)."""
    from pytest_lambda._template.aws import create_resources

    setup = partial(create_resources, app, base.region) if base.uses_moto else None
    plan = []
    for logical, fn in app.functions.items():
        if only and logical not in only:
            continue
        if fn.problem is not None or fn.skip_reason is not None:
            plan.append(PlannedFunction(logical, fn.handler, (), None, fn.problem, fn.skip_reason))
            continue
        skipped = tuple((e.name, e.skip_reason) for e in fn.events if e.skip_reason)
        # no trigger of a kind the suite models: the kinds asked for, if any
        wanted = tuple(k for k in fn.kinds if not kinds or k in kinds) if fn.kinds else tuple(kinds)
        if not wanted:
            why = (
                f"no {' or '.join(kinds)} trigger (its triggers: {', '.join(fn.kinds)})"
                if fn.kinds
                else f"no trigger the suite can send events for: {NAME_KINDS}"
            )
            plan.append(PlannedFunction(logical, fn.handler, (), None, None, why, skipped))
            continue
        options = dataclasses.replace(
            base, timeout=fn.timeout, memory_mb=fn.memory_mb, root=fn.code_root,
            params_by_kind=_params(fn, base.params_by_kind, wanted), env=dict(fn.env),
            function_name=fn.function_name, layers=fn.layers, aws_setup=setup,
            setup_root=base.root, template=app.file, function_id=logical,
            idempotency_by_kind={k: fn.idempotency_keywords(k) for k in fn.kinds},
        )  # fmt: skip
        plan.append(PlannedFunction(logical, fn.handler, wanted, options, skipped_triggers=skipped))
    return plan


def with_template_filter(options: SuiteOptions, criteria: object | None, kind: str) -> SuiteOptions:
    """``options`` sending only the records the trigger's ``FilterCriteria`` lets through."""
    if criteria is None:
        return options
    from pytest_lambda._core.errors import InvalidEventSpec, InvalidOption
    from pytest_lambda._events._filter import parse_filters

    where = f"{options.template}: {options.function_id}: the {kind} trigger's FilterCriteria"
    try:
        if kind == "sns" and isinstance(criteria, Mapping) and "FilterPolicy" in criteria:
            from pytest_lambda._events._filter import sns_policy_pattern

            where = (
                f"{options.template}: {options.function_id}: the sns subscription's FilterPolicy"
            )
            criteria = sns_policy_pattern(
                criteria["FilterPolicy"], criteria.get("FilterPolicyScope")
            )
        patterns = parse_filters(criteria, kind)
    except InvalidEventSpec as exc:
        raise InvalidOption(f"{where}: {exc}") from None
    return dataclasses.replace(options, filters=patterns, filter_arg=json.dumps(criteria))
