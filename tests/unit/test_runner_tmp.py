"""The literal ``/tmp`` in module isolation: the environment's own, never the machine's.

Every test here fails on a main without the redirect (pytest_lambda._runtime.inprocess.tmp_redirect): the
handler's ``/tmp/...`` was the machine's real ``/tmp``. Names are unique per test so that
other processes on the machine are never touched; a test that creates a real ``/tmp`` entry
removes it itself.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from pytest_lambda import LambdaRunner, check_warm_reuse

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the redirect is POSIX-only")

APP = """
import glob, json, os, pathlib, shutil, tempfile

def append(event, context):
    with open(event["path"], "a") as f:
        f.write("x")
    with open(event["path"]) as f:
        return {"size": len(f.read()), "name": f.name}

def overwrite(event, context):
    path = event["path"]
    before = os.path.exists(path)
    with open(path, "w") as f:
        f.write("handler")
    with open(path) as f:
        seen = f.read()
    os.remove(path)
    return {"existed": before, "seen": seen, "after_remove": os.path.exists(path)}

def tree(event, context):
    top = "/tmp/" + event["name"]
    os.makedirs(top + "/a/b")
    pathlib.Path(top, "a", "b", "f.txt").write_text("one")
    p = pathlib.Path(top) / "p"
    p.mkdir()
    (p / "g.txt").write_bytes(b"two")
    shutil.copy(top + "/a/b/f.txt", top + "/copy.txt")
    shutil.copytree(top + "/a", top + "/a2")
    os.rename(top + "/copy.txt", top + "/moved.txt")
    fd, mk = tempfile.mkstemp(dir=top)
    os.close(fd)
    os.symlink(top + "/moved.txt", top + "/link")
    found = sorted(glob.glob(top + "/**", recursive=True))
    result = {
        "glob": [f for f in found if not f.startswith(mk)],
        "mkstemp_in_top": mk.startswith(top + "/tmp"),
        "listdir": sorted(os.listdir(top)),
        "walk": sorted(d for d, _, _ in os.walk(top)),
        "pathlib_read": pathlib.Path(top, "a2", "b", "f.txt").read_text(),
        "isdir": os.path.isdir(top + "/p") and pathlib.Path(top + "/p").is_dir(),
        "iterdir": sorted(c.name for c in pathlib.Path(top).iterdir()),
        "readlink": os.readlink(top + "/link"),
        "via_link": pathlib.Path(top + "/link").read_text(),
        "bytes_path": os.path.exists(os.fsencode(top + "/moved.txt")),
        "dotdot": os.path.exists("/tmp/../tmp/" + event["name"] + "/a/../moved.txt"),
        "in_tmp": event["name"] in os.listdir("/tmp"),
        "in_private_dir": event["name"] in os.listdir(tempfile.gettempdir()),
    }
    shutil.rmtree(top)
    result["after_rmtree"] = os.path.exists(top)
    return result

def missing(event, context):
    with open(event["path"]) as f:
        return f.read()

def read_given(event, context):
    with open(event["path"]) as f:
        return f.read()
"""


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[LambdaRunner]:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    made = LambdaRunner("app.append", root=tmp_path)
    yield made
    made.close()


def _unique() -> str:
    return f"pytest-lambda-test-{uuid.uuid4().hex}"


def _with(runner: LambdaRunner, name: str) -> LambdaRunner:
    return LambdaRunner(f"app.{name}", root=runner._config.root)


def test_a_file_appended_under_tmp_is_the_environments_and_goes_with_it(
    runner: LambdaRunner,
) -> None:
    """Guards: /tmp/x written by a handler lands in the environment's own /tmp (warm
    invocations see it, a new environment does not), keeps its /tmp spelling, and is gone
    when the runner closes; the machine's /tmp never has it."""
    path = f"/tmp/{_unique()}.txt"
    sizes = [runner.invoke({"path": path}).response for _ in range(3)]
    assert sizes == [{"size": n, "name": path} for n in (1, 2, 3)]
    assert not os.path.exists(path)  # the test process sees the machine's /tmp
    scratch = runner._sandbox.scratch  # type: ignore[union-attr]
    assert os.path.getsize(os.path.join(scratch, os.path.basename(path))) == 3
    runner.new_environment()
    assert runner.invoke({"path": path}).response == {"size": 1, "name": path}
    runner.close()
    assert not os.path.exists(scratch)
    assert not os.path.exists(path)


def test_a_real_tmp_file_of_the_same_name_is_never_read_changed_or_deleted(
    runner: LambdaRunner,
) -> None:
    """Guards: no data loss. A file that already exists in the machine's /tmp is invisible
    to the handler, which writes, reads and deletes its own file of that name."""
    path = f"/tmp/{_unique()}"
    with open(path, "w") as f:
        f.write("the user's data")
    try:
        with _with(runner, "overwrite") as over:
            first = over.invoke({"path": path})
            second = over.invoke({"path": path})
        expected = {"existed": False, "seen": "handler", "after_remove": False}
        assert first.response == expected
        assert second.response == expected
        with open(path) as f:
            assert f.read() == "the user's data"
    finally:
        os.remove(path)


def test_pathlib_shutil_glob_makedirs_and_symlinks_follow_the_redirect(
    runner: LambdaRunner,
) -> None:
    """Guards: the libraries built on the wrapped functions (pathlib, shutil, glob, os.walk,
    os.makedirs, tempfile with dir=, bytes paths, '..') all see the environment's /tmp, and
    a symlink to /tmp/x stays inside it."""
    name = _unique()
    top = f"/tmp/{name}"
    with _with(runner, "tree") as tree:
        inv = tree.invoke({"name": name})
    assert inv.error is None, inv.error
    out = inv.response
    assert out["glob"] == [
        f"{top}/",
        f"{top}/a",
        f"{top}/a/b",
        f"{top}/a/b/f.txt",
        f"{top}/a2",
        f"{top}/a2/b",
        f"{top}/a2/b/f.txt",
        f"{top}/link",
        f"{top}/moved.txt",
        f"{top}/p",
        f"{top}/p/g.txt",
    ]
    assert out["mkstemp_in_top"] is True
    assert [n for n in out["listdir"] if not n.startswith("tmp")] == [
        "a", "a2", "link", "moved.txt", "p",
    ]  # fmt: skip
    assert out["walk"] == [top, f"{top}/a", f"{top}/a/b", f"{top}/a2", f"{top}/a2/b", f"{top}/p"]
    assert out["pathlib_read"] == "one"
    assert out["isdir"] is True
    assert [n for n in out["iterdir"] if not n.startswith("tmp")] == out["listdir"][:5]
    assert out["readlink"] == f"{top}/moved.txt"
    assert out["via_link"] == "one"
    assert out["bytes_path"] is True
    assert out["dotdot"] is True
    assert out["in_tmp"] is True
    assert out["in_private_dir"] is True
    assert out["after_rmtree"] is False
    assert not os.path.exists(top)


def test_errors_name_the_path_as_the_handler_wrote_it(runner: LambdaRunner) -> None:
    """Guards (non-regression): an error names /tmp/..., not the private directory, and
    the runtime's stackTrace ends in the handler's code (no frame of the redirect)."""
    path = f"/tmp/{_unique()}/missing.txt"
    with _with(runner, "missing") as miss:
        inv = miss.invoke({"path": path})
    assert inv.error is not None
    assert inv.error.message == f"[Errno 2] No such file or directory: '{path}'"
    assert "_tmp_redirect" not in "".join(inv.error.stack_trace)
    assert 'with open(event["path"]) as f:' in inv.error.stack_trace[-1]


def test_test_files_under_tmp_path_and_the_task_root_keep_their_place(
    runner: LambdaRunner, tmp_path: Path
) -> None:
    """Guards (non-regression): pytest's tmp_path (under the machine's /tmp) and the task root are not
    redirected, so a test can hand the handler a file it made."""
    given = tmp_path / "input.txt"
    given.write_text("from the test")
    with _with(runner, "read_given") as read:
        assert read.invoke({"path": str(given)}).response == "from the test"


def test_a_tests_mock_of_open_is_left_in_place_and_sees_the_literal_path(
    runner: LambdaRunner,
) -> None:
    """Guards (non-regression): mock.patch('builtins.open') still works around an invoke (the mock receives
    the handler's /tmp path), and the genuine functions are back after the runner closes."""
    genuine_open, genuine_stat = builtins.open, os.stat
    path = f"/tmp/{_unique()}"
    with _with(runner, "read_given") as read:
        read.load()
        with mock.patch("builtins.open", mock.mock_open(read_data="mocked")) as fake:
            assert read.invoke({"path": path}).response == "mocked"
        fake.assert_called_once_with(path)
        assert os.stat in os.supports_dir_fd  # shutil and others look the wrappers up there
        runner.close()
    assert builtins.open is genuine_open
    assert io.open is genuine_open
    assert os.stat is genuine_stat
    if not getattr(genuine_open, "__pytest_lambda_tmp__", False):  # no other runner alive
        assert not any(getattr(f, "__pytest_lambda_tmp__", False) for f in os.supports_dir_fd)


def test_the_warm_reuse_check_names_an_appended_tmp_file(runner: LambdaRunner) -> None:
    """Guards the issue's example: a handler appending to /tmp/<name> on every invocation
    is a tmp-growth error named by its /tmp path (it passed as "no state leak" before), and
    nothing of it is left in the machine's /tmp."""
    path = f"/tmp/{_unique()}.txt"
    report = check_warm_reuse(runner, [{"path": path, "n": 1}, {"path": path, "n": 2}])
    assert not report.ok
    growth = [f for f in report.by_category("tmp-growth") if f.where == path]
    assert growth, str(report)
    assert growth[0].message.startswith(f"`{path}` grew by 1 byte per invocation")
    assert report.not_compared == ()
    assert not os.path.exists(path)


def test_the_warm_reuse_check_notes_entries_new_in_the_machines_tmp(tmp_path: Path) -> None:
    """Guards: a write that escapes the redirect (a subprocess writing /tmp/<name> that the
    handler then looks for in its own /tmp) is named in a note of the check, and never
    removed; entries other processes make meanwhile are not named."""
    name, other = _unique(), _unique()
    (tmp_path / "sub.py").write_text(
        "import os, subprocess, sys\n"
        "def handler(event, context):\n"
        f"    for n in ({name!r}, {other!r}):\n"
        "        code = 'open(\"/tmp/' + n + '\", \"a\").close()'\n"
        "        subprocess.run([sys.executable, '-c', code])\n"
        f"    return os.path.exists('/tmp/{name}')\n"
    )
    try:
        with LambdaRunner("sub.handler", root=tmp_path) as run:
            report = check_warm_reuse(run, [{"a": 1}])
        notes = [n for n in report.notes if n.startswith("new in the machine's /tmp")]
        assert notes == [
            f"new in the machine's /tmp during the check, under names the handler uses in its "
            f"own /tmp: /tmp/{name} (written by C code such as sqlite3 or a subprocess, which "
            "do not see the environment's /tmp; not inspected and not removed)"
        ]
        assert os.path.exists(f"/tmp/{name}")
    finally:
        for n in (name, other):
            if os.path.exists(f"/tmp/{n}"):
                os.remove(f"/tmp/{n}")


def test_tempfile_gettempdir_stays_a_real_private_directory(runner: LambdaRunner) -> None:
    """Guards the documented choice: tempfile names work in subprocesses and C code (they
    are real paths), and are inside the environment's /tmp."""
    (Path(runner._config.root) / "tmpdir.py").write_text(
        "import os, subprocess, sys, tempfile\n"
        "def handler(event, context):\n"
        "    with tempfile.NamedTemporaryFile('w', delete=False) as f:\n"
        "        f.write('shared')\n"
        "    code = f'import pathlib; print(pathlib.Path({f.name!r}).read_text())'\n"
        "    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)\n"
        "    name = os.path.basename(f.name)\n"
        "    return [out.stdout.strip(), name in os.listdir('/tmp'), os.environ['TMPDIR']]\n"
    )
    with LambdaRunner("tmpdir.handler", root=runner._config.root) as run:
        inv = run.invoke({})
        scratch = run._sandbox.scratch  # type: ignore[union-attr]
    assert inv.response == ["shared", True, scratch]


def test_inactive_wrappers_pass_through(runner: LambdaRunner) -> None:
    """Guards: outside an invoke (wrappers installed, no environment active) /tmp is the
    machine's, for the test itself."""
    runner.load()
    assert getattr(builtins.open, "__pytest_lambda_tmp__", False)
    path = f"/tmp/{_unique()}"
    try:
        with open(path, "w") as f:
            f.write("test")
        assert json.dumps(os.path.exists(path)) == "true"
    finally:
        os.remove(path)


def test_an_environment_on_its_own_thread_is_redirected_too(runner: LambdaRunner) -> None:
    """Guards: the redirect is process-wide while the environment is active, so a runner
    made off the main thread (its handler on a worker thread) gets it as well."""
    import threading

    path = f"/tmp/{_unique()}.txt"
    out: list[object] = []

    def run() -> None:
        with _with(runner, "append") as threaded:
            out.extend(threaded.invoke({"path": path}).response for _ in range(2))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert out == [{"size": 1, "name": path}, {"size": 2, "name": path}]
    assert not os.path.exists(path)


@pytest.mark.skipif(not hasattr(BaseException, "add_note"), reason="notes are 3.11+")
def test_a_missing_tmp_file_that_the_machines_tmp_has_gets_a_note(runner: LambdaRunner) -> None:
    """Guards: a handler that cannot find a /tmp file that exists in the machine's /tmp
    (a test's file, or one a subprocess wrote) is told why; the file is not read."""
    path = f"/tmp/{_unique()}"
    with open(path, "w") as f:
        f.write("the machine's")
    try:
        with _with(runner, "read_given") as read:
            inv = read.invoke({"path": path})
        assert inv.error is not None
        assert inv.error.message == f"[Errno 2] No such file or directory: '{path}'"
        assert getattr(inv.error.exception, "__notes__", None) == [
            f"pytest-lambda: {path} exists in the machine's /tmp, but while a handler runs, "
            "/tmp is its environment's own (as in Lambda); written by a subprocess or C code? "
            "Test files belong under tmp_path or the task root"
        ]
    finally:
        os.remove(path)


ESCAPES = """
import bz2, os, shutil, tarfile

def handler(event, context):
    name = event["name"]
    with bz2.open(f"/tmp/{name}.bz2", "wb") as f:
        f.write(b"compressed")
    with tarfile.open(f"/tmp/{name}.tar", "w"):
        pass
    os.chdir("/tmp")
    seen_up = os.path.exists("../" + name)  # from /tmp, .. is /, not the machine's /tmp
    try:
        os.remove("../" + name)
        removed = "removed"
    except OSError as exc:
        removed = type(exc).__name__
    mine = sorted(os.listdir("/tmp"))
    shutil.rmtree("/tmp", ignore_errors=True)  # empties it: /tmp itself is a mount point
    with open("/tmp/after.txt", "w") as f:
        f.write("still writable")
    return {"seen_up": seen_up, "removed": removed, "mine": mine,
            "after": sorted(os.listdir("/tmp"))}
"""


def test_open_aliases_dotdot_from_tmp_and_rmtree_of_tmp_stay_in_the_environment(
    tmp_path: Path,
) -> None:
    """bz2 and tarfile hold builtins.open under their own names (taken at their import,
    before the first environment); ``..`` from a cwd of /tmp is /; rmtree('/tmp') empties
    /tmp and leaves it: the machine's /tmp is never written, read or deleted through them."""
    import bz2  # noqa: F401  imported by the test process first, as pytest's plugins do
    import tarfile  # noqa: F401

    name = _unique()
    victim = Path("/tmp") / name
    victim.write_text("the machine's")
    (tmp_path / "app.py").write_text(textwrap.dedent(ESCAPES))
    runner = LambdaRunner("app.handler", root=tmp_path)
    try:
        inv = runner.invoke({"name": name})
        assert inv.ok, inv.error
        got = inv.response
        assert got["seen_up"] is False
        assert got["removed"] in ("FileNotFoundError", "PermissionError", "OSError")
        assert got["mine"] == sorted([f"{name}.bz2", f"{name}.tar"])
        assert got["after"] == ["after.txt"]
        assert victim.read_text() == "the machine's"
        assert not Path(f"/tmp/{name}.bz2").exists()
        assert not Path(f"/tmp/{name}.tar").exists()
        assert runner.invoke({"name": name}).ok  # the next invocation still has its /tmp
    finally:
        runner.close()
        victim.unlink()
