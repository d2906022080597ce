"""The base of the checks' reports, and the one ``plural()`` of their messages.

A check's report holds ``findings``, each with a ``severity`` ("error", "warning" or
"info"). :class:`Report` derives the rest the same way for every check: ``ok`` (no
error-level finding), ``errors``, ``warnings``, ``str(report)`` (verdict, evidence, summary,
how to reproduce) and ``assert_ok()``, which raises the check's error class with
``failure_message()``. A subclass (a frozen dataclass with a ``findings`` field) supplies the
wording: ``verdict()``, ``summary()``, ``evidence()`` and ``failure_message()`` (ending with
``closing()``), and names its error class in ``failure`` and its how-to page in ``docs``. Cost: one pass over the findings per property read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar

from pytest_lambda._core.errors import LambdaTestError

__all__ = ["Graded", "Report", "plural"]


def plural(n: int, word: str) -> str:
    """``"1 finding"``, ``"2 findings"``: the count and the word, with an ``s`` unless 1."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Graded(Protocol):
    """What the base needs of a finding: its severity, and its stable code
    (docs/explanation/checks.md, "Finding codes")."""

    @property
    def severity(self) -> str: ...

    @property
    def code(self) -> str: ...


F = TypeVar("F", bound=Graded)


class Report(Generic[F]):
    """The shared behaviour of ``IdempotencyReport`` and ``LeakReport`` (see the module docs)."""

    failure: ClassVar[type[LambdaTestError]]
    """The error ``assert_ok()`` raises (``NotIdempotentError``, ``StateLeakError``)."""
    docs: ClassVar[str]
    """The how-to page the failure message ends with."""

    if TYPE_CHECKING:

        @property
        def findings(self) -> Sequence[F]: ...

        @property
        def reproduce(self) -> str: ...

    @property
    def ok(self) -> bool:
        """No error-level finding: warnings and info are shown but do not fail the check."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> tuple[F, ...]:
        """The error-level findings (any of them fails the check)."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[F, ...]:
        """The warning-level findings (shown, not failing)."""
        return tuple(f for f in self.findings if f.severity == "warning")

    def verdict(self) -> str:
        """The one-line verdict."""
        raise NotImplementedError

    def summary(self) -> str:
        """What was run and inspected, and notes on what could not be."""
        raise NotImplementedError

    def evidence(self) -> list[str]:
        """The findings as ``str(report)`` shows them, one block each."""
        raise NotImplementedError

    def failure_message(self) -> str:
        """The message of the error ``assert_ok()`` raises: verdict first, then evidence."""
        raise NotImplementedError

    def closing(self) -> list[str]:
        """The end of a failure message: the summary, the docs, how to reproduce."""
        lines = ["", self.summary(), f"see {self.docs}"]
        if self.reproduce:
            lines.append(f"reproduce: {self.reproduce}")
        return lines

    def __str__(self) -> str:
        parts = [self.verdict(), *self.evidence(), self.summary()]
        if self.reproduce and not self.ok:
            parts.append(f"reproduce: {self.reproduce}")
        return "\n".join(parts)

    def assert_ok(self) -> None:
        """Raise the check's error (:attr:`failure`) with :meth:`failure_message` unless ``ok``."""
        __tracebackhide__ = True
        if not self.ok:
            raise self.failure(self.failure_message())
