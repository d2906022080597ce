"""Runtime isolation: the processes a handler starts end with its environment, as in Lambda."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner
from pytest_lambda._runtime.subprocess.environment import runtime_unavailable

pytest.importorskip("awslambdaric")
if runtime_unavailable() is not None:  # pragma: no cover - not Linux
    pytest.skip(f"runtime isolation unavailable: {runtime_unavailable()}", allow_module_level=True)

SPAWNS = """
import subprocess
import sys


def handler(event, context):
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]
    own_group = subprocess.Popen(sleeper)
    own_session = subprocess.Popen(sleeper, start_new_session=True)  # left the group
    return {"pids": [own_group.pid, own_session.pid]}
"""


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for a reaper that may never come)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_handlers_processes_end_when_the_runner_closes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SPAWNS)
    runner = LambdaRunner("app.handler", root=tmp_path, isolation="runtime")
    try:
        pids = runner.invoke({}).response["pids"]
        assert all(_alive(pid) for pid in pids)
    finally:
        runner.close()
    deadline = time.monotonic() + 5  # SIGKILL is delivered, not awaited: the kernel's time
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(_alive(pid) for pid in pids), [pid for pid in pids if _alive(pid)]
