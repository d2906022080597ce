"""Benchmark of the ``pytest-lambda`` command (not a test; prints a table).

    python benchmarks/cli.py [--n 1000] [--repeat 3]

Rows:
* one in-process ``events generate sqs --records N`` call (N records in one event);
* N separate in-process ``events generate sqs --seed i`` calls (one record each);
* one cold ``python -m pytest_lambda events generate sqs`` subprocess (interpreter
  start, imports, one event), the cost a shell user pays per call;
* cold ``pytest-lambda --help`` and ``events list`` subprocesses, which generate nothing
  and so do not import Faker (the row says whether the child imported it).

stdout of the in-process calls goes to an in-memory buffer, so the figures are
the command's own cost: parsing, generation and JSON encoding. Each row is the best of
``--repeat`` runs, in wall time and in CPU time (this process's and its children's, from
``os.times()``: on a loaded machine the wall time also counts the waits for a core); the
machine and the load averages are printed before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine

from pytest_lambda.cli import main

__all__ = ["run"]


def _quiet(argv: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(argv)


def _best(fn: Callable[[], None], repeat: int) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds of this process and its children) of ``repeat`` runs."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        cpu0 = _cpu()
        start = time.perf_counter()
        fn()
        best_wall = min(best_wall, time.perf_counter() - start)
        best_cpu = min(best_cpu, _cpu() - cpu0)
    return best_wall, best_cpu


def _cpu() -> float:
    """CPU seconds used by this process and its waited-for children (user + system)."""
    try:
        import resource
    except ImportError:  # not POSIX: os.times() (coarser)
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run(n: int, repeat: int) -> list[tuple[str, tuple[float, float], int]]:
    """(label, (best wall seconds, best CPU seconds), events produced) per row."""
    assert _quiet(["events", "generate", "sqs", "--seed", "0"]) == 0  # warm imports and caches

    def one_call() -> None:
        assert _quiet(["events", "generate", "sqs", "--seed", "1", "--records", str(n)]) == 0

    def many_calls() -> None:
        for i in range(n):
            assert _quiet(["events", "generate", "sqs", "--seed", str(i)]) == 0

    def cold() -> None:
        cmd = [sys.executable, "-m", "pytest_lambda", "events", "generate", "sqs", "--seed", "1"]
        subprocess.run(cmd, check=True, capture_output=True)

    def cold_command(*argv: str) -> Callable[[], None]:
        def run_it() -> None:
            cmd = [sys.executable, "-m", "pytest_lambda", *argv]
            subprocess.run(cmd, check=True, capture_output=True)

        return run_it

    return [
        (f"1 call, --records {n} (in-process)", _best(one_call, repeat), n),
        (f"{n} calls, 1 record each (in-process)", _best(many_calls, repeat), n),
        ("1 cold call: python -m pytest_lambda (subprocess)", _best(cold, repeat), 1),
        (
            f"cold --help (subprocess, Faker imported: {_imports_faker('--help')})",
            _best(cold_command("--help"), repeat),
            1,
        ),
        (
            f"cold events list (subprocess, Faker imported: {_imports_faker('events', 'list')})",
            _best(cold_command("events", "list"), repeat),
            1,
        ),
    ]


def _imports_faker(*argv: str) -> str:
    code = (
        "import sys, contextlib, io\n"
        "from pytest_lambda.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({list(argv)!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('faker' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return "yes" if out.stdout.strip().endswith("True") else "no"


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1000, help="records / calls (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs (default 3)")
    args = parser.parse_args()
    print(f"# before: {machine()}")
    rows = run(args.n, args.repeat)
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'wall':>10}  {'CPU':>10}  {'wall per record':>15}")
    for label, (wall, cpu), count in rows:
        print(
            f"{label:<{width}}  {wall * 1e3:>7.1f} ms  {cpu * 1e3:>7.1f} ms  "
            f"{wall / count * 1e6:>12.1f} µs"
        )
    ratio = rows[1][1][0] / rows[0][1][0]
    print(f"\n{args.n} separate calls take {ratio:.1f}x the time of one --records {args.n} call.")
    print(f"# after:  {machine()}")


if __name__ == "__main__":
    _main()
