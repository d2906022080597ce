"""The kind registry and ``generate()``: parameters in, a realistic event out.

Each kind lives in its own module (``_sqs``, ``_sns`` …) exposing:

``PARAMS``      name → one-line help, the kind's own parameters;
``build(world, params) -> dict``   the event, dependent fields built from independent ones;
``derive(event, is_protected)``    recompute dependent fields after overrides,
                                   skipping paths the user set;
``invariants(event) -> list[str]`` cross-field rules that do not hold (empty when realistic).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec
from pytest_lambda._events._kinds import kind_module

from ._overrides import apply_overrides, protector
from ._world import World

__all__ = ["COMMON_PARAMS", "EARLIEST_MS", "LATEST_MS", "generate", "kind_params"]


#: Parameters every kind takes (besides seed, overrides and validate).
COMMON_PARAMS: Final[dict[str, str]] = {
    "region": "AWS region of every ARN, host and awsRegion in the event (default: drawn from the seed)",
    "account_id": "12-digit account id of every ARN in the event (default: drawn from the seed)",
    "time": "invocation time (the event's own times are at or a little before it: an HTTP request is received 3-59 ms earlier): datetime, ISO 8601 string or epoch seconds, 2014 to 2099 (default: drawn from the seed)",
}


def kind_params(kind: str) -> dict[str, str]:
    """Every parameter ``kind`` accepts, with its help line."""
    params: dict[str, str] = dict(kind_module(kind).PARAMS)
    params.update(COMMON_PARAMS)
    return params


def generate(
    kind: str,
    *,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    validate: bool = True,
    **params: Any,
) -> dict[str, Any]:
    """A realistic event of ``kind``, as the service sends it to a Lambda function.

    ``kind`` is one of :data:`~pytest_lambda.events.KINDS` (``apigw_v1``, ``sqs``, ``alb`` …). Every
    field has the service's format and every cross-field rule holds (for example an SQS
    ``md5OfBody`` matches the body, an API Gateway ``time`` matches ``timeEpoch``).

    * ``seed``: the same seed and arguments give the same event, on any machine; ``None``
      draws a random one.
    * ``**params``: the kind's parameters (``pytest-lambda events list`` or
      :func:`pytest_lambda.events.params` lists them), plus ``region``, ``account_id``
      and ``time`` for every kind. Derived fields follow them.
    * ``overrides``: values to set after generation, as a nested dict (lists of dicts
      merge item by item: ``{"Records": [{"body": "x"}]}``, or by index:
      ``{"Records": {"0": {"body": "x"}}}``) or dotted paths (``{"Records.*.body": "x"}``); :data:`pytest_lambda.events.DELETE` removes a field.
      Fields derived from an overridden one are recomputed unless overridden too.
    * ``validate``: with overrides, check the result against the kind's JSON Schema and
      raise :class:`~pytest_lambda.EventValidationError` naming the path and the rule
      broken. Without overrides the event is valid by construction.

    Unknown parameters raise ``TypeError`` listing the valid ones; bad values raise
    :class:`~pytest_lambda.InvalidEventSpec` saying what was wrong.
    """
    __tracebackhide__ = True
    mod = kind_module(kind)
    if params:
        own: Mapping[str, str] = mod.PARAMS
        unknown = [p for p in params if p not in own and p not in COMMON_PARAMS]
        if unknown:
            valid = ", ".join(sorted({*own, *COMMON_PARAMS, "seed", "overrides", "validate"}))
            names = ", ".join(repr(u) for u in unknown)
            raise TypeError(
                f"{kind}() got unexpected parameter(s) {names}; valid parameters: {valid}"
            )
        time = params.pop("time", None)
        if time is not None:
            _check_time(time)
        world = World(
            seed,
            region=params.pop("region", None),
            account_id=params.pop("account_id", None),
            time=time,
        )
    else:  # the default event: nothing to check
        world = World(seed)
    build: Callable[[World, dict[str, Any]], dict[str, Any]] = mod.build
    event = build(world, params)
    if overrides:
        paths = apply_overrides(event, overrides)
        mod.derive(event, protector(paths))
        if validate:
            from ._validate import validate as _validate

            _validate(event, kind)
    return event


# Lambda (2014) and its event sources came later than this; the formats (10-digit epoch
# seconds, 13-digit milliseconds) hold until well after the upper bound.
EARLIEST_MS: Final = 1_388_534_400_000  # 2014-01-01T00:00:00Z
LATEST_MS: Final = 4_102_444_800_000  # 2100-01-01T00:00:00Z


def _check_time(value: object) -> None:
    from ._world import parse_time

    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidEventSpec(f"time={value!r}: expected a finite number of epoch seconds")
    ms = parse_time(value)
    if not EARLIEST_MS <= ms < LATEST_MS:
        if isinstance(value, (int, float)) and EARLIEST_MS <= value < LATEST_MS:
            raise InvalidEventSpec(
                f"time={value!r} looks like epoch milliseconds; time= takes epoch seconds "
                f"(time={f'{value / 1000:.3f}'.rstrip('0').rstrip('.')}) or a datetime"
            )
        raise InvalidEventSpec(
            f"time={value!r} is outside 2014-01-01..2100-01-01: no Lambda event was ever sent "
            "then (epoch seconds are counted from 1970; e.g. time='2026-11-22T10:00:00Z')"
        )
