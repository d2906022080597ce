"""The event kinds and the module of each (imported on first use)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

from pytest_lambda._core import facts
from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["KINDS", "kind_module"]


#: The event kinds, in documentation order.
KINDS: Final[tuple[str, ...]] = facts.EVENT_KINDS


_ALIASES: Final[dict[str, str]] = {
    "apigw": "apigw_v1",
    "rest": "apigw_v1",
    "apigateway": "apigw_v1",
    "api_gateway": "apigw_v1",
    "http": "apigw_v2",
    "httpapi": "apigw_v2",
    "http_api": "apigw_v2",
    "ddb": "dynamodb",
    "dynamodb_streams": "dynamodb",
    "elb": "alb",
    "lambda_url": "function_url",
    "url": "function_url",
    "ws": "websocket",
    "events": "eventbridge",
    "cloudwatch_events": "eventbridge",
    "schedule": "eventbridge",
    "kinesis_firehose": "firehose",
    "logs": "cloudwatch_logs",
    "awslogs": "cloudwatch_logs",
    "data_firehose": "firehose",
    "msk": "kafka",
    "self_managed_kafka": "kafka",
}


_LOADED: dict[str, ModuleType] = {}  # kind -> module, so a generate() skips importlib


def kind_module(kind: str) -> ModuleType:
    """The module implementing ``kind`` (imported on first use)."""
    kind_obj: object = kind
    loaded = _LOADED.get(kind) if isinstance(kind_obj, str) else None
    if loaded is not None:
        return loaded
    if not isinstance(kind, str):
        raise ArgumentTypeError(f"unknown event kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    if kind not in KINDS:
        hint = f" (did you mean {_ALIASES[kind]!r}?)" if kind in _ALIASES else ""
        raise InvalidEventSpec(
            f"unknown event kind {kind!r}{hint}; valid kinds: {', '.join(KINDS)}"
        )
    module = _LOADED[kind] = importlib.import_module(f"pytest_lambda._events._{kind}")
    return module
