"""Merging JSON Schemas: ``allOf`` branches, and ``$ref``/``oneOf`` branches with their siblings.

A value generated from ``merge(a, b)`` validates against both ``a`` and ``b``. When
two constraints cannot be combined (two different patterns, two formats …) the
merge raises :class:`InvalidEventSpec` rather than produce data one side rejects.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

__all__ = ["ANNOTATIONS", "merge"]

#: Keywords that never reject a value (ignored by the generator).
ANNOTATIONS: Final = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$anchor",
        "$dynamicAnchor",
        "$vocabulary",
        "title",
        "description",
        "default",
        "examples",
        "example",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentSchema",
        "nullable",
        "discriminator",
        "externalDocs",
        "xml",
        "$defs",
        "definitions",
    }
)

_LOWER: Final = ("minimum", "minLength", "minItems", "minProperties")
_UPPER: Final = ("maximum", "maxLength", "maxItems", "maxProperties")
_SUBSCHEMAS: Final = (
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
)

Schema = dict[str, Any]
Resolver = Callable[[Any, str], Any]


def _types(schema: Schema) -> set[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    return {t} if isinstance(t, str) else set(t)


def _merge_types(a: Schema, b: Schema, where: str) -> list[str] | None:
    ta, tb = _types(a), _types(b)
    if ta is None or tb is None:
        found = ta if tb is None else tb
        return None if found is None else sorted(found)
    common = ta & tb
    if ("integer" in ta and "number" in tb) or ("number" in ta and "integer" in tb):
        common.add("integer")
    if not common:
        raise InvalidEventSpec(
            f"body schema: the subschemas combined at {where} have no type in common "
            f"({sorted(ta)} vs {sorted(tb)}); no value can satisfy both"
        )
    return sorted(common)


def _both(x: Any, y: Any) -> Any:
    if x is True:
        return y
    if y is True:
        return x
    if x is False or y is False:
        return False
    return {"allOf": [x, y]}


def _merge_properties(a: Schema, b: Schema, out: Schema, where: str) -> None:
    pa: dict[str, Any] = a.get("properties", {})
    pb: dict[str, Any] = b.get("properties", {})
    required = set(out.get("required", ()))
    merged: dict[str, Any] = {}
    for name in dict.fromkeys([*pa, *pb]):
        parts = []
        for own, other, schema_other in ((pa, pb, b), (pb, pa, a)):
            if name in own:
                parts.append(own[name])
            if name in own and name not in other:
                extra = schema_other.get("additionalProperties", True)
                if schema_other.get("patternProperties"):
                    raise InvalidEventSpec(
                        f"body schema: patternProperties combined with properties at {where} "
                        "is not supported by the payload generator"
                    )
                parts.append(extra)
        schema = parts[0]
        for part in parts[1:]:
            schema = _both(schema, part)
        if schema is False:
            if name in required:
                raise InvalidEventSpec(
                    f"body schema: property {name!r} is required at {where} but another allOf "
                    "branch forbids it (additionalProperties: false)"
                )
            continue
        merged[name] = schema
    out["properties"] = merged


def _merge_key(key: str, x: Any, y: Any, where: str) -> Any:
    if key in _LOWER or (key == "exclusiveMinimum" and not isinstance(x, bool)):
        return max(x, y)
    if key in _UPPER or (key == "exclusiveMaximum" and not isinstance(x, bool)):
        return min(x, y)
    if key == "required":
        return list(dict.fromkeys([*x, *y]))
    if key == "enum":
        common = [v for v in x if v in y]
        if not common:
            raise InvalidEventSpec(f"body schema: the enums combined at {where} share no value")
        return common
    if key in _SUBSCHEMAS:
        return _both(x, y)
    if key == "allOf":
        return [*x, *y]
    if key == "uniqueItems":
        return x or y
    if key == "multipleOf" and isinstance(x, int) and isinstance(y, int):
        return x * y // math.gcd(x, y)
    if key == "dependentRequired":
        return {**x, **y}
    raise InvalidEventSpec(
        f"body schema: cannot combine two different {key!r} values at {where} "
        f"({x!r} and {y!r}); the payload generator merges allOf/oneOf branches key by key"
    )


def merge(a: Any, b: Any, where: str, resolve: Resolver) -> Any:
    """A schema whose values satisfy both ``a`` and ``b`` (``$ref`` resolved at the top)."""
    a, b = resolve(a, where), resolve(b, where)
    if a is True or b is False:
        return b
    if b is True or a is False:
        return a
    out: Schema = {k: v for k, v in a.items() if k not in ANNOTATIONS}
    for key, value in b.items():
        if key in ANNOTATIONS or key in ("type", "properties"):
            continue
        if key not in out:
            out[key] = value
        elif out[key] != value:
            out[key] = _merge_key(key, out[key], value, where)
    types = _merge_types(a, b, where)
    if types is not None:
        out["type"] = types
    if "properties" in a or "properties" in b:
        _merge_properties(a, b, out, where)
    if "const" in out and "enum" in out:
        if out["const"] not in out["enum"]:
            raise InvalidEventSpec(
                f"body schema: const {out['const']!r} is not in the enum at {where}"
            )
        del out["enum"]
    return out
