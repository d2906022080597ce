"""What both isolation modes give a function: its settings (``EnvConfig``), its sandbox
(private scratch dir, log stream) and its Lambda environment variables."""

from __future__ import annotations

import os
import random
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._core.os_functions import file_clock_ns, genuine_stat
from pytest_lambda._runtime.handler import split_handler
from pytest_lambda._runtime.marshal import execution_env

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from pytest_lambda._clock.clock import LambdaClock

__all__ = [
    "FAKE_CREDENTIALS", "EnvConfig", "Sandbox", "lambda_environ", "random_hex", "request_id",
]  # fmt: skip


FAKE_CREDENTIALS: Final = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}


# Ways the developer's real AWS identity could reach the handler; removed unless passed in env=.
_CREDENTIAL_SOURCES: Final = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY", "AWS_CREDENTIAL_EXPIRATION",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED",
    *FAKE_CREDENTIALS,
)  # fmt: skip


_SCRATCH_PREFIX: Final = "pytest-lambda-tmp-"
_AWS_PREFIX: Final = "pytest-lambda-aws-"
# A folder of ours left by a process that was killed (SIGKILL, os._exit: no atexit) is
# removed by the next process that makes a sandbox, once its process is gone and it has not
# changed for this long (the age guards a process in another PID namespace sharing /tmp,
# whose pid this one cannot see).
_STALE_AFTER_S: Final = 3600.0


@dataclass(frozen=True)
class EnvConfig:
    """What every environment of one runner shares."""

    handler: str | Callable[..., Any]
    handler_name: str
    timeout: float
    memory_mb: int
    function_name: str
    region: str
    root: str
    env: Mapping[str, str] = field(default_factory=dict)
    clock: LambdaClock | None = None
    version: str = "$LATEST"
    python: tuple[int, int] = (sys.version_info[0], sys.version_info[1])

    @property
    def packages(self) -> tuple[str, ...]:
        """The top-level package of a handler string (its modules are always the environment's)."""
        if not isinstance(self.handler, str) or "." not in self.handler:
            return ()
        modname = split_handler(self.handler)[0].replace("/", ".")
        top = modname.split(".")[0]
        stdlib: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())
        return (top,) if top and top not in stdlib else ()


class Sandbox:
    """What survives a reset: the private ``/tmp`` directory and the log stream name.

    Every sandbox starts with an empty private directory of a name no other sandbox had, and
    after :meth:`remove` that name is gone. Making and removing a directory costs the disk
    0.2 ms and 2 ms on a journalled file system (ext4 on this project's VM, issue 19), more
    than the rest of a cold start, so an *empty* directory is not removed but renamed into a
    small per-process pool under the new name of the sandbox that will take it (one rename,
    ~20 us: the environment that used it, and anything that kept its path, lose it there);
    it is taken only if it is then still an empty directory of this user's with mode 0700,
    else removed. The pool sets each directory's mtime to a time before this process
    started (:data:`_POOLED_MTIME_NS`) and keeps its ``lstat``: while that is unchanged
    (mtime and ctime included), one ``lstat`` proves it still empty and private when it is
    taken and when it is released, since the kernel stamps any entry made or removed in it,
    and an ``os.utime`` on it, with the present; otherwise it is listed. A directory the
    handler wrote to is removed as before, and so is one inside another sandbox's directory
    (a runner a handler made). The pool is emptied at exit; a forked child does not use
    its parent's.
    """

    def __init__(self, config: EnvConfig, today: datetime) -> None:
        self.scratch, self._signature = _scratch_dir()
        # the date's parts formatted directly (strftime costs more than the rest); the
        # stream's random part needs to be unique, not secret (random_hex: no system call)
        day = f"{today.year:04d}/{today.month:02d}/{today.day:02d}"
        self.log_stream = f"{day}/[{config.version}]{random_hex(16)}"
        self.generation = 0

    def remove(self) -> None:
        _release(self.scratch, self._signature)


_POOL_SIZE: Final = 4
# empty scratch directories of this process, ready to be renamed: (path, what its lstat
# must still say to be taken without listing it again, or None)
_POOL: list[tuple[str, tuple[int, ...] | None]] = []
_POOL_PID: list[int] = []  # the process the pool belongs to (a forked child starts its own)
# A pooled directory's mtime, in whole seconds ten seconds before this module was imported
# on the clock the kernel stamps file times with: any change of its entries stamps the
# present, so while its lstat is as the pool left it, it is empty (_pooled_signature).
_POOLED_MTIME_NS: Final = (file_clock_ns() // 1_000_000_000 - 10) * 1_000_000_000


def _pool() -> list[tuple[str, tuple[int, ...] | None]]:
    pid = os.getpid()
    if not _POOL_PID:
        import atexit

        atexit.register(_drain_pool)
        _POOL_PID.append(pid)
        sweep_stale(tempfile.gettempdir())
    elif _POOL_PID[0] != pid:  # a forked child: the directories are the parent's
        _POOL.clear()
        _POOL_PID[0] = pid
    return _POOL


def _own_name(prefix: str) -> str:
    """The start of a folder name of this process's: ``<prefix><pid>-`` (a sweep by a later
    process can tell whether its maker is gone)."""
    return f"{prefix}{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process: alive
    return True


def sweep_stale(folder: str, now: float | None = None) -> list[str]:
    """Remove the sandboxes and AWS-file folders in ``folder`` that a killed process of this
    user's left: named ``pytest-lambda-tmp-<pid>-…`` or ``pytest-lambda-aws-<pid>-…``, a real
    directory (not a link) owned by this user, its process gone, unchanged for an hour.
    Anything else is left alone, including names without a pid (earlier versions). Returns
    the paths removed. Cost: one listing of ``folder`` per process."""
    if not hasattr(os, "getuid"):
        return []
    import time

    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    me, uid = os.getpid(), os.getuid()
    for name in names:
        prefix = next((p for p in (_SCRATCH_PREFIX, _AWS_PREFIX) if name.startswith(p)), None)
        if prefix is None:
            continue
        head = name[len(prefix) :].split("-", 1)[0]
        if not head.isdigit() or int(head) in (me, 0) or _alive(int(head)):
            continue
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if (
            not stat.S_ISDIR(st.st_mode)
            or st.st_uid != uid
            or now - max(st.st_ctime, st.st_mtime) < _STALE_AFTER_S
        ):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _drain_pool() -> None:
    if _POOL_PID and _POOL_PID[0] == os.getpid():
        while _POOL:
            shutil.rmtree(_POOL.pop()[0], ignore_errors=True)


def _private(st: os.stat_result) -> bool:
    """Whether ``st`` is a directory (not a link) of this user's, mode 0700."""
    if not stat.S_ISDIR(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o700:
        return False
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def _private_empty(path: str) -> os.stat_result | None:
    """``path``'s ``lstat`` if it is an empty directory (not a link) of this user's, mode
    0700; else None."""
    try:
        st = os.lstat(path)
        if not _private(st):
            return None
        with os.scandir(path) as entries:
            return st if next(entries, None) is None else None
    except OSError:
        return None


def _signature(st: os.stat_result) -> tuple[int, ...] | None:
    """What an entry made or removed in a pooled directory, a change of its mode or owner,
    or an ``os.utime`` on it would change in its ``lstat`` (None: its mtime is not the one
    the pool put there, so its ``lstat`` cannot vouch for it)."""
    if st.st_mtime_ns != _POOLED_MTIME_NS:
        return None
    return (st.st_ino, st.st_dev, st.st_mode, st.st_uid, st.st_nlink, st.st_mtime_ns,
            st.st_ctime_ns)  # fmt: skip


def _still_empty(path: str, signature: tuple[int, ...] | None) -> os.stat_result | None:
    """``path``'s ``lstat`` if it is still a private, empty directory: its ``lstat`` as when
    ``signature`` was taken says so (one system call), else it is listed again."""
    if signature is None:
        return _private_empty(path)
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st if _signature(st) == signature else _private_empty(path)


def _scratch_dir() -> tuple[str, tuple[int, ...] | None]:
    """A new, empty, private directory under the system's temporary directory, and what its
    ``lstat`` says while it stays so (None: it is listed at its release)."""
    pool = _pool()
    while pool:
        path, signature = pool.pop()  # renamed for this sandbox when pooled: no sandbox had it
        if _still_empty(path, signature) is not None:
            return path, signature
        shutil.rmtree(path, ignore_errors=True)  # written to, or opened up, while pooled
    path = tempfile.mkdtemp(prefix=_own_name(_SCRATCH_PREFIX))
    return path, _pooled_signature(path)


def _pooled_signature(path: str) -> tuple[int, ...] | None:
    """An empty directory's mtime set to :data:`_POOLED_MTIME_NS`, and its signature then.

    The kernel stamps an entry made or removed in it with the present, never that time,
    and ``os.utime`` on it moves its ctime: an unchanged signature later proves it empty.
    It is listed after the change (an entry made before it would not have moved anything).
    """
    try:
        os.utime(path, ns=(_POOLED_MTIME_NS, _POOLED_MTIME_NS), follow_symlinks=False)
        signature = _signature(os.lstat(path))
    except (OSError, NotImplementedError):  # no utime() here: it is listed each time
        return None
    return signature if _private_empty(path) is not None else None


def _release(path: str, signature: tuple[int, ...] | None = None) -> None:
    """``path`` gone: renamed into the pool when empty (and the pool has room), else removed.
    ``signature``: what its ``lstat`` said when it was handed out (then, unchanged, one
    ``lstat`` tells it is still empty)."""
    pool = _pool()
    # not one made inside another sandbox (a runner made by a handler: its tempfile
    # directory is that environment's /tmp), which may be in use or removed with it
    nested = _SCRATCH_PREFIX in os.path.dirname(path)
    st = _still_empty(path, signature) if len(pool) < _POOL_SIZE and not nested else None
    if st is not None:
        # the next sandbox's name, 64 random bits from a generator seeded by the OS (in each
        # process: a forked child reseeds it), so no existing name is replaced
        pooled = os.path.join(os.path.dirname(path), f"{_own_name(_SCRATCH_PREFIX)}{random_hex(8)}")
        try:
            os.rename(path, pooled)
        except OSError:
            pass
        else:
            untouched = signature is not None and _signature(st) == signature
            kept = _renamed_signature(pooled, st) if untouched else _pooled_signature(pooled)
            pool.append((pooled, kept))
            return
    shutil.rmtree(path, ignore_errors=True)


def _renamed_signature(path: str, before: os.stat_result) -> tuple[int, ...] | None:
    """The signature of a pooled directory just renamed (the rename moved its ctime), when
    nothing else changed it since ``before`` (its mtime still the pool's)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    same = st.st_ino == before.st_ino and st.st_nlink == before.st_nlink
    return _signature(st) if same else None


def lambda_environ(config: EnvConfig, sandbox: Sandbox, base: Mapping[str, str]) -> dict[str, str]:
    """The environment variables of a new runtime process (docs/internals/runtime.md §5).

    ``base`` (the test's environment) minus every credential source, plus the Lambda
    variables, fake credentials and the user's ``env=`` (which may pass real credentials).
    Nothing else gives botocore credentials: ``AWS_CONFIG_FILE`` and
    ``AWS_SHARED_CREDENTIALS_FILE`` are empty files (never the developer's ``~/.aws``), and
    ``AWS_EC2_METADATA_DISABLED`` keeps it from asking the instance metadata service (which
    on a CI host with an instance role hands out real credentials).
    """
    values = {k: v for k, v in base.items() if k not in _CREDENTIAL_SOURCES}
    values.update(lambda_variables(config, sandbox))
    return values


def lambda_variables(
    config: EnvConfig, sandbox: Sandbox, aws_files: tuple[str, str] | None = None
) -> dict[str, str]:
    """What :func:`lambda_environ` adds to the test's environment (the user's ``env=`` last).

    ``aws_files``: :func:`empty_aws_files` already called for this environment.
    """
    config_file, credentials_file = aws_files if aws_files is not None else empty_aws_files()
    values = {
        **{
            "_HANDLER": config.handler_name,
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "AWS_EXECUTION_ENV": execution_env(config.python),
            "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": config.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": sandbox.log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "LAMBDA_TASK_ROOT": config.root,
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "TZ": ":UTC",
            "TMPDIR": sandbox.scratch,
            "AWS_SHARED_CREDENTIALS_FILE": credentials_file,
            "AWS_CONFIG_FILE": config_file,
            "AWS_EC2_METADATA_DISABLED": "true",
            **FAKE_CREDENTIALS,
        },
        **config.env,
    }
    return values


_AWS_FILES: list[str] = []  # the folder holding the empty config and credentials files
_AWS_PATHS: list[tuple[str, str]] = []  # the two files in it


def empty_aws_files() -> tuple[str, str]:
    """Paths of an empty ``config`` and ``credentials`` file, made once per test process (a
    new pair if a handler wrote to them) and removed at exit."""
    if _AWS_PATHS:
        paths = _AWS_PATHS[0]
        try:
            if genuine_stat(paths[0]).st_size == 0 and genuine_stat(paths[1]).st_size == 0:
                return paths
        except OSError:
            pass
    folder = tempfile.mkdtemp(prefix=_own_name(_AWS_PREFIX))
    paths = (os.path.join(folder, "config"), os.path.join(folder, "credentials"))
    for path in paths:
        with open(path, "x", encoding="ascii"):
            pass
        os.chmod(path, 0o444)
    _AWS_PATHS[:] = [paths]
    if not _AWS_FILES:
        import atexit

        atexit.register(lambda: shutil.rmtree(_AWS_FILES[0], ignore_errors=True))
        _AWS_FILES.append(folder)
    else:
        shutil.rmtree(_AWS_FILES[0], ignore_errors=True)
        _AWS_FILES[0] = folder
    return paths


# Ids need to be unique, not secret: a private generator seeded once from the OS (no
# system call per invocation) that leaves the handler's `random` module alone.
_RNG: Final = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):  # a forked child draws its own ids and names
    os.register_at_fork(after_in_child=lambda: _RNG.seed(os.urandom(32)))


def random_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as lower-case hex."""
    return f"{_RNG.getrandbits(nbytes * 8):0{nbytes * 2}x}"


_getrandbits: Final = _RNG.getrandbits
# the version nibble (4) and variant bits (10) of a version 4 UUID, over 128 random bits
_UUID_CLEAR: Final = ~((0xF << 76) | (0x3 << 62))
_UUID_SET: Final = (0x4 << 76) | (0x2 << 62)


def request_id() -> str:
    """A random version 4 UUID (as Lambda's request ids), from :data:`_RNG` (~0.6 us)."""
    h = f"{(_getrandbits(128) & _UUID_CLEAR) | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _trace_id(now: float) -> str:
    rand = f"{_getrandbits(160):040x}"
    return f"Root=1-{int(now):08x}-{rand[:24]};Parent={rand[24:]};Sampled=0"
