"""The result of an idempotency check: findings with their evidence, and the verdict.

``str(report)`` reads on its own; :meth:`IdempotencyReport.assert_ok` raises
:class:`~pytest_lambda.NotIdempotentError` with the verdict first, then the evidence
(state diff, responses side by side, fault point, duplicated call), then the fix, then
how to reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from pytest_lambda._checks.report import Report, plural
from pytest_lambda._checks.statediff import Change, render_diff, short, show
from pytest_lambda._core.docs import doc_url
from pytest_lambda._core.errors import NotIdempotentError

__all__ = [
    "CRASH",
    "DOCS",
    "DUPLICATE",
    "Finding",
    "IdempotencyReport",
    "ScenarioOutcome",
]

DUPLICATE: Final = "duplicate delivery"
CRASH: Final = "crash and retry"
DOCS: Final = doc_url("how-to/idempotency")

Severity = Literal["error", "warning", "info"]
Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class Finding:
    """One way the handler was not idempotent, with its evidence.

    ``state_diff`` compares the state after one clean delivery (``-``) with the state
    after ``deliveries`` deliveries or after the faulted delivery and its retries
    (``+``). ``responses`` are the two settling responses, in the same order, and
    ``response_diff`` every field in which they differ (``response['headers']['Set-Cookie']``).
    ``code`` is the stable machine-readable name of the finding (docs/explanation/checks.md,
    "Finding codes"), e.g. ``idempotency.duplicate-write``.
    """

    scenario: str
    severity: Severity
    message: str
    environment: str = ""
    state_diff: tuple[Change, ...] = ()
    deliveries: int = 2
    responses: tuple[object, object] | None = None
    fault_point: str | None = None
    duplicated_call: str | None = None
    fix: str = ""
    code: str = "idempotency.duplicate-write"
    response_diff: tuple[Change, ...] = ()

    def _after(self) -> str:
        if self.scenario == CRASH:
            return "after the failure and the retries"
        return f"after {self.deliveries} deliveries"

    def evidence(self, indent: str = "  ") -> str:
        """The state diff, the responses side by side, the fault point and duplicated call."""
        lines: list[str] = []
        if self.fault_point:
            lines.append(f"{indent}fault: {self.fault_point}")
        if self.duplicated_call:
            lines.append(f"{indent}duplicated call: {self.duplicated_call}")
        if self.state_diff:
            lines.append(f"{indent}state: - after 1 delivery, + {self._after()}:")
            lines.append(render_diff(self.state_diff, indent=indent + "  "))
        if self.responses is not None:
            first, second = self.responses
            label = "faulted" if self.scenario == CRASH else f"delivery {self.deliveries}"
            width = max(len("delivery 1"), len(label))
            lines.append(f"{indent}responses:")
            lines.append(f"{indent}  {'delivery 1'.ljust(width)} : {short(first, 160)}")
            lines.append(f"{indent}  {label.ljust(width)} : {short(second, 160)}")
            if self.response_diff:
                lines.append(f"{indent}responses differ at:")
                lines.extend(f"{indent}  {show(c)}" for c in self.response_diff[:10])
                if len(self.response_diff) > 10:
                    lines.append(f"{indent}  (… and {len(self.response_diff) - 10} more fields)")
        return "\n".join(lines)

    def render(self, indent: str = "  ") -> str:
        head = (
            f"[{self.scenario}, {self.environment}] {self.message}"
            if self.environment
            else (f"[{self.scenario}] {self.message}")
        )
        if self.severity != "error":
            head = f"{self.severity}: " + head
        body = self.evidence(indent + "  ")
        fix = f"\n{indent}  fix: {self.fix}" if self.fix else ""
        return f"{indent}{head}" + (f"\n{body}" if body else "") + fix


@dataclass(frozen=True)
class ScenarioOutcome:
    """How one scenario went: ``passed``, ``failed`` or ``skipped`` (``detail`` says why)."""

    name: str
    status: Status
    detail: str = ""


@dataclass(frozen=True)
class IdempotencyReport(Report[Finding]):
    """What :func:`~pytest_lambda.assert_idempotent` / ``check_idempotency`` found.

    ``ok`` is True when no finding is an error (warnings are shown but do not fail).
    ``handler_runs`` is how many times the handler ran, linear in the number of
    side-effect points (``side_effect_points``: ``service.Operation`` or a fault point's
    name; ``side_effects`` says the same with the resource each touched, "point 3" in a
    finding is its third entry). ``ignored`` names the per-delivery values masked before
    responses were compared.
    """

    __module__ = "pytest_lambda"

    kind: str
    findings: tuple[Finding, ...]
    scenarios: tuple[ScenarioOutcome, ...]
    handler_runs: int
    side_effect_points: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reproduce: str = ""
    runs_by_phase: tuple[tuple[str, int], ...] = ()
    handler: str = ""
    side_effects: tuple[str, ...] = ()

    # not annotated: class attributes, not dataclass fields
    failure = NotIdempotentError
    docs = DOCS

    def verdict(self) -> str:
        """The one-line verdict."""
        if self.ok:
            tested = ", ".join(s.name for s in self.scenarios if s.status == "passed")
            who = self.handler or "the handler"
            return f"idempotent: {who} passed {tested or 'no scenario'} ({self.kind} event)"
        failed = [s.name for s in self.scenarios if s.status == "failed"]
        first = self.scenarios[0] if self.scenarios else None
        if first is not None and first.detail == "the first delivery never succeeded":
            return (
                "not shown to be idempotent: the first delivery never succeeded, so there is "
                f"nothing to compare a redelivery with ({self.kind} event)"
            )
        return (
            f"not idempotent: {plural(len(self.errors), 'finding')} in "
            f"{' and '.join(failed)} ({self.kind} event)"
        )

    def summary(self) -> str:
        """Scenarios, side-effect points, handler runs, masked values and notes."""
        lines = ["scenarios:"]
        for s in self.scenarios:
            lines.append(f"  {s.name}: {s.status}" + (f" ({s.detail})" if s.detail else ""))
        labels = self.side_effects or self.side_effect_points
        numbered = [f"[{i}] {p}" for i, p in enumerate(labels, 1)] if len(labels) > 1 else labels
        points = ", ".join(numbered) if labels else "none seen"
        lines.append(f"side-effect points ({len(labels)}): {points}")
        split = ", ".join(f"{phase} {n}" for phase, n in self.runs_by_phase)
        lines.append(f"handler runs: {self.handler_runs}" + (f" ({split})" if split else ""))
        if self.ignored:
            lines.append(f"ignored (differ per delivery): {', '.join(self.ignored)}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _leading(self) -> tuple[list[Finding], list[Finding]]:
        """The first finding of each scenario (shown in full) and the rest (one line each)."""
        ordered = sorted(self.findings, key=lambda f: f.severity != "error")
        lead: list[Finding] = []
        rest: list[Finding] = []
        for finding in ordered:
            if any(f.scenario == finding.scenario for f in lead):
                rest.append(finding)
            else:
                lead.append(finding)
        return lead, rest

    @staticmethod
    def _one_line(finding: Finding) -> str:
        where = (
            f"{finding.scenario}, {finding.environment}"
            if finding.environment
            else finding.scenario
        )
        return f"  [{where}] {finding.message}"

    def evidence(self) -> list[str]:
        """The first finding of each scenario in full, the others one line each."""
        lead, rest = self._leading()
        parts = [f.render() for f in lead]
        if rest:
            parts.append(f"  … and {plural(len(rest), 'more finding')}:")
            parts.extend("  " + self._one_line(f) for f in rest)
        return parts

    def failure_message(self) -> str:
        """Verdict, then the evidence (diff), then the fix, then how to reproduce."""
        lead, rest = self._leading()
        lines = [f"{self.handler or 'handler'} is {self.verdict()}"]
        for finding in lead:
            lines += ["", finding.render(indent="")]
        if rest:
            lines += ["", f"{plural(len(rest), 'more finding')}:"]
            lines.extend(self._one_line(f) for f in rest)
        return "\n".join(lines + self.closing())
