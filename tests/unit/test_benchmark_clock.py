"""``benchmarks/_machine.real_clock`` runs while freezegun freezes ``perf_counter`` (issue 19).

``benchmarks/leaks.py`` times the warm-reuse check, which runs the handler under a frozen
clock; with ``time.perf_counter`` its "of which snapshots" row read 0.00 ms.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import freezegun
import freezegun.api

from pytest_lambda._clock.freezegun_compat import install_compat, start_freezer, stop_freezer

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "_machine.py"
_SPEC = importlib.util.spec_from_file_location("benchmarks_machine", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
_machine = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_machine)  # not via sys.path: benchmarks/ has events.py, cli.py...
machine, real_clock = _machine.machine, _machine.real_clock


def test_real_clock_runs_under_a_frozen_clock() -> None:
    # started as LambdaClock starts freezegun: a plain freeze_time() scan in a process that
    # loaded Powertools' parser imports pydantic models mid-freeze (pydantic 2.14 refuses
    # freezegun's FakeDatetime there) and leaves the freeze half-made for every later test
    install_compat(freezegun.api)
    freezer = freezegun.freeze_time("2024-05-01T12:00:00Z")
    start_freezer(freezer)
    try:
        frozen0, real0 = time.perf_counter(), real_clock()
        deadline = real0 + 0.02
        while real_clock() < deadline:
            pass
        assert time.perf_counter() == frozen0  # what the benchmark used to read
        assert real_clock() - real0 >= 0.02
    finally:
        stop_freezer(freezer)


def test_machine_line_names_the_load() -> None:
    line = machine()
    assert " CPUs, load " in line
    assert line.endswith(" UTC")
