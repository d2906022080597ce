"""The warm-reuse check's arguments: the events (a list, or ``(kind, count)`` generated), ``reset``, ``allow``.

Every bad argument raises :class:`~pytest_lambda._core.errors.ArgumentTypeError` (wrong
type) or :class:`~pytest_lambda._core.errors.InvalidOption` (wrong value) with one line
naming the argument and the fix. Cost: generating ``count`` events when a kind is given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from pytest_lambda._checks.leaks.report import LeakFinding
from pytest_lambda._checks.statediff import short
from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption

__all__ = ["allowed", "allowed_name", "check_args", "event_list", "identity"]


def _derive(seed: int, i: int) -> int:
    digest = hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def event_list(events: object, seed: int | None) -> tuple[list[Any], int | None, str | None]:
    """The event list, the seed used, and the kind when generated."""
    __tracebackhide__ = True
    if isinstance(events, tuple) and len(events) == 2 and isinstance(events[0], str):
        kind, count = events
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidOption(f"events=({kind!r}, {count!r}): the count must be an int >= 1")
        from pytest_lambda._events._core import generate
        from pytest_lambda._events._kinds import KINDS

        if kind not in KINDS:
            raise InvalidOption(f"events=({kind!r}, {count}): valid kinds: {', '.join(KINDS)}")
        if seed is None:
            import os

            seed = int.from_bytes(os.urandom(4), "big")
        return [generate(kind, seed=_derive(seed, i)) for i in range(count)], seed, kind
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise ArgumentTypeError(
            f"events={short(events)}: pass a list of events, or (kind, count) such as ('sqs', 5)"
        )
    listed = list(events)
    if not listed:
        raise InvalidOption("events=[]: pass at least one event")
    return listed, seed, None


def identity(event: Any) -> str:
    """A text equal for equal events (to tell a replayed event from a new one)."""
    try:
        return json.dumps(event, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return repr(event)


def check_args(reset: object, allow: object) -> tuple[str, ...]:
    """Check ``reset`` and ``allow``; the allowed names."""
    __tracebackhide__ = True
    if reset is not None and not callable(reset):
        raise ArgumentTypeError(f"reset={reset!r}: expected a callable taking no arguments")
    if isinstance(allow, str) or not isinstance(allow, Iterable):
        raise ArgumentTypeError(f"allow={allow!r}: expected a list of names like ['app.cache']")
    names = tuple(allow)
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise InvalidOption(f"allow={names!r}: every entry must be a name like 'app.cache'")
    return names


def allowed_name(where: str, name: str) -> bool:
    """Whether ``allow=`` entry ``name`` covers the finding place ``where``."""
    return where == name or where.startswith((name + ".", name + "(", name + "["))


def allowed(finding: LeakFinding, allow: tuple[str, ...]) -> str | None:
    """The ``allow=`` entry silencing ``finding``, or None."""
    return next((name for name in allow if allowed_name(finding.where, name)), None)
