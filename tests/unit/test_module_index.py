"""The process-wide module index keeps environments' module classification right (issue 19).

Environments no longer scan ``sys.modules``: they follow what changed since the last look.
Modules imported, replaced or removed *between* two environments must still be classified
as a full scan would.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner
from pytest_lambda._runtime.inprocess.module_index import INDEX, view_for
from pytest_lambda._runtime.inprocess.swap import ModuleSwap

APP = """
import helper

def handler(event, context):
    helper.calls.append(1)
    return {"helper": id(helper), "calls": len(helper.calls)}
"""


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    (tmp_path / "helper.py").write_text("calls = []\n")
    yield tmp_path
    for name in ("app", "helper", "late_helper", "shared_lib"):
        sys.modules.pop(name, None)


def _import_from(path: Path, name: str) -> object:
    sys.path.insert(0, str(path))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(path))


def test_a_module_imported_between_two_environments_is_the_environments(root: Path) -> None:
    runner = LambdaRunner("app.handler", root=root)
    first = runner.invoke({})
    assert first.ok, first.error
    # The test imports the handler's helper itself, between two environments.
    test_helper = _import_from(root, "helper")
    test_helper.calls.extend([0, 0, 0])  # type: ignore[attr-defined]
    second = runner.invoke({}, cold=True)
    runner.close()
    assert second.ok, second.error
    # The new environment imported its own helper: not the test's copy, whose list stays.
    assert second.response["helper"] != id(test_helper)
    assert second.response["calls"] == 1
    assert sys.modules["helper"] is test_helper
    assert test_helper.calls == [0, 0, 0]  # type: ignore[attr-defined]


def test_a_module_replaced_between_two_environments_is_reclassified(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "late_helper.py").write_text("where = 'elsewhere'\n")
    (root / "late_helper.py").write_text("where = 'root'\n")
    swap = ModuleSwap(str(root), ())
    outside = _import_from(elsewhere, "late_helper")
    assert "late_helper" not in view_for(swap.root, ()).refresh()
    # Same name, now a module under the task root: the environment's.
    del sys.modules["late_helper"]
    inside = _import_from(root, "late_helper")
    assert inside is not outside
    assert "late_helper" in view_for(swap.root, ()).refresh()
    swap.activate()
    assert "late_helper" not in sys.modules  # hidden from the environment
    swap.deactivate()
    assert sys.modules["late_helper"] is inside
    # Removed: no longer listed.
    del sys.modules["late_helper"]
    assert "late_helper" not in view_for(swap.root, ()).refresh()


def test_a_shared_module_imported_between_environments_stays_shared(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lib = tmp_path_factory.mktemp("lib")
    (lib / "shared_lib.py").write_text("value = 1\n")
    runner = LambdaRunner("app.handler", root=root)
    assert runner.invoke({}).ok
    shared = _import_from(lib, "shared_lib")
    env = runner._environment()
    assert "shared_lib" in env._shared_packages()
    assert "app" not in env._shared_packages()
    assert not env.modules.owns("shared_lib", shared)
    runner.invoke({}, cold=True)
    assert sys.modules["shared_lib"] is shared  # a shared module is never taken over
    runner.close()


def test_the_index_matches_a_full_scan() -> None:
    INDEX.sync()
    assert INDEX.snapshot == sys.modules
    assert sorted(INDEX.facts) == INDEX.names == sorted(sys.modules)
    tops: dict[str, int] = {}
    for name in sys.modules:
        top = name.partition(".")[0]
        tops[top] = tops.get(top, 0) + 1
    assert INDEX.tops == tops
    assert INDEX.powertools == {n for n in sys.modules if n.startswith("aws_lambda_powertools.")}


def test_a_new_environment_classifies_only_what_changed(
    root: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No scan of sys.modules per environment: facts are computed for new entries only."""
    from pytest_lambda._runtime.inprocess import module_index

    lib = tmp_path_factory.mktemp("lib")
    (lib / "shared_lib.py").write_text("value = 1\n")
    runner = LambdaRunner("app.handler", root=root)
    assert runner.invoke({}).ok
    assert runner.invoke({}, cold=True).ok  # the index has seen the handler's modules
    computed: list[str] = []
    real_facts = module_index._facts

    def counting(entry: object) -> module_index.Facts:
        computed.append(getattr(entry, "__name__", "?"))
        return real_facts(entry)

    monkeypatch.setattr(module_index, "_facts", counting)
    _import_from(lib, "shared_lib")  # the test imports something between two environments
    assert runner.invoke({}, cold=True).ok
    runner.close()
    assert len(sys.modules) > 100
    # the new module and the environment's own two: nothing else of the hundreds loaded
    assert set(computed) <= {"app", "helper", "shared_lib"}, computed
    assert "shared_lib" in computed
    assert len(computed) <= 6, computed
