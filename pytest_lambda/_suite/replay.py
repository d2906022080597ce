"""How to replay a conformance check: the non-default settings and the reproduce line.

Used by the engine's failure messages, the pytest items and ``pytest-lambda check``; a
setting equal to the runner's default (:mod:`pytest_lambda._core.facts`) is left out.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from pytest_lambda._core import facts

if TYPE_CHECKING:
    from pytest_lambda._suite.engine import SuiteOptions

__all__ = ["replay_settings", "reproduce_line"]


def replay_settings(opts: SuiteOptions | None) -> list[tuple[str, str | None]]:
    """The settings that differ from the defaults, as ``(name, value)`` (value None: a flag).

    ``--lambda-<name>=<value>`` for pytest, ``--<name> <value>`` for ``pytest-lambda check``.
    """
    if opts is None:
        return []
    out: list[tuple[str, str | None]] = []
    for name, value, default in (
        ("timeout", opts.timeout, facts.DEFAULT_TIMEOUT),
        ("memory", opts.memory_mb, facts.DEFAULT_MEMORY_MB),
        ("region", opts.region, facts.DEFAULT_REGION),
        ("isolation", opts.isolation, facts.DEFAULT_ISOLATION),
    ):
        if value != default:
            out.append((name, f"{value:g}" if isinstance(value, float) else str(value)))
    if opts.moto_setup:
        out.append(("moto-setup", opts.moto_setup))
    elif opts.moto:
        out.append(("moto", None))
    if opts.filter_arg:
        out.append(("filter", opts.filter_arg))
    return out


def reproduce_line(
    handler: str, kind: str, check: str, seed: int, opts: SuiteOptions | None = None
) -> str:
    """Both ways to replay a check with the same events (and the same non-default settings)."""
    if opts is not None and opts.template and opts.function_id:  # timeout, memory: the template's
        kept = [(n, v) for n, v in replay_settings(opts) if n not in ("timeout", "memory")]
        extra = "".join(f" --lambda-{n}" + (f"={v}" if v else "") for n, v in kept)
        cli_extra = "".join(f" --{n}" + (f" {v}" if v else "") for n, v in kept)
        fn = opts.function_id
        return (
            f"reproduce with --lambda-seed={seed}: pytest --lambda-template={opts.template} "
            f"--lambda-seed={seed}{extra} -k '{fn} and {kind} and {check}'  (or: pytest-lambda "
            f"check --template {opts.template} {fn} --events {kind} --seed {seed}{cli_extra})"
        )
    settings = replay_settings(opts)
    extra = "".join(f" --lambda-{n}" + (f"={shlex.quote(v)}" if v else "") for n, v in settings)
    cli_extra = "".join(f" --{n}" + (f" {shlex.quote(v)}" if v else "") for n, v in settings)
    return (
        f"reproduce with --lambda-seed={seed}: pytest --lambda-handler={handler} "
        f"--lambda-events={kind} --lambda-seed={seed}{extra} -k '{kind} and {check}'  "
        f"(or: pytest-lambda check {handler} --events {kind} --seed {seed}{cli_extra})"
    )
