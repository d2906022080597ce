"""Structural diffs of ``observe()`` snapshots and masking of per-delivery values.

A diff is a list of :class:`Change` (path, what happened, value before, value after),
rendered one line per change::

    + orders['o-1'][1]: {'sku': 'A', 'qty': 2}
    ~ counters['visits']: 1 → 2
    - markers['AQEBz…']: True

Masking replaces values that legitimately differ between two deliveries (the
invocation's request id, the event's request id, request times, timestamps) with
``<name>`` placeholders before two responses are compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["Change", "diff", "mask", "render_diff", "short", "show", "time_shifted"]

_MAX_REPR: Final = 100
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_CLF = re.compile(r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}")


_ADDRESS: Final = re.compile(r"<([\w.]+) object at 0x[0-9a-fA-F]+>")


def short(value: object, limit: int = _MAX_REPR) -> str:
    """``repr(value)``, cut to ``limit`` characters; an object's memory address (a
    ``Body=BytesIO(...)`` argument) is left out, so messages are the same on every run."""
    text = _ADDRESS.sub(r"<\1>", repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots."""

    path: str
    kind: Literal["added", "removed", "changed"]
    before: object = None
    after: object = None

    def render(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {short(self.after)}"
        if self.kind == "removed":
            return f"- {self.path}: {short(self.before)}"
        return f"~ {self.path}: {short(self.before)} → {short(self.after)}"


def show(change: Change, limit: int = 400) -> str:
    """One change with both values whole (up to ``limit`` characters each): where two
    values differ is never cut off, unlike :meth:`Change.render`'s short form."""
    if change.kind == "added":
        return f"+ {change.path}: {short(change.after, limit)}"
    if change.kind == "removed":
        return f"- {change.path}: {short(change.before, limit)}"
    return f"~ {change.path}: {short(change.before, limit)} → {short(change.after, limit)}"


def _key(path: str, key: object) -> str:
    if isinstance(key, str) and len(key) > 40:
        return f"{path}[{key[:39] + '…'!r}]"
    return f"{path}[{key!r}]"


def diff(before: object, after: object, path: str = "state") -> list[Change]:
    """Every difference between two snapshots, dicts by key and lists by position."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[Change] = []
        for key in before:
            if key not in after:
                out.append(Change(_key(path, key), "removed", before=before[key]))
            else:
                out.extend(diff(before[key], after[key], _key(path, key)))
        out.extend(
            Change(_key(path, key), "added", after=after[key]) for key in after if key not in before
        )
        return out
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        out = []
        common = min(len(before), len(after))
        for i in range(common):
            out.extend(diff(before[i], after[i], f"{path}[{i}]"))
        out.extend(
            Change(f"{path}[{i}]", "removed", before=before[i]) for i in range(common, len(before))
        )
        out.extend(
            Change(f"{path}[{i}]", "added", after=after[i]) for i in range(common, len(after))
        )
        return out
    if isinstance(before, (set, frozenset)) and isinstance(after, (set, frozenset)):
        removed = sorted(before - after, key=repr)
        added = sorted(after - before, key=repr)
        return [Change(f"{path}{{{short(v)}}}", "removed", before=v) for v in removed] + [
            Change(f"{path}{{{short(v)}}}", "added", after=v) for v in added
        ]
    if type(before) is not type(after) or before != after:
        return [Change(path, "changed", before=before, after=after)]
    return []


_TWO_YEARS_S: Final = 2 * 366 * 86400.0


def epoch_units(number: float, around: float | None = None) -> float | None:
    """1.0 or 1000.0 when ``number`` reads as epoch seconds or milliseconds, else None.

    Epochs between 2001-09-09 and 2286 always do; with ``around`` (the epoch seconds of the
    check's clock), so do those within two years of it: a test that froze its clock in 1999
    gets expiries of 1999 (both only from 1973 on, so small counters never read as times).
    """
    if 1e9 <= number < 1e10:
        return 1.0
    if 1e12 <= number < 1e13:
        return 1000.0
    if around is not None and around >= 1e8:
        if number >= 1e8 and abs(number - around) <= _TWO_YEARS_S:
            return 1.0
        if number >= 1e11 and abs(number - around * 1000) <= _TWO_YEARS_S * 1000:
            return 1000.0
    return None


def _epoch(value: object, around: float | None = None) -> tuple[float, float] | None:
    """``(value, units per second)`` for a number (or digit string) in epoch s or ms range
    (see :func:`epoch_units`)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not value.isdigit():
            return None
        number = float(value)
    elif isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        number = float(value)  # type: ignore[arg-type]
    else:
        return None
    units = epoch_units(number, around)
    return None if units is None else (number, units)


def time_shifted(change: Change, seconds: float, around: float | None = None) -> bool:
    """Whether ``change`` is an epoch timestamp (s or ms) moved on by at most ``seconds``.

    The checks move a frozen clock on between deliveries as the source would wait; an
    expiry or "updated at" derived from the clock then differs by that much and no more.
    """
    if change.kind != "changed" or seconds <= 0:
        return False
    before, after = _epoch(change.before, around), _epoch(change.after, around)
    if before is None or after is None or before[1] != after[1]:
        return False
    moved = abs(after[0] - before[0])
    return 0 < moved <= (seconds + 1) * before[1]


def render_diff(changes: Sequence[Change], *, indent: str = "  ", limit: int = 20) -> str:
    """One line per change, at most ``limit`` lines."""
    lines = [indent + c.render() for c in changes[:limit]]
    if len(changes) > limit:
        lines.append(f"{indent}(… and {len(changes) - limit} more differences)")
    return "\n".join(lines)


def mask(value: object, names: Iterable[tuple[object, str]]) -> tuple[object, set[str]]:
    """``value`` with every occurrence of the given values replaced by ``<name>``.

    ``names`` pairs a value to hide (a request id, an epoch) with its name. Strings
    are searched for occurrences (so JSON bodies are covered); other values must be
    equal. ISO 8601 and CLF timestamps inside strings become ``<timestamp>``.
    Returns the masked copy and the names actually used.
    """
    pairs = [(v, n) for v, n in names if v not in (None, "", True, False)]
    used: set[str] = set()

    def walk(node: object) -> object:
        if isinstance(node, Mapping):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [walk(v) for v in node]
        if isinstance(node, str):
            text = node
            for val, name in pairs:
                token = str(val)
                if len(token) >= 6 and token in text:
                    text = text.replace(token, f"<{name}>")
                    used.add(name)
            for pattern in (_ISO, _CLF):
                text, n = pattern.subn("<timestamp>", text)
                if n:
                    used.add("timestamp")
            return text
        for val, name in pairs:
            if not isinstance(val, str) and type(val) is type(node) and val == node:
                used.add(name)
                return f"<{name}>"
        return node

    return walk(value), used
