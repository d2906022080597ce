"""Overrides: explicit values that always beat generated ones.

Two spellings, mixable in one mapping:

* nested dicts, deep-merged: ``{"requestContext": {"stage": "prod"}}`` — dicts merge
  key by key; a list of dicts merges item by item into the list already there
  (``{"Records": [{"body": "x"}]}`` sets the first record's body, the other records
  stay; items past the end are appended); a dict of indexes reaches list items too
  (``{"Records": {"0": {"body": "x"}}}``, ``"*"`` for every item); any other value
  (an empty list, a list of strings, a number...) replaces;
* dotted paths at the top level: ``{"Records.0.body": "x"}``, also
  ``Records[0].body`` and ``Records.*.body`` (every element).

``DELETE`` as a value removes the key (for deliberately malformed events).
The paths that were set are returned so dependent fields are recomputed only
where the user did not set them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec
from pytest_lambda._core.json_rules import first_problem, show_path

__all__ = ["DELETE", "Path", "apply_overrides", "format_path", "protector"]

Path = tuple[str | int, ...]


class _Delete:
    def __repr__(self) -> str:
        return "pytest_lambda.events.DELETE"


#: Override value that removes the key it names.
DELETE: Final = _Delete()

_SEGMENT = re.compile(r"\[(\d+|\*)\]|([^.\[\]]+)")


def format_path(path: Path) -> str:
    """``("Records", 0, "body")`` → ``Records[0].body``."""
    out = ""
    for seg in path:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else str(seg))
    return out or "<root>"


def _parse(key: str) -> list[str]:
    segs: list[str] = []
    pos = 0
    for m in _SEGMENT.finditer(key):
        if m.start() != pos and key[pos : m.start()] != ".":
            raise InvalidEventSpec(f"override path {key!r} is malformed near {key[pos:]!r}")
        segs.append(m.group(1) or m.group(2))
        pos = m.end()
    if pos != len(key) or not segs:
        raise InvalidEventSpec(f"override path {key!r} is malformed; write e.g. 'Records.0.body'")
    return segs


def _keys_hint(node: object) -> str:
    if isinstance(node, dict):
        keys = ", ".join(map(str, list(node)[:20])) or "none"
        return f"keys here: {keys}"
    if isinstance(node, list):
        return f"a list of {len(node)} item(s): use an index 0..{len(node) - 1} or *"
    return f"a {type(node).__name__} value, which has no fields"


def _step(node: Any, seg: str | int, full: str, done: Path) -> list[tuple[Any, str | int]]:
    """Resolve one path segment to (container, key) pairs; '*' fans out."""
    if isinstance(node, list):
        if seg == "*":
            return [(node, i) for i in range(len(node))]
        if isinstance(seg, str) and not seg.isdigit():
            raise InvalidEventSpec(
                f"override {full!r}: {format_path(done)} is {_keys_hint(node)}, not {seg!r}"
            )
        idx = int(seg)
        if idx >= len(node):
            raise InvalidEventSpec(
                f"override {full!r}: index {idx} is out of range at {format_path(done)} ({_keys_hint(node)})"
            )
        return [(node, idx)]
    if isinstance(node, dict):
        if seg == "*":
            return [(node, k) for k in list(node)]
        return [(node, str(seg))]
    raise InvalidEventSpec(f"override {full!r}: {format_path(done)} is {_keys_hint(node)}")


def _set_path(
    event: dict[str, Any], segs: list[str], value: Any, full: str, out: set[Path]
) -> None:
    frontier: list[tuple[Any, Path]] = [(event, ())]
    for depth, seg in enumerate(segs):
        last = depth == len(segs) - 1
        nxt: list[tuple[Any, Path]] = []
        for node, done in frontier:
            for container, key in _step(node, seg, full, done):
                path = (*done, key)
                if last:
                    _assign(container, key, value, path, out, full)
                    continue
                if isinstance(container, dict) and key not in container:
                    raise InvalidEventSpec(
                        f"override {full!r}: {format_path(path)} does not exist "
                        f"({_keys_hint(container)}); only the last part of a path may be new"
                    )
                nxt.append((container[key], path))
        frontier = nxt


def _assign(
    container: Any, key: str | int, value: Any, path: Path, out: set[Path], full: str
) -> None:
    if value is DELETE:
        if isinstance(container, dict):
            container.pop(key, None)
        else:
            del container[key]
        out.add(path)
        return
    current = container[int(key)] if isinstance(container, list) else container.get(key)
    if isinstance(value, Mapping) and value and isinstance(current, dict):
        for k, v in value.items():
            _assign(current, str(k), v, (*path, str(k)), out, full)
        return
    if isinstance(value, Mapping) and value and isinstance(current, list):
        for k, v in value.items():  # {"0": {...}} or {"*": {...}}: list items by index
            for item_list, index in _step(current, str(k), full, path):
                _assign(item_list, index, v, (*path, index), out, full)
        return
    if _is_list_of_dicts(value) and isinstance(current, list):
        for index, item in enumerate(value):  # positional merge; extra items are appended
            if index < len(current):
                _assign(current, index, item, (*path, index), out, full)
            else:
                current.append(_plain(item))
                out.add((*path, index))
        return
    if isinstance(container, dict) and key not in container:
        _warn_if_typo(container, str(key), path, full)
    container[key] = _plain(value)
    out.add(path)


def _warn_if_typo(container: dict[str, Any], key: str, path: Path, full: str) -> None:
    """A new key next to an existing one spelled almost the same (``bdy`` by ``body``) is
    most likely a typo: the event would keep the real field and grow a wrong one, and the
    test would pass for the wrong reason. Said as a warning (a new key may be meant)."""
    import difflib

    close = [
        k for k in difflib.get_close_matches(key, list(container), 3, 0.8)
        if abs(len(k) - len(key)) <= 2  # a slip of a letter or two, not another field
    ]  # fmt: skip
    if not close:
        return
    import warnings

    where = format_path(path[:-1]) if len(path) > 1 else "the event"
    warnings.warn(
        f"override {full!r}: {where} has no key {key!r}, so one was added next to "
        f"{close[0]!r}; did you mean {close[0]!r}?",
        UserWarning,
        stacklevel=6,
    )


def _is_list_of_dicts(value: object) -> bool:
    return (
        isinstance(value, (list, tuple))
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _check_json(key: str, value: object) -> None:
    """Refuse an override value no event can hold (NaN, a set, a non-string key...)."""
    found = first_problem(value, allowed=(DELETE,))
    if found is None:
        return
    path, why = found
    where = f" at {show_path(path, format_path)} in its value" if path else ""
    raise InvalidEventSpec(f"override {key!r}{where}: {why}; events hold JSON only")


def apply_overrides(event: dict[str, Any], overrides: Mapping[str, Any]) -> set[Path]:
    """Apply ``overrides`` to ``event`` in place; return the concrete paths set."""
    if not isinstance(overrides, Mapping):
        raise ArgumentTypeError(
            f"overrides must be a dict, e.g. {{'Records.0.body': 'x'}}; got {type(overrides).__name__}"
        )
    out: set[Path] = set()
    for key, value in overrides.items():
        key_obj: object = key
        if not isinstance(key_obj, str) or not key:
            raise InvalidEventSpec(f"override key {key!r}: keys are field names or dotted paths")
        segs = _parse(key) if ("." in key or "[" in key) else [key]
        _check_json(key, value)
        _set_path(event, segs, value, key, out)
    return out


def protector(paths: set[Path]) -> Callable[[Path], bool]:
    """``is_protected(path)``: was this path, or one of its parents, overridden?"""
    if not paths:
        return lambda _path: False

    def is_protected(path: Path) -> bool:
        return any(path[: len(p)] == p for p in paths)

    return is_protected
