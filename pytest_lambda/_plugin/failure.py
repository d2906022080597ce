"""What a failing test that invoked a handler shows: the invocations' logs, replay commands, pdb.

``lambda_runner`` records each invocation of the test (:func:`record`; the last
``KEEP`` are kept); ``lambda_event`` keeps the events it generates itself
(``LambdaEventFactory.generated``). When the test fails, :func:`add_sections` adds a report section
"lambda invocations" with each one's log lines (START/END/REPORT and the handler's
output), at most ``MAX_LINES`` lines per invocation (the cut is said), saves each event
the handler was invoked with to a file under pytest's cache directory
(``.pytest_cache/d/lambda-replay/``, or a new temporary directory without the cache) and
names it with the command that replays it (generated events the test did not invoke
through its runner too, with the marker's or the session's handler). Both also go to the report's
``user_properties`` (JUnit XML ``<property>``). :func:`handler_exception` is the
exception a failed invocation's handler raised, for ``pytest --pdb`` to open at.
Cost: a list append per invocation; files are written for failing tests only.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from pytest_lambda._core import facts

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


def forget(item: pytest.Item) -> None:
    """Drop ``item``'s kept invocations once its last report is made: pytest keeps every
    item to the end of the session, and what they held (runners, contexts, responses,
    logs) would stay in memory too, where each garbage collection pass walks it."""
    if _RECORDED in item.stash:
        del item.stash[_RECORDED]
    if _COUNT in item.stash:
        del item.stash[_COUNT]


def handler_exception(item: pytest.Item) -> BaseException | None:
    """The exception the handler raised in the test's last invocation, if that one failed
    (module isolation: the object itself). An earlier failure the test went past is not it."""
    kept: list[tuple[LambdaRunner, Invocation]] = item.stash.get(_RECORDED, [])
    if not kept:
        return None
    error = kept[-1][1].error
    return None if error is None else error.exception


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
    if runner.timeout != facts.DEFAULT_TIMEOUT:
        words += ["--timeout", f"{runner.timeout:g}"]
    if runner.memory_mb != facts.DEFAULT_MEMORY_MB:
        words += ["--memory", str(runner.memory_mb)]
    if runner.region != facts.DEFAULT_REGION:
        words += ["--region", runner.region]
    if runner.isolation != facts.DEFAULT_ISOLATION:
        words += ["--isolation", runner.isolation]
    return shlex.join(words)


def _default_handler(item: pytest.Item) -> str:
    """The handler a test without a runner would be replayed with: its marker's or the session's."""
    from pytest_lambda._plugin.options import resolve

    marker = item.get_closest_marker("lambda_handler")
    if marker is not None:
        named = marker.args[0] if marker.args else marker.kwargs.get("handler")
        if isinstance(named, str):
            return named
    handler = resolve(item.config, "handler")[0]
    return str(handler) if handler else "MODULE.FUNCTION"


def _logs_section(kept: list[tuple[LambdaRunner, Invocation]], total: int) -> str:
    blocks = []
    if total > len(kept):
        blocks.append(f"({total - len(kept)} earlier invocations not shown)")
    for number, (_, invocation) in enumerate(kept, start=total - len(kept) + 1):
        outcome = "ok" if invocation.error is None else invocation.error.type
        blocks.append(f"--- invocation {number} ({outcome}) ---\n{_logs(invocation.logs)}")
    return "\n".join(blocks)


def add_sections(
    item: pytest.Item, report: pytest.TestReport, generated: list[Any] | None = None
) -> None:
    """Add the invocations' logs and the replay commands to a failing test's report;
    ``generated`` are the events the test's ``lambda_event`` made (the last ``KEEP``)."""
    kept: list[tuple[LambdaRunner, Invocation]] = item.stash.get(_RECORDED, [])
    generated = (generated or [])[-KEEP:]
    if not kept and not generated:
        return
    total = item.stash.get(_COUNT, len(kept))
    if kept:
        text = _logs_section(kept, total)
        missing = next((r.root for r, inv in kept if inv.error is not None
                        and inv.error.type == "Runtime.ImportModuleError"
                        and "No module named" in inv.error.message), None)  # fmt: skip
        if missing is not None:  # as the lambda_handler fixture says it
            text += (f"\nModules are imported from {missing}; for a src layout set "
                     "--lambda-root=src (ini lambda_root, env PYTEST_LAMBDA_ROOT) or the marker's root=")  # fmt: skip
        report.sections.append(("lambda invocations", text))
        item.user_properties.append(("lambda_invocations", text))  # JUnit XML: from teardown
    replays: list[str] = []
    stem = replay_stem(item.nodeid)
    seen: dict[bytes, Path] = {}
    sent = []
    for number, (runner, invocation) in enumerate(kept, start=total - len(kept) + 1):
        payload = invocation.event_payload
        if not payload or not isinstance(runner.handler, str):
            continue
        sent.append(payload)
        if payload not in seen:
            seen[payload] = _replay_dir(item.config) / f"{stem}-{number}.json"
            seen[payload].write_bytes(payload)
        replays.append(_replay_command(runner, seen[payload], runner.root))
    replays += _generated_replays(item, generated, sent, stem)
    if replays:
        unique = list(dict.fromkeys(replays))
        lines = "\n".join(f"  {command}" for command in unique)
        report.sections.append(("lambda replay", f"replay the events with:\n{lines}"))
        for command in unique:
            item.user_properties.append(("lambda_replay", command))


def replay_stem(nodeid: str) -> str:
    """The start of a test's replay file names: its node id made safe for a file name, and
    a hash of the node id whole, so that two tests whose ids differ only in characters the
    file name cannot keep (``test[acme corp]``, ``test[acme_corp]``) never share a file."""
    digest = hashlib.sha1(nodeid.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', nodeid)[-100:]}-{digest}"


def _generated_replays(
    item: pytest.Item, generated: list[Any], sent: list[bytes], stem: str
) -> list[str]:
    """Commands for the generated events the test did not invoke through its runner."""
    from pytest_lambda._plugin.roots import lambda_root

    invoked = []
    for payload in sent:
        try:
            invoked.append(json.loads(payload))
        except ValueError:
            continue
    commands = []
    handler = _default_handler(item)
    for number, event in enumerate(generated, start=1):
        if event in invoked:
            continue
        path = _replay_dir(item.config) / f"{stem}-event-{number}.json"
        path.write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")
        words = ["pytest-lambda", "invoke", handler, "--event", str(path)]
        commands.append(shlex.join([*words, "--root", lambda_root(item.config)[0]]))
    return commands


def pdb_excinfo(item: pytest.Item, call: pytest.CallInfo[Any]) -> None:
    """Under ``--pdb``: open at the handler's frame when the test failed after it raised."""
    if call.when != "call" or call.excinfo is None:
        return
    exc = handler_exception(item)
    if exc is None or exc.__traceback__ is None:
        return
    if call.excinfo.value is exc:
        return
    call.excinfo = pytest.ExceptionInfo.from_exception(exc)
