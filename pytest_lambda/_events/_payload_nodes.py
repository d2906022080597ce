"""Generator nodes of a compiled payload schema: each ``gen(world, depth)`` returns a value.

``depth`` counts the ``$ref`` hops taken. From ``SOFT_DEPTH`` on, nodes generate the
smallest valid value (required properties only, ``minItems`` items, the branch with
the fewest references, ``null`` when allowed) so recursive schemas terminate;
beyond ``HARD_DEPTH`` the schema cannot terminate and InvalidEventSpec is raised.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Sequence
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._payload_regex import CompiledPattern, compile_pattern
from ._payload_values import FORMATS, gen_integer, gen_number, name_heuristic, plain_text
from ._world import World

__all__ = [
    "AnyNode",
    "ChoiceNode",
    "ConstNode",
    "EnumNode",
    "Node",
    "NullNode",
    "RefNode",
    "ScalarNode",
    "StringNode",
    "UnionNode",
]

SOFT_DEPTH: Final = 4
HARD_DEPTH: Final = 24
_OPTIONAL_P: Final = 0.7
_NULL_P: Final = 0.2
_RETRIES: Final = 30
_JSON_TYPES: Final[dict[str, Callable[[Any], bool]]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


class Node:
    """Base class; ``refs`` counts the $refs its smallest value passes through."""

    __slots__ = ("refs",)

    def __init__(self) -> None:
        self.refs = 0

    def gen(self, world: World, depth: int) -> Any:
        raise NotImplementedError


class AnyNode(Node):
    def gen(self, world: World, depth: int) -> Any:
        return world.word()


class NullNode(Node):
    def gen(self, world: World, depth: int) -> Any:
        return None


class ConstNode(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value

    def gen(self, world: World, depth: int) -> Any:
        return copy.deepcopy(self.value) if isinstance(self.value, (dict, list)) else self.value


class EnumNode(Node):
    __slots__ = ("values",)

    def __init__(self, values: Sequence[Any], types: str | list[str] | None, where: str) -> None:
        super().__init__()
        if not values:
            raise InvalidEventSpec(f"body schema: the enum at {where} is empty: no value is valid")
        if types is not None:
            wanted = [types] if isinstance(types, str) else types
            values = [
                v for v in values if any(_JSON_TYPES[t](v) for t in wanted if t in _JSON_TYPES)
            ]
        if not values:
            raise InvalidEventSpec(
                f"body schema: no value of the enum at {where} has the declared type"
            )
        self.values = list(values)

    def gen(self, world: World, depth: int) -> Any:
        value = self.values[world.rng.randrange(len(self.values))]
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


class RefNode(Node):
    __slots__ = ("ref", "target")

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.refs = 1
        self.target: Node = AnyNode()

    def gen(self, world: World, depth: int) -> Any:
        if depth >= HARD_DEPTH:
            raise InvalidEventSpec(
                f"body schema: $ref {self.ref!r} recurses more than {HARD_DEPTH} levels deep; make "
                "the recursion optional (not required, minItems 0, or a oneOf/null branch)"
            )
        return self.target.gen(world, depth + 1)


class UnionNode(Node):
    """``type: [a, b, ...]``: one of the types, ``null`` now and then."""

    __slots__ = ("nodes", "nullable")

    def __init__(self, nodes: list[Node]) -> None:
        super().__init__()
        self.nullable = any(isinstance(n, NullNode) for n in nodes)
        self.nodes = [n for n in nodes if not isinstance(n, NullNode)] or nodes
        self.refs = 0 if self.nullable else min(n.refs for n in self.nodes)

    def gen(self, world: World, depth: int) -> Any:
        if self.nullable and (depth >= SOFT_DEPTH or world.rng.random() < _NULL_P):
            return None
        return self.nodes[world.rng.randrange(len(self.nodes))].gen(world, depth)


class ChoiceNode(Node):
    """``oneOf``/``anyOf`` (each branch already merged with its siblings)."""

    __slots__ = ("branches", "check", "where")

    def __init__(
        self, branches: list[Node], check: Callable[[Any], bool] | None, where: str
    ) -> None:
        super().__init__()
        self.branches = branches
        self.check = check
        self.where = where
        self.refs = min(b.refs for b in branches)

    def gen(self, world: World, depth: int) -> Any:
        branches = self.branches
        if depth >= SOFT_DEPTH:
            branches = [b for b in branches if b.refs == self.refs]
        for _ in range(_RETRIES):
            value = branches[world.rng.randrange(len(branches))].gen(world, depth)
            if self.check is None or self.check(value):
                return value
        raise InvalidEventSpec(
            f"body schema: the oneOf at {self.where} keeps producing values that match several "
            "branches; make the branches exclusive (distinct const/enum/type or required keys)"
        )


class ScalarNode(Node):
    __slots__ = ("name", "schema", "type", "where")

    def __init__(self, type_: str, schema: dict[str, Any], where: str, name: str | None) -> None:
        super().__init__()
        self.type, self.schema, self.where, self.name = type_, schema, where, name

    def gen(self, world: World, depth: int) -> Any:
        if self.type == "integer":
            return gen_integer(world, self.schema, self.name, self.where)
        if self.type == "number":
            return gen_number(world, self.schema, self.name, self.where)
        return world.rng.random() < 0.5


class StringNode(Node):
    __slots__ = ("b64", "hi", "lo", "make", "pattern", "strict", "where")

    def __init__(self, schema: dict[str, Any], where: str, name: str | None) -> None:
        super().__init__()
        self.where = where
        self.lo: int = schema.get("minLength", 0)
        self.hi: int | None = schema.get("maxLength")
        if self.hi is not None and self.hi < self.lo:
            raise InvalidEventSpec(f"body schema: maxLength < minLength at {where}")
        pattern = schema.get("pattern")
        self.pattern: CompiledPattern | None = (
            None if pattern is None else compile_pattern(pattern, f"{where}/pattern")
        )
        fmt = schema.get("format")
        self.b64 = schema.get("contentEncoding") == "base64"
        self.make: Callable[[World], str] | None = None
        self.strict = False  # True: the value must come from `make` (a format)
        if fmt is not None:
            if fmt not in FORMATS:
                raise InvalidEventSpec(
                    f"body schema: format {fmt!r} at {where}/format is not supported by the payload "
                    f"generator (supported: {', '.join(FORMATS)}); use pattern or enum instead"
                )
            self.make, self.strict = FORMATS[fmt], True
        elif self.pattern is None and not self.b64:
            self.make = name_heuristic(name)

    def _fits(self, text: str) -> bool:
        n = len(text)
        if n < self.lo or (self.hi is not None and n > self.hi):
            return False
        return self.pattern is None or self.pattern.matches(text)

    def gen(self, world: World, depth: int) -> Any:
        rng = world.rng
        if self.make is not None:
            for _ in range(_RETRIES if self.strict else 3):
                text = self.make(world)
                if self._fits(text):
                    return text
            if self.strict:
                raise InvalidEventSpec(
                    f"body schema: cannot generate a string at {self.where} that fits its format "
                    "and minLength/maxLength/pattern together; loosen one of them"
                )
        if self.b64:
            for _ in range(_RETRIES):
                hi = self.hi if self.hi is not None else self.lo + 64
                nbytes = rng.randint(max(self.lo * 3 // 4, 1), max(hi * 3 // 4, 1))
                text = base64.b64encode(rng.randbytes(nbytes)).decode("ascii")
                if self._fits(text):
                    return text
        pattern = self.pattern
        if pattern is None:
            return plain_text(world, self.lo, self.hi)
        start, end = pattern.anchored()
        lo = max(self.lo, pattern.min_len)
        for _ in range(_RETRIES):
            target = None
            if self.lo or self.hi is not None:
                hi = self.hi if self.hi is not None else lo + 8
                target = rng.randint(min(lo, hi), hi)
            text = pattern.generate(rng, target)
            short = self.lo - len(text)
            if short > 0 and not (start and end):
                pad = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(short))
                text = text + pad if start else pad + text
            if self._fits(text):
                return text
        raise InvalidEventSpec(
            f"body schema: cannot generate a string matching pattern {pattern.pattern!r} with "
            f"minLength={self.lo} maxLength={self.hi} at {self.where}; loosen one of them"
        )
