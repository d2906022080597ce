"""Deliveries as a source makes them: invoke, let the delivery settle, snapshot, reset.

A delivery *settles* when the handler succeeds or the source gives up: after an
exception or a timeout the source redelivers the whole event, after a partial batch
response only the reported items (:mod:`pytest_lambda._checks.redeliver`), up to ``retries``
times. API Gateway clients retry 429 and 5xx responses (a function error is a 502).
S3 and SNS retries keep the invocation's request id.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_lambda._checks.faults import Call, Fault, Recorder
from pytest_lambda._checks.idempotency.causes import Run, state_changes
from pytest_lambda._checks.idempotency.report import DUPLICATE
from pytest_lambda._checks.redeliver import (
    BATCH_KINDS,
    failed_items,
    next_delivery,
    same_request_id,
)

if TYPE_CHECKING:
    from pytest_lambda._checks.clock import CheckClock
    from pytest_lambda._checks.runner import LambdaRunner
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["Check", "Observe", "Reset"]

Observe = Callable[[], object]
Reset = Callable[[], object]


class Check:
    """One run of the check: the runner, the recorder, the count of handler runs."""

    def __init__(
        self,
        runner: LambdaRunner,
        event: Mapping[str, Any],
        kind: str,
        retries: int,
        observe: Observe | None,
        reset: Reset | None,
        seed: int | None,
    ) -> None:
        self.runner, self.event, self.kind, self.retries = runner, event, kind, retries
        self.observe, self.reset, self.seed = observe, reset, seed
        self.recorder = Recorder()
        self.runs = 0
        self.phase = DUPLICATE
        self.runs_by_phase: dict[str, int] = {}
        self.clock: CheckClock | None = None
        #: False: the mapping has no ReportBatchItemFailures, so a batch response's
        #: batchItemFailures are ignored and an answered batch is done.
        self.partial_batch = True
        self.bisect = False  # BisectBatchOnFunctionError: a failed stream batch comes back halved

    def elapsed(self) -> float:
        """Seconds the check's clock moved on since the delivery being compared began."""
        return 0.0 if self.clock is None else self.clock.elapsed

    def around(self) -> float | None:
        """The epoch seconds of the check's clock at its start (None: time runs real)."""
        start = None if self.clock is None else self.clock.start
        return None if start is None else start.timestamp()

    def wait(self, attempt: int) -> None:
        """Let the time pass that the source waits before redelivery ``attempt``."""
        if self.clock is not None:
            self.clock.advance(self.kind, attempt)

    def invoke(
        self, event: Mapping[str, Any], *, fault: Fault | None = None, request_id: str | None = None
    ) -> tuple[Invocation, tuple[Call, ...], Call | None]:
        context = None
        if request_id is not None:  # an async retry: Lambda reuses the invocation's request id
            from pytest_lambda._runtime.context import LambdaContext

            runner = self.runner
            context = LambdaContext(
                function_name=runner.function_name,
                memory_limit_in_mb=runner.memory_mb,
                timeout=runner.timeout,
                region=runner.region,
                aws_request_id=request_id,
                clock=runner.clock,
            )
        self.recorder.start(fault)
        try:
            inv = self.runner.invoke(copy.deepcopy(dict(event)), context=context)
        finally:
            calls = self.recorder.stop()
        self.runs += 1
        self.runs_by_phase[self.phase] = self.runs_by_phase.get(self.phase, 0) + 1
        fired = self.recorder.fired
        if fired is not None and fault is not None and fault.mode == "before":
            calls = [c for c in calls if c is not fired]  # it never happened
        return inv, tuple(calls), fired

    def _next(self, event: Mapping[str, Any], inv: Invocation) -> dict[str, Any] | None:
        """What the source delivers after ``inv``, or None when the delivery settled."""
        if self.kind == "direct":
            return None
        if not inv.ok:
            if self.kind.startswith("apigw"):
                return next_delivery(event, self.kind, seed=self.seed)  # a 502: clients retry
            return next_delivery(event, self.kind, failed=True, seed=self.seed, bisect=self.bisect)
        if self.kind in BATCH_KINDS:
            if not self.partial_batch or not failed_items(self.kind, event, inv.response):
                return None
            return next_delivery(event, self.kind, response=inv.response, seed=self.seed)
        if self.kind.startswith("apigw"):
            status = inv.response.get("statusCode") if isinstance(inv.response, dict) else None
            if isinstance(status, int) and (status >= 500 or status == 429):
                return next_delivery(event, self.kind, seed=self.seed)
        return None

    def deliver(
        self,
        event: Mapping[str, Any],
        *,
        fault: Fault | None = None,
        cold_retry: bool = False,
        request_id: str | None = None,
    ) -> Run:
        """Deliver ``event`` and let it settle (the source's retries included)."""
        inv, calls, fired = self.invoke(event, fault=fault, request_id=request_id)
        invocations, events, all_calls = [inv], [dict(event)], list(calls)
        whole = False
        current: Mapping[str, Any] = event
        gave_up = False
        for attempt in range(self.retries + 1):
            nxt = self._next(current, inv)
            if nxt is None:
                break
            if attempt == self.retries:
                gave_up = True
                break
            if self.kind in BATCH_KINDS:
                whole = whole or len(nxt.get("Records", ())) == len(current.get("Records", ()))
            self.wait(attempt + 1)
            if cold_retry:
                self.runner.new_environment()
            keep = inv.request_id if same_request_id(self.kind) else None
            inv, more, _ = self.invoke(nxt, request_id=keep)
            invocations.append(inv)
            events.append(nxt)
            all_calls.extend(more)
            current = nxt
        return Run(
            invocations=tuple(invocations),
            events=tuple(events),
            calls=tuple(all_calls),
            first_calls=calls,
            fired=fired,
            whole_batch_retry=whole,
            gave_up=gave_up,
        )

    def snapshot(self) -> object:
        return None if self.observe is None else copy.deepcopy(self.observe())

    def fresh(self) -> None:
        if self.clock is not None:
            self.clock.rewind()
        if self.reset is not None:
            self.reset()
        self.runner.new_environment()

    def duplicate(self, attempt: int) -> dict[str, Any]:
        if self.kind == "direct":
            return copy.deepcopy(dict(self.event))
        out = next_delivery(self.event, self.kind, attempt, seed=self.seed)
        assert out is not None
        return out

    def idempotent(self, a: Mapping[str, Any], b: Mapping[str, Any], same_id: bool) -> bool:
        """From the starting state, does delivering ``b`` after ``a`` leave the state alone?"""
        phase, self.phase = self.phase, "diagnosis"
        try:
            return self._idempotent(a, b, same_id)
        finally:
            self.phase = phase

    def _idempotent(self, a: Mapping[str, Any], b: Mapping[str, Any], same_id: bool) -> bool:
        self.fresh()
        first = self.deliver(a)
        before = self.snapshot()
        self.wait(1)
        second = self.deliver(b, request_id=first.first.request_id if same_id else None)
        return not state_changes(
            self.kind, first, before, second, self.snapshot(), set(), self.elapsed(),
            self.around(),
        )  # fmt: skip
