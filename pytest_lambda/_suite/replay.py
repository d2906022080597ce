"""How to replay a conformance check: the non-default settings and the reproduce lines.

Used by the engine's failure messages, the pytest items and ``pytest-lambda check``; a
setting equal to the runner's default (:mod:`pytest_lambda._core.facts`) is left out. The
lines are whole commands: the root directory, every ``--env`` variable, the ``--path`` and
``--layer`` folders, moto and its set-up, the seed, the isolation, a non-default timeout,
memory or region, and the event kind. Words are shell-quoted (``shlex``), so a printed line
pasted into a shell runs the same checks on the same events.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
from typing import TYPE_CHECKING, Final

from pytest_lambda._core import facts

if TYPE_CHECKING:
    from pytest_lambda._suite.engine import SuiteOptions

__all__ = ["check_command", "replay_settings", "reproduce_line"]

PROG = "pytest-lambda"


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
    if opts.ignore_state:
        out.append(("ignore-state", ",".join(opts.ignore_state)))
    return out


def check_command(handler: str, kinds: str, seed: int, opts: SuiteOptions | None) -> str:
    """The ``pytest-lambda check`` command running the checks of ``kinds`` again, quoted."""
    words = [PROG, "check", handler, "--events", kinds, "--seed", str(seed)]
    if opts is not None:
        if opts.root is not None:
            words += ["--root", opts.root]
        for name, value in opts.env.items():
            words += ["--env", f"{name}={value}"]
        for flag, folder in opts.path_args:
            words += [f"--{flag}", folder]
    for setting, given in replay_settings(opts):
        words += [f"--{setting}"] + ([given] if given else [])
    return shlex.join(words)


def _pytest_prefix(opts: SuiteOptions | None) -> str:
    """``NAME=VALUE ...`` before ``pytest``: the variables and import paths of the function."""
    if opts is None:
        return ""
    words = [f"{name}={value}" for name, value in opts.env.items()]
    if opts.import_paths:
        words.append("PYTHONPATH=" + os.pathsep.join(opts.import_paths))
    return "".join(shlex.quote(w) + " " for w in words)


_READS: Final = re.compile(
    r"""(?:environ\[\s*|environ\.get\(\s*|getenv\(\s*)['"]([A-Za-z_][A-Za-z0-9_]*)['"]"""
)
# set by the runner as Lambda sets them, or the shell's own: never the function's settings
_RUNTIME_SET: Final = frozenset(
    {"TZ", "LANG", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "HOME", "TMPDIR", "TMP", "TEMP",
     "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "TERM", "HOSTNAME", "SHLVL", "VIRTUAL_ENV",
     "CI"}
)  # fmt: skip
_GENERIC_PREFIXES: Final = ("AWS_", "LAMBDA_", "_", "LC_", "PYTEST_", "PYTHON", "XDG_")


_SKIPPED_DIRS: Final = frozenset(
    {"node_modules", "__pycache__", "site-packages", "venv", "env", "build", "dist", "tests",
     "test", "cdk.out"}
)  # fmt: skip
_MAX_FILES: Final = 300  # a code folder, not a whole monorepo


@functools.lru_cache(maxsize=64)
def _names_in_source(root: str) -> tuple[str, ...]:
    """Environment variables the function's code names (``os.environ[...]``, ``.get``,
    ``getenv``) in the ``.py`` files under ``root`` (the handler's module and the modules
    beside it), at most :data:`_MAX_FILES` of them; () when there are none."""
    found: dict[str, None] = {}
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS]
        for name in files:
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > _MAX_FILES:
                return tuple(found)
            try:
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                    found.update(dict.fromkeys(_READS.findall(f.read())))
            except OSError:
                continue
    return tuple(found)


def _libraries_read() -> list[str]:
    """Variables libraries read for the function: Powertools' own (``POWERTOOLS_*``)."""
    return sorted(name for name in os.environ if name.startswith("POWERTOOLS_"))


def _shell_note(opts: SuiteOptions | None) -> str:
    """The variables the handler names that this run took from the shell's environment
    (named, never their values: they may be secrets), for the reproduce line."""
    if opts is None:
        return ""
    named = [*_names_in_source(opts.root or os.getcwd()), *_libraries_read()]
    names = [
        name for name in dict.fromkeys(named)
        if name in os.environ and name not in opts.env and name not in _RUNTIME_SET
        and not name.startswith(_GENERIC_PREFIXES)
    ]  # fmt: skip
    if not names:
        return ""
    which = ", ".join(names)
    return f" [with {which} from this shell's environment: set {'them' if len(names) > 1 else 'it'} the same way]"


def reproduce_line(
    handler: str, kind: str, check: str, seed: int, opts: SuiteOptions | None = None
) -> str:
    """Both ways to replay a check with the same events (and the same same set-up and settings),
    naming the variables the handler read from the shell's environment."""
    return _reproduce_line(handler, kind, check, seed, opts) + _shell_note(opts)


def _reproduce_line(
    handler: str, kind: str, check: str, seed: int, opts: SuiteOptions | None = None
) -> str:
    if opts is not None and opts.template and opts.function_id:  # timeout, memory: the template's
        # the template gives timeout, memory and each mapping's FilterCriteria
        kept = [
            (n, v) for n, v in replay_settings(opts) if n not in ("timeout", "memory", "filter")
        ]
        if opts.template_parameters:
            pairs = ",".join(f"{k}={v}" for k, v in opts.template_parameters.items())
            kept.append(("template-parameters", shlex.quote(pairs)))
        extra = "".join(f" --lambda-{n}" + (f"={v}" if v else "") for n, v in kept)
        kept = [(n, v) for n, v in kept if n != "template-parameters"]
        kept += [("parameter", f"{k}={v}") for k, v in opts.template_parameters.items()]
        kept += list(opts.path_args)
        cli_extra = "".join(f" --{n}" + (f" {shlex.quote(v)}" if v else "") for n, v in kept)
        fn = opts.function_id
        paths = (
            "PYTHONPATH=" + shlex.quote(os.pathsep.join(opts.import_paths)) + " "
            if opts.import_paths
            else ""
        )
        return (
            f"reproduce with --lambda-seed={seed}: {paths}pytest --lambda-template={opts.template} "
            f"--lambda-events={kind} --lambda-seed={seed}{extra} -k '{fn} and {kind} and {check}'"
            "  (or: pytest-lambda "
            f"check --template {opts.template} {fn} --events {kind} --seed {seed}{cli_extra})"
        )
    settings = replay_settings(opts)
    extra = "".join(f" --lambda-{n}" + (f"={shlex.quote(v)}" if v else "") for n, v in settings)
    return (
        f"reproduce with --lambda-seed={seed}: {_pytest_prefix(opts)}pytest "
        f"--lambda-handler={handler} --lambda-events={kind} --lambda-seed={seed}{extra} "
        f"-k '{kind} and {check}'  (or: {check_command(handler, kind, seed, opts)})"
    )
