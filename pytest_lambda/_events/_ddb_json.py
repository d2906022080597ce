"""DynamoDB JSON: marshal plain Python values into attribute values, and measure items.

``marshal(value)`` gives the typed form a stream record carries (``{"S": "x"}``,
``{"N": "42"}``, ``{"M": {...}}`` ...): str → S, bool → BOOL, None → NULL, int/float/
Decimal → N, bytes → B (base64), dict → M, list/tuple → L, a set or frozenset of str /
numbers / bytes → SS / NS / BS. ``item_size`` is DynamoDB's documented item size
(CapacityUnitCalculations.html), which a stream record's ``SizeBytes`` is: the sizes of
``Keys``, ``NewImage`` and ``OldImage`` added up. Both are linear in the item's size.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

__all__ = ["TYPES", "attribute_problem", "item_size", "marshal", "marshal_item"]

#: Every attribute type tag of DynamoDB JSON.
TYPES: Final = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")


def _number(value: int | float | Decimal, where: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidEventSpec(f"{where}={value!r}: DynamoDB numbers are finite")
    text = str(value) if not isinstance(value, float) else repr(value)
    return text


def marshal(value: Any, where: str = "item") -> dict[str, Any]:
    """The DynamoDB JSON attribute value of a plain Python ``value``."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (int, float, Decimal)):
        return {"N": _number(value, where)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"B": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return {"M": marshal_item(value, where)}
    if isinstance(value, (list, tuple)):
        return {"L": [marshal(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, (set, frozenset)) and value:
        items = sorted(value, key=repr)
        if all(isinstance(v, str) for v in items):
            return {"SS": sorted(items)}
        if all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in items):
            return {"NS": [_number(v, where) for v in sorted(items)]}
        if all(isinstance(v, bytes) for v in items):
            return {"BS": [base64.b64encode(v).decode("ascii") for v in sorted(items)]}
    raise InvalidEventSpec(
        f"{where}={value!r:.80}: not a DynamoDB value; use str, number, bytes, bool, None, "
        "dict, list, or a non-empty set of str, numbers or bytes"
    )


def marshal_item(item: Mapping[Any, Any], where: str = "item") -> dict[str, Any]:
    """``{name: attribute value}`` of a plain dict (names must be non-empty strings)."""
    out: dict[str, Any] = {}
    for name, value in item.items():
        if not isinstance(name, str) or not name:
            raise InvalidEventSpec(
                f"{where} has attribute name {name!r}: names are non-empty strings"
            )
        out[name] = marshal(value, f"{where}.{name}")
    return out


def _significant(number: str) -> int:
    digits = number.lstrip("+-").lower().split("e")[0].replace(".", "").strip("0")
    return max(len(digits), 1)


def _b64_len(text: object) -> int:
    if not isinstance(text, str):
        return 0
    try:
        return len(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return len(text)


def _value_size(av: object) -> int:
    if not isinstance(av, Mapping) or len(av) != 1:
        return 0
    ((tag, v),) = av.items()
    if tag == "S":
        return len(v.encode("utf-8")) if isinstance(v, str) else 0
    if tag == "N":
        return (_significant(v) + 1) // 2 + 1 if isinstance(v, str) else 0
    if tag == "B":
        return _b64_len(v)
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "SS":
        return sum(len(s.encode("utf-8")) for s in v if isinstance(s, str))
    if tag == "NS":
        return sum((_significant(s) + 1) // 2 + 1 for s in v if isinstance(s, str))
    if tag == "BS":
        return sum(_b64_len(s) for s in v)
    if tag == "L" and isinstance(v, list):
        return 3 + sum(_value_size(e) + 1 for e in v)
    if tag == "M" and isinstance(v, Mapping):
        return 3 + sum(len(str(k).encode("utf-8")) + _value_size(e) + 1 for k, e in v.items())
    return 0


def item_size(item: object) -> int:
    """DynamoDB's size of an item in DynamoDB JSON: names plus values plus overheads."""
    if not isinstance(item, Mapping):
        return 0
    return sum(len(str(k).encode("utf-8")) + _value_size(v) for k, v in item.items())


def attribute_problem(av: object, where: str) -> str | None:
    """What makes ``av`` an invalid attribute value beyond the schema (sets), or None."""
    if not isinstance(av, Mapping) or len(av) != 1:
        return None
    ((tag, v),) = av.items()
    if tag in ("SS", "NS", "BS") and isinstance(v, list) and len(set(map(str, v))) != len(v):
        return f"{where}.{tag} repeats an element; a set holds each value once"
    if tag == "M" and isinstance(v, Mapping):
        for k, e in v.items():
            found = attribute_problem(e, f"{where}.M.{k}")
            if found:
                return found
    if tag == "L" and isinstance(v, list):
        for i, e in enumerate(v):
            found = attribute_problem(e, f"{where}.L[{i}]")
            if found:
                return found
    return None
