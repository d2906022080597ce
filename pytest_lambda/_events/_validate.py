"""JSON Schema validation (draft 2020-12), kind detection and invariant checks."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from pytest_lambda._core.errors import ArgumentTypeError, EventValidationError, InvalidEventSpec
from pytest_lambda._core.http_source import http_kind, is_authorizer_event
from pytest_lambda._core.json_rules import first_problem, show_path
from pytest_lambda._events._kinds import KINDS, kind_module

from ._overrides import format_path

__all__ = ["check_invariants", "detect", "more_note", "schema", "validate"]


@functools.cache
def _schema(kind: str) -> dict[str, Any]:
    if not isinstance(kind, str):
        raise ArgumentTypeError(f"unknown event kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    if kind not in KINDS:
        raise InvalidEventSpec(f"unknown event kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    text = (resources.files("pytest_lambda") / "schemas" / f"{kind}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(kind))


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` (a copy: mutate it freely)."""
    return copy.deepcopy(_schema(kind))


def detect(event: object) -> str | None:
    """The kind of ``event`` from its shape, or ``None`` when it is none of ours.

    One source is never called another (an ALB or WebSocket event is not ``apigw_v1``, a
    Function URL event is not ``apigw_v2``), and API Gateway authorizer requests are
    ``None``: see ``pytest_lambda._core.http_source``."""
    if not isinstance(event, Mapping):
        return None
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], Mapping):
        first = records[0]
        source = first.get("eventSource") or first.get("EventSource")
        return {
            "aws:sqs": "sqs",
            "aws:sns": "sns",
            "aws:s3": "s3",
            "aws:kinesis": "kinesis",
            "aws:dynamodb": "dynamodb",
        }.get(str(source))
    if "detail-type" in event and "source" in event and "detail" in event:
        return "eventbridge"
    if "deliveryStreamArn" in event and "invocationId" in event:
        return "firehose"
    if isinstance(event.get("awslogs"), Mapping):
        return "cloudwatch_logs"
    if isinstance(event.get("records"), Mapping) and "bootstrapServers" in event:
        return "kafka"
    return http_kind(event)


def _detect_or_raise(event: object, kind: str | None) -> str:
    if kind is not None:
        _schema(kind)  # raises for an unknown kind
        return kind
    found = detect(event)
    if found is None:
        shape = type(event).__name__
        if isinstance(event, Mapping):
            keys = ", ".join(map(str, list(event)[:8]))
            shape = f"an object with keys {keys}" if keys else "an empty object"
            if is_authorizer_event(event):
                raise EventValidationError(
                    f"cannot tell the event kind of {shape}: it is an API Gateway Lambda "
                    "authorizer request (type/methodArn/routeArn), which is none of the kinds "
                    f"{', '.join(KINDS)}",
                    path="<root>",
                )
        raise EventValidationError(
            f"cannot tell the event kind of {shape}; pass kind= one of {', '.join(KINDS)}",
            path="<root>",
        )
    return found


def _short(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters with a ``...`` when longer."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def more_note(n: int) -> str:
    """The end of a message that reports ``n`` further errors (``""`` for none)."""
    return f" (and {n} more, listed in .errors)" if n > 0 else ""


def _message(error: Any) -> str:
    """jsonschema's message with the value shown once, as a short repr."""
    message: str = error.message
    full, short = repr(error.instance), _short(error.instance)
    refused = error.validator_value if error.validator == "not" else None
    if isinstance(refused, dict) and "description" in refused and "required" in refused:
        # a schema that refuses a key says why: {"not": {"required": [key], "description": ...}}
        return f"{refused['required'][0]!r} is not allowed here: {refused['description']}"
    if full in message:
        message = message.replace(full, short, 1)
    elif error.validator in ("pattern", "enum", "const", "format"):
        message = f"{short}: {message}"
    if (
        error.validator == "pattern"
        and isinstance(error.instance, str)
        and "://" in error.instance
        and "&amp;" in error.instance
    ):
        message += "; the URL looks HTML-escaped (copied from a web page?): write '&' for '&amp;'"
    return message


def _check_json(event: object, kind: str) -> None:
    """Refuse what no event can hold (NaN, a non-string key, nesting past 500 levels...)
    before the schema: it is not JSON, and a deep value would exhaust the recursion limit."""
    found = first_problem(event)
    if found is None:
        return
    path, why = found
    where = show_path(path, format_path)
    raise EventValidationError(
        f"{kind} event invalid at {where}: {why}; events hold JSON only",
        kind=kind,
        path=where,
        errors=((where, why),),
    )


def validate(event: object, kind: str | None = None, *, invariants: bool = False) -> str:
    """Check ``event`` against the schema of ``kind`` (detected when omitted).

    Returns the kind. Raises :class:`EventValidationError` naming the JSON path,
    the offending value (a short repr) and the rule; ``errors`` lists every error,
    the reported one first. A value that is not JSON (``NaN``, a non-string key, a set,
    nesting past 500 levels) is reported alone, before the schema is checked. With ``invariants=True`` the cross-field rules of real
    events (md5s, time formats, ARNs agreeing …) are checked too.
    """
    __tracebackhide__ = True
    given = kind
    kind = _detect_or_raise(event, kind)
    _check_json(event, kind)
    from jsonschema.exceptions import best_match

    errors = list(_validator(kind).iter_errors(event))  # document order, for the listing
    shape = getattr(kind_module(kind), "shape_problem", None)  # a kind's clearer word on a oneOf
    problem = shape(event) if errors and shape is not None else None
    if problem is not None:
        raise EventValidationError(
            f"{kind} event invalid at <root>: {problem}{more_note(len(errors) - 1)}",
            kind=kind,
            path="<root>",
            errors=(
                ("<root>", problem),
                *((format_path(tuple(e.absolute_path)), _message(e)) for e in errors[1:]),
            ),
        )
    if errors:
        best = best_match(errors)
        where = format_path(tuple(best.absolute_path))
        ordered = [best, *(e for e in errors if e is not best)]
        all_errors = tuple((format_path(tuple(e.absolute_path)), _message(e)) for e in ordered)
        looks_like = detect(event) if given is not None else None
        hint = (
            f" (the event looks like {looks_like}, not {kind})"
            if looks_like not in (None, kind)
            else ""
        )
        raise EventValidationError(
            f"{kind} event invalid at {where}: {all_errors[0][1]}{hint}{more_note(len(errors) - 1)}",
            kind=kind,
            path=where,
            errors=all_errors,
        )
    if invariants:
        broken = check_invariants(event, kind)
        if broken:
            raise EventValidationError(
                f"{kind} event breaks an invariant of real events: {broken[0]}"
                f"{more_note(len(broken) - 1)}",
                kind=kind,
                path="",
                errors=tuple(("", b) for b in broken),
            )
    return kind


def check_invariants(event: object, kind: str | None = None) -> list[str]:
    """The cross-field rules of real ``kind`` events that ``event`` breaks (``[]`` if none).

    Assumes the event passes the schema; call :func:`validate` first.
    """
    kind = _detect_or_raise(event, kind)
    found: Iterable[str] = kind_module(kind).invariants(event)
    return list(found)
