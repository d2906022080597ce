"""Benchmark: our event generator vs a hand-written floor vs jsf, per event kind.

Run from the repository root (the package installed, e.g. ``pip install -e ".[dev]"``)::

    python benchmarks/events.py                 # all kinds, best of 5 repeats
    python benchmarks/events.py --kinds sqs,s3  # some kinds
    python benchmarks/events.py --repeat 7 --min-time 0.5 --jsf-samples 500

For each kind, in one run, it measures (timeit-style: the best of ``--repeat`` timed
loops of at least ``--min-time`` seconds each):

* **ours** — ``events.generate(kind, seed=i)``, default parameters, a new seed per call;
  its loops alternate with the floor's so that both see the same machine load;
* **floor** — a hand-written minimal dict builder of the same event
  (``benchmarks/_floors.py``: stdlib only, the same fields, no realism beyond that);
* **jsf** — ``JSF(schema).generate()`` from the kind's JSON Schema (the JSF object is
  built once), plus the fraction of jsf's events that pass ``events.validate`` and, of
  those, how many also keep the kind's cross-field invariants (``events.check_invariants``);
* **validate** — one full jsonschema validation (``events.validate(event, kind)``) of a
  default event.

and prints a markdown table with the ratio ours/floor against the issue's targets
(3x for sqs, sns, s3, kinesis, dynamodb, eventbridge, firehose, cloudwatch_logs and kafka; 4x for
the HTTP kinds: API Gateway, ALB, Function URLs, WebSocket), marked PASS/FAIL.
Times are per event; the machine's other load shifts them, the ratios less so.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import platform
import signal
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floors import FLOORS

from pytest_lambda import events

TARGETS: dict[str, float] = {
    "apigw_v1": 4.0,
    "apigw_v2": 4.0,
    "s3": 3.0,
    "sns": 3.0,
    "sqs": 3.0,
    "kinesis": 3.0,
    "dynamodb": 3.0,
    "alb": 4.0,
    "function_url": 4.0,
    "websocket": 4.0,
    "eventbridge": 3.0,
    "firehose": 3.0,
    "cloudwatch_logs": 3.0,
    "kafka": 3.0,
}
JSF_TIMEOUT_S = 60  # per kind, jsf timing and sampling together
JSF_SAMPLE_BUDGET_S = 20.0  # fewer validity samples when jsf is slow


@dataclass
class Row:
    kind: str
    ours_s: float | None = None
    floor_s: float | None = None
    jsf_s: float | None = None
    jsf_valid: str = "-"
    validate_s: float | None = None
    note: str = ""


def best_per_call(func: Callable[[], Any], repeat: int, min_time: float) -> float:
    """Seconds per call: the best of ``repeat`` loops, each of at least ``min_time`` seconds."""
    timer = timeit.Timer(func)
    number, elapsed = timer.autorange()  # at least 0.2 s
    if elapsed < min_time:
        number = math.ceil(number * min_time / elapsed)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def best_pair(
    ours: Callable[[], Any], floor: Callable[[], Any], repeat: int, min_time: float
) -> tuple[float, float]:
    """Like best_per_call for two functions, their loops interleaved so both see the same load."""
    timers = [timeit.Timer(ours), timeit.Timer(floor)]
    numbers = []
    for timer in timers:
        number, elapsed = timer.autorange()
        numbers.append(math.ceil(number * min_time / elapsed) if elapsed < min_time else number)
    best = [math.inf, math.inf]
    for _ in range(repeat):
        for i, timer in enumerate(timers):
            best[i] = min(best[i], timer.timeit(numbers[i]) / numbers[i])
    return best[0], best[1]


def _single(func: Callable[[], Any]) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def _us(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e6:,.1f}"


def _per_s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{1 / seconds:,.0f}"


class _Timeout(BaseException):  # not an Exception: jsf's own `except Exception` must not eat it
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Timeout


def measure_jsf(kind: str, row: Row, repeat: int, min_time: float, samples: int) -> None:
    """jsf's time per event and the fraction of its events that validate (errors reported)."""
    try:
        from jsf import JSF  # type: ignore[import-untyped]
    except ImportError:
        row.jsf_valid = "jsf not installed"
        return
    use_alarm = hasattr(signal, "SIGALRM")
    if use_alarm:
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(JSF_TIMEOUT_S)
    try:
        faker = JSF(events.schema(kind))
        started = time.perf_counter()
        faker.generate()
        first = row.jsf_s = time.perf_counter() - started
        if first > 0.05:  # slow: a few single calls instead of timeit loops
            row.jsf_s = min(_single(faker.generate) for _ in range(3))
        else:
            row.jsf_s = best_per_call(faker.generate, max(1, repeat // 2), min_time)
        samples = max(1, min(samples, int(JSF_SAMPLE_BUDGET_S / row.jsf_s)))
        valid = realistic = failed = 0
        for _ in range(samples):
            try:
                sample = faker.generate()
            except Exception:
                failed += 1
                continue
            try:
                events.validate(sample, kind)
            except ValueError:
                continue
            valid += 1
            # an invariant check that trips on jsf's data counts as broken
            with contextlib.suppress(Exception):
                realistic += not events.check_invariants(sample, kind)
        row.jsf_valid = (
            f"{valid}/{samples} valid ({100 * valid / samples:.0f}%), "
            f"{realistic} also keep the invariants"
        )
        if failed:
            row.jsf_valid += f", {failed} raised"
    except _Timeout:
        row.jsf_valid = f"timed out after {JSF_TIMEOUT_S} s" + (
            " (µs/event from the events done)" if row.jsf_s is not None else " on its first event"
        )
    except Exception as exc:  # jsf cannot handle some schemas: report, don't crash
        row.jsf_valid = f"jsf failed: {type(exc).__name__}: {str(exc)[:80]}"
    finally:
        if use_alarm:
            signal.alarm(0)


def measure(kind: str, repeat: int, min_time: float, jsf_samples: int) -> Row:
    row = Row(kind)
    try:
        event = events.generate(kind, seed=0)  # warm-up: imports, caches
    except Exception as exc:
        row.note = f"generator failed: {type(exc).__name__}: {str(exc)[:80]}"
        return row
    seeds = itertools.count()
    floor = FLOORS[kind]
    try:  # the floor must build the same (valid) event, or the comparison is meaningless
        events.validate(floor(), kind)
    except ValueError as exc:
        row.note = f"floor event invalid: {str(exc)[:80]}"
    row.ours_s, row.floor_s = best_pair(
        lambda: events.generate(kind, seed=next(seeds)), floor, repeat, min_time
    )
    try:
        events.validate(event, kind)
        row.validate_s = best_per_call(lambda: events.validate(event, kind), repeat, min_time)
    except Exception as exc:
        row.note += f" validate failed: {type(exc).__name__}: {str(exc)[:80]}"
    measure_jsf(kind, row, repeat, min_time, jsf_samples)
    return row


def table(rows: list[Row]) -> str:
    head = (
        "| kind | ours µs/event | ours events/s | floor µs/event | floor events/s | ours/floor "
        "| target | verdict | jsf µs/event | jsf events/s | jsf events valid | validate µs |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        ratio = verdict = "-"
        if r.ours_s is not None and r.floor_s is not None:
            x = r.ours_s / r.floor_s
            ratio = f"{x:.2f}x"
            verdict = "PASS" if x <= TARGETS[r.kind] else "FAIL"
        jsf_valid = r.jsf_valid + (f"; {r.note}" if r.note else "")
        lines.append(
            f"| {r.kind} | {_us(r.ours_s)} | {_per_s(r.ours_s)} | {_us(r.floor_s)} | "
            f"{_per_s(r.floor_s)} | {ratio} | ≤{TARGETS[r.kind]:.0f}x | {verdict} | "
            f"{_us(r.jsf_s)} | {_per_s(r.jsf_s)} | {jsf_valid} | {_us(r.validate_s)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", default=",".join(events.KINDS), help="comma-separated kinds")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed loops per measurement (best is kept)"
    )
    parser.add_argument(
        "--min-time", type=float, default=0.2, help="minimum seconds per timed loop"
    )
    parser.add_argument(
        "--jsf-samples", type=int, default=200, help="jsf events checked for validity"
    )
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in events.KINDS]
    if unknown:
        parser.error(f"unknown kind(s) {', '.join(unknown)}; valid: {', '.join(events.KINDS)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# events benchmark — Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load {load:.2f}, {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
        f"# best of {args.repeat} loops of ≥{args.min_time} s; single-record events, default parameters\n"
    )
    rows = [measure(kind, args.repeat, args.min_time, args.jsf_samples) for kind in kinds]
    print(table(rows))
    failed = [
        r.kind
        for r in rows
        if r.ours_s is None or r.floor_s is None or r.ours_s / r.floor_s > TARGETS[r.kind]
    ]
    print(
        f"\ntargets met: {len(rows) - len(failed)}/{len(rows)}"
        + (f" (missed: {', '.join(failed)})" if failed else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
