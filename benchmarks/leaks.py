"""Benchmark: the cost of ``check_warm_reuse`` on 20 invocations of a small handler.

Run from the repository root (the package installed, e.g. ``pip install -e ".[dev]"``)::

    python benchmarks/leaks.py                 # defaults: 20 events, best of 5 repeats
    python benchmarks/leaks.py --events 50 --repeat 9

For a small well-behaved handler module (a config global, a lazily created client, a
handler that builds a response) it measures, best of ``--repeat`` runs:

* **plain** — ``runner.invoke(event)`` for each of the N events on one warm environment
  (after a first, cold, invoke): what the handler costs without the check;
* **check** — ``check_warm_reuse(runner, events)``: N warm invocations plus up to 3
  replays, a state snapshot after init and after each warm invocation, then one cold
  environment per event (a fresh import each time);
* **snapshots** — the share of the check spent taking snapshots (the state inspection),
  timed with ``_machine.real_clock`` (``CLOCK_MONOTONIC``): the check runs the handler under
  a frozen clock, which freezes ``time.perf_counter`` too (that made this row read 0.00 ms).

It prints the machine and the load averages before and after the run.

The check runs about ``2N + 3`` handler invocations, ``N - 1`` of them cold starts, so
the ratio to N plain warm invokes is dominated by the cold starts, not the inspection.
The target is "well under a second" for N = 20.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine, real_clock

from pytest_lambda import LambdaRunner
from pytest_lambda._checks.leaks import inspect as inspect_module
from pytest_lambda._checks.leaks.check import check_warm_reuse

SMALL_MODULE = """
import json
import os

CONFIG = {"table": os.environ.get("TABLE", "orders"), "limit": 10}
_client = None


class Client:
    def __init__(self):
        self.endpoint = "https://dynamodb.us-east-1.amazonaws.com"


def client():
    global _client
    if _client is None:
        _client = Client()
    return _client


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    return {
        "statusCode": 200,
        "body": json.dumps({"table": CONFIG["table"], "n": body.get("n"), "via": client().endpoint}),
    }
"""


def _events(n: int) -> list[dict[str, object]]:
    return [{"body": f'{{"n": {i}}}'} for i in range(n)]


def _best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = real_clock()
        fn()  # type: ignore[operator]
        times.append(real_clock() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20, help="invocations checked (N)")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    args = parser.parse_args(argv)
    events = _events(args.events)
    print(f"# before: {machine()}")
    with tempfile.TemporaryDirectory() as root:
        Path(root, "bench_app.py").write_text(textwrap.dedent(SMALL_MODULE))
        with LambdaRunner("bench_app.handler", root=root) as runner:
            runner.invoke(events[0])

            def plain() -> None:
                for event in events:
                    runner.invoke(event)

            plain_s = _best(plain, args.repeat)

            spent = [0.0]
            original = inspect_module.snapshot

            def timed_snapshot(*a: object, **k: object) -> object:
                start = real_clock()
                try:
                    return original(*a, **k)  # type: ignore[arg-type]
                finally:
                    spent[0] += real_clock() - start

            report = check_warm_reuse(runner, events)
            assert report.ok, str(report)
            check_s = _best(lambda: check_warm_reuse(runner, events), args.repeat)
            import pytest_lambda._checks.leaks.check as leaks_module

            leaks_module.snapshot = timed_snapshot  # type: ignore[assignment]
            try:
                check_warm_reuse(runner, events)
            finally:
                leaks_module.snapshot = original
    print(f"# after:  {machine()}")
    print(f"events: {args.events}, handler runs per check: {report.handler_runs}")
    print(f"plain   {args.events} warm invokes : {plain_s * 1000:8.2f} ms")
    print(f"check   check_warm_reuse     : {check_s * 1000:8.2f} ms")
    print(f"  of which snapshots         : {spent[0] * 1000:8.2f} ms")
    print(f"ratio   check / plain        : {check_s / plain_s:8.1f}x")
    print(f"target  check < 1000 ms      : {'met' if check_s < 1.0 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
