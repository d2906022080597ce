"""The result of a warm-reuse check: findings with their evidence, and the verdict.

``str(report)`` reads on its own; :meth:`LeakReport.assert_ok` raises
:class:`~pytest_lambda.StateLeakError` with the verdict first, then the evidence (where,
value after one invocation and before the next, the growth trend, warm and cold outputs
side by side), then the fix, then how to reproduce.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Final, Literal

from pytest_lambda._checks.report import Report, plural
from pytest_lambda._core.docs import doc_url
from pytest_lambda._core.errors import StateLeakError

__all__ = [
    "CACHE",
    "CAUSE_ENVIRONMENT",
    "CAUSE_EXTERNAL",
    "CAUSE_GLOBAL",
    "CAUSE_TMP",
    "CAUSE_UNATTRIBUTED",
    "CODES",
    "CWD",
    "DEFAULT_ARG",
    "DIVERGENCE",
    "DOCS",
    "ENVIRON",
    "FAILED",
    "FD_GROWTH",
    "GLOBAL_CHANGED",
    "GLOBAL_GROWTH",
    "HOOK_GROWTH",
    "LAZY_GLOBAL",
    "LOGGING_HANDLER",
    "PROCESS_STATE",
    "SYS_PATH",
    "THREAD",
    "TMP_FILE",
    "TMP_GROWTH",
    "LeakFinding",
    "LeakReport",
    "Severity",
]

DOCS: Final = doc_url("how-to/warm-reuse")

# Finding categories (``LeakFinding.category``), explained in docs/how-to/warm-reuse.md.
DIVERGENCE: Final = "divergence"
GLOBAL_GROWTH: Final = "global-growth"
CACHE: Final = "cache"
GLOBAL_CHANGED: Final = "global-changed"
LAZY_GLOBAL: Final = "lazy-global"
DEFAULT_ARG: Final = "mutable-default"
TMP_GROWTH: Final = "tmp-growth"
TMP_FILE: Final = "tmp-file"
ENVIRON: Final = "environ"
CWD: Final = "cwd"
SYS_PATH: Final = "sys-path"
LOGGING_HANDLER: Final = "logging-handler"
THREAD: Final = "thread"
FD_GROWTH: Final = "fd-growth"
HOOK_GROWTH: Final = "hook-growth"  # import finders, exit callbacks, trace functions
PROCESS_STATE: Final = "process-state"  # changed by the handler, not restorable in-process
FAILED: Final = "invocations-failed"  # every warm invocation failed: nothing was shown

# What a divergence is blamed on (``LeakFinding.cause``), see compare.attribute().
CAUSE_GLOBAL: Final = "module-global"
CAUSE_TMP: Final = "tmp-file"
CAUSE_ENVIRONMENT: Final = "process-settings"
CAUSE_EXTERNAL: Final = "external-state"
CAUSE_UNATTRIBUTED: Final = "unattributed"

#: The stable finding codes (``LeakFinding.code``): a divergence's code is its cause, the
#: other categories have one code each. Documented in docs/explanation/checks.md.
CODES: Final[dict[str, str]] = {
    GLOBAL_GROWTH: "leaks.global-growth",
    CACHE: "leaks.cache",
    GLOBAL_CHANGED: "leaks.global-changed",
    LAZY_GLOBAL: "leaks.lazy-global",
    DEFAULT_ARG: "leaks.mutable-default",
    TMP_GROWTH: "leaks.tmp-growth",
    TMP_FILE: "leaks.tmp-written",
    ENVIRON: "leaks.environ",
    CWD: "leaks.cwd",
    SYS_PATH: "leaks.sys-path",
    LOGGING_HANDLER: "leaks.logging-handler",
    THREAD: "leaks.thread",
    FD_GROWTH: "leaks.fd-growth",
    HOOK_GROWTH: "leaks.hook-growth",
    PROCESS_STATE: "leaks.process-state",
    FAILED: "leaks.invocations-failed",
}

_MAX_DIVERGENCES: Final = 2

Severity = Literal["error", "warning", "info"]


def _skipped(events: tuple[int, ...]) -> str:
    """Which events' warm outputs were not compared, and why ("" when all were)."""
    if not events:
        return ""
    if len(events) == 1:
        return f"event {events[0]} not compared: two cold runs gave different outputs"
    names = ", ".join(str(e) for e in events[:-1]) + f" and {events[-1]}"
    return f"events {names} not compared: two cold runs of each gave different outputs"


@dataclass(frozen=True)
class LeakFinding:
    """One piece of state that survived a warm invocation, or one diverging output.

    ``where`` names it precisely (``app._seen``, ``app.handler(seen=…)``, ``/tmp/log.txt``,
    ``os.environ['LAST_USER']``, ``sys.path``, ``root logger``, a thread, ``event 2``).
    ``before`` / ``after`` are bounded texts: the value after the invocation before the
    change and after the one that changed it (for a divergence: the cold and warm outputs).
    ``category`` says what leaked (``"global-growth"``, ``"tmp-file"``, ``"divergence"``...).
    ``cause`` (divergences only) is what it is blamed on; ``code`` is the stable
    machine-readable name (``leaks.module-global``, ``leaks.tmp-growth``...).
    """

    category: str
    severity: Severity
    where: str
    message: str
    before: str | None = None
    after: str | None = None
    fix: str = ""
    invocation: int | None = None
    span: tuple[int, int] | None = None
    cause: str = ""

    @property
    def code(self) -> str:
        """The stable finding code: ``leaks.<cause>`` for a divergence, else per category."""
        if self.category == DIVERGENCE:
            return f"leaks.{self.cause or CAUSE_UNATTRIBUTED}"
        return CODES.get(self.category, f"leaks.{self.category}")

    @property
    def kind(self) -> str:
        """Deprecated name of :attr:`category` ("kind" means an event kind); goes away in 0.2."""
        warnings.warn(
            "LeakFinding.kind is deprecated, use LeakFinding.category "
            "(the old name goes away in 0.2)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.category

    def labels(self) -> tuple[str, str]:
        """What ``before`` and ``after`` are: cold/warm outputs, or values after which invocation."""
        if self.category == DIVERGENCE:
            return "cold (fresh environment)", "warm (reused environment)"
        if self.span is None:
            return "before", "after"
        first, last = self.span
        return (
            "after init" if first == 0 else f"after invocation {first}",
            f"after invocation {last}",
        )

    def evidence(self, indent: str = "  ") -> str:
        labels = self.labels()
        width = max(len(labels[0]), len(labels[1]))
        lines = []
        if self.before is not None:
            lines.append(f"{indent}{labels[0].ljust(width)} : {self.before}")
        if self.after is not None:
            lines.append(f"{indent}{labels[1].ljust(width)} : {self.after}")
        return "\n".join(lines)

    def head(self) -> str:
        text = f"[{self.category}] {self.where}: {self.message}"
        return text if self.severity == "error" else f"{self.severity}: {text}"

    def render(self, indent: str = "  ") -> str:
        body = self.evidence(indent + "  ")
        fix = f"\n{indent}  fix: {self.fix}" if self.fix else ""
        return f"{indent}{self.head()}" + (f"\n{body}" if body else "") + fix


@dataclass(frozen=True)
class LeakReport(Report[LeakFinding]):
    """What ``check_warm_reuse`` / :func:`~pytest_lambda.assert_no_state_leak` found.

    ``ok`` is True when no finding is an error (warnings and info are shown but do not
    fail; ``strict=True`` makes warnings errors). ``handler_runs`` counts every handler
    run: the warm sequence (events then replays), one cold run per event, and a second
    cold run for each diverging event (to tell nondeterminism from a leak).
    ``not_compared`` lists the events (numbered from 1) whose two cold runs gave different
    outputs: their warm output was not compared, and the verdict says so.
    """

    __module__ = "pytest_lambda"

    findings: tuple[LeakFinding, ...]
    handler_runs: int
    events: int = 0
    replays: int = 0
    allowed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reproduce: str = ""
    seed: int | None = None
    not_compared: tuple[int, ...] = ()  # events (from 1) whose two cold runs differed

    # not annotated: class attributes, not dataclass fields
    failure = StateLeakError
    docs = DOCS

    def by_category(self, category: str) -> tuple[LeakFinding, ...]:
        """The findings of one category: ``"divergence"``, ``"global-growth"``, ``"tmp-file"``..."""
        return tuple(f for f in self.findings if f.category == category)

    def by_kind(self, kind: str) -> tuple[LeakFinding, ...]:
        """Deprecated name of :meth:`by_category`; goes away in 0.2."""
        warnings.warn(
            "LeakReport.by_kind() is deprecated, use LeakReport.by_category() "
            "(the old name goes away in 0.2)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.by_category(kind)

    def verdict(self) -> str:
        """The one-line verdict: it claims only what was compared."""
        skipped = _skipped(self.not_compared)
        failed = next((f for f in self.errors if f.category == FAILED), None)
        if failed is not None and len(self.errors) == 1:
            return f"not shown free of state leaks: {failed.message.split(': a handler', 1)[0]}"
        if self.ok:
            extra = f" ({plural(len(self.warnings), 'warning')})" if self.warnings else ""
            compared = self.events - len(self.not_compared)
            if not skipped:
                return (
                    f"no state leak: {plural(self.events, 'event')} gave the same output warm "
                    f"and cold, and no state grew across warm invocations{extra}"
                )
            if compared > 0:
                return (
                    f"no state leak: {compared} of {plural(self.events, 'event')} gave the same "
                    f"output warm and cold ({skipped}), and no state grew across warm "
                    f"invocations{extra}"
                )
            return f"outputs not compared ({skipped}); no state grew across warm invocations{extra}"
        categories = sorted({f.category for f in self.errors})
        return (
            f"state leaks across warm invocations: {plural(len(self.errors), 'error')} "
            f"({', '.join(categories)})" + (f"; {skipped}" if skipped else "")
        )

    def summary(self) -> str:
        """Handler runs, what was inspected, and notes on what could not be."""
        lines = [
            f"handler runs: {self.handler_runs} ({self.events} warm + {self.replays} replayed, "
            f"{self.handler_runs - self.events - self.replays} cold)"
        ]
        if self.allowed:
            lines.append(f"allowed (not reported): {', '.join(self.allowed)}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _ordered(self) -> list[LeakFinding]:
        rank = {"error": 0, "warning": 1, "info": 2}
        return sorted(self.findings, key=lambda f: rank[f.severity])

    def evidence(self) -> list[str]:
        """Every finding in full, errors first, then warnings, then info."""
        return [f.render() for f in self._ordered()]

    def failure_message(self) -> str:
        """Verdict, then each error with its evidence and fix, then warnings, then reproduce."""
        lines = [f"handler {self.verdict()}"]
        shown = 0
        for finding in self.errors:
            if finding.category == DIVERGENCE:
                shown += 1
                if shown > _MAX_DIVERGENCES:
                    continue
            lines += ["", finding.render(indent="")]
        if shown > _MAX_DIVERGENCES:
            hidden = [f.where for f in self.errors if f.category == DIVERGENCE][_MAX_DIVERGENCES:]
            lines += [
                "",
                f"(and {plural(len(hidden), 'more diverging event')}: {', '.join(hidden)})",
            ]
        others = [f for f in self._ordered() if f.severity != "error"]
        if others:
            lines += ["", f"not failing the check ({plural(len(others), 'finding')}):"]
            lines.extend(f"  {f.head()}" for f in others)
        return "\n".join(lines + self.closing())
