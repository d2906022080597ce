"""Benchmark: what ``lambda_runner`` adds to an app's test suite (issue 19).

Run from the repository root::

    python benchmarks/suite.py                  # 500 tests per suite, one round
    python benchmarks/suite.py --tests 200 --rounds 3

It writes a small app (an SQS consumer answering with ``batchItemFailures``) and two
generated suites of ``--tests`` tests each, the same tests written two ways:

* **direct**: ``app.handler(lambda_event.sqs(...), lambda_context)``, the function called
  as a plain Python function;
* **fixtures**: ``lambda_runner.invoke(lambda_event.sqs(...))``, a fresh execution
  environment per test (the fixture's runner: Lambda's environment variables, a fresh import,
  the handler's deadline watched, the response marshalled, the logs captured).

Both take their event from ``lambda_event``, so the difference is the runner. Each suite runs
through pytest in a subprocess (``-p no:randomly -p no:cacheprovider``), first alone, then
with a ``conftest.py`` importing boto3 and moto (1,000+ modules loaded, as a real app's suite
has), with ``.pyc`` files written (``PYTHONDONTWRITEBYTECODE`` is dropped: without them
every fresh import compiles the handler again), after an untimed run of each file that
writes them. Times are pytest's own (``N passed in X s``: collection and tests, not the
interpreter's start); ratios come from one round (the median of ``--rounds`` if more).
Target: fixtures / direct <= 1.5 in both cases. The machine and the load average are
printed: compare runs made at a load average well under 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

TARGET = 1.5
REPO = Path(__file__).resolve().parents[1]

APP = """
import json
import logging
import os

logger = logging.getLogger(__name__)
QUEUE = os.environ.get("QUEUE", "orders")


def handler(event, context):
    failures = []
    for record in event["Records"]:
        order = json.loads(record["body"])
        if order.get("amount", 0) < 0:
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            logger.debug("order %s from %s", order.get("id"), QUEUE)
    return {"batchItemFailures": failures}
"""

HEAVY_CONFTEST = """
import boto3  # noqa: F401
import moto  # noqa: F401
from moto import mock_aws  # noqa: F401
"""

DIRECT = """
def test_order_{n}(lambda_event, lambda_context):
    event = lambda_event.sqs(bodies=[{{"id": {n}, "amount": {amount}}}])
    assert app.handler(event, lambda_context) == {{"batchItemFailures": {expected}}}
"""

FIXTURES = """
def test_order_{n}(lambda_event, lambda_runner):
    event = lambda_event.sqs(bodies=[{{"id": {n}, "amount": {amount}}}])
    invocation = lambda_runner.invoke(event)
    assert invocation.ok, invocation.error
    failures = invocation.response["batchItemFailures"]
    assert len(failures) == {failed}
"""


def write_suite(folder: Path, tests: int, heavy: bool) -> None:
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(textwrap.dedent(APP))
    (folder / "conftest.py").write_text(textwrap.dedent(HEAVY_CONFTEST) if heavy else "")
    direct = ["import app\n"]
    fixtures = [""]
    for n in range(tests):
        amount = -1 if n % 10 == 0 else n % 7
        failed = 1 if amount < 0 else 0
        expected = "[{'itemIdentifier': event['Records'][0]['messageId']}]" if failed else "[]"
        direct.append(DIRECT.format(n=n, amount=amount, expected=expected))
        fixtures.append(FIXTURES.format(n=n, amount=amount, failed=failed))
    (folder / "test_direct.py").write_text("\n".join(direct))
    (folder / "test_fixtures.py").write_text("\n".join(fixtures))


_SUMMARY = re.compile(r"(\d+) passed.* in ([\d.]+)s")


def run_pytest(folder: Path, test_file: str, tests: int) -> float:
    """pytest's own time for one file, in seconds (every test must pass)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a developer's machine: .pyc files cached
    out = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
            "--lambda-handler=app.handler", test_file,
        ],
        cwd=folder, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    match = _SUMMARY.search(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "")
    if out.returncode != 0 or match is None or int(match.group(1)) != tests:
        raise SystemExit(
            f"{folder.name}/{test_file} failed:\n{out.stdout[-3000:]}{out.stderr[-2000:]}"
        )
    return float(match.group(2))


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=500, help="tests per suite")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each suite (median)")
    ns = parser.parse_args(argv)
    load_at_start = _load()
    base = Path(tempfile.mkdtemp(prefix="bench-suite-"))
    rows: list[tuple[str, float, float]] = []
    for heavy in (False, True):
        folder = base / ("boto3-moto" if heavy else "plain")
        write_suite(folder, ns.tests, heavy)
        direct: list[float] = []
        fixtures: list[float] = []
        # an untimed first run of each file writes its .pyc (pytest's rewritten test module
        # too): without it, the first round also times compiling a 500-test file
        run_pytest(folder, "test_direct.py", ns.tests)
        run_pytest(folder, "test_fixtures.py", ns.tests)
        for _ in range(ns.rounds):  # interleaved, so a change of load hits both
            direct.append(run_pytest(folder, "test_direct.py", ns.tests))
            fixtures.append(run_pytest(folder, "test_fixtures.py", ns.tests))
        label = "with boto3 + moto imported" if heavy else "plain"
        rows.append((label, statistics.median(direct), statistics.median(fixtures)))
    shutil.rmtree(base, ignore_errors=True)  # kept when a suite failed (SystemExit above)

    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load_at_start:.2f} at start, {_load():.2f} at end; "
        f"{ns.tests} tests per suite, rounds={ns.rounds}\n"
    )
    print("| suite | direct | fixtures | ratio | added per test | target | verdict |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, direct_s, fixtures_s in rows:
        ratio = fixtures_s / direct_s
        added_ms = (fixtures_s - direct_s) / ns.tests * 1000
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        print(
            f"| {label} | {direct_s:.2f} s | {fixtures_s:.2f} s | {ratio:.2f}x | "
            f"{added_ms:.2f} ms | <= {TARGET}x | {verdict} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
