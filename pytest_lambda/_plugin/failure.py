"""What a failing test that invoked a handler shows: the invocations' logs, replay commands, pdb.

``lambda_runner`` records each invocation of the test (:func:`record`; the last
``KEEP`` are kept). When the test fails, :func:`add_sections` adds a report section
"lambda invocations" with each one's log lines (START/END/REPORT and the handler's
output), at most ``MAX_LINES`` lines per invocation (the cut is said), saves each event
the handler was invoked with to a file under pytest's cache directory
(``.pytest_cache/d/lambda-replay/``, or a new temporary directory without the cache) and
names it with the command that replays it. Both also go to the report's
``user_properties`` (JUnit XML ``<property>``). :func:`handler_exception` is the
exception a failed invocation's handler raised, for ``pytest --pdb`` to open at.
Cost: a list append per invocation; files are written for failing tests only.
"""

from __future__ import annotations

import re
import shlex
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["KEEP", "MAX_LINES", "add_sections", "handler_exception", "record"]

KEEP: Final = 10  # invocations kept per test (the last ones)
MAX_LINES: Final = 40  # log lines shown per invocation
_RECORDED: Final = pytest.StashKey[list[tuple["LambdaRunner", "Invocation"]]]()
_COUNT: Final = pytest.StashKey[int]()
_REPLAY_DIR: Final = pytest.StashKey[Path]()
_MARK: Final = ".pytest-lambda-replay"  # marks a directory of replay files this plugin made


def record(item: pytest.Item, runner: LambdaRunner, invocation: Invocation) -> None:
    """Keep ``invocation`` of ``runner`` for the test's failure report."""
    kept = item.stash.setdefault(_RECORDED, [])
    kept.append((runner, invocation))
    item.stash[_COUNT] = item.stash.get(_COUNT, 0) + 1
    if len(kept) > KEEP:
        del kept[0]


def handler_exception(item: pytest.Item) -> BaseException | None:
    """The exception the handler raised in the test's last failed invocation (module isolation)."""
    kept: list[tuple[LambdaRunner, Invocation]] = item.stash.get(_RECORDED, [])
    for _, invocation in reversed(kept):
        error = invocation.error
        if error is not None and error.exception is not None:
            return error.exception
    return None


def _logs(text: str) -> str:
    lines = text.replace("\r", "\n    ").splitlines()
    if len(lines) <= MAX_LINES:
        return "\n".join(lines)
    head, tail = MAX_LINES // 2, MAX_LINES - MAX_LINES // 2
    cut = len(lines) - MAX_LINES
    return "\n".join(
        [*lines[:head], f"... ({cut} lines cut; invocation.logs has them all)", *lines[-tail:]]
    )


def _replay_dir(config: pytest.Config) -> Path:
    """A directory this plugin made for replay files (never one it did not create)."""
    done = config.stash.get(_REPLAY_DIR, None)
    if done is not None:
        return done
    cache = getattr(config, "cache", None)
    folder: Path | None = None
    if cache is not None:
        candidate = Path(cache.mkdir("lambda-replay"))
        marker = candidate / _MARK
        if marker.exists() or not any(candidate.iterdir()):
            marker.touch()
            folder = candidate
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="pytest-lambda-replay-"))
        (folder / _MARK).touch()
    config.stash[_REPLAY_DIR] = folder
    return folder


def _replay_command(runner: LambdaRunner, path: Path, root: str) -> str:
    words = ["pytest-lambda", "invoke", str(runner.handler), "--event", str(path)]
    words += ["--root", root] if root else []
    if runner.timeout != 3.0:
        words += ["--timeout", f"{runner.timeout:g}"]
    if runner.memory_mb != 128:
        words += ["--memory", str(runner.memory_mb)]
    if runner.region != "us-east-1":
        words += ["--region", runner.region]
    if runner.isolation != "module":
        words += ["--isolation", runner.isolation]
    return shlex.join(words)


def add_sections(item: pytest.Item, report: pytest.TestReport) -> None:
    """Add the invocations' logs and the replay commands to a failing test's report."""
    kept = item.stash.get(_RECORDED, [])
    if not kept:
        return
    total = item.stash.get(_COUNT, len(kept))
    blocks = []
    if total > len(kept):
        blocks.append(f"({total - len(kept)} earlier invocations not shown)")
    replays: list[str] = []
    folder: Path | None = None
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-120:]
    seen: dict[bytes, Path] = {}
    for number, (runner, invocation) in enumerate(kept, start=total - len(kept) + 1):
        outcome = "ok" if invocation.error is None else invocation.error.type
        blocks.append(f"--- invocation {number} ({outcome}) ---\n{_logs(invocation.logs)}")
        payload = invocation.event_payload
        if not payload or not isinstance(runner.handler, str):
            continue
        if payload not in seen:
            folder = folder or _replay_dir(item.config)
            path = folder / f"{stem}-{number}.json"
            path.write_bytes(payload)
            seen[payload] = path
        replays.append(_replay_command(runner, seen[payload], runner.root))
    text = "\n".join(blocks)
    report.sections.append(("lambda invocations", text))
    item.user_properties.append(("lambda_invocations", text))  # JUnit XML: from teardown
    if replays:
        unique = list(dict.fromkeys(replays))
        lines = "\n".join(f"  {command}" for command in unique)
        report.sections.append(("lambda replay", f"replay the events with:\n{lines}"))
        for command in unique:
            item.user_properties.append(("lambda_replay", command))


def pdb_excinfo(item: pytest.Item, call: pytest.CallInfo[Any]) -> None:
    """Under ``--pdb``: open at the handler's frame when the test failed after it raised."""
    exc = handler_exception(item)
    if exc is None or call.excinfo is None or exc.__traceback__ is None:
        return
    if call.excinfo.value is exc:
        return
    call.excinfo = pytest.ExceptionInfo.from_exception(exc)
