"""Settings of the conformance suite: event kinds, handler string, per-kind generator params.

Per-kind parameters come from ``[tool.pytest_lambda.events.<kind>]`` tables in the
``pyproject.toml`` of the root directory; parameters naming a file (``*_schema``) are
resolved relative to that ``pyproject.toml``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Final

from ._errors import InvalidOption

__all__ = ["load_event_params", "parse_handler", "parse_kinds"]

_HANDLER: Final = re.compile(r"(?:[\w.-]+/)*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\.[A-Za-z_]\w*")


def _kinds() -> tuple[str, ...]:
    from ._events._core import KINDS

    return KINDS


def parse_kinds(raw: str, origin: str = "--lambda-events") -> list[str]:
    """``"sqs, s3"`` → ``["sqs", "s3"]``; unknown kinds raise :class:`InvalidOption`."""
    kinds = _kinds()
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names:
        raise InvalidOption(f"{origin}={raw!r} names no event kind; valid: {', '.join(kinds)}")
    unknown = [n for n in names if n not in kinds]
    if unknown:
        raise InvalidOption(
            f"{origin}={raw!r}: unknown event kind {unknown[0]!r}; valid kinds: {', '.join(kinds)}"
        )
    return list(dict.fromkeys(names))


def parse_handler(raw: str, origin: str = "--lambda-handler") -> str:
    """Check a handler string has the runtime's ``module.function`` form."""
    handler = raw.strip()
    if not _HANDLER.fullmatch(handler):
        raise InvalidOption(
            f"{origin}={raw!r} is not a handler string; valid forms: module.function "
            "(app.handler), package.module.function (app.api.handler) or "
            "path/module.function (src/app.handler)"
        )
    return handler


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - pytest depends on tomli before 3.11
        import tomli as tomllib
    with path.open("rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    return data


def load_event_params(pyproject: Path) -> dict[str, dict[str, Any]]:
    """``{kind: params}`` from ``[tool.pytest_lambda.events.<kind>]`` of ``pyproject``."""
    if not pyproject.is_file():
        return {}
    try:
        data = _load_toml(pyproject)
    except ValueError as exc:
        raise InvalidOption(f"{pyproject}: not valid TOML: {exc}") from None
    tables = data.get("tool", {}).get("pytest_lambda", {}).get("events", {})
    if not isinstance(tables, dict):
        raise InvalidOption(f"{pyproject}: [tool.pytest_lambda.events] must be a table of kinds")
    from ._events._core import kind_params

    kinds = _kinds()
    out: dict[str, dict[str, Any]] = {}
    for kind, table in tables.items():
        name = f"[tool.pytest_lambda.events.{kind}] in {pyproject}"
        if kind not in kinds:
            raise InvalidOption(f"{name}: unknown event kind; valid kinds: {', '.join(kinds)}")
        if not isinstance(table, dict):
            raise InvalidOption(f"{name}: must be a table of generator parameters")
        valid = kind_params(kind)
        unknown = sorted(set(table) - set(valid))
        if unknown:
            raise InvalidOption(
                f"{name}: unknown parameter {unknown[0]!r}; valid parameters: {', '.join(valid)}"
            )
        params = dict(table)
        for key, value in params.items():
            if key.endswith("_schema") and isinstance(value, str):
                params[key] = str((pyproject.parent / value).resolve())
        out[kind] = params
    return out
