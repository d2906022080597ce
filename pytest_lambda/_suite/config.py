"""Settings of the conformance suite: event kinds, handler string, per-kind generator params.

Per-kind parameters come from ``[tool.pytest_lambda.events.<kind>]`` tables in the
``pyproject.toml`` of the root directory; parameters naming a file (``*_schema``) are
resolved relative to that ``pyproject.toml``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pytest_lambda._core.errors import InvalidOption

__all__ = ["PARAM_SETS", "load_event_params", "param_sets", "parse_handler", "parse_kinds"]

_HANDLER: Final = re.compile(r"(?:[\w.-]+/)*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\.[A-Za-z_]\w*")


def _kinds() -> tuple[str, ...]:
    from pytest_lambda._events._kinds import KINDS

    return KINDS


def parse_kinds(raw: str, origin: str = "--lambda-events") -> list[str]:
    """``"sqs, s3"`` → ``["sqs", "s3"]``; unknown kinds raise :class:`InvalidOption`."""
    kinds = _kinds()
    # SQS and apigw-v1 are read as events generate reads them
    names = [n.strip().lower().replace("-", "_") for n in raw.split(",") if n.strip()]
    if not names:
        raise InvalidOption(f"{origin}={raw!r} names no event kind; valid: {', '.join(kinds)}")
    unknown = [n for n in names if n not in kinds]
    if unknown:
        from pytest_lambda._events._kinds import _ALIASES

        alias = _ALIASES.get(unknown[0])
        hint = f" (did you mean {alias!r}?)" if alias else ""
        raise InvalidOption(
            f"{origin}={raw!r}: unknown event kind {unknown[0]!r}{hint}; valid kinds: "
            f"{', '.join(kinds)}"
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
    kinds = _kinds()
    out: dict[str, dict[str, Any]] = {}
    for kind, table in tables.items():
        name = f"[tool.pytest_lambda.events.{kind}] in {pyproject}"
        if kind not in kinds:
            raise InvalidOption(f"{name}: unknown event kind; valid kinds: {', '.join(kinds)}")
        if isinstance(table, list):  # [[tool.pytest_lambda.events.<kind>]]: several sets
            if not table:
                raise InvalidOption(
                    f"{name}: an empty list; give at least one [[tool.pytest_lambda.events."
                    f"{kind}]] table of generator parameters, or remove the key"
                )
            if not all(isinstance(t, dict) for t in table):
                raise InvalidOption(
                    f"[[tool.pytest_lambda.events.{kind}]] in {pyproject}: each entry must be "
                    "a table of generator parameters"
                )
            sets = [
                _one_set(kind, t, f"{name} (set {i + 1})", pyproject) for i, t in enumerate(table)
            ]
            out[kind] = {PARAM_SETS: sets}
            continue
        if not isinstance(table, dict):
            raise InvalidOption(f"{name}: must be a table of generator parameters")
        out[kind] = _one_set(kind, table, name, pyproject)
    return out


#: Key under which a kind's several parameter sets are kept (``[[...events.<kind>]]``).
PARAM_SETS: Final = "__sets__"


def param_sets(params_by_kind: Mapping[str, Mapping[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The parameter sets of ``kind``: one (possibly empty) or the listed ones."""
    params = params_by_kind.get(kind, {})
    sets = params.get(PARAM_SETS)
    if isinstance(sets, list):
        return [dict(s) for s in sets]
    return [dict(params)]


def _one_set(kind: str, table: dict[str, Any], name: str, pyproject: Path) -> dict[str, Any]:
    from pytest_lambda._events._core import kind_params

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
    _try_generate(kind, params, name)
    return params


def _try_generate(kind: str, params: dict[str, Any], name: str) -> None:
    """A usage error now for a bad value (``records = "three"``), not one failure per check."""
    from pytest_lambda._core.errors import InvalidEventSpec
    from pytest_lambda._events._core import generate

    try:
        generate(kind, seed=0, **params)
    except (InvalidEventSpec, TypeError, ValueError) as exc:
        raise InvalidOption(f"{name}: {exc}") from None
