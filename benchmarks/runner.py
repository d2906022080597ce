"""Benchmark: LambdaRunner warm invoke vs calling the handler directly, and cold starts.

Run from the repository root (the package installed, e.g. ``pip install -e ".[dev]"``)::

    python benchmarks/runner.py                   # defaults: best of 7 repeats
    python benchmarks/runner.py --repeat 9 --min-time 0.3 --cold 300

In one process it measures, for a trivial handler (returns a small dict):

* **direct** — ``handler(event, context)``: the function called directly;
* **warm invoke** — ``runner.invoke(event)`` on a warm environment (event JSON round trip,
  context, state swap, the handler on the test's main thread with its deadline watched,
  marshalling, logs, the ``Invocation``); the **overhead** is warm invoke minus direct
  (target: <= 50 us);
* two parts of that overhead: **running the job** (arming the deadline watchdog, the
  environment's contextvars context) and the **state swap** (put the environment's
  os.environ, sys.path, modules, logging... in place and back);
* for comparison, the warm overhead of an environment on a thread of its own (used when
  ``invoke()`` is called off the main thread, or where real-time signals do not exist), and
  its **thread handoff** (start a job on the thread and wait for it);

and for a small handler module (a few imports, a client-like global, a handler):

* **cold start** — ``runner.invoke(event, cold=True)``: a new sandbox, a fresh import,
  the first invoke (target: < 5 ms), and the init phase alone (``init_duration_ms``).

Warm figures are timeit-style (best of ``--repeat`` loops of at least ``--min-time`` s,
per call); cold figures are the median and best of ``--cold`` single cold invokes. The
thread handoff depends on how fast the OS switches threads, so a loaded or virtualised
machine shows more overhead there than an idle one; the table prints the load.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_lambda import LambdaContext, LambdaRunner
from pytest_lambda._runtime.inprocess import inline as _inline
from pytest_lambda._runtime.inprocess.worker import Worker
from pytest_lambda._runtime.logs import LogCapture

TRIVIAL = """
def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
"""

SMALL_MODULE = """
import json
import logging
import os

logger = logging.getLogger(__name__)
TABLE = os.environ.get("TABLE", "orders")
_client = {"table": TABLE, "calls": 0}


def _respond(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def handler(event, context):
    _client["calls"] += 1
    logger.info("event %s", event)
    return _respond(200, {"ok": True, "calls": _client["calls"]})
"""

EVENT: dict[str, Any] = {"id": "b7c1", "detail": {"amount": 12.5, "items": ["a", "b"]}}
WARM_TARGET_US = 50.0
COLD_TARGET_MS = 5.0


def per_call(fn: Callable[[], Any], *, repeat: int, min_time: float) -> float:
    """Best seconds per call over ``repeat`` loops of at least ``min_time`` seconds."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= min_time / 5:
            break
        number *= 2
    number = max(1, int(number * 5))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--cold", type=int, default=200, help="number of cold invokes")
    ns = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="bench-runner-"))
    (root / "trivial.py").write_text(textwrap.dedent(TRIVIAL))
    (root / "small.py").write_text(textwrap.dedent(SMALL_MODULE))
    sys.path.insert(0, str(root))
    import trivial  # type: ignore[import-not-found]

    sys.path.remove(str(root))
    sys.modules.pop("trivial", None)
    context = LambdaContext()

    runner = LambdaRunner("trivial.handler", root=root)
    if not runner.invoke(EVENT).ok:
        raise SystemExit("the trivial handler failed")
    direct = per_call(
        lambda: trivial.handler(EVENT, context), repeat=ns.repeat, min_time=ns.min_time
    )
    warm = per_call(lambda: runner.invoke(EVENT), repeat=ns.repeat, min_time=ns.min_time)

    env = runner._environment()
    job = lambda: None  # noqa: E731
    inline = per_call(
        lambda: (
            env.worker.submit(job),
            env.worker.wait(budget=3.0, deadline_ms=None, clock_ms=None),
        ),
        repeat=ns.repeat,
        min_time=ns.min_time,
    )
    capture = LogCapture()
    swap = per_call(
        lambda: (env.activate(capture, "id", 0.0), env.deactivate()),
        repeat=ns.repeat,
        min_time=ns.min_time,
    )
    runner.close()

    # An environment on a thread of its own (made off the main thread, or without signals).
    with _inline.environments_on_own_thread():
        threaded_runner = LambdaRunner("trivial.handler", root=root)
        threaded_runner.invoke(EVENT)
        threaded = per_call(
            lambda: threaded_runner.invoke(EVENT), repeat=ns.repeat, min_time=ns.min_time
        )
        threaded_runner.close()
    worker = Worker("bench")
    handoff = per_call(
        lambda: (worker.submit(job), worker.wait(budget=3.0, deadline_ms=None, clock_ms=None)),
        repeat=ns.repeat,
        min_time=ns.min_time,
    )
    worker.stop()

    cold_runner = LambdaRunner("small.handler", root=root)
    totals: list[float] = []
    inits: list[float] = []
    for _ in range(ns.cold):
        start = time.perf_counter()
        inv = cold_runner.invoke(EVENT, cold=True)
        totals.append((time.perf_counter() - start) * 1000)
        if not inv.ok or inv.init_duration_ms is None:
            raise SystemExit(f"cold invoke failed: {inv.error}")
        inits.append(inv.init_duration_ms)
    cold_runner.close()

    overhead_us = (warm - direct) * 1e6
    cold_ms = statistics.median(totals)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f}; repeat={ns.repeat}, min-time={ns.min_time}s, cold={ns.cold}\n"
    )
    print("| measure | time | target | verdict |")
    print("|---|---:|---:|---|")
    print(f"| direct call `handler(event, context)` | {direct * 1e6:.2f} us | | |")
    print(f"| warm `runner.invoke(event)` | {warm * 1e6:.2f} us | | |")
    verdict = "PASS" if overhead_us <= WARM_TARGET_US else "FAIL"
    print(
        f"| **warm overhead** (invoke - direct) | **{overhead_us:.2f} us** | <= {WARM_TARGET_US:.0f} us | {verdict} |"
    )
    print(f"| - of which running the job (watchdog, context) | {inline * 1e6:.2f} us | | |")
    print(f"| - of which state swap in+out | {swap * 1e6:.2f} us | | |")
    print(
        f"| warm overhead, environment on its own thread | {(threaded - direct) * 1e6:.2f} us | | |"
    )
    print(f"| - of which thread handoff | {handoff * 1e6:.2f} us | | |")
    verdict = "PASS" if cold_ms < COLD_TARGET_MS else "FAIL"
    print(
        f"| **cold start** `invoke(cold=True)`, median | **{cold_ms:.2f} ms** | < {COLD_TARGET_MS:.0f} ms | {verdict} |"
    )
    print(f"| cold start, best | {min(totals):.2f} ms | | |")
    print(f"| init phase (`init_duration_ms`), median | {statistics.median(inits):.2f} ms | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
