"""The first invoke's ``Duration`` and ``init_duration_ms`` measure the handler only (issue 19).

The toolkit imports some modules lazily (the context module with ``uuid`` and ``platform``,
``subprocess``); in a fresh process they used to be imported inside the first invocation's
timed window, adding 4-60 ms to its ``Duration``. Each case runs in a new interpreter (this
test process has imported them all long ago) and records which modules appear between the
moment a clock starts and the moment the handler's own code runs. Timing figures are in
``benchmarks/runner.py``; the one timing check here has a bound no loaded machine reaches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

SCRIPT = """
import json, sys, time
from pytest_lambda import LambdaRunner
from pytest_lambda._runtime.inprocess import invoke

starts = []  # the modules loaded when each clock (init, then invocation) started
real_time = invoke.real_time

def clock_start():
    starts.append(set(sys.modules))
    return real_time()

invoke.real_time = clock_start
runner = LambdaRunner("slow.handler", root=sys.argv[1])
inv = runner.invoke({"sleep": 0.2})
print(json.dumps({
    "init_gap": sorted(runner.module.AT_IMPORT - starts[0] - {"slow"}),
    "invoke_gap": sorted(set(inv.response["modules"]) - starts[1]),
    "duration_ms": inv.duration_ms,
    "handler_ms": inv.response["took_ms"],
    "init_ms": inv.init_duration_ms,
    "ok": inv.ok,
}))
"""

HANDLER = """
import sys, time

AT_IMPORT = set(sys.modules)

def handler(event, context):
    modules = sorted(sys.modules)
    start = time.perf_counter()
    time.sleep(event["sleep"])
    return {"modules": modules, "took_ms": (time.perf_counter() - start) * 1000}
"""


@pytest.fixture(scope="module")
def first_invoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("duration")
    (root / "slow.py").write_text(textwrap.dedent(HANDLER))
    repo = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), str(root)],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ok"]
    return result


def test_nothing_is_imported_between_the_invocation_clock_and_the_handler(
    first_invoke: dict[str, Any],
) -> None:
    assert first_invoke["invoke_gap"] == []


def test_nothing_is_imported_between_the_init_clock_and_the_handler_module(
    first_invoke: dict[str, Any],
) -> None:
    assert first_invoke["init_gap"] == []


def test_the_first_duration_is_the_handlers_time(first_invoke: dict[str, Any]) -> None:
    duration, handler = first_invoke["duration_ms"], first_invoke["handler_ms"]
    assert duration >= handler
    assert duration - handler < 100.0, first_invoke  # a generous bound: ~0.1 ms when quiet
