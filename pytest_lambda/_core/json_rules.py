"""The one rule for what an event may hold, shared by the events API, the runner and the CLI.

An event is JSON as Lambda's Invoke API accepts it: objects with **string** keys, arrays,
strings, **finite** numbers, ``true``/``false``/``null``, nested at most :data:`MAX_DEPTH`
levels. Python's :mod:`json` reads and writes ``NaN`` and ``Infinity`` by default and turns
``int`` keys into strings; neither is JSON, and the Invoke API refuses such a payload
(``InvalidRequestContentException``), so they are refused here before anything runs.
Python's own JSON parser gives up at about 1,000 levels (its recursion limit, lower in a
deep call stack such as pytest's); a fixed 500 keeps the rule the same wherever it is checked.

:func:`first_problem` walks a value and names the first part that breaks the rule (the
path, and why), without recursion, so a value nested 100,000 levels deep is reported, not
a ``RecursionError``; :func:`shape_ok` is its fast yes/no for the runner's per-invoke check
(keys and depth only: the C encoder refuses the rest). :func:`loads` parses text under the
rule. Cost: a Python loop over the containers of a value (microseconds for an event).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

__all__ = ["MAX_DEPTH", "NotJSON", "first_problem", "loads", "shape_ok", "show_path"]

#: The deepest nesting of objects and arrays an event may have.
MAX_DEPTH: Final = 500

Path = tuple[str | int, ...]
_SHOWN: Final = 6  # segments of a long path shown before "..."


class NotJSON(ValueError):
    """JSON text that breaks the rule: ``path`` (segments) and ``why``."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(why)
        self.path = path
        self.why = why


def show_path(path: Path, fmt: Callable[[Path], str]) -> str:
    """``fmt(path)``, cut after a few segments when it is long (a deep value's path)."""
    if len(path) <= 2 * _SHOWN:
        return fmt(path)
    return f"{fmt(path[:_SHOWN])}... ({len(path)} levels)"


def _scalar_problem(value: object) -> str | None:
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        spelt = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return f"{spelt} is not a JSON number (JSON has no NaN or Infinity)"
    return f"a {type(value).__name__} is not JSON"


def first_problem(
    value: object, *, tuples: bool = True, allowed: tuple[object, ...] = ()
) -> tuple[Path, str] | None:
    """``(path, why)`` of the first part of ``value`` that is not JSON, or None.

    Lists (and tuples, with ``tuples``) are arrays, mappings with ``str`` keys are objects;
    the objects in ``allowed`` (e.g. ``events.DELETE``) pass as they are.
    """
    arrays: tuple[type, ...] = (list, tuple) if tuples else (list,)
    stack: list[tuple[Any, Path]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, (Mapping, *arrays)):
            if len(path) >= MAX_DEPTH:
                return path, f"objects and arrays are nested more than {MAX_DEPTH} levels deep"
            if isinstance(item, Mapping):
                for key in item:
                    if not isinstance(key, str):
                        return path, (
                            f"key {key!r} ({type(key).__name__}) is not a JSON object key: "
                            "keys must be strings"
                        )
                children = [(v, (*path, k)) for k, v in item.items()]
            else:
                children = [(v, (*path, i)) for i, v in enumerate(cast("list[Any]", item))]
            stack.extend(reversed(children))  # document order
            continue
        why = None if any(item is a for a in allowed) else _scalar_problem(item)
        if why is not None:
            return path, why
    return None


def shape_ok(value: object) -> bool:
    """No non-string key and no nesting past :data:`MAX_DEPTH` (the runner's per-invoke check).

    Other breaks of the rule (a set, NaN) are left to the encoder, which refuses them.
    """
    level: list[Any] = [value]
    depth = 0  # of the items in level
    while level:
        below: list[Any] = []
        for item in level:
            kind = type(item)
            if kind is dict:
                for key in item:
                    if type(key) is not str:
                        return False
                values = item.values()
            elif kind is list or kind is tuple:
                values = item
            elif isinstance(item, Mapping):  # a mapping that is not a dict: the full walk
                return first_problem(value) is None
            else:
                continue
            for child in values:
                if type(child) not in _SCALARS:
                    below.append(child)
        depth += 1
        if depth == MAX_DEPTH and below:
            return False
        level = below
    return True


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def loads(text: str | bytes) -> Any:
    """Parse JSON ``text`` under the rule; :class:`ValueError` (a :class:`NotJSON` for a
    value that parses but breaks the rule) saying what is wrong."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise NotJSON(
            (), f"objects and arrays are nested more than {MAX_DEPTH} levels deep"
        ) from None
    found = first_problem(value, tuples=False)
    if found is not None:
        raise NotJSON(*found)
    return value
