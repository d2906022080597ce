"""payload_from_schema: values generated from a user's JSON Schema validate against it."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from pytest_lambda._core.errors import InvalidEventSpec
from pytest_lambda._events._payload import compile_schema, payload_from_schema
from pytest_lambda._events._world import World

D2020 = "https://json-schema.org/draft/2020-12/schema"

ORDER: dict[str, Any] = {
    "$schema": D2020,
    "$id": "https://example.com/schemas/order.json",
    "type": "object",
    "required": ["orderId", "customer", "items", "total", "currency", "status", "createdAt"],
    "additionalProperties": False,
    "properties": {
        "orderId": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
        "customer": {"$ref": "#/$defs/customer"},
        "items": {"type": "array", "minItems": 1, "maxItems": 5, "items": {"$ref": "#/$defs/item"}},
        "total": {"type": "number", "minimum": 0, "exclusiveMaximum": 100000, "multipleOf": 0.01},
        "currency": {"type": "string", "enum": ["USD", "EUR", "GBP"]},
        "status": {"const": "PLACED"},
        "createdAt": {"type": "string", "format": "date-time"},
        "note": {"type": ["string", "null"], "maxLength": 40},
        "tags": {
            "type": "array",
            "uniqueItems": True,
            "maxItems": 4,
            "items": {"type": "string", "pattern": "^[a-z]{3,8}$"},
        },
        "coupon": {"$ref": "https://example.com/schemas/order.json#/$defs/coupon"},
    },
    "$defs": {
        "customer": {
            "type": "object",
            "required": ["id", "email", "name"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "email": {"type": "string", "format": "email"},
                "name": {"type": "string", "minLength": 1},
                "city": {"type": "string"},
            },
        },
        "item": {
            "type": "object",
            "required": ["sku", "quantity"],
            "properties": {
                "sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}(-[A-Z]{2})?$"},
                "quantity": {"type": "integer", "minimum": 1, "maximum": 10},
                "unitPrice": {"type": "number", "exclusiveMinimum": 0, "maximum": 500},
            },
        },
        "coupon": {"type": "string", "pattern": "^[A-Z0-9]{8}$"},
    },
}

USER_PROFILE: dict[str, Any] = {
    "$schema": D2020,
    "type": "object",
    "required": ["userId", "firstName", "lastName", "email", "address", "roles"],
    "properties": {
        "userId": {"type": "string", "format": "uuid"},
        "username": {"type": "string", "minLength": 3, "maxLength": 20},
        "firstName": {"type": "string", "minLength": 1, "maxLength": 50},
        "lastName": {"type": "string", "minLength": 1, "maxLength": 50},
        "email": {"type": "string", "format": "email"},
        "phone": {"type": "string"},
        "age": {"type": "integer", "minimum": 18, "maximum": 120},
        "website": {"type": "string", "format": "uri"},
        "address": {
            "type": "object",
            "required": ["street", "city", "zip", "country"],
            "additionalProperties": False,
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string", "maxLength": 60},
                "zip": {"type": "string", "pattern": "^\\d{5}(-\\d{4})?$"},
                "country": {"type": "string", "enum": ["US", "CA", "MX"]},
                "currency": {"type": "string", "minLength": 3, "maxLength": 3},
            },
        },
        "roles": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": ["admin", "editor", "viewer", "billing"]},
        },
        "preferences": {"type": "object", "additionalProperties": {"type": "boolean"}},
        "lastLogin": {"type": ["string", "null"], "format": "date-time"},
        "ip": {"type": "string", "format": "ipv4"},
        "ipv6": {"type": "string", "format": "ipv6"},
        "host": {"type": "string", "format": "hostname"},
        "birthday": {"type": "string", "format": "date"},
        "wakeUp": {"type": "string", "format": "time"},
    },
}

ENUMS: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "level", "mixed", "flag", "fixed"],
    "properties": {
        "kind": {"const": "audit"},
        "level": {"type": "integer", "enum": [1, 2, 3, "x"]},
        "mixed": {"enum": [1, "a", None, {"k": [1, 2]}]},
        "flag": {"type": "boolean"},
        "fixed": {"const": {"a": [1, 2, {"b": None}]}},
        "nothing": {"type": "null"},
    },
}

ARRAYS: dict[str, Any] = {
    "type": "object",
    "required": ["scores", "pair", "empty", "unique", "matrix"],
    "properties": {
        "scores": {
            "type": "array",
            "minItems": 2,
            "maxItems": 4,
            "items": {"type": "integer", "multipleOf": 5},
        },
        "pair": {
            "type": "array",
            "prefixItems": [{"type": "string"}, {"type": "integer"}],
            "items": False,
            "minItems": 2,
        },
        "empty": {"type": "array", "maxItems": 0},
        "unique": {
            "type": "array",
            "minItems": 3,
            "maxItems": 3,
            "uniqueItems": True,
            "items": {"type": "integer", "minimum": 1, "maximum": 4},
        },
        "matrix": {
            "type": "array",
            "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}},
        },
        "big": {"type": "array", "minItems": 10, "items": {"type": "string", "maxLength": 3}},
    },
}

PATTERNS: dict[str, Any] = {
    "type": "object",
    "required": [
        "order",
        "passport",
        "charge",
        "mail",
        "version",
        "dotted",
        "unanchored",
        "groups",
        "escapes",
        "negated",
        "lazy",
    ],
    "properties": {
        "order": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
        "passport": {"type": "string", "pattern": "^[A-Z]{2}\\d{8}$"},
        "charge": {"type": "string", "pattern": "^(inv|crd)_[a-zA-Z0-9]{12}$"},
        "mail": {"type": "string", "pattern": "^\\w+@\\w+\\.(com|net)$"},
        "version": {"type": "string", "pattern": "^v\\d+\\.\\d+\\.\\d+(-rc\\.\\d+)?$"},
        "dotted": {"type": "string", "pattern": ".*", "minLength": 5, "maxLength": 9},
        "unanchored": {"type": "string", "pattern": "[abc]", "minLength": 10, "maxLength": 12},
        "groups": {"type": "string", "pattern": "^(?:a|bb|(?P<x>c{2,3}))+$", "maxLength": 12},
        "escapes": {"type": "string", "pattern": "^\\$\\d{1,3}\\.\\d\\d [\\-+*/]\\x41\\u00e9$"},
        "negated": {"type": "string", "pattern": "^[^0-9\\s]{4,}$", "maxLength": 30},
        "lazy": {"type": "string", "pattern": "^a+?b{2,}?c*$", "minLength": 20},
        "lengthy": {"type": "string", "pattern": "^[a-z]+$", "minLength": 25, "maxLength": 30},
    },
}

REFS: dict[str, Any] = {
    "$schema": D2020,
    "$ref": "#/$defs/tree",
    "$defs": {
        "tree": {
            "type": "object",
            "required": ["value", "children"],
            "properties": {
                "value": {"type": "integer"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
                "next": {"$ref": "#/$defs/list"},
            },
        },
        "list": {
            "type": ["object", "null"],
            "required": ["head"],
            "properties": {"head": {"type": "string"}, "tail": {"$ref": "#/$defs/list"}},
        },
    },
}

ONE_OF: dict[str, Any] = {
    "type": "object",
    "required": ["payment", "amount", "either"],
    "properties": {
        "payment": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["type", "number", "expiry"],
                    "properties": {
                        "type": {"const": "card"},
                        "number": {"type": "string", "pattern": "^4\\d{15}$"},
                        "expiry": {"type": "string", "pattern": "^(0[1-9]|1[0-2])/\\d{2}$"},
                    },
                },
                {
                    "type": "object",
                    "required": ["type", "iban"],
                    "properties": {
                        "type": {"const": "bank"},
                        "iban": {"type": "string", "pattern": "^DE\\d{20}$"},
                    },
                },
                {"$ref": "#/$defs/wallet"},
            ],
        },
        "amount": {
            "oneOf": [{"type": "integer", "multipleOf": 3}, {"type": "integer", "multipleOf": 5}],
            "minimum": 0,
            "maximum": 30,
        },
        "either": {
            "anyOf": [{"type": "string", "maxLength": 4}, {"type": "integer", "maximum": -1}]
        },
        "merged": {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"properties": {"b": {"type": "integer", "minimum": 3}}, "required": ["b"]},
                {"properties": {"a": {"maxLength": 5}}},
            ],
        },
        "closed": {
            "allOf": [
                {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "additionalProperties": False,
                },
                {"properties": {"a": {"minLength": 2}, "b": {"type": "integer"}}},
            ],
        },
    },
    "$defs": {
        "wallet": {
            "type": "object",
            "required": ["type", "provider"],
            "properties": {"type": {"const": "wallet"}, "provider": {"enum": ["apple", "google"]}},
        },
    },
}

NUMBERS: dict[str, Any] = {
    "type": "object",
    "required": ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
    "properties": {
        "a": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "b": {"type": "number", "multipleOf": 0.1, "minimum": -5, "maximum": 5},
        "c": {"type": "number", "multipleOf": 0.25},
        "d": {"type": "integer", "maximum": -10},
        "e": {"type": "integer", "exclusiveMaximum": 10.5, "exclusiveMinimum": 8},
        "f": {"type": "integer", "minimum": 1000000},
        "g": {"type": ["integer", "number"], "minimum": 2, "maximum": 2},
        "h": {"type": "number", "minimum": 0.001, "maximum": 0.002},
        "i": {"type": "integer", "multipleOf": 7, "minimum": 1, "maximum": 20},
        "price": {"type": "number"},
        "quantity": {"type": "integer"},
    },
}

DRAFT7: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["event", "point", "payload"],
    "properties": {
        "event": {"$ref": "#/definitions/event"},
        "point": {
            "type": "array",
            "items": [{"type": "number"}, {"type": "number"}],
            "additionalItems": False,
        },
        "payload": {
            "type": "object",
            "properties": {"credit": {"type": "string"}, "billing": {"type": "string"}},
            "dependencies": {"credit": ["billing"]},
        },
        "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
    },
    "definitions": {
        "event": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string", "enum": ["created", "deleted"]}},
        },
    },
}

SCHEMAS: dict[str, tuple[dict[str, Any], type]] = {
    "order": (ORDER, Draft202012Validator),
    "user_profile": (USER_PROFILE, Draft202012Validator),
    "enums": (ENUMS, Draft202012Validator),
    "arrays": (ARRAYS, Draft202012Validator),
    "patterns": (PATTERNS, Draft202012Validator),
    "refs": (REFS, Draft202012Validator),
    "one_of": (ONE_OF, Draft202012Validator),
    "numbers": (NUMBERS, Draft202012Validator),
    "draft7": (DRAFT7, Draft7Validator),
}


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_generated_value_validates(name: str) -> None:
    schema, cls = SCHEMAS[name]
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    for seed in range(500):
        value = payload_from_schema(schema, World(seed))
        errors = list(validator.iter_errors(value))
        assert not errors, f"seed {seed}: {errors[0].json_path}: {errors[0].message}\n{value!r}"


def test_optional_properties_appear_about_seventy_percent_of_the_time() -> None:
    hits = sum("note" in payload_from_schema(ORDER, World(s)) for s in range(1000))
    assert 620 <= hits <= 780


def test_the_generator_exercises_every_branch_and_type() -> None:
    payments = {payload_from_schema(ONE_OF, World(s))["payment"]["type"] for s in range(200)}
    assert payments == {"card", "bank", "wallet"}
    notes = [payload_from_schema(ORDER, World(s)).get("note", "absent") for s in range(300)]
    assert any(n is None for n in notes)
    assert any(isinstance(n, str) for n in notes)


def test_recursive_refs_terminate_and_nest() -> None:
    depths = []
    for seed in range(200):
        tree = payload_from_schema(REFS, World(seed))
        depth = 0
        while tree["children"]:
            tree = tree["children"][0]
            depth += 1
        depths.append(depth)
    assert max(depths) >= 2
    assert max(depths) < 10


def test_values_look_realistic() -> None:
    profile = payload_from_schema(USER_PROFILE, World(4))
    assert "@" in profile["email"]
    assert profile["firstName"][0].isupper()
    assert (
        " " not in profile["address"]["city"]
        or profile["address"]["city"].replace(" ", "").isalpha()
    )
    order = payload_from_schema(ORDER, World(4))
    assert order["orderId"].startswith("ORD-")
    assert order["createdAt"].endswith("Z")


def test_same_seed_same_payload_different_seed_different() -> None:
    for name, (schema, _cls) in SCHEMAS.items():
        a = json.dumps(payload_from_schema(schema, World(11)))
        assert a == json.dumps(payload_from_schema(schema, World(11))), name
    assert json.dumps(payload_from_schema(ORDER, World(1))) != json.dumps(
        payload_from_schema(ORDER, World(2))
    )


def test_property_order_follows_the_schema() -> None:
    value = payload_from_schema(ORDER, World(5))
    declared = list(ORDER["properties"])
    assert list(value) == [p for p in declared if p in value]


@pytest.mark.parametrize(
    "schema",
    [
        {"allOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"type": "integer"}}},
        {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
        {"type": "object", "properties": {"child": {"$ref": "#"}}},
        {"type": ["object", "array"], "items": {"$ref": "#"}, "properties": {"x": {"$ref": "#"}}},
    ],
)
def test_self_referencing_schemas_terminate(schema: dict[str, Any]) -> None:
    validator = Draft202012Validator({**schema, "$defs": schema.get("$defs", {})})
    for seed in range(50):
        value = payload_from_schema(schema, World(seed))
        if "anyOf" in schema:  # jsonschema itself recurses forever here; null is the only value
            assert value is None
        else:
            assert validator.is_valid(value), value


def test_true_and_empty_schemas_give_a_value() -> None:
    assert isinstance(payload_from_schema(True, World(1)), str)
    assert isinstance(payload_from_schema({}, World(1)), str)


def test_schema_file_is_loaded_and_cached(tmp_path) -> None:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(ORDER))
    assert compile_schema(path) is compile_schema(str(path))
    first = payload_from_schema(path, World(3))
    assert first == payload_from_schema(ORDER, World(3))
    path.write_text(json.dumps({"const": "changed"}))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert payload_from_schema(path, World(3)) == "changed"


def test_dict_schema_edited_in_place_is_recompiled() -> None:
    schema: dict[str, Any] = {"const": 1}
    assert payload_from_schema(schema, World(1)) == 1
    schema["const"] = 2
    assert payload_from_schema(schema, World(1)) == 2


def test_missing_file(tmp_path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(InvalidEventSpec, match=r"nope\.json.*does not exist"):
        payload_from_schema(missing, World(1))


def test_file_that_is_not_json(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{'type': 'object'}")
    with pytest.raises(InvalidEventSpec, match=r"bad\.json.* is not JSON \(line 1, column 2"):
        payload_from_schema(path, World(1))


def test_file_that_is_not_a_schema(tmp_path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(
        InvalidEventSpec, match=r"list\.json.* is not a JSON Schema: expected an object"
    ):
        payload_from_schema(path, World(1))
    path2 = tmp_path / "wrongtype.json"
    path2.write_text(json.dumps({"type": "object", "properties": {"a": {"type": 12}}}))
    with pytest.raises(
        InvalidEventSpec,
        match=r"wrongtype\.json.* is not a valid JSON Schema at #/properties/a/type",
    ):
        payload_from_schema(path2, World(1))


def test_not_a_schema_object() -> None:
    with pytest.raises(InvalidEventSpec, match=r"must be a dict .* got int"):
        payload_from_schema(12, World(1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"properties": {"a": {"if": {"type": "string"}, "then": {"minLength": 2}}}},
            r"keyword 'if' at #/properties/a/if \(if/then/else\) is not supported",
        ),
        (
            {"type": "object", "properties": {"a": {"not": {"type": "string"}}}},
            r"'not' at #/properties/a/not",
        ),
        (
            {"dependentSchemas": {"a": {"required": ["b"]}}},
            r"'dependentSchemas' at #/dependentSchemas",
        ),
        ({"type": "array", "contains": {"type": "integer"}}, r"'contains' at #/contains"),
        (
            {"type": "object", "propertyNames": {"maxLength": 3}},
            r"'propertyNames' at #/propertyNames",
        ),
        (
            {"items": {"$ref": "https://example.com/other.json"}},
            r"\$ref 'https://example.com/other.json' at #/items is not a local reference",
        ),
        (
            {"$ref": "#/$defs/missing", "$defs": {"there": {}}},
            r"\$ref '#/\$defs/missing' at # points nowhere: #/\$defs has no 'missing' \(keys there: there\)",
        ),
        (
            {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"if": {}}}, "$ref": "#/$defs/a"},
            r"'if' at #/\$defs/b/if",
        ),
        (
            {"type": "string", "format": "credit-card"},
            r"format 'credit-card' at #/format is not supported",
        ),
        ({"allOf": [{"type": "string"}, {"type": "integer"}]}, r"no type in common"),
        (
            {"allOf": [{"pattern": "^a"}, {"pattern": "^b"}]},
            r"cannot combine two different 'pattern'",
        ),
        ({"type": "integer", "minimum": 5, "maximum": 3}, r"numeric range at # is empty"),
        ({"type": "integer", "multipleOf": 7, "minimum": 1, "maximum": 6}, r"multiple of 7 at #"),
        (
            {"type": "object", "required": ["a"], "additionalProperties": False},
            r"'a' required at # but not in properties",
        ),
        (
            {"type": "array", "minItems": 3, "uniqueItems": True, "items": {"type": "boolean"}},
            r"3 unique items at #",
        ),
        (
            {
                "$defs": {
                    "n": {
                        "type": "object",
                        "required": ["next"],
                        "properties": {"next": {"$ref": "#/$defs/n"}},
                    }
                },
                "$ref": "#/$defs/n",
            },
            r"\$ref '#/\$defs/n' recurses more than 24 levels",
        ),
        (False, r"the schema at # is false"),
        ({"enum": []}, r"the enum at # is empty"),
        (
            {"type": "object", "anyOf": [{"$ref": "#"}, {"required": ["a"]}]},
            r"the schema at #/anyOf/0/anyOf/0.*\.\.\..* expands into itself through allOf/anyOf/oneOf",
        ),
        (
            {"type": "string", "format": "date-time", "maxLength": 5},
            r"cannot generate a string at # that fits its format",
        ),
        (
            {
                "type": "object",
                "patternProperties": {"^x-": {"type": "integer"}},
                "minProperties": 1,
            },
            r"cannot reach minProperties=1 at #",
        ),
    ],
)
def test_unsupported_or_unsatisfiable_schemas_raise(schema: Any, message: str) -> None:
    with pytest.raises(InvalidEventSpec, match=message):
        payload_from_schema(schema, World(1))


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        ("^(?=a)abc$", r"'\(\?='"),
        ("^(a)\\1$", "back-reference"),
        ("\\bword\\b", r"'\\b'"),
        ("^a$|^b$c", r"'\$' before the end"),
        ("(^a)", r"'\^' inside a group"),
        ("(?i)^abc$", r"'\(\?i'"),
        ("\\Aabc", r"'\\A'"),
    ],
)
def test_patterns_beyond_the_subset_name_pattern_and_path(pattern: str, what: str) -> None:
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": pattern}}}
    with pytest.raises(InvalidEventSpec) as info:
        payload_from_schema(schema, World(1))
    text = str(info.value)
    assert f"pattern {pattern!r} at #/properties/code/pattern uses" in text
    assert pytest.importorskip("re").search(what, text), text


def test_invalid_regex_is_reported() -> None:
    with pytest.raises(
        InvalidEventSpec, match=r"not a valid JSON Schema at #/pattern: '\[a-' is not a 'regex'"
    ):
        payload_from_schema({"type": "string", "pattern": "[a-"}, World(1))


def test_one_of_branches_that_overlap_too_much_raise() -> None:
    schema = {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 1000}]}
    with pytest.raises(
        InvalidEventSpec, match=r"oneOf at # keeps producing values that match several"
    ):
        payload_from_schema(schema, World(1))
