"""One finding of a conformance check, in the shape ``pytest-lambda check --json`` prints.

``code`` is stable and machine-readable (``robust.unhandled-exception``; the list is in
docs/explanation/checks.md, "Finding codes"); ``severity`` is ``error`` (fails the check),
``warning`` or ``info`` (shown, not failing), as for every check's findings.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """A finding of a suite check: its code, severity and one-line message."""

    code: str
    severity: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}
