"""Events that pass the mapping's filter: what the suite's checks invoke with ``--lambda-filter``.

Lambda drops the records a ``FilterCriteria`` rejects, so a check must only send records
that pass it. For each generated event: records already matching are kept; the others are
*steered* (the values a rule pins down, an exact value, a prefix, a numeric range, written
into the user payload: the SQS body, the Kinesis data, the DynamoDB record) and kept if they
match then; up to :data:`TRIES` seeds are drawn until a record passes. When none does,
:class:`NoMatchingEvents` says what the filter requires and how to supply matching events.
Cost: at most ``TRIES`` generations per event, each a few milliseconds.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_lambda._events._factory import derive_seed
from pytest_lambda._events._filter import FILTERED_FIELD, matches_filter, parse_filters

__all__ = [
    "FILTERABLE",
    "MAPPING_KINDS",
    "TRIES",
    "NoMatchingEvents",
    "filter_event",
    "generate_matching",
    "load_filter",
]

#: The kinds whose event source mappings take a ``FilterCriteria`` (``--lambda-filter``).
MAPPING_KINDS: Final = ("sqs", "kinesis", "dynamodb")
#: The kinds whose events the suite filters: the mappings', and SNS, whose subscriptions'
#: ``FilterPolicy`` a template gives (as a pattern: ``sns_policy_pattern``).
FILTERABLE: Final = (*MAPPING_KINDS, "sns")
TRIES: Final = 20
_SCHEMA_PARAM: Final = {"sqs": "body_schema (or body)", "kinesis": "data_schema (or data)",
                        "dynamodb": "item_schema (or item, event_name)"}  # fmt: skip


class NoMatchingEvents(Exception):
    """No generated record passes the filter; the message says what to do."""


def _example(rules: Sequence[Any], current: object) -> tuple[bool, object]:
    """A value that satisfies one of ``rules`` (``(False, _)``: leave the field alone)."""
    for rule in rules:
        if not isinstance(rule, Mapping):
            return True, rule
        ((op, arg),) = rule.items()
        if op == "equals-ignore-case":
            return True, arg
        if op == "prefix":
            return True, arg + (current if isinstance(current, str) else "x")
        if op == "suffix":
            return True, (current if isinstance(current, str) else "x") + arg
        if op == "numeric":
            return True, _in_range(arg)
        if op == "exists":
            return True, (current if current is not None else "x") if arg else _DELETE
    return False, None


_DELETE: Final = object()


def _in_range(spec: Sequence[Any]) -> float | int:
    low, high = float("-inf"), float("inf")
    for i in range(0, len(spec), 2):
        op, n = spec[i], spec[i + 1]
        if op == "=":
            return n  # type: ignore[no-any-return]
        if op in (">", ">="):
            low = n if op == ">=" else n + (1e-6 if isinstance(n, float) else 1)
        else:
            high = n if op == "<=" else n - (1e-6 if isinstance(n, float) else 1)
    if low != float("-inf"):
        return low
    return high if high != float("inf") else 0


def _steer(node: dict[str, Any], pattern: Mapping[str, Any]) -> None:
    for key, sub in pattern.items():
        if key == "$or":
            _steer(node, sub[0])
        elif isinstance(sub, Mapping):
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            _steer(child, sub)
        else:
            change, value = _example(sub, node.get(key))
            if change and value is _DELETE:
                node.pop(key, None)
            elif change:
                node[key] = value


def _steer_sns(record: dict[str, Any], pattern: Mapping[str, Any]) -> None:
    sns = record.get("Sns")
    if not isinstance(sns, dict):
        return
    if isinstance(pattern.get("Message"), Mapping):  # FilterPolicyScope: MessageBody
        try:
            payload = json.loads(sns.get("Message", ""))
        except (TypeError, ValueError):
            payload = None
        payload = payload if isinstance(payload, dict) else {}
        _steer(payload, pattern["Message"])
        sns["Message"] = json.dumps(payload, separators=(",", ":"))
    wanted = pattern.get("MessageAttributes")
    if isinstance(wanted, Mapping):
        attributes = sns.get("MessageAttributes")
        attributes = attributes if isinstance(attributes, dict) else {}
        values = {k: v.get("Value") for k, v in attributes.items() if isinstance(v, Mapping)}
        _steer(values, wanted)
        for name, value in values.items():
            if value is _DELETE or (name in attributes and attributes[name].get("Value") == value):
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                attributes[name] = {"Type": "Number", "Value": str(value)}
            else:
                attributes[name] = {"Type": "String", "Value": str(value)}
        for name in [n for n in attributes if n not in values]:
            attributes.pop(name)
        sns["MessageAttributes"] = attributes


def steer_record(kind: str, record: dict[str, Any], pattern: Mapping[str, Any]) -> None:
    """Write the values ``pattern`` pins down into ``record``'s payload (in place)."""
    if kind == "sns":
        _steer_sns(record, pattern)
        return
    field = FILTERED_FIELD.get(kind)
    if field is None:  # DynamoDB: the pattern mirrors the record
        _steer(record, pattern)
        _ddb_consistent(record)
        return
    sub = pattern.get(field)
    if sub is None:
        return
    if kind == "sqs":
        body = record.get("body")
        if not isinstance(sub, Mapping):  # a plain-string rule on the body
            change, value = _example(sub, body)
            if change and isinstance(value, str):
                record["body"] = value
                _sqs_md5(record)
            return
        try:
            payload = json.loads(body) if isinstance(body, str) else None
        except ValueError:
            payload = None
        payload = payload if isinstance(payload, dict) else {}
        _steer(payload, sub)
        record["body"] = json.dumps(payload, separators=(",", ":"))
        _sqs_md5(record)
        return
    inner = record["kinesis"]
    try:
        payload = json.loads(base64.b64decode(inner["data"]))
    except ValueError:
        payload = None
    payload = payload if isinstance(payload, dict) else {}
    if isinstance(sub, Mapping):
        _steer(payload, sub)
        inner["data"] = base64.b64encode(json.dumps(payload).encode()).decode()


def _sqs_md5(record: dict[str, Any]) -> None:
    import hashlib

    record["md5OfBody"] = hashlib.md5(record["body"].encode(), usedforsecurity=False).hexdigest()


def _ddb_consistent(record: dict[str, Any]) -> None:
    """After steering eventName: an INSERT has no OldImage, a REMOVE no NewImage."""
    ddb = record.get("dynamodb")
    if not isinstance(ddb, dict):
        return
    name = record.get("eventName")
    if name == "INSERT":
        ddb.pop("OldImage", None)
    elif name == "REMOVE":
        ddb.pop("NewImage", None)
    from pytest_lambda._events._ddb_json import item_size

    # a steered value that is not DynamoDB JSON: the size stays as drawn
    with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
        ddb["SizeBytes"] = sum(item_size(ddb.get(f)) for f in ("Keys", "NewImage", "OldImage"))


def filter_event(
    event: Mapping[str, Any], patterns: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """``event`` with only the records the filter delivers, or None when none passes."""
    records = [r for r in event.get("Records", ()) if matches_filter(r, list(patterns))]
    if not records:
        return None
    out = dict(event)
    out["Records"] = records
    return out


def generate_matching(
    kind: str, seed: int, params: Mapping[str, Any], patterns: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """An event of ``kind`` whose every record passes ``patterns`` (see the module docs)."""
    from pytest_lambda._events._core import generate

    if not patterns:
        return generate(kind, seed=seed, **params)
    for attempt in range(TRIES):
        drawn = seed if attempt == 0 else derive_seed(seed, "filter", attempt)
        event = generate(kind, seed=drawn, **params)
        kept = []
        for record in event["Records"]:
            if not matches_filter(record, list(patterns)):
                steered = copy.deepcopy(record)
                steer_record(kind, steered, patterns[attempt % len(patterns)])
                record = steered
            if matches_filter(record, list(patterns)):
                kept.append(record)
        if kept:
            event["Records"] = kept
            return event
    raise NoMatchingEvents(no_match_message(kind, patterns))


def no_match_message(kind: str, patterns: Sequence[Mapping[str, Any]]) -> str:
    shown = " or ".join(json.dumps(p) for p in patterns)
    return (
        f"none of the {kind} records generated in {TRIES} tries passes the filter {shown}, so "
        "Lambda would deliver none of them and nothing was tested. Fix: give records that "
        f"match it: set {_SCHEMA_PARAM[kind]} in [tool.pytest_lambda.events.{kind}] so the "
        "generated payloads have the fields and values the filter asks for, or check the "
        "filter against a real record with pytest_lambda.events.matches_filter(record, pattern)"
    )


def load_filter(
    raw: str, kinds: Sequence[str], origin: str = "--lambda-filter", base: str | None = None
) -> tuple[tuple[dict[str, Any], ...], str]:
    """``(patterns, raw)`` from ``raw``: JSON text or ``@file`` (relative to ``base``).

    One clear :class:`InvalidOption` for a missing file, bad JSON, a malformed pattern, or
    kinds the filter cannot apply to (exactly one of sqs, kinesis, dynamodb)."""
    from pathlib import Path

    from pytest_lambda._core.errors import InvalidEventSpec, InvalidOption

    text = raw.strip()
    if text.startswith("@"):
        path = Path(base or ".", text[1:]).expanduser()
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise InvalidOption(f"{origin}={raw!r}: cannot read {path}: {exc.strerror}") from None
    targets = [k for k in kinds if k in MAPPING_KINDS]
    if len(targets) != 1:
        given = ", ".join(kinds) or "none"
        raise InvalidOption(
            f"{origin}={raw!r}: a filter belongs to one event source mapping; the event kinds "
            f"({given}) must include exactly one of {', '.join(MAPPING_KINDS)}"
        )
    try:
        patterns = parse_filters(text, targets[0])
    except InvalidEventSpec as exc:
        raise InvalidOption(f"{origin}={raw!r}: {exc}") from None
    return patterns, raw
