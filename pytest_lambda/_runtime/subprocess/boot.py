"""The first code of an ``isolation="runtime"`` child: run as a script, ``python <this file> <handler>``.

It imports nothing of pytest_lambda (the child stays a plain ``awslambdaric`` process) and does,
in order, before the handler's module is imported:

1. ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the child when the test process ends;
   then it exits if its parent is already another process (the test process died first).
2. A private ``/tmp`` (when ``_PYTEST_LAMBDA_TMP`` names the sandbox's scratch dir): a new mount
   namespace (``unshare(CLONE_NEWNS)``, or with ``CLONE_NEWUSER`` first when not root), mounts
   made private, the scratch dir bind-mounted on ``/tmp``; not when the task root, the
   interpreter or a ``sys.path`` entry lies under ``/tmp`` (it would vanish). What happened is written as one line
   to the pipe ``_PYTEST_LAMBDA_STATUS_FD``: ``private-tmp`` or ``shared-tmp: <reason>``.
3. The Runtime API secret, read from the pipe ``_PYTEST_LAMBDA_SECRET_FD`` rather than given
   in the environment (``/proc/<pid>/environ`` shows the environment a process started with to
   every process of its user): ``AWS_LAMBDA_RUNTIME_API`` becomes ``host:port/secret`` in this
   process only. The C client prefixes its URLs with it as is; awslambdaric's Python client (``call_rapid``, used for
   ``/init/error``) opens ``HTTPConnection(address)``, which would take ``port/secret`` for a
   port, so it is given ``host:port`` and the secret is put in front of its paths.
4. Each log record ends its line: awslambdaric's stdout sink writes a record as it is, and a
   record with an exception ends without a newline (Lambda's telemetry frames keep records
   apart; a pipe would glue the next line to it: ``KeyError: 'x'END RequestId: ...``).
5. ``python -m awslambdaric <handler>``.

Cost: a few system calls and one ``import ctypes`` (about 1 ms) per child start.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
_MS_RDONLY = 1
_MS_REMOUNT = 32
_MS_RELATIME = 1 << 21
# statvfs flags a remount must keep (a user namespace may not clear them): nosuid, nodev,
# noexec, noatime, nodiratime have the values of their MS_ mount flags; relatime does not
_ST_KEPT = 2 | 4 | 8 | 1024 | 2048
_ST_RELATIME = 4096


def _remount(libc: Any, path: str, *, read_only: bool) -> bool:
    flags = _MS_BIND | _MS_REMOUNT | (_MS_RDONLY if read_only else 0)
    st = os.statvfs(path)
    flags |= (st.f_flag & _ST_KEPT) | (_MS_RELATIME if st.f_flag & _ST_RELATIME else 0)
    return bool(libc.mount(None, path.encode(), None, flags, None) == 0)


def _read_only_root(libc: Any, root: str, writable: list[str]) -> None:
    """The task root read-only, as ``/var/task`` is in Lambda (a handler cannot change the
    project's files, nor move one into ``/tmp``, whose removal would delete it); the test's
    own folders inside it (``TMPDIR``, pytest's ``basetemp``) stay writable. Best effort:
    where a mount fails the root stays writable. Not under ``COVERAGE_PROCESS_START``,
    whose data files are written to the root."""
    if root == "/" or os.environ.get("COVERAGE_PROCESS_START"):
        return
    here = root.encode()
    if libc.mount(here, here, None, _MS_BIND | _MS_REC, None) != 0:
        return
    if not _remount(libc, root, read_only=True):
        return
    prefix = root.rstrip("/") + "/"
    for folder in writable:
        real = os.path.realpath(folder) if folder else ""
        if real.startswith(prefix) and os.path.isdir(real):
            there = real.encode()
            if libc.mount(there, there, None, _MS_BIND | _MS_REC, None) == 0:
                _remount(libc, real, read_only=False)


def _private_tmp(libc: Any, scratch: str) -> str:
    """Make ``scratch`` this process's ``/tmp``; the status line to report."""
    import ctypes

    for need in [os.getcwd(), sys.executable, *sys.path]:
        real = os.path.realpath(need or ".")
        if real == "/tmp" or real.startswith("/tmp/"):
            return f"shared-tmp: {need} is under /tmp and would be hidden by a private /tmp"
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWNS) != 0:
        first = os.strerror(ctypes.get_errno())
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS) != 0:
            second = os.strerror(ctypes.get_errno())
            return f"shared-tmp: unshare(CLONE_NEWNS): {first}; with CLONE_NEWUSER: {second}"
        try:  # map this user to itself, so files keep their owner
            for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                               ("gid_map", f"{gid} {gid} 1")):  # fmt: skip
                with open(f"/proc/self/{name}", "w", encoding="ascii") as file:
                    file.write(text)
        except OSError as exc:
            return f"shared-tmp: user namespace id map: {exc.strerror}"
    if libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        return f"shared-tmp: making mounts private: {os.strerror(ctypes.get_errno())}"
    if libc.mount(scratch.encode(), b"/tmp", None, _MS_BIND, None) != 0:
        return f"shared-tmp: bind mount on /tmp: {os.strerror(ctypes.get_errno())}"
    writable = os.environ.pop("_PYTEST_LAMBDA_WRITABLE", "").split(os.pathsep)
    with contextlib.suppress(Exception):  # the root stays writable, as before
        root = os.path.realpath(os.getcwd())
        _read_only_root(libc, root, writable)
        os.chdir(root)  # the cwd, taken before the mount, still led to the writable one
    return "private-tmp"


def _secret_for_python_client(address: str) -> None:
    host_port, slash, secret = address.partition("/")
    if not slash:
        return
    from awslambdaric import lambda_runtime_client

    base = lambda_runtime_client.BaseLambdaRuntimeClient
    original = base.call_rapid

    def call_rapid(self: Any, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        self.lambda_runtime_address = host_port
        return original(self, method, f"/{secret}{endpoint}", *args, **kwargs)

    base.call_rapid = call_rapid


def _records_end_their_lines() -> None:
    from awslambdaric import bootstrap

    sink = bootstrap.StandardLogSink
    original = sink.log

    def log(self: Any, msg: str, frame_type: Any = None) -> None:
        original(self, msg if msg.endswith("\n") else msg + "\n", frame_type)

    sink.log = log


def main() -> None:
    sys.path[0] = os.getcwd()  # not this file's folder: the task root, as with `python -m`
    import ctypes

    libc: Any = None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:  # not Linux: the registry at exit still kills it
        pass
    parent = int(os.environ.pop("_PYTEST_LAMBDA_PARENT", "0"))
    if os.getppid() != parent:
        os._exit(1)
    scratch = os.environ.pop("_PYTEST_LAMBDA_TMP", "")
    status_fd = os.environ.pop("_PYTEST_LAMBDA_STATUS_FD", "")
    if status_fd:
        if not scratch:
            status = "shared-tmp: disabled"
        elif libc is None or not sys.platform.startswith("linux"):
            status = f"shared-tmp: no mount namespaces on {sys.platform}"
        else:
            try:
                status = _private_tmp(libc, scratch)
            except Exception as exc:  # reported, then today's behaviour
                status = f"shared-tmp: {type(exc).__name__}: {exc}"
            # Entering a user namespace changes the credentials, which clears the parent-death
            # signal and the dumpable flag (its /proc files would become root's): set both again.
            libc.prctl(1, 9)
            libc.prctl(4, 1)  # PR_SET_DUMPABLE
            if os.getppid() != parent:
                os._exit(1)
        with open(int(status_fd), "w", encoding="utf-8") as pipe:
            pipe.write(status + "\n")
    secret_fd = os.environ.pop("_PYTEST_LAMBDA_SECRET_FD", "")
    if secret_fd:
        with open(int(secret_fd), encoding="ascii") as pipe:
            secret = pipe.read().strip()
        os.environ["AWS_LAMBDA_RUNTIME_API"] += f"/{secret}"
    _secret_for_python_client(os.environ.get("AWS_LAMBDA_RUNTIME_API", ""))
    _records_end_their_lines()
    import runpy

    sys.argv[0] = "awslambdaric"
    runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
