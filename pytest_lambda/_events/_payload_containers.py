"""Generator nodes of a compiled payload schema: objects and arrays (see ``_payload_nodes``).

Same contract as the other nodes: ``gen(world, depth)`` returns a value; from
``SOFT_DEPTH`` on they generate the smallest valid value (required properties only,
``minItems`` items) so recursive schemas terminate.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_lambda._core.errors import InvalidEventSpec

from ._payload_nodes import _OPTIONAL_P, _RETRIES, SOFT_DEPTH, Node
from ._world import World

__all__ = ["ArrayNode", "ObjectNode"]


class ObjectNode(Node):
    __slots__ = ("deps", "explicit", "extras", "max", "min", "props", "required", "where")

    def __init__(
        self,
        props: dict[str, Node],
        required: list[str],
        extras: Node | None,
        deps: dict[str, list[str]],
        min_props: int,
        max_props: int | None,
        explicit: bool,
        where: str,
    ) -> None:
        super().__init__()
        self.props, self.required, self.extras, self.deps = props, required, extras, deps
        self.min, self.max, self.explicit, self.where = min_props, max_props, explicit, where
        needed = set(required).union(*deps.values()) if deps else set(required)
        undeclared = sorted(n for n in needed if n not in props)
        if undeclared and extras is None:
            raise InvalidEventSpec(
                f"body schema: {', '.join(map(repr, undeclared))} required at {where} but not in "
                "properties, and additionalProperties is false"
            )
        if max_props is not None and len(set(required)) > max_props:
            raise InvalidEventSpec(
                f"body schema: more required properties than maxProperties at {where}"
            )
        self.refs = sum(props[n].refs for n in required if n in props)

    def _close(self, chosen: dict[str, None]) -> None:
        todo = list(chosen)
        while todo:
            for dep in self.deps.get(todo.pop(), ()):
                if dep not in chosen:
                    chosen[dep] = None
                    todo.append(dep)

    def gen(self, world: World, depth: int) -> Any:
        rng = world.rng
        minimal = depth >= SOFT_DEPTH
        chosen: dict[str, None] = dict.fromkeys(self.required)
        optional = [n for n in self.props if n not in chosen]
        for name in optional:
            if not minimal and rng.random() < _OPTIONAL_P:
                if self.max is not None and len(chosen) >= self.max:
                    break
                chosen[name] = None
        self._close(chosen)
        if self.max is not None and len(chosen) > self.max:
            chosen = dict.fromkeys(self.required)
            self._close(chosen)
            if len(chosen) > self.max:
                raise InvalidEventSpec(
                    f"body schema: dependentRequired needs more properties than maxProperties at {self.where}"
                )
        for name in optional:
            if len(chosen) >= self.min:
                break
            chosen[name] = None
            self._close(chosen)
        out: dict[str, Any] = {}
        for name in self.props:
            if name in chosen:
                out[name] = self.props[name].gen(world, depth)
        extras = self.extras
        for name in chosen:
            if name not in out and extras is not None:
                out[name] = extras.gen(world, depth)
        want = self.min - len(out)
        if not self.props and self.explicit and not minimal:
            want = max(want, rng.randint(1, 3))
        if self.max is not None:
            want = min(want, self.max - len(out))
        for _ in range(want * 10):
            if want <= 0 or extras is None:
                break
            key = world.word()
            if key not in out and key not in self.props:
                out[key] = extras.gen(world, depth)
                want -= 1
        if len(out) < self.min:
            raise InvalidEventSpec(
                f"body schema: cannot reach minProperties={self.min} at {self.where}: too few "
                "properties are declared, and no others may be added (additionalProperties is "
                "false, or patternProperties is set)"
            )
        return out


def _unique_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class ArrayNode(Node):
    __slots__ = ("items", "max", "min", "prefix", "unique", "where")

    def __init__(
        self,
        prefix: list[Node],
        items: Node | None,
        min_items: int,
        max_items: int | None,
        unique: bool,
        where: str,
    ) -> None:
        super().__init__()
        self.prefix, self.items, self.min, self.max = prefix, items, min_items, max_items
        self.unique, self.where = unique, where
        if items is None and min_items > len(prefix):
            raise InvalidEventSpec(
                f"body schema: minItems={min_items} but items is false at {where}"
            )
        if max_items is not None and max_items < min_items:
            raise InvalidEventSpec(f"body schema: maxItems < minItems at {where}")
        firsts = [*prefix, *([items] * max(0, min_items - len(prefix)))] if items else prefix
        self.refs = sum(n.refs for n in firsts[:min_items])

    def gen(self, world: World, depth: int) -> Any:
        rng = world.rng
        if depth >= SOFT_DEPTH:
            count = self.min
        else:
            hi = max(self.min, len(self.prefix), 1) + 2
            if self.max is not None:
                hi = min(hi, self.max)
            if self.items is None:
                hi = min(hi, len(self.prefix))
            count = rng.randint(min(max(self.min, 1), hi), hi)
        out: list[Any] = []
        seen: set[str] = set()
        for i in range(count):
            node = self.prefix[i] if i < len(self.prefix) else self.items
            assert node is not None
            for _ in range(_RETRIES if self.unique else 1):
                value = node.gen(world, depth)
                key = _unique_key(value) if self.unique else ""
                if key not in seen:
                    break
            else:
                if len(out) >= self.min and i >= len(self.prefix):
                    break
                raise InvalidEventSpec(
                    f"body schema: cannot generate {self.min} unique items at {self.where}; "
                    "the item schema allows too few distinct values"
                )
            if self.unique:
                seen.add(key)
            out.append(value)
        return out
