"""What a runner's current environment holds, as the checks see it (both isolation modes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import ModuleType

    from pytest_lambda._runtime.inprocess.environment import Environment

__all__ = ["EnvironmentState"]


@dataclass(frozen=True)
class EnvironmentState:
    """A look inside the current execution environment (internal API, for checks)."""

    handler_module: ModuleType | None
    modules: Mapping[str, ModuleType]
    scratch_dir: str
    environ: Mapping[str, str]
    sys_path: tuple[str, ...]
    cwd: str
    initialized: bool
    invocations: int
    generation: int
    environment: Environment
