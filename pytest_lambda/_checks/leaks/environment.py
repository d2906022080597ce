"""Process state the warm-reuse check can see but not undo, as findings and notes.

Third-party module attributes the handler replaced and C-level environment variables stay
changed in the test process (warnings); new entries in the machine's ``/tmp`` under names
the handler used are a note. Cost: one listing of the machine's ``/tmp``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pytest_lambda._checks.leaks.report import PROCESS_STATE, LeakFinding
from pytest_lambda._runtime.machine_tmp import machine_tmp_entries, own_entry, used_names

if TYPE_CHECKING:
    from pytest_lambda._runtime.state import EnvironmentState

__all__ = ["machine_tmp_note", "unrestorable"]

_MAX_MACHINE_TMP: Final = 5


def unrestorable(state: EnvironmentState) -> list[LeakFinding]:
    """Process state the warm environment changed that the runner cannot put back."""
    process = getattr(state.environment, "process", None)  # None: runtime isolation
    if process is None:
        return []
    out = [
        LeakFinding(
            PROCESS_STATE, "warning", name,
            "attribute of a third-party module set by the handler; shared modules are not "
            "reset between environments, so the test process and every later environment see it",
            fix="patch third-party code from the test (monkeypatch), or wrap it in your own "
            "module instead of replacing the library's attribute",
        )
        for name in process.shared_patches
    ]  # fmt: skip
    out.extend(
        LeakFinding(
            PROCESS_STATE, "warning", f"C environment variable {name}",
            "set by C code (setenv() through ctypes or an extension), not through os.environ; "
            "it stays set in the test process, where os.system() and os.popen() see it",
            fix="set variables through os.environ",
        )
        for name in process.c_changes()
    )  # fmt: skip
    return out


def machine_tmp_note(before: frozenset[str] | None) -> list[str]:
    """Entries new in the machine's /tmp under names the handler used in its own /tmp.

    Only those: other processes on the machine create entries there all the time. They are
    never removed (nothing proves the handler made them).
    """
    after = machine_tmp_entries()
    if before is None or after is None:
        return []
    used = used_names()
    new = sorted(name for name in after - before if name in used and not own_entry(name))
    if not new:
        return []
    shown = ", ".join(f"/tmp/{name}" for name in new[:_MAX_MACHINE_TMP])
    more = f" and {len(new) - _MAX_MACHINE_TMP} more" if len(new) > _MAX_MACHINE_TMP else ""
    return [
        f"new in the machine's /tmp during the check, under names the handler uses in its own "
        f"/tmp: {shown}{more} (written by C code such as sqlite3 or a subprocess, which do not "
        "see the environment's /tmp; not inspected and not removed)"
    ]
