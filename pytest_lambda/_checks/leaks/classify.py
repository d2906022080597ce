"""Turn a series of snapshots (after init, then after each warm invocation) into findings.

``seen[i]`` tells whether invocation ``i + 1`` repeated an event seen earlier in the
sequence: a container or file that grows on such an invocation grows without bound (a
memory or disk leak); one that grows only with new events behaves like a cache keyed by
input (a warning). A global set once on first use is a lazily created client (info), and
so is an empty container filled on the first invocation and never again although later
invocations brought new events (a configuration dict loaded on first use).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Final, TypeVar

from pytest_lambda._checks.leaks.inspect import Snapshot, Value
from pytest_lambda._checks.leaks.report import (
    CACHE,
    CWD,
    DEFAULT_ARG,
    ENVIRON,
    FD_GROWTH,
    GLOBAL_CHANGED,
    GLOBAL_GROWTH,
    HOOK_GROWTH,
    LAZY_GLOBAL,
    LOGGING_HANDLER,
    SYS_PATH,
    THREAD,
    TMP_FILE,
    TMP_GROWTH,
    LeakFinding,
)
from pytest_lambda._checks.report import plural
from pytest_lambda._checks.statediff import short

__all__ = ["classify"]

T = TypeVar("T")

FIX_MOVE = "move per-request state into the handler (a local variable), not a module global"
FIX_FINALLY = "reset it in a finally: block before the handler returns"
FIX_BOUND = (
    "key the cache on the input and bound it (functools.lru_cache(maxsize=...)), or keep "
    "per-request data in a local"
)


def _trend(lengths: Sequence[int], unit: str, what: str) -> str:
    deltas = [b - a for a, b in itertools.pairwise(lengths)]
    steps = len(deltas)
    if deltas and all(d == deltas[0] for d in deltas) and deltas[0] > 0:
        return (
            f"{what} grew by {plural(deltas[0], unit)} per invocation: {lengths[0]} → {lengths[-1]}"
        )
    grew = sum(d > 0 for d in deltas)
    return f"{what} grew on {grew} of {steps} invocations: {lengths[0]} → {lengths[-1]} {unit}s"


def _series(snaps: Sequence[Snapshot], get: Callable[[Snapshot], T]) -> list[T]:
    return [get(s) for s in snaps]


def _first_change(values: Sequence[object]) -> int:
    return next(i for i in range(1, len(values)) if values[i] != values[i - 1])


def _container(
    name: str,
    kind: str,
    values: Sequence[Value | None],
    seen: Sequence[bool],
    diverged: bool,
) -> LeakFinding | None:
    """A finding for one global or default argument whose summary changed, or None."""
    keys = [None if v is None else (v.ident, v.text, v.length) for v in values]
    if all(k == keys[0] for k in keys):
        return None
    last = values[-1]
    if last is not None and last.powertools:
        return None
    changed_at = [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
    first = changed_at[0]
    before = "(not set)" if values[first - 1] is None else values[first - 1].show()  # type: ignore[union-attr]
    after = "(deleted)" if values[first] is None else values[first].show()  # type: ignore[union-attr]
    lengths = [v.length for v in values if v is not None and v.length is not None]
    shown = f"`{name}`"
    if len(lengths) == len(values) and lengths[-1] > lengths[0]:
        grew = [i for i in range(1, len(lengths)) if lengths[i] > lengths[i - 1]]
        unit = (
            "item"
            if values[-1] is not None and values[-1].type not in {"str", "bytes"}
            else "character"
        )
        trend = _trend(lengths, unit, shown)
        later_new = any(not seen[i - 1] for i in range(first + 1, len(values)))
        if (
            kind == "global"
            and changed_at == [1]
            and lengths[0] == 0
            and later_new
            and not (diverged and last is not None and last.plain)
        ):
            # filled on the first invocation, then untouched by new events: a container
            # initialised lazily (a config dict), not a cache keyed by input
            return LeakFinding(
                LAZY_GLOBAL,
                "info",
                name,
                f"filled once, on invocation 1 (0 → {plural(lengths[-1], unit)}), then reused "
                "unchanged by later invocations with new events (lazily loaded configuration "
                "is fine)",
                before,
                after,
                "",
                1,
                span=(0, 1),
            )
        if any(seen[i - 1] for i in grew):
            replayed = sum(seen[i - 1] for i in grew)
            return LeakFinding(
                GLOBAL_GROWTH if kind == "global" else DEFAULT_ARG,
                "error",
                name,
                f"{trend}, also when an event repeats ({plural(replayed, 'replayed invocation')}): "
                "it grows without bound (a memory leak)",
                before,
                values[-1].show() if values[-1] is not None else None,
                FIX_MOVE
                if kind == "global"
                else "use None as the default and create the container inside the function",
                grew[0],
                span=(first - 1, len(values) - 1),
            )
        return LeakFinding(
            CACHE if kind == "global" else DEFAULT_ARG,
            "warning",
            name,
            f"{trend}, only with new events (a cache keyed by input?); outputs did not change",
            before,
            values[-1].show() if values[-1] is not None else None,
            FIX_BOUND,
            grew[0],
            span=(first - 1, len(values) - 1),
        )
    was_unset = values[0] is None or values[0].is_none
    if kind == "global" and was_unset and len(changed_at) == 1:
        if diverged and last is not None and last.plain:
            return LeakFinding(
                CACHE,
                "error",
                name,
                f"set once on invocation {first} and reused by every later invocation, which "
                "then returned another output than a cold start: a cache keyed on nothing",
                before,
                after,
                "key the cache on the input (e.g. a dict keyed by the event's id), or drop it",
                first,
                span=(first - 1, first),
            )
        return LeakFinding(
            LAZY_GLOBAL,
            "info",
            name,
            f"assigned once, on invocation {first}, then reused (a lazily created client or "
            "connection is fine)",
            before,
            after,
            "",
            first,
            span=(first - 1, first),
        )
    changes = len(changed_at)
    return LeakFinding(
        GLOBAL_CHANGED if kind == "global" else DEFAULT_ARG,
        "warning",
        name,
        f"changed on {changes} of {len(values) - 1} invocations: per-request state in "
        + ("a module global" if kind == "global" else "a default argument"),
        before,
        after,
        FIX_MOVE if kind == "global" else "use None as the default",
        first,
        span=(first - 1, first),
    )


def _values(snaps: Sequence[Snapshot], attr: str) -> dict[str, list[Value | None]]:
    names: dict[str, None] = {}
    for s in snaps:
        names.update(dict.fromkeys(getattr(s, attr)))
    return {n: [getattr(s, attr).get(n) for s in snaps] for n in names}


def _tmp(snaps: Sequence[Snapshot], seen: Sequence[bool]) -> list[LeakFinding]:
    out: list[LeakFinding] = []
    counts = [len(s.files) for s in snaps]
    new_on_replay = [
        i
        for i in range(1, len(snaps))
        if seen[i - 1] and set(snaps[i].files) - set(snaps[i - 1].files)
    ]
    if new_on_replay:
        out.append(
            LeakFinding(
                TMP_GROWTH,
                "error",
                "/tmp",
                _trend(counts, "file", "the number of files in `/tmp`")
                + ", also when an event repeats: /tmp fills up (512 MB by default)",
                f"{counts[0]} files",
                f"{counts[-1]} files",
                "name files after their content or the input, overwrite them, or delete them "
                "in a finally: block",
                new_on_replay[0],
                span=(0, len(snaps) - 1),
            )
        )
    elif counts[-1] > counts[0] + 1:
        out.append(
            LeakFinding(
                TMP_FILE,
                "warning",
                "/tmp",
                _trend(counts, "file", "the number of files in `/tmp`")
                + ", only with new events (a cache keyed by input?)",
                f"{counts[0]} files",
                f"{counts[-1]} files",
                "bound the cache (delete old files) if the inputs are unbounded",
                span=(0, len(snaps) - 1),
            )
        )
    paths: dict[str, None] = {}
    for s in snaps:
        paths.update(dict.fromkeys(s.files))
    for path in paths:
        sizes = [s.files.get(path) for s in snaps]
        where = f"/tmp/{path}"
        known = [z for z in sizes if z is not None]
        grew = [
            i
            for i in range(1, len(sizes))
            if sizes[i] is not None and sizes[i - 1] is not None and sizes[i] > sizes[i - 1]  # type: ignore[operator]
        ]
        if grew and (any(seen[i - 1] for i in grew) or len(grew) >= 2):
            out.append(
                LeakFinding(
                    TMP_GROWTH,
                    "error",
                    where,
                    _trend(known, "byte", f"`{where}`")
                    + ": a file appended on every invocation fills /tmp",
                    f"{sizes[grew[0] - 1]} bytes",
                    f"{known[-1]} bytes",
                    "write the file once (or overwrite it), or delete it in a finally: block",
                    grew[0],
                    span=(grew[0] - 1, len(snaps) - 1),
                )
            )
        elif sizes[0] is None and not new_on_replay and counts[-1] <= counts[0] + 1:
            first = next(i for i, z in enumerate(sizes) if z is not None)
            out.append(
                LeakFinding(
                    TMP_FILE,
                    "info",
                    where,
                    f"written on invocation {first} and kept (a file written once and reused is fine)",
                    "(absent)",
                    f"{sizes[first]} bytes",
                    "",
                    first,
                    span=(first - 1, first),
                )
            )
    return out


def _process(snaps: Sequence[Snapshot], seen: Sequence[bool]) -> list[LeakFinding]:
    out: list[LeakFinding] = []
    base, last = snaps[0], snaps[-1]
    for key in sorted(set(base.environ) | set(last.environ)):
        values = [s.environ.get(key) for s in snaps]
        if all(v == values[0] for v in values):
            continue
        i = _first_change(values)
        show = [short(v, 100) if v is not None else "(not set)" for v in (values[i - 1], values[i])]
        verb = "added" if values[i - 1] is None else "changed"
        out.append(
            LeakFinding(
                ENVIRON, "error", f"os.environ[{key!r}]",
                f"{verb} by invocation {i}; the next request in this environment sees it",
                show[0], show[1], FIX_FINALLY + " (or pass the value as an argument)", i,
                span=(i - 1, i),
            )
        )  # fmt: skip
    cwds = _series(snaps, lambda s: s.cwd)
    if any(c != cwds[0] for c in cwds):
        i = _first_change(cwds)
        out.append(
            LeakFinding(
                CWD, "error", "cwd",
                f"the working directory changed on invocation {i} and stays changed",
                cwds[i - 1], cwds[i], "use absolute paths instead of os.chdir(), or chdir back "
                "in a finally: block", i, span=(i - 1, i),
            )
        )  # fmt: skip
    paths = _series(snaps, lambda s: s.sys_path)
    if any(p != paths[0] for p in paths):
        i = _first_change(paths)
        added = list(dict.fromkeys(p for p in paths[-1] if p not in paths[0]))
        lengths = [len(p) for p in paths]
        msg = _trend(lengths, "entry", "`sys.path`") if lengths[-1] > lengths[0] else "changed"
        out.append(
            LeakFinding(
                SYS_PATH, "error", "sys.path",
                f"{msg} (first on invocation {i})" + (f"; added: {short(added, 120)}" if added else ""),
                f"{len(paths[0])} entries", f"{len(paths[-1])} entries",
                "change sys.path once at import time (or package the code properly)", i,
                span=(0, len(paths) - 1),
            )
        )  # fmt: skip
    names: dict[str, None] = {}
    for s in snaps:
        names.update(dict.fromkeys(s.log_handlers))
    for name in names:
        counts = [len(s.log_handlers.get(name, ())) for s in snaps]
        if counts[-1] > counts[0]:
            where = "root logger" if name == "root" else f"logger {name!r}"
            i = next(j for j in range(1, len(counts)) if counts[j] > counts[j - 1])
            out.append(
                LeakFinding(
                    LOGGING_HANDLER, "error", where,
                    _trend(counts, "handler", f"the handlers of the {where}")
                    + ": every log line is then printed once per handler",
                    plural(counts[0], "handler"), plural(counts[-1], "handler"),
                    "add logging handlers once, at import time (or check logger.handlers first)", i,
                    span=(0, len(counts) - 1),
                )
            )  # fmt: skip
    started: dict[str, list[int]] = {}  # thread label -> invocations it was alive after
    seen_threads: set[int] = set(base.threads)
    for i in range(1, len(snaps)):
        for ident, label in snaps[i].threads.items():
            if ident not in seen_threads:
                seen_threads.add(ident)
                started.setdefault(label, []).append(i)
    for label, invocations in started.items():
        count = len(invocations)
        if _is_pool_thread(label):
            out.append(
                LeakFinding(
                    THREAD, "warning", label,
                    f"a worker pool kept {plural(count, 'idle thread')} alive after invocation"
                    f"{'s' if count > 1 else ''} {', '.join(map(str, invocations[:8]))}"
                    f"{', …' if count > 8 else ''} (a framework's thread pool, e.g. AnyIO under "
                    "FastAPI/Mangum or a ThreadPoolExecutor): Lambda freezes it with the process",
                    None, None, "nothing to do for a framework's pool; for your own, create it "
                    "at import time, reuse it, and wait for the work you submit",
                    invocations[0],
                )
            )  # fmt: skip
            continue
        out.append(
            LeakFinding(
                THREAD, "error", label,
                f"{plural(count, 'thread')} still alive after invocation"
                f"{'s' if count > 1 else ''} {', '.join(map(str, invocations[:8]))}"
                f"{', …' if count > 8 else ''} returned: Lambda freezes threads between "
                "invocations, so their work runs (or never finishes) during later requests",
                None, None, "join the thread (or wait for its work) before returning",
                invocations[0],
            )
        )  # fmt: skip
    out.extend(_hook_growth(snaps))
    fds = [s.fds for s in snaps]
    if all(f is not None for f in fds) and len(fds) > 3:
        counts = [f for f in fds if f is not None]
        deltas = [b - a for a, b in itertools.pairwise(counts)]
        replay_growth = all(d > 0 for d, s in zip(deltas, seen, strict=False) if s) and any(seen)
        if replay_growth and sum(d > 0 for d in deltas) * 4 >= len(deltas) * 3:
            out.append(
                LeakFinding(
                    FD_GROWTH, "error", "open file descriptors",
                    _trend(counts, "descriptor", "the open file descriptors"),
                    str(counts[0]), str(counts[-1]),
                    "close files and sockets (use with open(...) as f:), or open them once at init",
                    span=(0, len(counts) - 1),
                )
            )  # fmt: skip
    return out


_HOOK_FIX: Final = {
    "sys.meta_path": "install import hooks once, at import time",
    "sys.path_hooks": "install path hooks once, at import time",
    "atexit callbacks": "register exit callbacks once, at import time (each one also runs "
    "only when the process ends, which Lambda does without notice)",
    "threading.settrace": "do not trace threads from a handler; every thread started later "
    "in the process runs the trace function",
    "threading.setprofile": "do not profile threads from a handler; every thread started "
    "later in the process runs the profile function",
}


def _hook_growth(snaps: Sequence[Snapshot]) -> list[LeakFinding]:
    """Process-wide hooks that invocations added: a count that rose on two or more warm
    invocations grows with every request (an import finder or exit callback registered per
    request); a trace or profile function set by an invocation stays set for the process."""
    out: list[LeakFinding] = []
    names: dict[str, None] = {}
    for s in snaps:
        names.update(dict.fromkeys(s.hooks))
    for name in names:
        counts = [s.hooks.get(name, 0) for s in snaps]
        rises = [j for j in range(1, len(counts)) if counts[j] > counts[j - 1]]
        traced = name.startswith("threading.") and counts[-1] > counts[0]
        if len(rises) < 2 and not traced:
            continue  # one step (a library importing lazily) is not growth
        change = (
            f"set by invocation {rises[0]} and left set for the process"
            if traced and len(rises) < 2
            else _trend(counts, "entry", f"`{name}`")
        )
        out.append(
            LeakFinding(
                HOOK_GROWTH, "error", name, change, str(counts[0]), str(counts[-1]),
                _HOOK_FIX.get(name, "add process-wide hooks once, at import time"), rises[0],
                span=(0, len(counts) - 1),
            )
        )  # fmt: skip
    return out


# Parked worker threads of thread pools: the pool, not a request, owns them.
_POOL_THREADS: Final = (
    "concurrent.futures.thread._worker",
    "thread 'AnyIO worker thread'",
    "thread 'asyncio_",
    "thread 'ThreadPoolExecutor-",
)


def _is_pool_thread(label: str) -> bool:
    return any(marker in label for marker in _POOL_THREADS)


def classify(
    snaps: Sequence[Snapshot],
    seen: Sequence[bool],
    diverged: bool,
) -> list[LeakFinding]:
    """Every finding from the snapshots, errors and warnings mixed (strict/allow applied later)."""
    if len(snaps) < 2:
        return []
    out: list[LeakFinding] = []
    groups: Mapping[str, dict[str, list[Value | None]]] = {
        "global": _values(snaps, "globals"),
        "default": _values(snaps, "defaults"),
    }
    for kind, series in groups.items():
        for name, values in series.items():
            found = _container(name, kind, values, seen, diverged)
            if found is not None:
                out.append(found)
    out.extend(_tmp(snaps, seen))
    out.extend(_process(snaps, seen))
    return out
