"""Benchmark: our event generator vs two hand-written floors vs jsf, per event kind.

Run from the repository root (the package installed, e.g. ``pip install -e ".[dev]"``)::

    python benchmarks/events.py                 # all kinds, best of 5 repeats
    python benchmarks/events.py --kinds sqs,s3  # some kinds
    python benchmarks/events.py --repeat 7 --min-time 0.5 --jsf-samples 500

For each kind, in one run, it measures (timeit-style: the best of ``--repeat`` timed
loops of at least ``--min-time`` seconds each; the loops of ours and the floors
alternate so that all see the same machine load):

* **ours** — ``events.generate(kind, seed=i)``, default parameters, a new seed per call;
* **floor** — ``benchmarks/_floors.py``'s minimal dict builder of the same event (stdlib
  only: ``uuid``, wall-clock time, ``hashlib``; the same fields, no realism beyond that);
* **lean** — ``benchmarks/_lean.py``'s builder (issue 19): only the fields and
  invariants of the event, every value drawn from one ``random.Random``, reseeded with
  the event's seed as ``generate`` must be (a seeded event is a function of its seed);
  **lean0** is the same builder without the reseed, and the header line prints what
  seeding a ``random.Random`` costs (``random.Random(seed)``: CPython's MT19937 init);
* **jsf** — ``JSF(schema).generate()`` from the kind's JSON Schema (the JSF object is
  built once), plus the fraction of jsf's events that pass ``events.validate`` and, of
  those, how many also keep the kind's cross-field invariants (``events.check_invariants``);
  ``--jsf-samples 0`` skips jsf;
* **validate** — one full jsonschema validation (``events.validate(event, kind)``) of a
  default event.

``--cpu`` times the loops with the process's CPU time (``time.process_time``) instead of
wall time: on a loaded machine the wall time also counts the waits for a core. It prints
the machine and the load averages before and after, and a markdown table with
the ratios ours/floor and ours/lean against the targets: against the floor 3x for the
record kinds and 4x for the HTTP kinds (API Gateway, ALB, Function URLs, WebSocket);
against the lean builder (issue 19) 2x for sqs, sns, s3 and kinesis, 3x for the HTTP kinds,
and 2x (our choice, the record kinds' target) for dynamodb, eventbridge, firehose,
cloudwatch_logs and kafka. A kind added later (Kafka...) needs a floor, a lean builder and a row
in both target tables here. Times are per event; the machine's other load shifts them,
the ratios less so.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import random
import signal
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floors import FLOORS, LEAN
from _machine import machine

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
#: ours/lean targets (issue 19); the kinds the issue does not name get the record kinds' 2x.
LEAN_TARGETS: dict[str, float] = {
    "apigw_v1": 3.0,
    "apigw_v2": 3.0,
    "s3": 2.0,
    "sns": 2.0,
    "sqs": 2.0,
    "kinesis": 2.0,
    "dynamodb": 2.0,
    "alb": 3.0,
    "function_url": 3.0,
    "websocket": 3.0,
    "eventbridge": 2.0,
    "firehose": 2.0,
    "cloudwatch_logs": 2.0,
    "kafka": 2.0,
}
#: The clock of the timed loops: wall time (perf_counter), or with --cpu this process's
#: CPU time (process_time), which a loaded machine's waiting for a core does not inflate.
CLOCK: list[Callable[[], float]] = [time.perf_counter]
JSF_TIMEOUT_S = 60  # per kind, jsf timing and sampling together
JSF_SAMPLE_BUDGET_S = 20.0  # fewer validity samples when jsf is slow


@dataclass
class Row:
    kind: str
    ours_s: float | None = None
    floor_s: float | None = None
    lean_s: float | None = None
    lean0_s: float | None = None
    jsf_s: float | None = None
    jsf_valid: str = "-"
    validate_s: float | None = None
    note: str = ""


def best_per_call(func: Callable[[], Any], repeat: int, min_time: float) -> float:
    """Seconds per call: the best of ``repeat`` loops, each of at least ``min_time`` seconds."""
    timer = timeit.Timer(func, timer=CLOCK[0])
    number, elapsed = timer.autorange()  # at least 0.2 s
    if elapsed < min_time:
        number = math.ceil(number * min_time / elapsed)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def best_interleaved(funcs: list[Callable[[], Any]], repeat: int, min_time: float) -> list[float]:
    """Like best_per_call for several functions, their loops interleaved so all see the same load."""
    timers = [timeit.Timer(f, timer=CLOCK[0]) for f in funcs]
    numbers = []
    for timer in timers:
        number, elapsed = timer.autorange()
        numbers.append(math.ceil(number * min_time / elapsed) if elapsed < min_time else number)
    best = [math.inf] * len(timers)
    for _ in range(repeat):
        for i, timer in enumerate(timers):
            best[i] = min(best[i], timer.timeit(numbers[i]) / numbers[i])
    return best


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
    if kind not in FLOORS or kind not in LEAN or kind not in TARGETS or kind not in LEAN_TARGETS:
        row.note = (
            "no floor, lean builder or target for this kind yet (add them: see the docstring)"
        )
        return row
    seeds, lean_seeds = itertools.count(), itertools.count()
    floor, lean = FLOORS[kind], LEAN[kind]
    try:  # the floors must build the same (valid) event, or the comparison is meaningless
        events.validate(floor(), kind)
        lean_event = lean(0)
        events.validate(lean_event, kind)
        broken = events.check_invariants(lean_event, kind)
        if broken:
            row.note = f"lean event breaks an invariant: {broken[0][:80]}"
    except ValueError as exc:
        row.note = f"floor event invalid: {str(exc)[:80]}"
    row.ours_s, row.floor_s, row.lean_s, row.lean0_s = best_interleaved(
        [
            lambda: events.generate(kind, seed=next(seeds)),
            floor,
            lambda: lean(next(lean_seeds)),
            lambda: lean(None),
        ],
        repeat,
        min_time,
    )
    try:
        events.validate(event, kind)
        row.validate_s = best_per_call(lambda: events.validate(event, kind), repeat, min_time)
    except Exception as exc:
        row.note += f" validate failed: {type(exc).__name__}: {str(exc)[:80]}"
    if jsf_samples > 0:
        measure_jsf(kind, row, repeat, min_time, jsf_samples)
    else:
        row.jsf_valid = "skipped (--jsf-samples 0)"
    return row


def _ratio(ours: float | None, base: float | None, target: float) -> tuple[str, str]:
    if ours is None or base is None:
        return "-", "-"
    x = ours / base
    return f"{x:.2f}x", "PASS" if x <= target else "FAIL"


def table(rows: list[Row]) -> str:
    head = (
        "| kind | ours µs/event | ours events/s | floor µs | ours/floor (target) | lean µs "
        "| ours/lean (target) | lean0 µs | ours/lean0 | jsf µs/event | jsf events valid "
        "| validate µs |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        floor_x, floor_v = _ratio(r.ours_s, r.floor_s, TARGETS.get(r.kind, math.inf))
        lean_x, lean_v = _ratio(r.ours_s, r.lean_s, LEAN_TARGETS.get(r.kind, math.inf))
        lean0_x, _ = _ratio(r.ours_s, r.lean0_s, math.inf)
        jsf_valid = r.jsf_valid + (f"; {r.note}" if r.note else "")
        lines.append(
            f"| {r.kind} | {_us(r.ours_s)} | {_per_s(r.ours_s)} | {_us(r.floor_s)} | "
            f"{floor_x} (≤{TARGETS.get(r.kind, math.inf):.0f}x {floor_v}) | {_us(r.lean_s)} | "
            f"{lean_x} (≤{LEAN_TARGETS.get(r.kind, math.inf):.0f}x {lean_v}) | {_us(r.lean0_s)} | {lean0_x} | "
            f"{_us(r.jsf_s)} | {jsf_valid} | {_us(r.validate_s)} |"
        )
    return "\n".join(lines)


def _missed(rows: list[Row], base: str, targets: dict[str, float]) -> list[str]:
    out = []
    for r in rows:
        b = getattr(r, base)
        if r.ours_s is None or b is None or r.ours_s / b > targets.get(r.kind, math.inf):
            out.append(r.kind)
    return out


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
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time with this process's CPU time instead of wall time (for a loaded machine)",
    )
    args = parser.parse_args(argv)
    if args.cpu:
        CLOCK[0] = time.process_time
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in events.KINDS]
    if unknown:
        parser.error(f"unknown kind(s) {', '.join(unknown)}; valid: {', '.join(events.KINDS)}")
    seeds = itertools.count()
    seeding_s = best_per_call(lambda: random.Random(next(seeds)), args.repeat, args.min_time)
    print(
        f"# events benchmark — before: {machine()}\n"
        f"# best of {args.repeat} loops of ≥{args.min_time} s of "
        f"{'CPU time' if args.cpu else 'wall time'}; single-record events, default "
        f"parameters; seeding a random.Random costs {seeding_s * 1e6:.1f} µs per event\n"
    )
    rows = [measure(kind, args.repeat, args.min_time, args.jsf_samples) for kind in kinds]
    print(table(rows))
    for label, base, targets in (
        ("floor", "floor_s", TARGETS),
        ("lean", "lean_s", LEAN_TARGETS),
    ):
        missed = _missed(rows, base, targets)
        print(
            f"\ntargets against the {label} met: {len(rows) - len(missed)}/{len(rows)}"
            + (f" (missed: {', '.join(missed)})" if missed else "")
        )
    print(f"\n# after: {machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
