"""``events samples`` on disk: what it may overwrite, ``--check`` and the write itself.

Contract: the command writes only into the output folder and replaces or removes only
files it wrote itself that nobody changed since. It knows them by a manifest it keeps
there (:data:`MANIFEST`: the sha256 of every file as written). A file whose bytes are
already what would be written is left alone. Anything else in the way (a file of
yours, a generated file you edited, a symbolic link) stops the run before a single
file is written, with one line naming it and ``--force``; ``--force`` replaces such
files (a symbolic link is replaced itself; the file it points to is never written). A
directory in the way is refused even with ``--force``. Files are written atomically
(:mod:`pytest_lambda._cli.safe_write`); files not in the sample set are removed only when the manifest
says the command wrote them and they are unchanged, and otherwise left in place.

Cost: reads each target once (a few hundred KiB for the whole set); writes only the
files that change, one ``fsync`` each.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pytest_lambda._cli.safe_write import Existing, digest, inspect, sync_dir, write_atomic
from pytest_lambda._cli.util import PROG, CLIError

__all__ = ["DEFAULT_OUT", "MANIFEST", "README", "check", "write"]

DEFAULT_OUT: Final = "event_samples"
README: Final = "README.md"
#: The file that records what the command wrote (name → sha256).
MANIFEST: Final = ".pytest-lambda-samples.json"
_WHO: Final = f"{PROG} events samples"
_NOT_OURS: Final = f"not written by '{_WHO}', or changed since"


def _command(out: str) -> str:
    return _WHO + ("" if out == DEFAULT_OUT else f" --out {out}")


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def manifest_text(files: Mapping[str, bytes]) -> bytes:
    """The manifest recording ``files`` (name → bytes as written)."""
    record = {
        "generated_by": _WHO,
        "about": "sha256 of each file as the command wrote it; it replaces or removes "
        "only files that still match, and refuses others without --force",
        "files": {name: digest(data) for name, data in sorted(files.items())},
    }
    return (json.dumps(record, indent=2) + "\n").encode("utf-8")


def _read_manifest(entry: Existing) -> dict[str, str] | None:
    """name → sha256 from a manifest on disk; None when the file there is not one."""
    if entry.kind != "file" or entry.data is None:
        return None
    try:
        record = json.loads(entry.data)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("generated_by") != _WHO:
        return None
    files = record.get("files")
    if not isinstance(files, dict):
        return None
    return {str(k): str(v) for k, v in files.items()}


@dataclass
class Plan:
    """What a run would do in ``out``; nothing is written while it is built."""

    out: str
    writes: dict[str, bytes] = field(default_factory=dict)  # name → new bytes
    existing: dict[str, Existing] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # name → why (needs --force)
    blocked: dict[str, str] = field(default_factory=dict)  # name → why (--force won't do)
    remove: list[str] = field(default_factory=list)  # unchanged files of ours, now extra
    left: list[str] = field(default_factory=list)  # extra files that are not ours
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def path(self, name: str) -> str:
        return os.path.join(self.out, name)


def _listing(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if p.name != MANIFEST and (p.suffix == ".json" or p.name == README)
    )


def plan(out: str, wanted: Mapping[str, str]) -> Plan:
    """Compare ``wanted`` (name → text) with ``out``: what to write, refuse and remove."""
    result = Plan(out)
    data = {name: text.encode("utf-8") for name, text in wanted.items()}
    try:
        manifest_entry = inspect(result.path(MANIFEST))
        ours = _read_manifest(manifest_entry) or {}
        targets = {name: inspect(result.path(name)) for name in data}
        extra = [name for name in _listing(Path(out)) if name not in data]
        # only a file the manifest names can be ours: the others are not even read
        extras = {n: inspect(result.path(n)) if n in ours else None for n in extra}
    except OSError as exc:
        raise CLIError(f"cannot read {out}: {exc.strerror or exc}") from None
    for name, new in data.items():
        entry = result.existing[name] = targets[name]
        if entry.kind == "missing":
            result.missing.append(name)
        elif entry.data != new:
            result.stale.append(name)
        _decide(result, name, new, entry, ours)
    for name, found in extras.items():
        is_ours = found is not None and found.data is not None and ours[name] == digest(found.data)
        (result.remove if is_ours else result.left).append(name)
    result.existing[MANIFEST] = manifest_entry
    mine = _read_manifest(manifest_entry) is not None
    _decide(result, MANIFEST, manifest_text(data), manifest_entry, {}, mine=mine)
    result.remove.sort()
    result.left.sort()
    return result


def _decide(
    result: Plan,
    name: str,
    new: bytes,
    entry: Existing,
    ours: Mapping[str, str],
    *,
    mine: bool = False,
) -> None:
    if entry.kind == "directory":
        result.blocked[name] = entry.phrase
        return
    if entry.kind == "file" and entry.data == new:
        return  # nothing to do
    result.writes[name] = new
    if entry.kind == "missing" or mine:
        return
    if entry.kind == "file" and entry.data is not None and ours.get(name) == digest(entry.data):
        return
    if entry.kind == "symlink":
        result.refused[name] = "a symbolic link (--force replaces the link, never its target)"
    elif entry.kind in ("stream", "other"):
        result.refused[name] = entry.phrase
    else:
        result.refused[name] = _NOT_OURS


def _refusal(p: Plan) -> str:
    first, *others = sorted(p.refused)
    more = f" ({len(others)} more: {_names(others)})" if others else ""
    it = "them" if others else "it"
    return (
        f"not overwriting {p.path(first)}: {p.refused[first]}{more}; "
        f"move {it} away, or pass --force to replace {it}"
    )


def _blocked(p: Plan) -> str:
    name = sorted(p.blocked)[0]
    return f"cannot write {p.path(name)}: it is {p.blocked[name]}; move it away"


def check(out: str, wanted: Mapping[str, str], count: int) -> int:
    """``--check``: 0 when ``out`` holds exactly ``wanted``; 1 with what differs and what to do."""
    if not Path(out).is_dir():
        sys.stdout.write(
            f"{out}/ does not exist here ({Path.cwd()}): run from the directory that holds "
            f"it, pass --out DIR, or create it with: {_command(out)}\n"
        )
        return 1
    p = plan(out, wanted)
    unexpected = sorted(p.remove + p.left)
    if not (p.stale or p.missing or unexpected):
        sys.stdout.write(f"{out}: {count} samples and {README} up to date\n")
        return 0
    parts = [
        f"{label}: {_names(names)}"
        for label, names in (("stale", p.stale), ("missing", p.missing), ("unexpected", unexpected))
        if names
    ]
    lines = [f"{out} is out of date ({'; '.join(parts)})"]
    if p.blocked:
        lines.append(_blocked(p))
    elif p.refused:
        it, its = ("them", "their") if len(p.refused) > 1 else ("it", "its")
        lines.append(
            f"{_names(p.refused)}: not written by '{_WHO}', or changed since, so it will not "
            f"overwrite {it}; move {it} out of {out}, then regenerate with: {_command(out)} "
            f"(or destroy {its} contents with: {_command(out)} --force)"
        )
    else:
        lines.append(f"regenerate with: {_command(out)}")
    if p.left:
        lines.append(
            f"not in the sample set and not written by '{_WHO}', so it leaves them in "
            f"place: {_names(p.left)}"
        )
    sys.stdout.write("\n".join(lines) + "\n")
    return 1


def write(out: str, wanted: Mapping[str, str], count: int, *, force: bool) -> int:
    """Write ``wanted`` into ``out`` under the rules above; CLIError before any write if refused."""
    p = plan(out, wanted)
    if p.blocked:
        raise CLIError(_blocked(p))
    if p.refused and not force:
        raise CLIError(_refusal(p))
    # the manifest goes last: an interrupted run leaves it naming only files still as listed
    order = sorted(p.writes, key=lambda n: (n == MANIFEST, n))
    name = out
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file, or a link to one
        raise CLIError(f"cannot write samples to {out}: it is not a directory") from None
    except OSError as exc:
        raise CLIError(f"cannot write samples to {out}: {exc.strerror or exc}") from None
    try:
        for name in order:
            entry = p.existing.get(name, Existing("missing"))
            write_atomic(
                p.path(name), p.writes[name], replace=entry.kind != "missing", mode=entry.mode
            )
        for name in p.remove:
            os.unlink(p.path(name))
        sync_dir(out)
    except FileExistsError:
        raise CLIError(
            f"not overwriting {p.path(name)}: it appeared while writing; run again"
        ) from None
    except OSError as exc:
        raise CLIError(f"cannot write samples to {out}: {exc.strerror or exc}") from None
    changed = len([n for n in p.writes if n != MANIFEST])
    sys.stdout.write(f"{out}: wrote {count} samples and {README} ({changed} changed")
    if p.remove:
        sys.stdout.write(f", removed {_names(p.remove)}")
    sys.stdout.write(")\n")
    if p.left:
        sys.stderr.write(f"{PROG}: note: left files not in the sample set: {_names(p.left)}\n")
    return 0
