"""Folders a killed test process left in the temporary directory are removed by the next
process, and nothing else is: not a live process's, not a recent one, not a link, not a
name without a pid, not another user's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_lambda._runtime import sandbox

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and pids")

LATER = 2 * 3600.0  # the sweep's "now", past the hour a stale folder must have waited


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that has exited (reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _folder(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir()
    (path / "left.txt").write_text("a handler's file")
    return path


def test_a_killed_process_folders_are_removed(tmp_path: Path, dead_pid: int) -> None:
    scratch = _folder(tmp_path, f"pytest-lambda-tmp-{dead_pid}-abc")
    aws = _folder(tmp_path, f"pytest-lambda-aws-{dead_pid}-xyz")

    removed = sandbox.sweep_stale(str(tmp_path), now=time.time() + LATER)

    assert sorted(removed) == sorted([str(scratch), str(aws)])
    assert not scratch.exists()
    assert not aws.exists()


def test_what_is_not_a_stale_folder_of_ours_is_left_alone(tmp_path: Path, dead_pid: int) -> None:
    alive = _folder(tmp_path, f"pytest-lambda-tmp-{os.getppid()}-abc")
    mine = _folder(tmp_path, f"pytest-lambda-tmp-{os.getpid()}-abc")
    no_pid = _folder(tmp_path, "pytest-lambda-tmp-k2j4h5")
    other = _folder(tmp_path, f"pytest-of-{dead_pid}-abc")
    a_file = tmp_path / f"pytest-lambda-tmp-{dead_pid}-file"
    a_file.write_text("not a folder")
    target = _folder(tmp_path, "users-data")
    link = tmp_path / f"pytest-lambda-tmp-{dead_pid}-link"
    link.symlink_to(target)

    assert sandbox.sweep_stale(str(tmp_path), now=time.time() + LATER) == []
    for path in (alive, mine, no_pid, other, a_file, target, link):
        assert path.exists(), path
    assert (target / "left.txt").read_text() == "a handler's file"


def test_a_recent_folder_of_a_gone_process_waits(tmp_path: Path, dead_pid: int) -> None:
    """Its pid may belong to a live process in another PID namespace sharing the folder."""
    recent = _folder(tmp_path, f"pytest-lambda-tmp-{dead_pid}-abc")
    assert sandbox.sweep_stale(str(tmp_path)) == []
    assert recent.exists()


def test_sandboxes_are_named_after_their_process() -> None:
    """So that a later sweep can tell whether their maker is gone."""
    path, _ = sandbox._scratch_dir()
    try:
        assert os.path.basename(path).startswith(f"pytest-lambda-tmp-{os.getpid()}-")
    finally:
        sandbox._release(path)
    config_file, _ = sandbox.empty_aws_files()
    assert os.path.basename(os.path.dirname(config_file)).startswith(
        f"pytest-lambda-aws-{os.getpid()}-"
    )


def test_a_new_process_sweeps_when_it_makes_its_first_sandbox(
    tmp_path: Path, dead_pid: int
) -> None:
    stale = _folder(tmp_path, f"pytest-lambda-tmp-{dead_pid}-abc")
    os.utime(stale, (1, 1))  # ctime stays recent: the sweep's wait is set to 0 below
    code = (
        "from pytest_lambda._runtime import sandbox\n"
        "sandbox._STALE_AFTER_S = 0.0\n"
        "path, _ = sandbox._scratch_dir()\n"
        "sandbox._release(path)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert not stale.exists()
