"""The task root is read-only while a handler runs (module isolation), as ``/var/task`` is in
Lambda: a handler cannot change, remove or move away the project's files, and a file it
moved into its ``/tmp`` is not deleted with the sandbox. Reads, ``/tmp`` and the test's own
temporary directories stay as they were."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda._runtime import machine_tmp

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the /tmp redirect is POSIX only")

APP = """
import os, shutil

ROOT = os.environ["LAMBDA_TASK_ROOT"]


def attempt(action):
    try:
        action()
        return "done"
    except OSError as exc:
        return errno_name(exc)


def _read(path):
    with open(path) as f:
        return f.read()


def errno_name(exc):
    import errno
    return errno.errorcode.get(exc.errno, str(exc.errno))


def write(path, mode, text="x"):
    with open(path, mode) as f:
        f.write(text)


def handler(event, context):
    model = os.path.join(ROOT, "model.bin")
    out = {
        "read": _read(model),
        "move": attempt(lambda: shutil.move(model, "/tmp/model.bin")),
        "rename": attempt(lambda: os.rename(model, "/tmp/m2")),
        "remove": attempt(lambda: os.remove(model)),
        "write": attempt(lambda: write(model, "w")),
        "append_relative": attempt(lambda: write("model.bin", "a")),
        "create": attempt(lambda: open(os.path.join(ROOT, "new.txt"), "x").close()),
        "os_open": attempt(lambda: os.close(os.open("new2.txt", os.O_WRONLY | os.O_CREAT))),
        "mkdir": attempt(lambda: os.mkdir("cache")),
        "chmod": attempt(lambda: os.chmod(model, 0o600)),
        "tmp": attempt(lambda: write("/tmp/ok.txt", "w", "fine")),
        "outside": attempt(lambda: write(event["outside"], "w", "fine")),
        "rmtree_tmp": attempt(lambda: (os.makedirs("/tmp/d/e"), shutil.rmtree("/tmp/d"))),
    }
    return out
"""


@pytest.fixture
def project(app_runners: Callable[[str], Callable[..., Any]], tmp_path: Path) -> Callable[..., Any]:
    (tmp_path / "model.bin").write_text("weights")
    return app_runners(APP)


def test_the_task_root_is_read_only_and_its_files_survive(
    project: Callable[..., Any], tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("out") / "result.txt"
    inv = project("app.handler").invoke({"outside": str(outside)})

    assert inv.ok, inv.error
    got = inv.response
    assert got["read"] == "weights"
    for key in ("move", "rename", "remove", "write", "append_relative", "create", "os_open",
                "mkdir", "chmod"):  # fmt: skip
        assert got[key] == "EROFS", (key, got)
    assert (got["tmp"], got["outside"], got["rmtree_tmp"]) == ("done", "done", "done")
    assert (tmp_path / "model.bin").read_text() == "weights"  # after the sandbox was closed too
    assert not (tmp_path / "new.txt").exists()
    assert not (tmp_path / "cache").exists()
    assert outside.read_text() == "fine"


def test_the_refusal_says_why_and_what_to_do(app_runners: Callable[[str], Any]) -> None:
    make = app_runners("def handler(event, context):\n    open('out.json', 'w')\n")
    inv = make("app.handler").invoke({})
    assert inv.error is not None
    assert "Read-only file system" in inv.error.message
    exc = inv.error.exception
    assert isinstance(exc, OSError)
    assert exc.errno == errno.EROFS
    assert any("as /var/task is in Lambda" in note for note in getattr(exc, "__notes__", []))


@pytest.fixture
def basetemp_inside(tmp_path: Path) -> Iterator[Path]:
    """A test temporary folder inside the task root, registered as pytest's basetemp is."""
    inside = tmp_path / "basetemp"
    inside.mkdir()

    def source() -> str:
        return str(inside)

    machine_tmp.WRITABLE_SOURCES.append(source)
    yield inside
    machine_tmp.WRITABLE_SOURCES.remove(source)


def test_the_tests_temporary_folder_inside_the_root_stays_writable(
    app_runners: Callable[[str], Any], basetemp_inside: Path
) -> None:
    make = app_runners(
        "def handler(event, context):\n    with open(event['path'], 'w') as f:\n        f.write('ok')\n"
    )
    target = basetemp_inside / "result.txt"
    inv = make("app.handler").invoke({"path": str(target)})
    assert inv.ok, inv.error
    assert target.read_text() == "ok"


def test_outside_an_invocation_the_test_writes_where_it_likes(
    app_runners: Callable[[str], Any], tmp_path: Path
) -> None:
    runner = app_runners("def handler(event, context):\n    return 1\n")("app.handler")
    assert runner.invoke({}).ok
    (tmp_path / "written_by_the_test.txt").write_text("yes")  # the environment is not active
    assert (tmp_path / "written_by_the_test.txt").read_text() == "yes"
