"""Lambda event filtering (``FilterCriteria`` of an event source mapping), matched as Lambda does.

Source of the rules: the AWS Lambda Developer Guide, "Control which events Lambda sends to
your function" (docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html, the
"Filter rule syntax" table) and its per-source pages (with-sqs-filtering.html,
with-kinesis-filtering.html, with-ddb-filtering.html), read December 2026:

* a pattern is a JSON object; a key maps to a nested pattern (an object) or to a non-empty
  list of rules, any of which may match; several keys must all match; ``"$or"`` takes a
  list of patterns, any of which may match; several filters of one mapping are OR'ed.
* rules: a string, number, ``true``/``false`` or ``null`` (equal), ``""`` (empty string),
  ``{"prefix": s}``, ``{"suffix": s}``, ``{"equals-ignore-case": s}``,
  ``{"anything-but": v | [v, ...] | {"prefix"|"suffix"|"equals-ignore-case": s}}``,
  ``{"numeric": [op, n]}`` or ``[op, n, op, n]`` (ops ``= < <= > >=``),
  ``{"exists": true|false}``. A list in the record matches when any element matches.
* SQS filters on ``body`` only: parsed as JSON when it is JSON, else matched as a plain
  string (a JSON pattern never matches a plain-string body and a plain-string rule never
  matches a JSON body). Kinesis filters on ``data`` only: the base64 payload decoded as
  JSON (a record whose data is not JSON matches no ``data`` rule). DynamoDB Streams
  records are matched as they are (``eventName``, ``dynamodb.Keys``/``NewImage``...).

Cost: one walk of the pattern per record; decoding a Kinesis payload once per call.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

__all__ = [
    "FILTERED_FIELD", "matches_filter", "parse_filters", "record_view", "sns_policy_pattern",
]  # fmt: skip

#: The one key SQS and Kinesis mappings filter on (DynamoDB: the whole record).
FILTERED_FIELD: Final = {"sqs": "body", "kinesis": "data"}
_NUMERIC_OPS: Final = ("=", "<", "<=", ">", ">=")
_OPERATORS: Final = (
    "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists",
)  # fmt: skip
_MISSING: Final = object()


def _bad(where: str, what: str) -> InvalidEventSpec:
    return InvalidEventSpec(
        f"filter pattern: {where or 'the pattern'}: {what}; see the rule syntax in AWS's 'Lambda event "
        'filtering\' page (e.g. {"body": {"type": ["order"]}})'
    )


def _check_rule(rule: object, where: str) -> None:
    if rule is None or isinstance(rule, (str, bool, int, float)):
        return
    if not isinstance(rule, Mapping) or len(rule) != 1:
        raise _bad(where, f"a rule must be a value or an object of one operator, not {rule!r}")
    ((op, arg),) = rule.items()
    if op not in _OPERATORS:
        raise _bad(where, f"unknown operator {op!r}; valid: {', '.join(_OPERATORS)}")
    if op in ("prefix", "suffix", "equals-ignore-case") and not isinstance(arg, str):
        raise _bad(where, f"{op} takes a string, not {arg!r}")
    if op == "exists" and not isinstance(arg, bool):
        raise _bad(where, f"exists takes true or false, not {arg!r}")
    if op == "numeric":
        _check_numeric(arg, where)
    if op == "anything-but":
        if isinstance(arg, Mapping):
            if len(arg) != 1 or next(iter(arg)) not in ("prefix", "suffix", "equals-ignore-case"):
                raise _bad(where, f"anything-but takes a value, a list or one of prefix, "
                                  f"suffix, equals-ignore-case, not {dict(arg)!r}")  # fmt: skip
            _check_rule(dict(arg), where)
        elif isinstance(arg, list):
            if not arg or not all(isinstance(v, (str, int, float)) for v in arg):
                raise _bad(where, f"anything-but takes a non-empty list of strings or numbers, "
                                  f"not {arg!r}")  # fmt: skip
        elif not isinstance(arg, (str, int, float)) or isinstance(arg, bool):
            raise _bad(where, f"anything-but takes a string, a number or a list, not {arg!r}")


def _check_numeric(arg: object, where: str) -> None:
    ok = isinstance(arg, list) and len(arg) in (2, 4)
    if ok:
        assert isinstance(arg, list)
        for i in range(0, len(arg), 2):
            op, n = arg[i], arg[i + 1]
            number = isinstance(n, (int, float)) and not isinstance(n, bool)
            ok = ok and op in _NUMERIC_OPS and number and (len(arg) == 2 or op != "=")
    if not ok:
        raise _bad(where, f"numeric takes [op, number] or [op, number, op, number] with op "
                          f"one of {', '.join(_NUMERIC_OPS)}, not {arg!r}")  # fmt: skip


def _check_pattern(pattern: object, where: str) -> None:
    if not isinstance(pattern, Mapping) or not pattern:
        raise _bad(where, f"a pattern must be a non-empty JSON object, not {pattern!r}")
    for key, value in pattern.items():
        at = f"{where}.{key}" if where else str(key)
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise _bad(at, "$or takes a list of at least two patterns")
            for n, sub in enumerate(value):
                _check_pattern(sub, f"{at}[{n}]")
        elif isinstance(value, Mapping):
            _check_pattern(value, at)
        elif isinstance(value, list):
            if not value:
                raise _bad(at, "an empty list of rules matches nothing; give at least one rule")
            for rule in value:
                _check_rule(rule, at)
        else:
            raise _bad(at, f"a key must map to a list of rules or a nested object, not {value!r}")


def parse_filters(raw: object, kind: str | None = None) -> tuple[dict[str, Any], ...]:
    """The patterns of ``raw``: a pattern, a list of patterns (OR'ed), a ``FilterCriteria``
    (``{"Filters": [{"Pattern": "<JSON>"}]}``) or the JSON text of any of them.

    Raises :class:`InvalidEventSpec` naming what is wrong; with ``kind`` (``sqs``,
    ``kinesis``), a pattern on another top-level key than the one that source filters on."""
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise _bad("the text", f"not JSON ({exc})") from None
    if isinstance(raw, Mapping) and "Filters" in raw:
        filters = raw["Filters"]
        if not isinstance(filters, list) or not filters:
            raise _bad("Filters", 'must be a non-empty list of {"Pattern": "<JSON>"}')
        items: list[object] = []
        for n, entry in enumerate(filters):
            text = entry.get("Pattern") if isinstance(entry, Mapping) else None
            if not isinstance(text, str):
                raise _bad(f"Filters[{n}]", 'each filter must be {"Pattern": "<JSON text>"}')
            try:
                items.append(json.loads(text))
            except ValueError as exc:
                raise _bad(f"Filters[{n}].Pattern", f"not JSON ({exc})") from None
    else:
        items = list(raw) if isinstance(raw, list) else [raw]
    if not items:
        raise _bad("the list", "no pattern given")
    for n, item in enumerate(items):
        _check_pattern(item, f"filter {n + 1}" if len(items) > 1 else "")
        field = FILTERED_FIELD.get(kind or "")
        assert isinstance(item, Mapping)
        other = sorted(set(item) - {field, "$or"}) if field else []
        if other:
            raise _bad(str(other[0]), f"{kind} event source mappings filter on the "
                                      f"{field!r} key only")  # fmt: skip
    return tuple(dict(i) for i in items)  # type: ignore[call-overload]


def record_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a filter sees of one record: SQS ``{"body": ...}``, Kinesis ``{"data": ...}``
    (decoded; absent when not JSON), any other record as it is."""
    source = record.get("eventSource")
    if source == "aws:sqs":
        body = record.get("body")
        try:
            parsed = json.loads(body) if isinstance(body, str) else body
        except ValueError:
            parsed = body
        return {"body": parsed}
    if record.get("EventSource") == "aws:sns":
        found = record.get("Sns")
        sns: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        message = sns.get("Message")
        try:
            parsed = json.loads(message) if isinstance(message, str) else message
        except ValueError:
            parsed = message
        attributes = sns.get("MessageAttributes")
        return {
            "Message": parsed,
            "MessageAttributes": {
                str(name): _attribute_value(value)
                for name, value in (attributes.items() if isinstance(attributes, Mapping) else ())
            },
        }
    if source == "aws:kinesis":
        try:
            raw = base64.b64decode(record["kinesis"]["data"], validate=True)
            return {"data": json.loads(raw.decode("utf-8"))}
        except (KeyError, TypeError, ValueError, binascii.Error):
            return {}
    return dict(record)


def _attribute_value(attribute: object) -> object:
    """An SNS message attribute as a filter policy compares it: a number for ``Number``, a
    list for ``String.Array``, else the text."""
    if not isinstance(attribute, Mapping):
        return attribute
    kind, value = attribute.get("Type"), attribute.get("Value")
    try:
        if kind == "Number" and isinstance(value, str):
            number = float(value)
            return int(number) if number.is_integer() else number
        if kind == "String.Array" and isinstance(value, str):
            return json.loads(value)
    except ValueError:
        pass
    return value


def sns_policy_pattern(policy: object, scope: object = None) -> dict[str, Any]:
    """An SNS subscription's ``FilterPolicy`` as a pattern over :func:`record_view`'s
    view of an SNS record: on the message attributes (the default ``FilterPolicyScope``),
    or on the JSON message (``MessageBody``). The two languages share their rules (exact
    values, ``prefix``, ``suffix``, ``anything-but``, ``numeric``, ``exists``,
    ``equals-ignore-case``, ``$or``)."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            raise _bad("FilterPolicy", "not JSON") from None
    if not isinstance(policy, Mapping):
        raise _bad("FilterPolicy", "a filter policy is a JSON object")
    key = "Message" if str(scope or "MessageAttributes") == "MessageBody" else "MessageAttributes"
    return {key: dict(policy)}


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _equal(value: object, rule: object) -> bool:
    if _number(rule) and _number(value):
        return float(value) == float(rule)  # type: ignore[arg-type]
    return type(value) is type(rule) and value == rule


def _numeric(value: object, spec: Sequence[Any]) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    ops = {"=": float.__eq__, "<": float.__lt__, "<=": float.__le__,
           ">": float.__gt__, ">=": float.__ge__}  # fmt: skip
    return all(ops[spec[i]](float(value), float(spec[i + 1])) for i in range(0, len(spec), 2))


def _rule(value: object, rule: object) -> bool:
    if not isinstance(rule, Mapping):
        return value is not _MISSING and _equal(value, rule)
    ((op, arg),) = rule.items()
    if op == "exists":
        return (value is not _MISSING) is arg
    if value is _MISSING:
        return False
    if op == "prefix":
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.casefold() == arg.casefold()
    if op == "numeric":
        return _numeric(value, arg)
    # anything-but
    if isinstance(arg, Mapping):
        return not _rule(value, arg)
    values = arg if isinstance(arg, list) else [arg]
    return not any(_equal(value, v) for v in values)


def _leaf(value: object, rules: Sequence[Any]) -> bool:
    if isinstance(value, list):
        if not value:
            return any(_rule(_MISSING, r) for r in rules)
        return any(_rule(v, r) for v in value for r in rules)
    return any(_rule(value, r) for r in rules)


def _match(node: object, pattern: Mapping[str, Any]) -> bool:
    scope = node if isinstance(node, Mapping) else {}
    for key, sub in pattern.items():
        if key == "$or":
            if not any(_match(node, alt) for alt in sub):
                return False
        elif isinstance(sub, Mapping):
            if not _match(scope.get(key, _MISSING), sub):
                return False
        elif not _leaf(scope.get(key, _MISSING), sub):
            return False
    return True


def matches_filter(record: Mapping[str, Any], pattern: object) -> bool:
    """Whether Lambda would deliver ``record`` (one element of ``event["Records"]``) through
    a mapping with filter ``pattern`` (a pattern, a list of them OR'ed, a ``FilterCriteria``
    or JSON text). A malformed pattern raises :class:`InvalidEventSpec`."""
    source = record.get("eventSource")
    kind = {"aws:sqs": "sqs", "aws:kinesis": "kinesis"}.get(str(source))
    patterns = parse_filters(pattern, kind)  # SQS and Kinesis filter their payload's key only
    view = record_view(record)
    return any(_match(view, p) for p in patterns)
