"""Payloads generated from a user's JSON Schema (``body_schema``, ``message_schema`` …).

``payload_from_schema(schema, world)`` turns a draft 2020-12 or draft-07 schema (a
dict, or the path of a ``.json`` file) into a JSON value that validates against it,
drawn from ``world.rng`` so that the same seed gives the same payload.

The schema is compiled once per process (files keyed by path, size and mtime;
dicts by their canonical JSON) into a tree of generator nodes; every keyword the
generator cannot honour raises :class:`InvalidEventSpec` naming the keyword and
its location at compile time, so unsupported schemas fail on the first call
rather than on an unlucky seed.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from pytest_lambda._core.errors import InvalidEventSpec

from ._payload_containers import ArrayNode, ObjectNode
from ._payload_merge import ANNOTATIONS, merge
from ._payload_nodes import (
    AnyNode,
    ChoiceNode,
    ConstNode,
    EnumNode,
    Node,
    NullNode,
    RefNode,
    ScalarNode,
    StringNode,
    UnionNode,
)
from ._world import World

__all__ = ["compile_schema", "payload_from_schema"]

_UNSUPPORTED: Final[dict[str, str]] = {
    "if": "if/then/else",
    "then": "if/then/else",
    "else": "if/then/else",
    "not": "not",
    "dependentSchemas": "dependentSchemas",
    "contains": "contains",
    "minContains": "contains",
    "maxContains": "contains",
    "propertyNames": "propertyNames",
    "$dynamicRef": "$dynamicRef",
    "$recursiveRef": "$recursiveRef",
}
_TYPE_HINTS: Final = (
    (
        "object",
        (
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
            "dependentRequired",
            "patternProperties",
            "unevaluatedProperties",
        ),
    ),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "additionalItems")),
    ("string", ("pattern", "minLength", "maxLength", "format", "contentEncoding")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)
_MAX_MERGE_DEPTH: Final = 32
_MAX_COMPILE_DEPTH: Final = 100  # nested schemas; only self-expanding allOf/anyOf/oneOf get there
# id(schema) → (the schema, a snapshot of its content, its node): skips re-serialising a
# dict schema passed again (the snapshot comparison notices in-place edits).
_BY_ID: dict[int, tuple[object, object, Node]] = {}


def _pointer(where: str, *parts: str | int) -> str:
    tail = "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return f"{where}/{tail}" if tail else where


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.root_id = root.get("$id", "") if isinstance(root, dict) else ""
        self.refs: dict[str, RefNode] = {}
        self.depth = 0
        self._validator: Any = None

    # -- $ref -------------------------------------------------------------------
    def target(self, ref: str, where: str) -> Any:
        if self.root_id and ref.startswith(self.root_id):
            ref = ref[len(self.root_id) :]
        if not ref.startswith("#") or (len(ref) > 1 and not ref.startswith("#/")):
            raise InvalidEventSpec(
                f"body schema: $ref {ref!r} at {where} is not a local reference; the payload "
                "generator resolves only '#', '#/$defs/...' and '#/definitions/...' (inline the "
                "remote schema into $defs)"
            )
        node = self.root
        done = "#"
        for raw in ref[2:].split("/") if len(ref) > 1 else ():
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                keys = ", ".join(map(str, node)) if isinstance(node, dict) else "none"
                raise InvalidEventSpec(
                    f"body schema: $ref {ref!r} at {where} points nowhere: {done} has no "
                    f"{part!r} (keys there: {keys})"
                )
            done = _pointer(done, part)
        return node

    def resolve_top(self, schema: Any, where: str, depth: int = 0) -> Any:
        """``schema`` with a top-level ``$ref`` replaced by its target merged with the siblings."""
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        if depth > _MAX_MERGE_DEPTH:
            raise InvalidEventSpec(f"body schema: $ref chain at {where} does not end")
        ref = schema["$ref"]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        target = self.resolve_top(self.target(ref, where), ref, depth + 1)
        return merge(target, siblings, where, lambda s, w: self.resolve_top(s, w, depth + 1))

    def validator(self) -> Any:
        if self._validator is None:
            from jsonschema import Draft202012Validator
            from jsonschema.validators import validator_for

            cls = validator_for(self.root, default=Draft202012Validator)
            self._validator = cls(self.root)
        return self._validator

    # -- compilation ----------------------------------------------------------------
    def ref(self, ref: str, where: str) -> RefNode:
        node = self.refs.get(ref)
        if node is None:
            node = self.refs[ref] = RefNode(ref)
            node.target = self.compile(self.target(ref, where), ref if ref != "#" else "#", None)
        return node

    def compile(self, schema: Any, where: str, name: str | None) -> Node:
        self.depth += 1
        try:
            if self.depth > _MAX_COMPILE_DEPTH:
                shown = where if len(where) <= 80 else f"{where[:40]}...{where[-30:]}"
                raise InvalidEventSpec(
                    f"body schema: the schema at {shown} expands into itself through "
                    "allOf/anyOf/oneOf and $ref; the payload generator cannot unfold it (give "
                    "the recursive $ref no sibling keywords, or restructure with $defs)"
                )
            return self._compile(schema, where, name)
        finally:
            self.depth -= 1

    def _compile(self, schema: Any, where: str, name: str | None) -> Node:
        if schema is True:
            return AnyNode()
        if schema is False:
            raise InvalidEventSpec(
                f"body schema: the schema at {where} is false: no value is valid"
            )
        if not isinstance(schema, dict):
            raise InvalidEventSpec(
                f"body schema: expected a schema (object or boolean) at {where}, got {schema!r}"
            )
        for key in schema:
            if key in _UNSUPPORTED or (
                key == "dependencies" and any(isinstance(v, dict) for v in schema[key].values())
            ):
                what = _UNSUPPORTED.get(key, "dependencies with a schema")
                raise InvalidEventSpec(
                    f"body schema: keyword {key!r} at {_pointer(where, key)} ({what}) is not "
                    "supported by the payload generator; rewrite it with oneOf/enum/const or "
                    "generate this payload yourself and pass it as body="
                )
        asserting = {k: v for k, v in schema.items() if k not in ANNOTATIONS}
        if "$ref" in asserting:
            if len(asserting) == 1:
                return self.ref(schema["$ref"], where)
            return self.compile(self.resolve_top(asserting, where), where, name)
        if "allOf" in asserting:
            rest = {k: v for k, v in asserting.items() if k != "allOf"}
            if not rest and len(asserting["allOf"]) == 1:
                return self.compile(asserting["allOf"][0], _pointer(where, "allOf", 0), name)
            for i, branch in enumerate(asserting["allOf"]):
                rest = merge(rest, branch, _pointer(where, "allOf", i), self.resolve_top)
            return self.compile(rest, where, name)
        for key in ("anyOf", "oneOf"):
            if key in asserting:
                rest = {k: v for k, v in asserting.items() if k != key}
                branches = [
                    self.compile(
                        merge(rest, b, _pointer(where, key, i), self.resolve_top) if rest else b,
                        _pointer(where, key, i),
                        name,
                    )
                    for i, b in enumerate(asserting[key])
                ]
                if not branches:
                    raise InvalidEventSpec(f"body schema: empty {key} at {where}")
                check = None
                if key == "oneOf" and len(branches) > 1:
                    check = functools.partial(self._one_of_valid, {"oneOf": asserting[key]})
                return ChoiceNode(branches, check, where)
        if "const" in asserting:
            return ConstNode(asserting["const"])
        if "enum" in asserting:
            return EnumNode(asserting["enum"], asserting.get("type"), where)
        return self.typed(asserting, where, name)

    def _one_of_valid(self, one_of: dict[str, Any], value: Any) -> bool:
        return bool(self.validator().evolve(schema=one_of).is_valid(value))

    def typed(self, schema: dict[str, Any], where: str, name: str | None) -> Node:
        types = schema.get("type")
        if types is None:
            types = [t for t, keys in _TYPE_HINTS if any(k in schema for k in keys)][:1]
            if not types:
                return AnyNode()
        if isinstance(types, str):
            types = [types]
        if "number" in types and "integer" in types:
            types = [t for t in types if t != "integer"]
        nodes: list[Node] = []
        for t in types:
            if t == "object":
                nodes.append(self.object(schema, where))
            elif t == "array":
                nodes.append(self.array(schema, where))
            elif t == "string":
                nodes.append(StringNode(schema, where, name))
            elif t in ("integer", "number", "boolean"):
                nodes.append(ScalarNode(t, schema, where, name))
            elif t == "null":
                nodes.append(NullNode())
            else:
                raise InvalidEventSpec(f"body schema: unknown type {t!r} at {where}")
        return nodes[0] if len(nodes) == 1 else UnionNode(nodes)

    def object(self, schema: dict[str, Any], where: str) -> ObjectNode:
        props = {
            prop: self.compile(sub, _pointer(where, "properties", prop), prop)
            for prop, sub in schema.get("properties", {}).items()
        }
        extra_schema = schema.get("additionalProperties", schema.get("unevaluatedProperties", True))
        extras: Node | None = None
        if extra_schema is not False and not schema.get("patternProperties"):
            extras = self.compile(extra_schema, _pointer(where, "additionalProperties"), None)
        for pattern in schema.get("patternProperties", {}):
            from ._payload_regex import compile_pattern

            rx = compile_pattern(pattern, _pointer(where, "patternProperties"))
            if any(rx.matches(p) for p in props):
                raise InvalidEventSpec(
                    f"body schema: patternProperties {pattern!r} at {where} matches a declared "
                    "property; the payload generator does not combine them"
                )
        deps = dict(schema.get("dependentRequired", {}))
        for key, value in schema.get("dependencies", {}).items():
            deps[key] = value
        return ObjectNode(
            props,
            list(schema.get("required", ())),
            extras,
            deps,
            schema.get("minProperties", 0),
            schema.get("maxProperties"),
            bool("additionalProperties" in schema),
            where,
        )

    def array(self, schema: dict[str, Any], where: str) -> ArrayNode:
        items = schema.get("items", True)
        prefix = schema.get("prefixItems", [])
        if isinstance(items, list):  # draft-07 tuple form
            prefix, items = items, schema.get("additionalItems", True)
        if items is True and "unevaluatedItems" in schema:
            items = schema["unevaluatedItems"]
        prefix_nodes = [
            self.compile(s, _pointer(where, "prefixItems", i), None) for i, s in enumerate(prefix)
        ]
        item_node = None if items is False else self.compile(items, _pointer(where, "items"), None)
        return ArrayNode(
            prefix_nodes,
            item_node,
            schema.get("minItems", 0),
            schema.get("maxItems"),
            bool(schema.get("uniqueItems")),
            where,
        )


def _check_schema(schema: Any, origin: str) -> None:
    if not isinstance(schema, (dict, bool)):
        raise InvalidEventSpec(
            f"{origin} is not a JSON Schema: expected an object (or boolean) at the top level, "
            f"got {type(schema).__name__}"
        )
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        where = "/".join(["#", *map(str, exc.absolute_path)])
        raise InvalidEventSpec(
            f"{origin} is not a valid JSON Schema at {where}: {exc.message}"
        ) from None


@functools.lru_cache(maxsize=128)
def _compiled_text(text: str, origin: str) -> Node:
    schema = json.loads(text)
    _check_schema(schema, origin)
    compiler = _Compiler(schema)
    return compiler.ref("#", "#")


@functools.lru_cache(maxsize=64)
def _compiled_file(path: str, mtime_ns: int, size: int) -> Node:
    origin = f"body schema file {path!r}"
    try:
        text = Path(path).read_text("utf-8")
        schema = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidEventSpec(f"cannot read {origin}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InvalidEventSpec(
            f"{origin} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return _compiled_text(json.dumps(schema), origin)


def compile_schema(schema: Mapping[str, Any] | bool | str | os.PathLike[str]) -> Node:
    """The generator tree for ``schema`` (cached per process)."""
    if isinstance(schema, (str, os.PathLike)):
        path = Path(schema).expanduser()
        try:
            stat = path.stat()
        except OSError:
            raise InvalidEventSpec(
                f"body schema file {str(path)!r} does not exist (pass a dict schema or the path "
                "of a .json file)"
            ) from None
        if not path.is_file():
            raise InvalidEventSpec(f"body schema file {str(path)!r} is not a file")
        return _compiled_file(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if not isinstance(schema, (Mapping, bool)):
        raise InvalidEventSpec(
            f"body schema must be a dict (a JSON Schema) or the path of a .json file, "
            f"got {type(schema).__name__}"
        )
    hit = _BY_ID.get(id(schema))
    if hit is not None and hit[0] is schema and hit[1] == schema:
        return hit[2]
    try:
        text = json.dumps(schema)
    except (TypeError, ValueError) as exc:
        raise InvalidEventSpec(f"body schema is not JSON-serialisable: {exc}") from None
    node = _compiled_text(text, "body schema")
    if len(_BY_ID) >= 64:
        _BY_ID.clear()
    _BY_ID[id(schema)] = (schema, json.loads(text), node)
    return node


def payload_from_schema(
    schema: Mapping[str, Any] | bool | str | os.PathLike[str], world: World
) -> Any:
    """A JSON value valid against ``schema``, drawn from ``world.rng``."""
    node = compile_schema(schema)
    return node.gen(world, -1)  # the root is a RefNode ('#'); its hop does not count
