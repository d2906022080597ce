"""Benchmark: how well the checks do on the labelled corpus (``tests/corpus/*/case.json``).

Run from the repository root (the package importable, e.g. ``PYTHONPATH=$PWD``)::

    python benchmarks/checks_precision.py             # every case
    python benchmarks/checks_precision.py leaks_ setup_   # cases whose name starts so

Each case runs through ``pytest-lambda check --json`` (in this process, as
``tests/corpus/test_corpus.py`` does). Per case and in total it prints:

* **true findings** — expected error-level codes the checks produced (``expect``);
* **false alarms** — error-level codes produced that the case does not expect (on a
  correct handler, ``"expect": []``, every error is one), plus ``must_not`` codes produced
  at any severity;
* **misses** — expected codes not produced;
* **precision** = true / (true + false alarms), **recall** = true / (true + misses).

Expected warnings (``expect_warnings``) are counted apart (found / expected). A case this
version cannot run (a flag it does not have yet, moto missing) is listed as not run with
the reason and left out of the totals. Codes are counted once per case (a code found on
two kinds is one finding).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "corpus"))

from corpus_run import CannotRun, Case, load_cases, run_case


def _ratio(a: int, b: int) -> str:
    return "-" if b == 0 else f"{a / b:.2f}"


def _score(case: Case) -> tuple[int, int, int, int, int, list[str]]:
    got = run_case(case)
    expected = set(case.expect)
    true = len(expected & got.errors)
    misses = len(expected - got.errors)
    alarms = (got.errors - expected) | (set(case.must_not) & (got.errors | got.warnings))
    warned = len(set(case.expect_warnings) & got.warnings)
    notes = [f"miss {c}" for c in sorted(expected - got.errors)]
    notes += [f"false alarm {c}" for c in sorted(alarms)]
    return true, len(alarms), misses, warned, len(case.expect_warnings), notes


def main(argv: list[str]) -> int:
    cases = [c for c in load_cases() if not argv or c.name.startswith(tuple(argv))]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# checks precision — Python {platform.python_version()} on {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load {load:.2f}; {len(cases)} cases"
    )
    width = max([len(c.name) for c in cases] + [5])
    print(f"{'case'.ljust(width)}  true  false  miss  warn   precision  recall  seconds")
    totals = [0, 0, 0, 0, 0]
    not_run: list[str] = []
    for case in cases:
        start = time.perf_counter()
        try:
            true, alarms, misses, warned, warn_expected, notes = _score(case)
        except CannotRun as exc:
            not_run.append(f"{case.name}: {exc}")
            continue
        took = time.perf_counter() - start
        for i, n in enumerate((true, alarms, misses, warned, warn_expected)):
            totals[i] += n
        print(
            f"{case.name.ljust(width)}  {true:4}  {alarms:5}  {misses:4}  "
            f"{warned}/{warn_expected:<3}  {_ratio(true, true + alarms):>9}  "
            f"{_ratio(true, true + misses):>6}  {took:7.2f}"
            + (f"  ({'; '.join(notes)})" if notes else "")
        )
    true, alarms, misses, warned, warn_expected = totals
    print(
        f"{'total'.ljust(width)}  {true:4}  {alarms:5}  {misses:4}  {warned}/{warn_expected:<3}  "
        f"{_ratio(true, true + alarms):>9}  {_ratio(true, true + misses):>6}"
    )
    for line in not_run:
        print(f"not run: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
