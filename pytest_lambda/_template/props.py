"""The function properties a local run reads, resolved leniently.

``environment``: each variable resolved on its own (one that cannot be is left unset, with a
note); ``function_name``: the ``FunctionName`` or, when it cannot be resolved, the generated
name with a note; ``architecture_note``: a note when ``Architectures`` is not this machine's.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from typing import Any, Final

from pytest_lambda._template.intrinsics import NO_VALUE, Resolver
from pytest_lambda._template.load import TemplateError

__all__ = ["USED", "architecture_note", "environment", "function_name"]


#: The function properties a local run reads (the rest, e.g. Policies, is never resolved).
USED: Final = frozenset({"Runtime", "PackageType", "Handler", "Timeout", "MemorySize",
                          "Architectures", "Environment"})  # fmt: skip


def environment(res: Resolver, logical: str, raw: object) -> tuple[dict[str, Any], list[str]]:
    """The resolved variables, and a note per variable that cannot be resolved locally."""
    where = f"Resources.{logical}.Properties.Environment.Variables"
    raw_vars = raw.get("Variables") if isinstance(raw, Mapping) else None
    if not isinstance(raw_vars, Mapping):
        return {}, []
    out: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in raw_vars.items():
        try:
            resolved = res.resolve(value, f"{where}.{key}")
        except TemplateError as exc:
            why = str(exc).removeprefix(f"{res.file}: ").removeprefix(f"{where}.{key}")
            why = (
                why.removeprefix(": ").removeprefix(" (").replace("): ", ": ", 1)
                if why.startswith(" (")
                else why.removeprefix(": ")
            )
            notes.append(f"environment variable {key} is left unset ({why}); or set it: "
                         f"pytest-lambda check --env {key}=VALUE, the lambda_handler marker's env=")  # fmt: skip
            continue
        if resolved is not NO_VALUE:
            out[str(key)] = resolved
    return out, notes


def architecture_note(architecture: str, machine: str | None = None) -> str | None:
    """A note when the function's ``Architectures`` is not this machine's (it runs here as is)."""
    here = (machine or platform.machine()).lower()
    host = {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}.get(
        here, here
    )
    if architecture == host:
        return None
    return (f"Architectures {architecture}: runs here on {host}; platform.machine() and "
            "native wheels (compiled packages) are this machine's, not Lambda's")  # fmt: skip


def function_name(res: Resolver, logical: str, notes: list[str]) -> str:
    """Its ``FunctionName``; when that cannot be resolved, the generated name and a note."""
    try:
        return res.physical_name(logical)
    except TemplateError as exc:
        name = Resolver({"Resources": {logical: {"Type": "AWS::Lambda::Function"}}}, res.file,
                        res.stack).physical_name(logical)  # fmt: skip
        notes.append(f"function name {name} (generated): {str(exc).removeprefix(f'{res.file}: ')}")
        return name
