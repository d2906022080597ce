"""Differences that are not repeated side effects: time-derived items, per-request values.

* **Time-derived items** (:func:`derived_pairs`): a retried delivery runs later than the
  first (the source waits, the check's clock moves on) and under a new request id. A
  handler that keys a row by the invocation time or request id writes, after a failure
  *before* its write, one row under another key: the state diff shows one item removed and
  one added. When the two are the same item apart from values derived from the invocation
  time (ISO 8601 extended or basic, CLF timestamps, epoch seconds or milliseconds) or the
  request id, it is one write, not two: an ``info`` finding, never an error. A genuine second write still shows
  as an added item with nothing removed.
  An item keyed by a uuid made on every run is recognised the same way, and so is a value
  overwritten with one that differs only in such a uuid, time or request id (a receipt id
  written again by a retry, as under Powertools' idempotency utility after a failure).
* **Per-request values in responses** (:func:`per_request`): a changed response field
  whose two values are equal once UUIDs, long hex tokens and timestamps are blanked (a
  new ``Set-Cookie: cartId=<uuid>``, a request id in a body) is a warning, not proof of a
  duplicated side effect, when the state is the same.

Cost: linear in the size of the diff (added items are indexed by parent path and blanked
value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from pytest_lambda._checks.statediff import Change, diff, epoch_units, time_shifted

__all__ = ["derived_pairs", "parsed", "per_request", "response_changes"]

_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_HEX: Final = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{16,}(?![0-9A-Za-z])")
_TIME_TEXT: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"
    r"|(?<!\d)(?:19|20)\d{6}T\d{6}(?:\.?\d{1,9})?Z?(?!\d)"  # ISO 8601 basic: 20261207T051038Z
    r"|(?<!\d)1\d{9}(?:\d{3})?(?:\.\d+)?(?!\d)"
)
TIME: Final = "the invocation time"
REQUEST_ID: Final = "the request id"
RANDOM_ID: Final = "a random id (a new uuid on every run)"


def _is_epoch(value: object, around: float | None) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if type(value).__name__ == "Decimal":
            return _is_epoch(float(value), around)  # type: ignore[arg-type]
        return False
    return epoch_units(value, around) is not None


_DIGITS: Final = re.compile(r"(?<![\d.])\d{9,13}(?![\d.])")


def _near_epochs(text: str, around: float | None) -> list[str]:
    """Digit runs in ``text`` that read as epochs only because they are near ``around``
    (a clock frozen before 2001: :data:`_TIME_TEXT` covers the rest)."""
    if around is None:
        return []
    return [m for m in _DIGITS.findall(text) if epoch_units(float(m), around) is not None]


Found = list[tuple[str, str]]  # (what it derives from, the token blanked)


def _blank_time(
    node: object, found: Found, ids: Sequence[str], around: float | None = None
) -> object:
    """``node`` with timestamps, request ids and uuids blanked; ``found`` collects them
    (``around``: the check clock's epoch seconds, see ``statediff.epoch_units``)."""
    if isinstance(node, Mapping):
        return {
            _blank_time(k, found, ids, around): _blank_time(v, found, ids, around)
            for k, v in node.items()
        }
    if isinstance(node, (list, tuple)):
        return [_blank_time(v, found, ids, around) for v in node]
    if _is_epoch(node, around):
        found.append((TIME, repr(node)))
        return "<time>"
    if isinstance(node, str):
        text = node
        for rid in ids:
            if rid in text:
                text = text.replace(rid, "<request id>")
        text = text.replace("<aws_request_id>", "<request id>")
        if "<request id>" in text:
            found.append((REQUEST_ID, "<request id>"))
        text = text.replace("<timestamp>", "<time>")  # masked already: no evidence either way
        # uuids first: a uuid's last group can hold ten digits that read as epoch seconds
        # ('…-fc1032280959'), which blanked first would leave the uuid unrecognised
        for kind, pattern, blank in ((RANDOM_ID, _UUID, "<uuid>"), (TIME, _TIME_TEXT, "<time>")):
            found.extend((kind, m) for m in pattern.findall(text))
            text = pattern.sub(blank, text)
        for token in _near_epochs(text, around):
            found.append((TIME, token))
            text = re.sub(rf"(?<![\d.]){token}(?![\d.])", "<time>", text)
        return text
    return node


def _derived_from(left: Found, right: Found) -> set[str]:
    """What the two sides' differences derive from: the kinds whose tokens differ (a
    request id always does: every invocation has its own)."""
    kinds = {k for k, _ in left + right if k == REQUEST_ID}
    for kind in (TIME, RANDOM_ID):
        if sorted(t for k, t in left if k == kind) != sorted(t for k, t in right if k == kind):
            kinds.add(kind)
    return kinds


def _parent(path: str) -> str:
    """``state['t']`` for ``state['t']['pk=1']``: the path without its last ``[...]``."""
    depth = 0
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "]":
            depth += 1
        elif path[i] == "[":
            depth -= 1
            if depth == 0:
                return path[:i]
    return path


def derived_pairs(
    changes: Sequence[Change], request_ids: Iterable[str], around: float | None = None
) -> tuple[list[Change], list[tuple[Change, Change]], set[str]]:
    """Split ``changes`` into the rest and (removed, added) pairs of time-derived items.

    Returns the changes left, the pairs, and what the pairs' values were derived from
    (:data:`TIME`, :data:`REQUEST_ID`, :data:`RANDOM_ID`: a uuid made per run, which a
    retry after a failure before the write makes anew just as well).
    """
    ids = [i for i in request_ids if len(i) >= 6]
    # the added items, blanked once and indexed by (parent path, blanked value): O(changes)
    index: dict[tuple[str, str], list[tuple[Change, object, Found, Found]]] = {}
    for a in (c for c in changes if c.kind == "added"):
        key_a: Found = []
        value_a: Found = []
        blank_key_a = _blank_time(a.path[len(_parent(a.path)) :], key_a, ids, around)
        blank_a = _blank_time(a.after, value_a, ids, around)
        index.setdefault((_parent(a.path), repr(blank_a)), []).append(
            (a, blank_key_a, key_a, value_a)
        )
    pairs: list[tuple[Change, Change]] = []
    kinds: set[str] = set()
    used: set[int] = set()
    for r in (c for c in changes if c.kind == "removed"):
        key_r: Found = []
        value_r: Found = []
        blank_key_r = _blank_time(r.path[len(_parent(r.path)) :], key_r, ids, around)
        blank_r = _blank_time(r.before, value_r, ids, around)
        for a, blank_key_a, key_a, value_a in index.get((_parent(r.path), repr(blank_r)), ()):
            if id(a) in used:
                continue
            from_value = _derived_from(value_r, value_a)
            found = from_value | _derived_from(key_r, key_a)
            # an item holding its own key (a DynamoDB item) shows where the key came from
            # even when the key was cut short in the path
            if found and (blank_key_r == blank_key_a or from_value):
                pairs.append((r, a))
                kinds |= found
                used |= {id(r), id(a)}
                break
    # a value overwritten with one that differs only in a per-run uuid, the time or the
    # request id (a receipt id, an "updated at"): the same item written once, a pair (c, c)
    for c in (c for c in changes if c.kind == "changed"):
        before: Found = []
        after: Found = []
        if _blank_time(c.before, before, ids, around) != _blank_time(c.after, after, ids, around):
            continue
        found = _derived_from(before, after)
        if found:
            pairs.append((c, c))
            kinds |= found
            used.add(id(c))
    rest = [c for c in changes if id(c) not in used]
    return rest, pairs, kinds


# -- responses ----------------------------------------------------------------------------


def parsed(value: object) -> object:
    """``value`` with JSON object/array strings (an API Gateway body) parsed, recursively."""
    if isinstance(value, Mapping):
        return {k: parsed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [parsed(v) for v in value]
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return parsed(json.loads(value))
        except ValueError:
            return value
    return value


def response_changes(
    first: object, second: object, slack: float, around: float | None = None
) -> tuple[Change, ...]:
    """Every differing field of two (masked) responses, bodies parsed, clock moves left out."""
    return tuple(
        c
        for c in diff(parsed(first), parsed(second), "response")
        if not time_shifted(c, slack, around)
    )


def _blank_random(text: str) -> str:
    text = _UUID.sub("<uuid>", text)
    text = _HEX.sub("<hex>", text)
    text = _HTTP_DATE.sub("<time>", text)
    return _TIME_TEXT.sub("<time>", text)


_HTTP_DATE: Final = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"
)


def per_request(change: Change) -> bool:
    """Whether a changed response field differs only in a random id or a timestamp, or lies
    in botocore's ``ResponseMetadata`` (request id, HTTP date, retry count: every AWS answer
    has its own), which a handler returning an AWS result whole passes on."""
    if "['ResponseMetadata']" in change.path:
        return True
    if change.kind != "changed":
        return False
    a, b = change.before, change.after
    if isinstance(a, str) and isinstance(b, str):
        return a != b and _blank_random(a) == _blank_random(b)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):  # multi-value headers
        return all(
            isinstance(x, str) and isinstance(y, str) and _blank_random(x) == _blank_random(y)
            for x, y in zip(a, b, strict=True)
        )
    return False
