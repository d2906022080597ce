"""The fast paths of issue 19's second pass keep behaviour (module isolation).

* the sandbox's ``/tmp`` comes from a pool of empty directories (renamed, never reused by
  name): a new environment still starts with an empty private ``/tmp``, a closed one's
  name is gone, and a pooled directory that someone wrote to or opened up is not taken;
* ``dict_version``: the version tag moves on every change of a dict and on nothing else;
* ``os.environ`` swaps skip comparing dicts whose tags did not move: variables the test
  sets between invokes still reach the handler, and what the handler sets or deletes is
  still the environment's (kept warm) and never the test's;
* ``sys.modules``: new entries are found walking back from the last one at activation,
  also when the handler removed and re-imported that last one.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner
from pytest_lambda._runtime import sandbox as sandbox_module
from pytest_lambda._runtime.inprocess.dict_version import tag_reader
from pytest_lambda._runtime.inprocess.module_index import INDEX, view_for

APP = """
import os, sys

def listing(event, context):
    path = event.get("write")
    if path:
        with open(path, "w") as f:
            f.write("x")
    return sorted(os.listdir("/tmp"))

def environ(event, context):
    for name in event.get("delete", []):
        os.environ.pop(name, None)
    for name, value in event.get("set", {}).items():
        os.environ[name] = value
    return {name: os.environ.get(name) for name in event["read"]}

def import_helper(event, context):
    if event.get("drop_last"):
        last = next(reversed(sys.modules))
        module = sys.modules.pop(last)
        import helper_one  # noqa: F401
        sys.modules[last] = module
    else:
        import helper_one  # noqa: F401
    return "helper_one" in sys.modules
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    (tmp_path / "helper_one.py").write_text("VALUE = 1\n")
    return tmp_path


@pytest.fixture
def runner(root: Path) -> Iterator[LambdaRunner]:
    with LambdaRunner("app.listing", root=root) as made:
        yield made


def _scratch(runner: LambdaRunner) -> str:
    assert runner._sandbox is not None
    return runner._sandbox.scratch


# -- the pool of scratch directories ----------------------------------------------------
def test_a_new_environment_starts_with_an_empty_tmp_after_a_pooled_one(
    runner: LambdaRunner,
) -> None:
    assert runner.invoke({}).response == []
    first = _scratch(runner)
    runner.new_environment()  # empty: renamed into the pool
    assert not os.path.exists(first)
    assert runner.invoke({"write": "/tmp/a.txt"}).response == ["a.txt"]
    second = _scratch(runner)
    assert second != first
    runner.new_environment()  # written to: removed
    assert not os.path.exists(second)
    assert runner.invoke({}).response == []
    third = _scratch(runner)
    assert third not in (first, second)
    assert sorted(os.listdir(third)) == []


def test_a_pooled_directory_written_to_later_is_not_taken(runner: LambdaRunner) -> None:
    runner.invoke({})
    runner.new_environment()
    pool = sandbox_module._POOL
    assert pool, "the empty /tmp went to the pool"
    late = pool[-1][0]
    with open(os.path.join(late, "late.txt"), "w") as f:  # a late writer (a leftover thread)
        f.write("x")
    assert runner.invoke({}).response == []
    assert not os.path.exists(late)  # removed, not handed out


def test_a_pooled_directory_is_taken_from_its_lstat_alone(
    runner: LambdaRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke({})
    runner.new_environment()
    path, signature = sandbox_module._POOL[-1]
    assert signature is not None
    assert os.lstat(path).st_mtime_ns == sandbox_module._POOLED_MTIME_NS
    listed: list[str] = []
    monkeypatch.setattr(os, "scandir", lambda p: listed.append(p) or iter(()))
    assert sandbox_module._scratch_dir() == (path, signature)
    assert listed == []
    os.rmdir(path)


def test_a_pooled_directory_written_to_later_is_not_taken_from_its_lstat(
    runner: LambdaRunner,
) -> None:
    runner.invoke({})
    runner.new_environment()
    late, signature = sandbox_module._POOL[-1]
    assert signature is not None
    with open(os.path.join(late, "late.txt"), "w") as f:  # a late writer (a leftover thread)
        f.write("x")
    assert runner.invoke({}).response == []
    assert not os.path.exists(late)  # its mtime moved: listed, removed, not handed out


def test_an_untouched_scratch_directory_is_released_from_its_lstat_alone(
    runner: LambdaRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke({})
    runner.new_environment()  # pooled
    runner.invoke({})  # takes it
    taken = _scratch(runner)
    listed: list[str] = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: listed.append(p) or real_scandir(p))
    runner.new_environment()
    assert listed == []  # its lstat as when it was handed out: still empty
    assert not os.path.exists(taken)  # renamed into the pool all the same
    assert sandbox_module._POOL[-1][1] is not None


def test_a_scratch_directory_written_to_is_removed_not_pooled(runner: LambdaRunner) -> None:
    runner.invoke({})
    runner.new_environment()
    assert runner.invoke({"write": "/tmp/kept.txt"}).response == ["kept.txt"]
    taken = _scratch(runner)
    pooled = [path for path, _ in sandbox_module._POOL]
    runner.new_environment()
    assert not os.path.exists(taken)
    assert [path for path, _ in sandbox_module._POOL] == pooled  # listed: removed


def test_a_file_hidden_by_restoring_the_directorys_times_is_still_found(root: Path) -> None:
    """os.utime() can put /tmp's mtime back after a write, not its ctime."""
    (root / "hider.py").write_text(
        "import os\n\ndef handler(event, context):\n"
        "    st = os.stat('/tmp')\n"
        "    with open('/tmp/leftover', 'w') as f:\n"
        "        f.write('x')\n"
        "    os.utime('/tmp', ns=(st.st_atime_ns, st.st_mtime_ns))\n"
        "    return sorted(os.listdir('/tmp'))\n"
    )
    with LambdaRunner("hider.handler", root=root) as hider:
        hider.invoke({})
        hider.new_environment()  # an empty one pooled: the next is taken from the pool
        assert hider.invoke({}).response == ["leftover"]
    with LambdaRunner("app.listing", root=root) as other:
        assert other.invoke({}).response == []


def test_a_forked_child_draws_other_names_than_its_parent() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write, sandbox_module.random_hex(8).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    assert child != sandbox_module.random_hex(8)


def test_a_pooled_directory_opened_up_is_not_taken(runner: LambdaRunner) -> None:
    runner.invoke({})
    runner.new_environment()
    late = sandbox_module._POOL[-1][0]
    os.chmod(late, 0o755)
    assert runner.invoke({}).response == []
    assert not os.path.exists(late)
    assert os.stat(_scratch(runner)).st_mode & 0o777 == 0o700


def test_a_forked_child_does_not_take_its_parents_pool(runner: LambdaRunner) -> None:
    runner.invoke({})
    runner.new_environment()
    parents = [path for path, _ in sandbox_module._POOL]
    assert parents
    pid = os.fork()
    if pid == 0:  # the child: a new sandbox must not rename the parent's directories
        status = 0
        try:
            child, _ = sandbox_module._scratch_dir()
            status = 0 if child not in parents and all(os.path.isdir(p) for p in parents) else 1
            os.rmdir(child)
        except BaseException:
            status = 2
        os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert all(os.path.isdir(p) for p in parents)


def test_a_directory_inside_another_sandbox_is_removed_not_pooled(tmp_path: Path) -> None:
    """A runner made by a handler has its /tmp inside that environment's: never pooled."""
    outer = tmp_path / f"{sandbox_module._SCRATCH_PREFIX}outer"
    inner = outer / f"{sandbox_module._SCRATCH_PREFIX}inner"
    inner.mkdir(parents=True, mode=0o700)
    before = list(sandbox_module._POOL)
    sandbox_module._release(str(inner))
    assert not inner.exists()
    assert before == sandbox_module._POOL


def test_a_closed_environment_is_freed_without_the_garbage_collector(runner: LambdaRunner) -> None:
    """Its own reference cycles are broken at close: reference counting frees it at once
    (what it held no longer waits for a collector pass that grows with the process)."""
    import gc
    import weakref

    runner.invoke({})
    env = weakref.ref(runner._env)
    process = weakref.ref(runner._env.process)  # type: ignore[union-attr]
    enabled = gc.isenabled()
    gc.disable()
    try:
        runner.new_environment()
        assert env() is None
        assert process() is None
    finally:
        if enabled:
            gc.enable()


# -- dict version tags ----------------------------------------------------------------------
def test_the_version_tag_moves_on_every_change_and_on_nothing_else() -> None:
    data: dict[str, object] = {}
    reader = tag_reader(data)
    if reader is None:
        pytest.skip("no version tags on this interpreter: the dicts are compared instead")
    marker = object()
    seen = [reader.tag()]
    data["a"] = marker
    seen.append(reader.tag())
    data["a"] = marker  # the same object
    seen.append(reader.tag())
    data.update(b=1)
    seen.append(reader.tag())
    del data["b"]
    seen.append(reader.tag())
    data.pop("a")
    seen.append(reader.tag())
    assert seen[1] != seen[0]
    assert seen[2] == seen[1]
    assert len(set(seen[2:])) == 4
    assert reader.target is data


def test_only_plain_dicts_get_a_reader() -> None:
    class Sub(dict):  # type: ignore[type-arg]
        pass

    assert tag_reader(Sub()) is None


def test_the_index_sees_an_entry_replaced_in_place() -> None:
    """Same length, another object: only the version tag tells (the index rescans)."""
    INDEX.sync()
    name = "pytest_lambda_fast_paths_probe"
    first = type(sys)(name)
    sys.modules[name] = first
    try:
        INDEX.sync()
        assert INDEX.snapshot[name] is first
        second = type(sys)(name)
        second.__file__ = "/somewhere/else/probe.py"
        sys.modules[name] = second
        INDEX.sync()
        assert INDEX.snapshot[name] is second
        assert INDEX.facts[name].path == "/somewhere/else/probe.py"
    finally:
        sys.modules.pop(name, None)
        INDEX.sync()
    assert name not in INDEX.facts


def test_shared_packages_follow_a_module_imported_after_they_were_computed(root: Path) -> None:
    """shared() is cached per index position: a new top-level module moves it."""
    view = view_for(os.path.join(str(root), ""), ())
    name = "pytest_lambda_fast_paths_shared_probe"
    first = view.shared()
    assert view.shared() is first  # nothing changed: the same set
    assert name not in first
    probe = type(sys)(name)
    probe.__file__ = "/venv/lib/python3.11/site-packages/probe.py"
    sys.modules[name] = probe
    try:
        assert name in view.shared()
    finally:
        sys.modules.pop(name, None)
    assert name not in view.shared()


# -- os.environ ---------------------------------------------------------------------------
def test_variables_the_test_sets_between_invokes_reach_the_handler(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LambdaRunner("app.environ", root=root) as runner:
        read = {"read": ["APP_MODE", "AWS_REGION"]}
        assert runner.invoke(read).response == {"APP_MODE": None, "AWS_REGION": "us-east-1"}
        assert runner.invoke(read).response == {"APP_MODE": None, "AWS_REGION": "us-east-1"}
        monkeypatch.setenv("APP_MODE", "blue")
        assert runner.invoke(read).response == {"APP_MODE": None, "AWS_REGION": "us-east-1"}
        runner.new_environment()  # a new process takes the test's variables
        assert runner.invoke(read).response == {"APP_MODE": "blue", "AWS_REGION": "us-east-1"}
        monkeypatch.setenv("APP_MODE", "green")  # a warm process keeps its own
        assert runner.invoke(read).response["APP_MODE"] == "blue"


def test_what_the_handler_deletes_or_sets_stays_in_the_environment(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_SHARED", "test")
    with LambdaRunner("app.environ", root=root) as runner:
        read = ["APP_SHARED", "APP_NEW", "AWS_ACCESS_KEY_ID"]
        first = runner.invoke({"read": read, "delete": ["APP_SHARED", "AWS_ACCESS_KEY_ID"]})
        assert first.response == {"APP_SHARED": None, "APP_NEW": None, "AWS_ACCESS_KEY_ID": None}
        assert os.environ["APP_SHARED"] == "test"  # restored for the test
        assert "AWS_ACCESS_KEY_ID" not in os.environ or os.environ["AWS_ACCESS_KEY_ID"] != "testing"
        second = runner.invoke({"read": read, "set": {"APP_NEW": "1"}})
        assert second.response == {"APP_SHARED": None, "APP_NEW": "1", "AWS_ACCESS_KEY_ID": None}
        assert "APP_NEW" not in os.environ
        # unchanged invokes after a change (the fast path again): still the environment's
        for _ in range(3):
            assert runner.invoke({"read": read}).response == second.response
        assert os.environ["APP_SHARED"] == "test"
        assert "APP_NEW" not in os.environ


def test_a_variable_set_back_to_its_value_by_the_handler_is_seen(root: Path) -> None:
    """Set and restored inside one invoke: the tag moved, so the slow path compares."""
    with LambdaRunner("app.environ", root=root) as runner:
        region = runner.invoke({"read": ["AWS_REGION"]}).response["AWS_REGION"]
        out = runner.invoke({"read": ["AWS_REGION"], "set": {"AWS_REGION": region}})
        assert out.response == {"AWS_REGION": region}
        assert runner.invoke({"read": ["AWS_REGION"]}).response == {"AWS_REGION": region}
        assert os.environ.get("AWS_REGION") != region or "AWS_REGION" in os.environ


def test_a_trace_id_in_the_tests_environment_is_replaced_per_invoke(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """_X_AMZN_TRACE_ID is set per invocation; one the test had stays the test's."""
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=test")
    with LambdaRunner("app.environ", root=root) as runner:
        seen = [runner.invoke({"read": ["_X_AMZN_TRACE_ID"]}).response for _ in range(3)]
        ids = [s["_X_AMZN_TRACE_ID"] for s in seen]
        assert all(i.startswith("Root=1-") for i in ids)
        assert len(set(ids)) == 3
        assert os.environ["_X_AMZN_TRACE_ID"] == "Root=test"


# -- sys.modules --------------------------------------------------------------------------
def test_a_module_imported_in_the_handler_is_the_environments(root: Path) -> None:
    with LambdaRunner("app.import_helper", root=root) as runner:
        assert runner.invoke({}).response is True
        assert "helper_one" not in sys.modules  # the environment's, taken out
        assert runner._env is not None
        assert "helper_one" in runner._env.modules.modules


def test_new_modules_are_found_when_the_last_entry_was_removed_and_put_back(
    root: Path,
) -> None:
    with LambdaRunner("app.import_helper", root=root) as runner:
        runner.load()
        assert runner.invoke({"drop_last": True}).response is True
        assert "helper_one" not in sys.modules
        assert runner._env is not None
        assert "helper_one" in runner._env.modules.modules
