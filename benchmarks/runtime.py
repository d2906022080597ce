"""Benchmark: ``isolation="runtime"`` (awslambdaric in a subprocess) vs ``isolation="module"``.

Run from the repository root (Linux, awslambdaric installed)::

    python benchmarks/runtime.py                  # 20 cold starts, 300 warm invokes per mode
    python benchmarks/runtime.py --cold 40 --warm 1000

For a small handler module (a few stdlib imports, a global, a handler returning a dict) it
measures, per mode, in one process:

* **cold start**: ``runner.invoke(event, cold=True)`` wall time (a new sandbox; in runtime
  mode: spawn ``python -m awslambdaric``, its init, the first invoke), median and p90 of
  ``--cold`` runs, and the init phase alone (``init_duration_ms``);
* **warm invoke**: ``runner.invoke(event)`` wall time on a warm environment (runtime mode:
  SIGCONT, ``/next`` answered, the response posted, logs drained, SIGSTOP), median and p90
  of ``--warm`` runs.

Targets for runtime mode: cold start < 150 ms, warm invoke < 5 ms (issue 8).
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
from pathlib import Path

from pytest_lambda import LambdaRunner

HANDLER = textwrap.dedent(
    """
    import json, logging, os
    log = logging.getLogger(__name__)
    TABLE = os.environ.get("TABLE", "orders")
    def handler(event, context):
        return {"statusCode": 200, "body": json.dumps({"table": TABLE, "id": event.get("id")})}
    """
)
TARGETS = {"runtime": (150.0, 5.0)}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(root: str, isolation: str, cold: int, warm: int) -> dict[str, float]:
    colds: list[float] = []
    inits: list[float] = []
    warms: list[float] = []
    with LambdaRunner("bench_app.handler", root=root, isolation=isolation) as runner:
        runner.invoke({"id": 0})  # imports on the test side (first use), not measured
        for _ in range(cold):
            start = time.perf_counter()
            inv = runner.invoke({"id": 1}, cold=True)
            colds.append((time.perf_counter() - start) * 1000)
            if not (inv.ok and inv.cold_start):
                raise RuntimeError(f"{isolation}: cold invoke failed: {inv.response}")
            inits.append(inv.init_duration_ms or 0.0)
        for n in range(warm):
            start = time.perf_counter()
            inv = runner.invoke({"id": n})
            warms.append((time.perf_counter() - start) * 1000)
            if not inv.ok or inv.cold_start:
                raise RuntimeError(f"{isolation}: warm invoke failed: {inv.response}")
    return {
        "cold_median": statistics.median(colds),
        "cold_p90": _pct(colds, 0.9),
        "init_median": statistics.median(inits),
        "warm_median": statistics.median(warms),
        "warm_p90": _pct(warms, 0.9),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=20, help="cold starts per mode")
    parser.add_argument("--warm", type=int, default=300, help="warm invokes per mode")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as root:
        Path(root, "bench_app.py").write_text(HANDLER)
        results = {
            mode: measure(root, mode, args.cold, args.warm) for mode in ("module", "runtime")
        }
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load {load:.2f}; {args.cold} cold, {args.warm} warm per mode"
    )
    header = f"{'mode':<8} {'cold median':>12} {'cold p90':>10} {'init median':>12} "
    header += f"{'warm median':>12} {'warm p90':>10}  target (cold/warm)"
    print(header)
    print("-" * len(header))
    ok = True
    for mode, r in results.items():
        target = TARGETS.get(mode)
        verdict = ""
        if target is not None:
            met = r["cold_median"] < target[0] and r["warm_median"] < target[1]
            ok = ok and met
            verdict = f"< {target[0]:.0f} ms / < {target[1]:.0f} ms: {'met' if met else 'MISSED'}"
        print(
            f"{mode:<8} {r['cold_median']:>9.2f} ms {r['cold_p90']:>7.2f} ms "
            f"{r['init_median']:>9.2f} ms {r['warm_median']:>9.3f} ms {r['warm_p90']:>7.3f} ms  "
            f"{verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
