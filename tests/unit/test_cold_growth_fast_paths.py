"""The fast paths of issue 19's fourth pass keep behaviour (module isolation).

* a new environment reuses the last close's logger snapshot only while no logger was made
  or changed: a change the test makes between environments (a level, a handler appended
  in place, an attribute) is kept, and what an environment changes is still undone;
* the shared packages are a question put to the module index (a top-level name is shared
  while some entry under it is not the environment's), asked only when needed;
* what C code changed in the C ``environ`` since an environment's mark is read from the
  entries that came or went, and equals the comparison of two whole readings.
"""

from __future__ import annotations

import logging
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from pytest_lambda import LambdaRunner
from pytest_lambda._runtime.inprocess import swap_logging, swap_state
from pytest_lambda._runtime.inprocess.module_index import INDEX, SharedPackages, view_for

APP = """
import logging

log = logging.getLogger("growth_app.worker")


def handler(event, context):
    target = logging.getLogger(event.get("logger", "growth_app.worker"))
    if event.get("level"):
        target.setLevel(event["level"])
    if event.get("handler"):
        target.handlers.append(logging.NullHandler())  # in place, not addHandler
    if event.get("mark"):
        target.marked_by_env = event["mark"]
    return {"level": target.level, "handlers": len(target.handlers)}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "growth_app.py").write_text(APP)
    return tmp_path


@pytest.fixture
def test_logger() -> Iterator[logging.Logger]:
    lg = logging.getLogger("growth_test.configured")
    saved = (lg.level, list(lg.handlers))
    yield lg
    lg.setLevel(saved[0])
    lg.handlers[:] = saved[1]
    lg.__dict__.pop("marked_by_test", None)
    lg.__dict__.pop("marked_by_env", None)


def _environment_snapshot(runner: LambdaRunner) -> swap_logging.LoggerSnapshot:
    env = runner._env
    assert env is not None
    snapshot: swap_logging.LoggerSnapshot = env._loggers
    return snapshot


def test_an_unchanged_process_reuses_the_last_snapshot(root: Path) -> None:
    with LambdaRunner("growth_app.handler", root=root) as runner:
        assert runner.invoke({}).ok
        assert runner.invoke({}, cold=True).ok
        first = _environment_snapshot(runner)
        assert runner.invoke({}, cold=True).ok
        if first._tag is None:  # no version tags on this Python: always a fresh walk
            pytest.skip("dict version tags are not readable here")
        assert _environment_snapshot(runner) is first


@pytest.mark.parametrize("change", ["level", "handler", "attribute"])
def test_a_change_the_test_makes_between_environments_is_kept(
    root: Path, test_logger: logging.Logger, change: str
) -> None:
    with LambdaRunner("growth_app.handler", root=root) as runner:
        assert runner.invoke({}).ok
        runner.new_environment()
        added = logging.NullHandler()
        if change == "level":
            test_logger.setLevel(logging.DEBUG)
        elif change == "handler":
            test_logger.handlers.append(added)
        else:
            test_logger.marked_by_test = "yes"  # type: ignore[attr-defined]
        # the environment changes the same logger; its close gives back the test's state
        event = {"logger": test_logger.name, "level": "ERROR", "handler": True, "mark": "env"}
        assert runner.invoke(event).ok
        runner.new_environment()
    if change == "level":
        assert test_logger.level == logging.DEBUG
    elif change == "handler":
        assert test_logger.handlers == [added]
    else:
        assert test_logger.marked_by_test == "yes"  # type: ignore[attr-defined]
    assert not hasattr(test_logger, "marked_by_env")


@pytest.mark.parametrize(
    "event",
    [{"level": "DEBUG"}, {"handler": True}, {"mark": "x"}],
    ids=["level", "handler-in-place", "attribute"],
)
def test_what_an_environment_changes_is_undone_with_a_reused_snapshot(
    root: Path, event: dict[str, object]
) -> None:
    worker = logging.getLogger("growth_app.worker")
    before = (worker.level, list(worker.handlers), dict(worker.__dict__))
    with LambdaRunner("growth_app.handler", root=root) as runner:
        for _ in range(3):  # the later environments start from the reused snapshot
            assert runner.invoke(event, cold=True).ok
            runner.new_environment()
            assert (worker.level, worker.handlers) == before[:2]
            assert worker.__dict__.keys() == before[2].keys()


def test_shared_packages_count_the_entries_that_are_not_the_environments(root: Path) -> None:
    view = view_for(str(root) + "/", ())
    own_name, other_name = "growth_probe_pkg.own", "growth_probe_pkg.other"
    own = type(sys)(own_name)
    own.__file__ = str(root / "growth_probe_pkg" / "own.py")
    other = type(sys)(other_name)
    other.__file__ = "/venv/lib/python3.11/site-packages/growth_probe_pkg/other.py"
    sys.modules[own_name] = own
    try:
        shared = view.shared()
        assert isinstance(shared, SharedPackages)
        assert "growth_probe_pkg" not in shared  # every entry under it is the environment's
        assert "logging" in shared
        assert 3 not in shared
        sys.modules[other_name] = other
        assert "growth_probe_pkg" in view.shared()  # one entry is not
    finally:
        sys.modules.pop(own_name, None)
        sys.modules.pop(other_name, None)
        INDEX.sync()


def test_a_logger_made_under_a_shared_package_survives_the_close(root: Path) -> None:
    """Asked on demand: the shared packages are computed when a new logger needs them."""
    name = "logging.growth_probe_made_by_env"  # under a shared (stdlib) top-level name
    logging.root.manager.loggerDict.pop(name, None)
    try:
        with LambdaRunner("growth_app.handler", root=root) as runner:
            assert runner.invoke({"logger": name, "level": "ERROR"}).ok
        assert logging.getLogger(name).level == logging.ERROR  # kept: a shared package's

        with LambdaRunner("growth_app.handler", root=root) as runner:
            assert runner.invoke({"logger": "growth_app.made", "level": "ERROR"}).ok
        assert logging.getLogger("growth_app.made").level == logging.NOTSET  # its own: reset
    finally:
        logging.root.manager.loggerDict.pop(name, None)
        logging.root.manager.loggerDict.pop("growth_app.made", None)


# -- the C environ: what changed since the mark, from the entries that came or went ------
def _libc() -> object:
    ctypes = pytest.importorskip("ctypes")
    if swap_state.c_environ_diff() is None:
        pytest.skip("the C environ is not readable here")
    return ctypes.CDLL(None)


_NAMES = [f"PL_MARK_{i}" for i in range(4)]


def _cleanup() -> None:
    for name in _NAMES:
        os.environ.pop(name, None)
        os.unsetenv(name)


def _apply(libc: object, step: tuple[str, str, str]) -> None:
    how, name, value = step
    if how == "c-set":
        libc.setenv(name.encode(), value.encode(), 1)  # type: ignore[attr-defined]
    elif how == "c-unset":
        libc.unsetenv(name.encode())  # type: ignore[attr-defined]
    elif how == "py-set":
        os.environ[name] = value
    elif how == "py-del":
        os.environ.pop(name, None)
    else:  # os.environ's data changed without putenv
        data = os.environ._data  # type: ignore[attr-defined]
        data[os.environ.encodekey(name)] = os.environ.encodevalue(value)


@pytest.mark.parametrize("seed", range(40))
def test_the_marks_answer_is_the_whole_comparisons(seed: int) -> None:
    """Random C-level and os.environ changes before and after the mark: the answer equals
    "differs now" minus "differed at the mark", each from a whole reading."""
    libc = _libc()
    rng = random.Random(seed)
    kinds = ["c-set", "c-unset", "py-set", "py-del", "data"]

    def steps(count: int) -> list[tuple[str, str, str]]:
        return [
            (rng.choice(kinds), rng.choice(_NAMES), rng.choice(["a", "b", "c"]))
            for _ in range(count)
        ]

    _cleanup()
    try:
        for step in steps(rng.randint(0, 3)):  # differences the process had before
            _apply(libc, step)
        before = swap_state.c_environ_diff() or set()
        mark = swap_state.CEnvironMark()
        for step in steps(rng.randint(0, 4)):
            _apply(libc, step)
        expected = (swap_state.c_environ_diff() or set()) - before
        assert mark.changes() == expected
    finally:
        _cleanup()


def test_a_mark_with_nothing_changed_answers_from_the_pointers_alone() -> None:
    _libc()
    mark = swap_state.CEnvironMark()
    fail = mock.Mock(side_effect=AssertionError("compared or read"))
    with (
        mock.patch.object(swap_state.CEnvironMark, "_compare", fail),
        mock.patch.object(swap_state, "_c_reading", fail),
        mock.patch.object(swap_state, "_entry_at", fail),
    ):
        assert mark.changes() == set()
    assert not fail.called


def test_an_entry_that_went_is_read_as_it_was_at_the_mark() -> None:
    """A putenv() entry is its caller's buffer: once replaced in environ the caller may
    reuse it, so the mark reads its entries when it is taken, not at the answer."""
    libc = _libc()
    ctypes = pytest.importorskip("ctypes")
    os.environ["PL_MARK_0"] = "1"
    buffer = ctypes.create_string_buffer(b"PL_MARK_0=1", 64)
    libc.putenv(buffer)  # the test's C code: the same value, in its own buffer
    try:
        mark = swap_state.CEnvironMark()
        libc.setenv(b"PL_MARK_0", b"2", 1)  # C code of the handler: the buffer leaves environ
        buffer.value = b"PL_MARK_1=x"  # and its owner reuses it
        assert mark.changes() == {"PL_MARK_0"}
    finally:
        _cleanup()


def test_a_reused_putenv_buffer_is_read_again_by_the_next_reading() -> None:
    """Only the last reading's addresses are trusted: an address that left environ and came
    back holds what its owner put there since."""
    libc = _libc()
    ctypes = pytest.importorskip("ctypes")
    buffer = ctypes.create_string_buffer(b"PL_MARK_0=1", 64)
    try:
        os.environ["PL_MARK_0"] = "1"
        libc.putenv(buffer)
        before = swap_state.c_environ_diff() or set()
        os.environ["PL_MARK_0"] = "2"  # setenv through os.environ: the buffer leaves environ
        assert swap_state.c_environ_diff() == before
        buffer.value = b"PL_MARK_1=5"
        libc.putenv(buffer)  # the same address, another variable
        os.environ._data[os.environ.encodekey("PL_MARK_1")] = b"5"  # type: ignore[attr-defined]
        assert swap_state.c_environ_diff() == before  # C and os.environ agree
    finally:
        _cleanup()


def test_a_c_change_is_found_among_pytests_own_changes() -> None:
    libc = _libc()
    _cleanup()
    try:
        mark = swap_state.CEnvironMark()
        os.environ["PL_MARK_0"] = "set through os.environ"  # as pytest's PYTEST_CURRENT_TEST
        libc.setenv(b"PL_MARK_1", b"from C", 1)  # type: ignore[attr-defined]
        assert mark.changes() == {"PL_MARK_1"}
    finally:
        _cleanup()


@pytest.mark.parametrize("seed", range(60))
def test_the_changed_pointers_are_the_set_differences(seed: int) -> None:
    """Words replaced in place, entries appended, removed with the rest moved down (as
    unsetenv does), or many changed: the same answer as comparing every pointer."""
    import struct

    rng = random.Random(seed)
    before = rng.sample(range(1 << 20, 1 << 44, 4096), rng.randint(0, 60))
    after = list(before)
    for _ in range(rng.randint(0, 12)):
        how = rng.choice(["replace", "append", "remove"])
        if how == "replace" and after:
            after[rng.randrange(len(after))] = rng.randrange(1 << 20, 1 << 44, 8)
        elif how == "append":
            after.append(rng.randrange(1 << 20, 1 << 44, 8))
        elif after:
            del after[rng.randrange(len(after))]

    def blob(words: list[int]) -> bytes:
        return struct.pack(f"{len(words)}P", *words)

    went, came = swap_state._changed_pointers(blob(before), blob(after))
    assert (went, came) == (set(before) - set(after), set(after) - set(before))


def test_the_environ_array_read_one_word_at_a_time_is_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _libc()
    fast = swap_state._c_pointers()
    monkeypatch.setattr(swap_state, "_pointer_count", lambda ctypes, address: None)
    assert swap_state._c_pointers() == fast  # the way taken when wcslen cannot count


# -- /tmp: a scratch directory's real path with its parent's resolved once ---------------
def test_the_real_path_of_a_scratch_directory_is_realpaths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_lambda._runtime.inprocess.tmp_redirect import _real_dir

    real = tmp_path / "real"
    (real / "scratch").mkdir(parents=True)
    (tmp_path / "linked").symlink_to(real)
    (real / "link-to-scratch").symlink_to(real / "scratch")
    monkeypatch.chdir(real)
    for path in [
        str(real / "scratch"),
        str(tmp_path / "linked" / "scratch"),  # a parent that is a link
        str(real / "link-to-scratch"),  # the directory itself a link
        "scratch",  # relative: the cwd's, never cached
        str(real / "scratch") + "/",
        str(real / "scratch" / ".."),
    ]:
        assert _real_dir(path) == os.path.realpath(path), path
    monkeypatch.chdir(tmp_path)
    assert _real_dir("real") == os.path.realpath("real")


# -- the module index: every change of sys.modules seen, in-place writes included --------
def _probe(name: str, file: str | None = None) -> object:
    module = type(sys)(name)
    if file is not None:
        module.__file__ = file
    return module


@pytest.mark.parametrize("seed", range(20))
def test_the_index_follows_random_changes_at_every_sync(seed: int) -> None:
    """Entries added, removed, added back and replaced in place (the last one or another, as
    ``monkeypatch.setitem`` does), in random order: after each sync the index holds exactly
    sys.modules (names, objects, facts, sorted lists)."""
    rng = random.Random(seed)
    pool = [f"growth_idx_r{i}" for i in range(6)]
    INDEX.sync()
    try:
        for _ in range(12):
            for _ in range(rng.randint(1, 3)):
                name = rng.choice(pool)
                how = rng.choice(["add", "remove", "replace-last", "replace-in-place"])
                if how == "add" and name not in sys.modules:
                    sys.modules[name] = _probe(name, f"/x/{name}.py")
                elif how == "remove":
                    sys.modules.pop(name, None)
                elif how == "replace-last":
                    last = next(reversed(sys.modules))
                    if last in pool:
                        sys.modules[last] = _probe(last, f"/y/{last}.py")
                elif how == "replace-in-place" and name in sys.modules:
                    sys.modules[name] = _probe(name, f"/z/{name}.py")
            INDEX.sync()
            assert INDEX.snapshot.keys() == sys.modules.keys()
            assert all(INDEX.snapshot[n] is sys.modules[n] for n in pool if n in sys.modules)
            assert INDEX.facts.keys() == INDEX.snapshot.keys()
            assert INDEX.names == sorted(INDEX.snapshot)
            for name in pool:
                if name in sys.modules:
                    assert INDEX.facts[name].file == sys.modules[name].__file__  # type: ignore[attr-defined]
    finally:
        for name in pool:
            sys.modules.pop(name, None)
        INDEX.sync()


_HELPER_APP = "import helper\n\ndef handler(event, context):\n    return {'value': helper.VALUE}\n"


@pytest.fixture
def helper_root(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "app.py").write_text(_HELPER_APP)
    (tmp_path / "helper.py").write_text("VALUE = 'real'\n")
    yield tmp_path
    for name in ("app", "helper", "growth_idx_after"):
        sys.modules.pop(name, None)
    INDEX.sync()


def _tests_copy_of_helper(root: Path) -> object:
    sys.path.insert(0, str(root))
    try:
        module = __import__("helper")
    finally:
        sys.path.remove(str(root))
    module.VALUE = "test-copy"
    return module


def test_a_fake_the_test_patches_in_place_reaches_the_handler(helper_root: Path) -> None:
    """``mock.patch.dict(sys.modules, ...)`` over a name already there writes in place."""
    _tests_copy_of_helper(helper_root)
    sys.modules["growth_idx_after"] = _probe("growth_idx_after")  # helper is not the last
    INDEX.sync()
    fake = _probe("helper")
    fake.VALUE = "fake"  # type: ignore[attr-defined]
    with (
        mock.patch.dict(sys.modules, {"helper": fake}),
        LambdaRunner("app.handler", root=helper_root) as runner,
    ):
        assert runner.invoke({}).response == {"value": "fake"}  # not the handler's own


def test_the_tests_copy_put_back_in_place_is_hidden_again(
    helper_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``monkeypatch.setitem`` and its undo write in place: the next environment still hides
    the test's copy of a module under the task root and imports its own."""
    real = _tests_copy_of_helper(helper_root)
    fake = _probe("helper")
    fake.VALUE = "fake"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "helper", fake)
    sys.modules["growth_idx_after"] = _probe("growth_idx_after")
    with LambdaRunner("app.handler", root=helper_root) as runner:
        assert runner.invoke({}).response == {"value": "fake"}
    monkeypatch.undo()
    assert sys.modules["helper"] is real
    with LambdaRunner("app.handler", root=helper_root) as runner:
        assert runner.invoke({}).response == {"value": "real"}
    assert sys.modules["helper"] is real  # given back to the test


def test_a_logger_whose_name_differs_from_its_key_does_not_stop_an_environment(
    root: Path,
) -> None:
    """The snapshot keeps each logger's state by the key it is filed under, not its name."""
    renamed = logging.getLogger("growth_test.filed_under")
    renamed.name = "growth_test.named"
    try:
        with LambdaRunner("growth_app.handler", root=root) as runner:
            assert runner.invoke({}).ok
            assert runner.invoke({}, cold=True).ok
    finally:
        logging.root.manager.loggerDict.pop("growth_test.filed_under", None)
