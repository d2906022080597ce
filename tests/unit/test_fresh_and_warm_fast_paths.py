"""The fast paths of issue 19's third pass keep behaviour (module isolation).

* the JSON encoder built once writes what ``json.JSONEncoder.encode`` writes, and a circular
  structure still fails (a response: ``Runtime.MarshalError``; an event: a clear error);
* the C ``environ`` re-read per changed entry equals ``os.environ`` after every kind of
  change (a value replaced, a name added, a name removed);
* the ``/tmp`` wrappers set through module dicts go back to the genuine functions, in and
  out of ``os.supports_*``, and leave a test's mock alone;
* the Lambda variables encoded once per configuration are those encoded afresh, the
  sandbox's own two included (and a user's ``env=`` value for them kept);
* one ``getrusage`` gives both the memory added and the REPORT line's peak.
"""

from __future__ import annotations

import collections
import enum
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from pytest_lambda import InvalidEventSpec, LambdaRunner
from pytest_lambda._runtime import memory
from pytest_lambda._runtime.inprocess import environment as environment_module
from pytest_lambda._runtime.inprocess import swap_state, tmp_redirect
from pytest_lambda._runtime.inprocess.swap import encode_environ
from pytest_lambda._runtime.marshal import marshal_decoded, one_shot_encoder
from pytest_lambda._runtime.sandbox import EnvConfig, Sandbox, lambda_variables


class _Colour(str, enum.Enum):
    RED = "rouge é"


class _Size(int, enum.Enum):
    BIG = 3


_Pair = collections.namedtuple("_Pair", "a b")

SAMPLES: list[Any] = [
    "x", "é\u2028\x00\ud800", 0, -1, 2**70, -0.0, 1.5e300, 1e-7, True, False, None,
    [1, "a", {"k": [None]}], {"é": "ü", "n": {"m": [1.0, 2]}}, {1: "int key"},
    {True: 1, None: 2, 1.5: 3}, (1, 2), _Pair(1, 2), _Colour.RED, _Size.BIG,
    {"c": _Colour.RED}, [_Size.BIG], float("nan"), [float("inf")], [], {}, "",
    {"deep": [[[[{"x": "y"}]]]]}, list(range(50)),
]  # fmt: skip
REFUSED: list[Any] = [{1, 2}, {"x": object()}, {(1, 2): 1}]


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("allow_nan", [True, False])
@pytest.mark.parametrize("separators", [(", ", ": "), (",", ":")])
def test_the_encoder_built_once_writes_what_json_writes(
    ensure_ascii: bool, allow_nan: bool, separators: tuple[str, str]
) -> None:
    ours = one_shot_encoder(ensure_ascii=ensure_ascii, allow_nan=allow_nan, separators=separators)
    reference = json.JSONEncoder(
        ensure_ascii=ensure_ascii, allow_nan=allow_nan, separators=separators
    ).encode
    for value in SAMPLES + REFUSED:
        try:
            expected: tuple[str, str] = ("ok", reference(value))
        except (TypeError, ValueError) as exc:
            expected = ("error", type(exc).__name__)
        try:
            got: tuple[str, str] = ("ok", ours(value))
        except (TypeError, ValueError) as exc:
            got = ("error", type(exc).__name__)
        assert got == expected, value


def _circular() -> dict[str, Any]:
    loop: dict[str, Any] = {"a": 1}
    loop["self"] = loop
    return loop


def test_a_circular_structure_still_fails_clearly() -> None:
    encode = one_shot_encoder(ensure_ascii=True, allow_nan=True)
    with pytest.raises(RecursionError):
        encode(_circular())
    from pytest_lambda._runtime.marshal import MarshalError

    with pytest.raises(MarshalError, match="Circular reference"):
        marshal_decoded(_circular(), ensure_ascii=True)


def test_a_circular_event_and_response_through_the_runner(tmp_path: Path) -> None:
    (tmp_path / "loop.py").write_text(
        "def handler(event, context):\n    x = {}\n    x['x'] = x\n    return x\n"
    )
    with LambdaRunner("loop.handler", root=tmp_path) as runner:
        with pytest.raises(InvalidEventSpec, match="not JSON-serializable"):
            runner.invoke(_circular())
        invocation = runner.invoke({})
        assert invocation.error is not None
        assert invocation.error.type == "Runtime.MarshalError"


@pytest.fixture
def c_environ_readable() -> None:
    if swap_state.c_environ_diff() is None:
        pytest.skip("the C environ is not readable here")


def test_the_c_environ_follows_every_kind_of_change(
    c_environ_readable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = swap_state.c_environ_diff() or set()  # readline's LINES/COLUMNS, say
    skip = {os.fsencode(name) for name in before}

    def check() -> None:
        values = swap_state._c_environ() or {}
        assert {k: v for k, v in values.items() if k not in skip} == {
            k: v for k, v in os.environb.items() if k not in skip
        }
        assert swap_state.c_environ_diff() == before

    check()
    monkeypatch.setenv("PYTEST_LAMBDA_FAST_A", "1")  # added
    check()
    monkeypatch.setenv("PYTEST_LAMBDA_FAST_A", "2")  # replaced in place
    check()
    monkeypatch.setenv("PYTEST_LAMBDA_FAST_B", "x")
    check()
    monkeypatch.delenv("PYTEST_LAMBDA_FAST_A")  # removed: the rest shift
    check()
    for i in range(40):  # the array grows (moved by realloc)
        monkeypatch.setenv(f"PYTEST_LAMBDA_FAST_{i}", str(i))
    check()
    os.putenv("PYTEST_LAMBDA_FAST_C_ONLY", "c")  # set in C only: the difference is seen
    try:
        assert swap_state.c_environ_diff() == before | {"PYTEST_LAMBDA_FAST_C_ONLY"}
        os.putenv("PYTEST_LAMBDA_FAST_B", "changed in C")
        assert swap_state.c_environ_diff() == before | {
            "PYTEST_LAMBDA_FAST_C_ONLY",
            "PYTEST_LAMBDA_FAST_B",
        }
    finally:
        os.unsetenv("PYTEST_LAMBDA_FAST_C_ONLY")
        os.putenv("PYTEST_LAMBDA_FAST_B", "x")
    check()


def _genuine_in_place() -> None:
    assert not getattr(os.stat, "__pytest_lambda_tmp__", False)
    assert not getattr(open, "__pytest_lambda_tmp__", False)
    for name in tmp_redirect._SUPPORTS:
        members = getattr(os, name, None)
        if isinstance(members, set):
            assert not any(getattr(f, "__pytest_lambda_tmp__", False) for f in members), name


def test_the_tmp_wrappers_go_in_and_out_with_the_supports_sets(tmp_path: Path) -> None:
    if tmp_redirect._installed:
        pytest.skip("another environment of this process is open")
    if not tmp_redirect.ENABLED:
        pytest.skip("no /tmp redirect on this platform")
    _genuine_in_place()
    genuine_stat = os.stat
    redirect = tmp_redirect.TmpRedirect(str(tmp_path), str(tmp_path))
    try:
        assert getattr(os.stat, "__pytest_lambda_tmp__", False)
        assert os.stat.__wrapped__ is genuine_stat  # type: ignore[attr-defined]
        if genuine_stat in os.supports_follow_symlinks:
            assert os.stat in os.supports_follow_symlinks
    finally:
        redirect.close()
    assert os.stat is genuine_stat
    _genuine_in_place()


def test_a_tests_mock_is_left_alone_by_the_tmp_wrappers(tmp_path: Path) -> None:
    if tmp_redirect._installed or not tmp_redirect.ENABLED:
        pytest.skip("another environment is open, or no redirect here")
    with mock.patch("os.listdir") as listdir:
        redirect = tmp_redirect.TmpRedirect(str(tmp_path), str(tmp_path))
        try:
            assert os.listdir is listdir
        finally:
            redirect.close()
        assert os.listdir is listdir
    _genuine_in_place()


def _config(env: dict[str, str]) -> EnvConfig:
    return EnvConfig(
        handler="app.handler", handler_name="app.handler", timeout=3.0, memory_mb=128,
        function_name="fast", region="eu-west-1", root="/var/task", env=env,
    )  # fmt: skip


@pytest.mark.parametrize(
    "env", [{}, {"TMPDIR": "/mine"}, {"AWS_LAMBDA_LOG_STREAM_NAME": "s"}, {"X": "é"}]
)
def test_the_lambda_variables_encoded_once_are_those_encoded_afresh(env: dict[str, str]) -> None:
    for _ in range(3):  # the first encodes, the others reuse
        config = _config(dict(env))
        sandbox = Sandbox(config, datetime.now(timezone.utc))
        try:
            got = environment_module._encoded_variables(config, sandbox)
            expected = encode_environ(lambda_variables(config, sandbox))
            assert list(got.items()) == list(expected.items())  # order too
        finally:
            sandbox.remove()


def test_two_sandboxes_of_one_configuration_get_their_own_variables() -> None:
    config = _config({})
    first = Sandbox(config, datetime(2026, 3, 4, tzinfo=timezone.utc))
    second = Sandbox(config, datetime(2026, 3, 4, tzinfo=timezone.utc))
    try:
        a = environment_module._encoded_variables(config, first)
        b = environment_module._encoded_variables(config, second)
        key = os.environ.encodekey("TMPDIR")
        stream = os.environ.encodekey("AWS_LAMBDA_LOG_STREAM_NAME")
        assert a[key] == os.environ.encodevalue(first.scratch) != b[key]
        assert a[stream] != b[stream]
        assert first.log_stream.startswith("2026/03/04/[$LATEST]")
        assert len(first.log_stream) == len("2026/03/04/[$LATEST]") + 32
    finally:
        first.remove()
        second.remove()


def test_one_reading_gives_the_memory_added_and_the_peak() -> None:
    mark = memory.memory_mark()
    grown = bytearray(64 * 1024 * 1024)  # touched: resident
    for i in range(0, len(grown), 4096):
        grown[i] = 1
    added, peak = memory.memory_end(mark)
    del grown
    if memory._peak() == 0:
        pytest.skip("no peak memory reading on this platform")
    assert peak >= added
    assert added >= 48  # most of the 64 MB touched


# -- the code of the environment's own modules, kept for the next environment ----------
def test_a_handler_file_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    app = tmp_path / "rewritten.py"
    app.write_text("def handler(event, context):\n    return 'one'\n")
    with LambdaRunner("rewritten.handler", root=tmp_path) as runner:
        assert runner.invoke({}).response == "one"
        stat = app.stat()
        # the same size and the same modification time: only the bytes differ
        app.write_text("def handler(event, context):\n    return 'two'\n")
        os.utime(app, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert app.stat().st_size == stat.st_size
        assert runner.invoke({}, cold=True).response == "two"


def _later() -> int:
    """The file clock as the code cache sees it, a minute on: every file counts as settled."""
    return time.time_ns() + 60_000_000_000


def test_a_settled_unchanged_file_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_lambda._runtime.inprocess import code_cache as cache_module

    monkeypatch.setattr(cache_module, "file_clock_ns", _later)
    (tmp_path / "settled.py").write_text("def handler(event, context):\n    return 'kept'\n")
    reads: list[str] = []
    real_source = cache_module._source

    def counted(loader: Any) -> bytes | None:
        reads.append(loader.path)
        return real_source(loader)

    monkeypatch.setattr(cache_module, "_source", counted)
    with LambdaRunner("settled.handler", root=tmp_path) as runner:
        assert runner.invoke({}).response == "kept"
        first = len(reads)
        assert first >= 1
        assert runner.invoke({}, cold=True).response == "kept"
        assert runner.invoke({}, cold=True).response == "kept"
    assert len(reads) == first  # its stat vouched for it: no read, the same code


def test_a_new_file_is_not_settled_under_a_clock_frozen_in_the_future(tmp_path: Path) -> None:
    """The code cache reads the clock file times are stamped with, not the test's clock."""
    from pytest_lambda import LambdaClock
    from pytest_lambda._runtime.inprocess import code_cache as cache_module

    path = tmp_path / "fresh.py"
    path.write_text("VALUE = 1\n")
    clock = LambdaClock()
    clock.move_to("2099-01-01T00:00:00Z")
    try:
        assert time.time() > 4_000_000_000  # the test's clock is far ahead
        assert cache_module._settled(cache_module._signature(str(path))) is None
    finally:
        clock.stop()


def test_a_settled_file_rewritten_in_place_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_lambda._runtime.inprocess import code_cache as cache_module

    monkeypatch.setattr(cache_module, "file_clock_ns", _later)
    app = tmp_path / "settled_rewritten.py"
    app.write_text("def handler(event, context):\n    return 'one'\n")
    with LambdaRunner("settled_rewritten.handler", root=tmp_path) as runner:
        assert runner.invoke({}).response == "one"
        stat = app.stat()
        time.sleep(0.05)  # past the file system's clock tick: the write's ctime is another
        app.write_text("def handler(event, context):\n    return 'two'\n")
        os.utime(app, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # size and mtime as they were
        assert app.stat().st_size == stat.st_size
        assert app.stat().st_ctime_ns != stat.st_ctime_ns
        assert runner.invoke({}, cold=True).response == "two"


def test_an_unchanged_module_runs_its_top_level_code_in_each_environment(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("import time\nLOADED = time.perf_counter_ns()\n")
    (tmp_path / "counted.py").write_text(
        "import helper\nSTATE = {'calls': 0}\n\n"
        "def handler(event, context):\n"
        "    STATE['calls'] += 1\n"
        "    return [STATE['calls'], helper.LOADED]\n"
    )
    with LambdaRunner("counted.handler", root=tmp_path) as runner:
        first = runner.invoke({}).response
        warm = runner.invoke({}).response
        cold = runner.invoke({}, cold=True).response
    assert [first[0], warm[0], cold[0]] == [1, 2, 1]  # a new module: its state starts again
    assert warm[1] == first[1]
    assert cold[1] != first[1]  # the helper's top-level code ran again


def test_a_module_another_finder_loads_is_left_to_it(tmp_path: Path) -> None:
    import importlib.abc
    import importlib.machinery
    import sys

    from pytest_lambda._runtime.inprocess.code_cache import code_cache

    (tmp_path / "found_elsewhere.py").write_text("WHERE = 'file'\n")

    class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
            if name != "found_elsewhere":
                return None
            return importlib.machinery.ModuleSpec(name, self)

        def exec_module(self, module: Any) -> None:
            module.WHERE = "finder"

    finder = Finder()
    sys.meta_path.insert(0, finder)
    sys.path.insert(0, str(tmp_path))
    try:
        with code_cache(os.path.join(str(tmp_path), "")):
            import found_elsewhere  # type: ignore[import-not-found]
        assert found_elsewhere.WHERE == "finder"
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(tmp_path))
        sys.modules.pop("found_elsewhere", None)
    assert not any(type(f).__name__ == "_CodeCacheFinder" for f in sys.meta_path)


def _tick(directory: Path) -> None:
    """The directory's mtime a second on: a change made within the file system's clock tick
    of the last one leaves it as it was (for the import system's finders too)."""
    st = directory.stat()
    os.utime(directory, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_package_added_next_to_the_handler_module_wins_in_the_next_environment(
    tmp_path: Path,
) -> None:
    (tmp_path / "shadowed.py").write_text("def handler(event, context):\n    return 'module'\n")
    with LambdaRunner("shadowed.handler", root=tmp_path) as runner:
        assert runner.invoke({}).response == "module"
        assert runner.invoke({}, cold=True).response == "module"  # the kept answer
        package = tmp_path / "shadowed"
        package.mkdir()  # a package of the same name comes first, as in the import system
        (package / "__init__.py").write_text("def handler(event, context):\n    return 'package'\n")
        _tick(tmp_path)
        assert runner.invoke({}, cold=True).response == "package"


def test_a_removed_module_fails_to_import_in_the_next_environment(tmp_path: Path) -> None:
    (tmp_path / "helper_gone.py").write_text("VALUE = 1\n")
    (tmp_path / "uses_helper.py").write_text(
        "def handler(event, context):\n    import helper_gone\n    return helper_gone.VALUE\n"
    )
    (tmp_path / "top.py").write_text(
        "import helper_gone\n\ndef handler(event, context):\n    return helper_gone.VALUE\n"
    )
    with LambdaRunner("top.handler", root=tmp_path) as runner:
        assert runner.invoke({}).response == 1
        assert runner.invoke({}, cold=True).response == 1
        (tmp_path / "helper_gone.py").unlink()
        _tick(tmp_path)
        invocation = runner.invoke({}, cold=True)
    assert invocation.error is not None
    assert invocation.error.type == "Runtime.ImportModuleError"


def test_invalidate_caches_makes_the_finders_answer_again(tmp_path: Path) -> None:
    import importlib

    from pytest_lambda._runtime.inprocess import code_cache as cache_module

    (tmp_path / "asked.py").write_text("def handler(event, context):\n    return 1\n")
    with LambdaRunner("asked.handler", root=tmp_path) as runner:
        runner.invoke({})
        runner.invoke({}, cold=True)  # after a __pycache__ the first import made, if any
        key = ("asked", str(tmp_path))
        found = cache_module._FOUND.get(key)
        assert found is not None
        assert cache_module._unchanged(found, str(tmp_path))
        importlib.invalidate_caches()
        assert not cache_module._unchanged(found, str(tmp_path))
        assert runner.invoke({}, cold=True).response == 1
        assert cache_module._unchanged(cache_module._FOUND[key], str(tmp_path))


# -- loggers: the marked ones noted in the snapshot's walk -------------------------------
def test_the_snapshot_notes_marked_loggers_and_unconfigure_uses_them() -> None:
    import logging

    from pytest_lambda._runtime.inprocess.swap_logging import (
        reset_loggers,
        snapshot_loggers,
        unconfigure_marked_loggers,
    )

    marked = logging.getLogger("pytest_lambda_fast.marked")
    plain = logging.getLogger("pytest_lambda_fast.plain")
    marked.init = True  # type: ignore[attr-defined]  # as Powertools marks its loggers
    marked.setLevel(logging.DEBUG)
    try:
        snapshot = snapshot_loggers()
        assert "pytest_lambda_fast.marked" in snapshot.marked
        assert "pytest_lambda_fast.plain" not in snapshot.marked
        unconfigure_marked_loggers(frozenset(), snapshot)
        assert not hasattr(marked, "init")
        assert marked.level == logging.NOTSET
        reset_loggers(snapshot, frozenset())  # the test's configuration back
        assert marked.init is True  # type: ignore[attr-defined]
        assert marked.level == logging.DEBUG

        # a logger made after the snapshot: every logger is looked at again
        snapshot = snapshot_loggers()
        late = logging.getLogger("pytest_lambda_fast.late")
        late.init = True  # type: ignore[attr-defined]
        unconfigure_marked_loggers(frozenset(), snapshot)
        assert not hasattr(late, "init")
        assert not hasattr(marked, "init")
        reset_loggers(snapshot, frozenset())
        assert marked.init is True  # type: ignore[attr-defined]
    finally:
        for lg in (marked, plain):
            lg.__dict__.pop("init", None)
            lg.setLevel(logging.NOTSET)


def test_a_directory_of_the_modules_name_that_becomes_a_package_wins(tmp_path: Path) -> None:
    (tmp_path / "twin.py").write_text("def handler(event, context):\n    return 'module'\n")
    (tmp_path / "twin").mkdir()  # a plain directory (data, say): the module is found
    with LambdaRunner("twin.handler", root=tmp_path) as runner:
        assert runner.invoke({}).response == "module"
        assert runner.invoke({}, cold=True).response == "module"
        # an __init__.py in it changes that directory, not the task root
        (tmp_path / "twin" / "__init__.py").write_text(
            "def handler(event, context):\n    return 'package'\n"
        )
        assert runner.invoke({}, cold=True).response == "package"


def test_a_name_registered_for_rewriting_later_changes_the_finders_state() -> None:
    from pytest_lambda._runtime.inprocess import code_cache as cache_module

    class Rewriter:  # pytest's AssertionRewritingHook keeps the names in _must_rewrite
        def __init__(self) -> None:
            self._must_rewrite: set[str] = set()

        def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
            return None

    import sys

    rewriter = Rewriter()
    sys.meta_path.insert(0, rewriter)
    try:
        before = cache_module._finders_state(None)
        assert cache_module._finders_state(None) == before
        rewriter._must_rewrite.add("app")  # pytest.register_assert_rewrite("app")
        assert cache_module._finders_state(None) != before
    finally:
        sys.meta_path.remove(rewriter)


def test_the_users_variables_keep_their_order_from_one_runner_to_the_next(
    tmp_path: Path,
) -> None:
    (tmp_path / "order.py").write_text(
        "import os\n\ndef handler(event, context):\n"
        "    return [k for k in os.environ if k in ('PL_A', 'PL_B')]\n"
    )
    for env in ({"PL_A": "1", "PL_B": "2"}, {"PL_B": "2", "PL_A": "1"}):
        with LambdaRunner("order.handler", root=tmp_path, env=env) as runner:
            assert runner.invoke({}).response == list(env)


def test_a_logger_the_test_changes_between_environments_comes_back_as_changed(
    tmp_path: Path,
) -> None:
    import logging

    (tmp_path / "meddler.py").write_text(
        "import logging\n\ndef handler(event, context):\n"
        "    lg = logging.getLogger('pytest_lambda_fast.cfg')\n"
        "    lg.setLevel(logging.ERROR)\n"
        "    lg.handlers.clear()\n"
        "    lg.addHandler(logging.NullHandler())\n"
        "    return lg.level\n"
    )
    lg = logging.getLogger("pytest_lambda_fast.cfg")
    lg.setLevel(logging.INFO)
    try:
        with LambdaRunner("meddler.handler", root=tmp_path) as runner:
            assert runner.invoke({}).response == logging.ERROR
        assert lg.level == logging.INFO
        assert lg.handlers == []
        # the test changes it between two environments (the snapshot may reuse the state
        # the last close left: only while the logger still equals it)
        mine = logging.StreamHandler()
        lg.setLevel(logging.DEBUG)
        lg.addHandler(mine)
        with LambdaRunner("meddler.handler", root=tmp_path) as runner:
            assert runner.invoke({}).response == logging.ERROR
        assert lg.level == logging.DEBUG
        assert lg.handlers == [mine]
        lg.handlers.remove(mine)  # in place, unseen by the logger's dict
        with LambdaRunner("meddler.handler", root=tmp_path) as runner:
            runner.invoke({})
        assert lg.handlers == []
    finally:
        lg.handlers.clear()
        lg.setLevel(logging.NOTSET)


def test_a_name_repeated_in_the_c_environ_has_its_first_value() -> None:
    reading = swap_state._CEnviron(
        1, [11, 12, 13], {11: (b"A", b"first"), 12: (b"B", b"b"), 13: (b"A", b"second")}
    )
    assert reading.values == {b"A": b"first", b"B": b"b"}  # as getenv() finds it
    assert reading.by_pointer[13] == (b"A", b"second")


def test_the_c_environ_counted_in_one_call_matches_a_walk(c_environ_readable: None) -> None:
    import ctypes

    address = swap_state._C_ENVIRON["where"].value
    count = swap_state._pointer_count(ctypes, address)
    walked = 0
    while swap_state._C_ENVIRON["words"][walked]:
        walked += 1
    assert count in (None, walked)  # None: this platform's pointers cannot be counted so


def test_a_kept_spec_is_the_one_spec_from_file_location_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from pytest_lambda._runtime.inprocess import code_cache as cache_module

    origin = str(tmp_path / "kept.py")
    found = cache_module._Found((), None, None, 0, origin)
    for prefix in (None, str(tmp_path / "pycache"), None):  # the cached path follows the prefix
        monkeypatch.setattr(sys, "pycache_prefix", prefix)
        for _ in range(2):  # made, then reused
            ours = found.spec("kept")
            theirs = importlib.util.spec_from_file_location("kept", origin)
            assert theirs is not None
            for attr in ("name", "origin", "submodule_search_locations", "has_location", "cached"):
                assert getattr(ours, attr) == getattr(theirs, attr), attr
            assert type(ours.loader).__name__ == "_CachedSourceLoader"


def test_each_runners_variables_are_its_own_though_made_once_per_configuration(
    tmp_path: Path,
) -> None:
    (tmp_path / "variables.py").write_text(
        "import os\n\ndef handler(event, context):\n"
        "    names = ('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_LOG_STREAM_NAME', 'TMPDIR',"
        " 'PL_X')\n"
        "    return [os.environ.get(n) for n in names]\n"
    )
    seen = []
    for size, env in ((128, {}), (128, {}), (256, {}), (256, {"PL_X": "1"}), (128, {})):
        with LambdaRunner("variables.handler", root=tmp_path, memory_mb=size, env=env) as r:
            got = r.invoke({}).response
            assert r._sandbox is not None
            assert got == [str(size), r._sandbox.log_stream, r._sandbox.scratch, env.get("PL_X")]
            seen.append((got[1], got[2]))
    assert len(set(seen)) == len(seen)  # each environment its own stream and /tmp
