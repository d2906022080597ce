"""Issue 15, runtime isolation: the Runtime API's secret, large errors, the memory size, a
private ``/tmp``, and the credentials every handler sees (both isolation modes)."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from pytest_lambda import LambdaRunner
from pytest_lambda._runtime.memory import memory_warning
from pytest_lambda._runtime.subprocess.environment import live_children, runtime_unavailable
from pytest_lambda._runtime.subprocess.guard import refused_note, shared_tmp_note

Make = Callable[..., LambdaRunner]

pytest.importorskip("awslambdaric")

if runtime_unavailable() is not None:  # pragma: no cover - not Linux
    pytest.skip(f"runtime isolation unavailable: {runtime_unavailable()}", allow_module_level=True)

CORPUS = {
    "slowapp.py": """
import time
def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"real": True}
""",
    "bigerr.py": """
def handler(event, context):
    if event.get("recurse"):  # a long name: each of the ~1000 frames passes 64 bytes
        def down_through_every_frame_until_python_gives_up(n):
            return down_through_every_frame_until_python_gives_up(n + 1)
        return down_through_every_frame_until_python_gives_up(0)
    raise ValueError("x" * 200_000)
""",
    "hungry.py": """
import time
KEEP = []
def handler(event, context):
    KEEP.append(b"x" * (event["mb"] * 1024 * 1024))
    time.sleep(event.get("hold", 0))
    return {"held": len(KEEP)}
""",
    "tmpwriter.py": """
import os
def handler(event, context):
    with open("/tmp/" + event["name"], "a") as f:
        f.write("x")
    return sorted(os.listdir("/tmp"))
""",
    "rootwriter.py": """
import errno, os, shutil
def handler(event, context):
    out = {}
    for what, action in (
        ("move", lambda: shutil.move(os.path.join(os.getcwd(), "model.bin"), "/tmp/model.bin")),
        ("write", lambda: open("written.txt", "w").close()),
    ):
        try:
            action()
            out[what] = "done"
        except OSError as exc:
            out[what] = errno.errorcode.get(exc.errno, str(exc.errno))
    return out
""",
    "creds.py": """
import os
def handler(event, context):
    files = {k: os.environ[k] for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    import botocore.session
    credentials = botocore.session.get_session().get_credentials()
    return {
        "metadata_disabled": os.environ.get("AWS_EC2_METADATA_DISABLED"),
        "sizes": {k: os.path.getsize(v) if os.path.exists(v) else None for k, v in files.items()},
        "credentials": None if credentials is None else credentials.access_key,
    }
""",
}


def _write(path: Path) -> Path:
    for name, text in CORPUS.items():
        (path / name).write_text(text.lstrip("\n"))
    return path


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def outside_tmp() -> Iterator[Path]:
    """A task root that is not under /tmp (pytest's tmp_path is), for the private /tmp."""
    base = "/var/tmp"
    if not os.path.isdir(base) or not os.access(base, os.W_OK):  # pragma: no cover
        pytest.skip("no writable /var/tmp for a task root outside /tmp")
    path = Path(tempfile.mkdtemp(prefix="pytest-lambda-i15-", dir=base))
    yield _write(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make(root: Path) -> Iterator[Make]:
    runners: list[LambdaRunner] = []

    def _make(handler: str, isolation: str, **kwargs: object) -> LambdaRunner:
        kwargs.setdefault("root", root)
        runner = LambdaRunner(handler, isolation=isolation, **kwargs)  # type: ignore[arg-type]
        runners.append(runner)
        return runner

    yield _make
    for runner in runners:
        runner.close()
    assert live_children() == []


# -- the Runtime API's secret ----------------------------------------------------------------
def test_another_process_cannot_take_the_event_or_post_a_result(make: Make) -> None:
    """Guards: the Runtime API answers only the child it was started for. A second local
    client (urllib, here) gets 403 for /next and for a forged response with the right request
    id, never sees the event, and the refusals are counted in the invocation's logs and
    warnings. On main it read the event and its forged response was accepted."""
    runner = make("slowapp.handler", "runtime")
    assert runner.invoke({}).ok  # the child is up
    api = runner._env.api  # type: ignore[union-attr]
    assert api is not None
    assert api.endpoint.startswith(api.address + "/")
    attempts: list[tuple[str, int, bytes]] = []

    def attack() -> None:
        end = time.monotonic() + 10
        while api.served_at is None and time.monotonic() < end:
            time.sleep(0.005)
        request_id = api._current_id
        url = f"http://{api.address}"
        for method, path, body in (
            ("GET", "/2018-06-01/runtime/invocation/next", None),
            ("GET", "/not-the-secret/2018-06-01/runtime/invocation/next", None),
            ("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", b'{"forged":1}'),
            ("PUT", f"/2018-06-01/runtime/invocation/{request_id}/response", b'{"forged":1}'),
        ):
            request = urllib.request.Request(url + path, data=body, method=method)
            try:
                with urllib.request.urlopen(request, timeout=5) as reply:
                    attempts.append((path, reply.status, reply.read()))
            except urllib.error.HTTPError as exc:
                attempts.append((path, exc.code, exc.read()))

    thread = threading.Thread(target=attack)
    thread.start()
    invocation = runner.invoke({"sleep": 1.0})
    thread.join()
    assert [status for _, status, _ in attempts] == [403, 403, 403, 403]
    for _, _, body in attempts:
        assert json.loads(body) == {
            "errorType": "Forbidden",
            "errorMessage": "This Runtime API serves one pytest-lambda child process only.",
        }
        assert invocation.request_id.encode() not in body
    assert invocation.response == {"real": True}
    assert api.refused == 4
    note = refused_note(4)
    assert note == (
        "isolation='runtime': the Runtime API refused 4 requests without this child's secret "
        "(HTTP 403): another local process tried to read the event or post a result; it got "
        "neither"
    )
    assert invocation.warnings == (note,)
    assert f"pytest-lambda WARNING: {note}\n" in invocation.logs
    assert runner.invoke({}).warnings == ()  # counted once
    # Other processes of the same user can read a process's start environment: no secret there.
    pid = runner._env.pid  # type: ignore[union-attr]
    with open(f"/proc/{pid}/environ", "rb") as environ:
        start_environment = environ.read()
    assert f"AWS_LAMBDA_RUNTIME_API={api.address}\0".encode() in start_environment
    assert api.base[1:].encode() not in start_environment


def test_runtime_api_accepts_only_loopback_and_the_secret() -> None:
    """Guards: the server binds 127.0.0.1 only, and its secret is long and random."""
    from pytest_lambda._runtime.subprocess.api import RuntimeApi

    first, second = RuntimeApi(), RuntimeApi()
    try:
        assert first.address.startswith("127.0.0.1:")
        assert re.fullmatch(r"/[A-Za-z0-9_-]{32}", first.base)
        assert first.base != second.base
    finally:
        first.close()
        second.close()


# -- errors larger than 64 KiB ---------------------------------------------------------------
@pytest.mark.parametrize("recurse", [False, True], ids=["200KB-message", "RecursionError"])
def test_large_errors_arrive_as_raised(make: Make, recurse: bool) -> None:
    """Guards: a handler error whose X-Ray cause header passes 64 KiB (a 200 KB message, a
    RecursionError's 1000 frames) arrives as that error, as in module isolation. On main the
    server refused the header with 431, the runtime exited and the test got Runtime.ExitError."""
    module, runtime = (make("bigerr.handler", mode).invoke({"recurse": recurse})
                       for mode in ("module", "runtime"))  # fmt: skip
    expected = "RecursionError" if recurse else "ValueError"
    assert runtime.error_type == module.error_type == expected
    assert runtime.error is not None
    assert module.error is not None
    assert runtime.error.message == module.error.message
    if not recurse:
        assert runtime.error.message == "x" * 200_000


def test_runtime_api_header_lines_up_to_1_mib() -> None:
    """Guards: header lines above http.server's 64 KiB (awslambdaric's X-Ray cause may reach
    1 MiB) are accepted and kept; a request whose headers pass 2 MiB gets 431."""
    import socket

    from pytest_lambda._runtime.subprocess.api import RuntimeApi

    api = RuntimeApi()
    host, port = api.address.split(":")
    start = f"POST {api.base}/2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\n".encode()
    try:
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.sendall(start + b"Content-Length: 2\r\nX-Big: " + b"a" * 900_000 + b"\r\n\r\n{}")
            assert conn.recv(30).startswith(b"HTTP/1.1 202 Accepted\r\n")
        assert api.init_error is not None
        assert api.init_error.headers["X-Big"] == "a" * 900_000
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.sendall(start + b"X-Big: " + b"a" * (2 * 1024 * 1024) + b"\r\n\r\n")
            assert conn.recv(46) == b"HTTP/1.1 431 Request header fields too large\r\n"
    finally:
        api.close()


# -- the memory size -------------------------------------------------------------------------
def test_runtime_kills_a_handler_past_its_memory_size(make: Make) -> None:
    """Guards: memory_mb is enforced in runtime isolation as Lambda does: 300 MB in a 128 MB
    function ends with Runtime.OutOfMemory, the REPORT line shows the memory size used and
    the error, and the next invoke starts a new process. On main it returned ok."""
    runner = make("hungry.handler", "runtime", memory_mb=128, timeout=20)
    assert runner.invoke({"mb": 1}).ok
    invocation = runner.invoke({"mb": 300, "hold": 5})
    rid = invocation.request_id
    assert invocation.error_type == "Runtime.OutOfMemory"
    assert invocation.response == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": f"RequestId: {rid} Error: Runtime exited with error: signal: killed",
    }
    assert invocation.duration_ms < 4000  # killed, not waited for
    assert (
        f"RequestId: {rid} Error: Runtime exited with error: signal: killed\n"
        "Runtime.OutOfMemory\n" in invocation.logs
    )
    report = invocation.logs.splitlines()[-1]
    assert report.startswith(f"REPORT RequestId: {rid}\t")
    assert "\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t" in report
    assert report.endswith("\tStatus: error\tError Type: Runtime.OutOfMemory")
    again = runner.invoke({"mb": 1})
    assert again.cold_start
    assert again.response == {"held": 1}


def test_module_isolation_warns_past_the_memory_size(make: Make) -> None:
    """Guards: module isolation cannot enforce memory_mb, so an invocation that adds more than
    it warns on the Invocation and on the REPORT line; a small one does not. On main it
    passed silently."""
    runner = make("hungry.handler", "module", memory_mb=128)
    small = runner.invoke({"mb": 1})
    assert small.warnings == ()
    assert "Warning" not in small.logs
    invocation = runner.invoke({"mb": 300})
    (warning,) = invocation.warnings
    added = int(re.search(r"added (\d+) MB", warning).group(1))  # type: ignore[union-attr]
    assert 290 <= added <= 400
    assert warning == memory_warning(added, 128)
    assert warning == (
        f"Memory Size exceeded: the invocation added {added} MB to the test process's memory "
        "at its peak, more than memory_mb=128; Lambda would have ended it with "
        "Runtime.OutOfMemory. isolation='module' cannot enforce the limit; isolation='runtime' "
        "does"
    )
    report = invocation.logs.splitlines()[-1]
    assert report.startswith("REPORT RequestId: ")
    assert report.endswith("\tWarning: Memory Size exceeded, not enforced in isolation='module'")
    runner._env.handler.__globals__["KEEP"].clear()  # type: ignore[union-attr]


# -- a private /tmp --------------------------------------------------------------------------
def test_runtime_child_gets_a_private_tmp(make: Make, outside_tmp: Path) -> None:
    """Guards: in runtime isolation the handler's literal /tmp is the sandbox's scratch dir
    (a mount namespace): what it writes there never reaches the machine's /tmp, and it sees
    an empty /tmp at start, as in Lambda. On main the file landed in the machine's /tmp."""
    name = f"pytest-lambda-i15-{os.getpid()}-{time.monotonic_ns()}"
    runner = make("tmpwriter.handler", "runtime", root=outside_tmp)
    invocation = runner.invoke({"name": name})
    env = runner._env
    assert env is not None
    if env.shared_tmp:  # pragma: no cover - no mount namespace here
        pytest.skip(f"no private /tmp on this machine: {env.shared_tmp}")
    assert env.shared_tmp == ""
    assert invocation.response == [name]
    assert invocation.warnings == ()
    assert not os.path.exists(f"/tmp/{name}")
    assert Path(env.sandbox.scratch, name).read_text() == "x"
    assert runner.invoke({"name": name}).response == [name]
    assert Path(env.sandbox.scratch, name).read_text() == "xx"


def test_runtime_child_sees_a_read_only_task_root(make: Make, outside_tmp: Path) -> None:
    """As /var/task in Lambda, and as in module isolation: a handler that moved a project
    file into its /tmp had it deleted with the sandbox."""
    model = outside_tmp / "model.bin"
    model.write_text("weights")
    runner = make("rootwriter.handler", "runtime", root=outside_tmp)
    invocation = runner.invoke({})
    env = runner._env
    assert env is not None
    if env.shared_tmp:  # pragma: no cover - no mount namespace here
        pytest.skip(f"no private /tmp on this machine: {env.shared_tmp}")
    assert invocation.response == {"move": "EROFS", "write": "EROFS"}
    runner.close()
    assert model.read_text() == "weights"
    assert not (outside_tmp / "written.txt").exists()


def test_runtime_child_under_tmp_says_it_shares_tmp(make: Make, root: Path) -> None:
    """Guards: where a private /tmp is impossible (here: the task root lies under /tmp and
    would vanish), the child falls back to the machine's /tmp and the cold start says so in
    its warnings and logs, word for word."""
    if not str(root.resolve()).startswith("/tmp/"):  # pragma: no cover
        pytest.skip("pytest's tmp_path is not under /tmp here")
    name = f"pytest-lambda-i15-{os.getpid()}-{time.monotonic_ns()}"
    runner = make("tmpwriter.handler", "runtime")
    try:
        first = runner.invoke({"name": name})
        second = runner.invoke({"name": name})
    finally:
        with_file = Path("/tmp", name)
        if with_file.exists():
            with_file.unlink()
    reason = f"{root} is under /tmp and would be hidden by a private /tmp"
    note = shared_tmp_note(reason)
    assert note == (
        f"isolation='runtime': the handler's process shares this machine's /tmp ({reason}): "
        "files it writes under /tmp outlive the test and the checks do not see them; tempfile "
        "and TMPDIR use the private scratch dir. See "
        "https://pytest-lambda-toolkit.readthedocs.io/en/latest/explanation/runtime-isolation/#tmp"
    )
    assert first.warnings == (note,)
    assert f"pytest-lambda WARNING: {note}\n" in first.logs
    assert second.warnings == ()


# -- credentials -----------------------------------------------------------------------------
class _Metadata(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_PUT(self) -> None:
        self.hits.append(self.path)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize("mode", ["module", "runtime"])
def test_handler_cannot_reach_real_credentials(
    make: Make, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards: a handler that drops the fake credentials gets none from botocore: not the
    developer's ~/.aws files (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE are empty files)
    and no instance metadata service call (AWS_EC2_METADATA_DISABLED=true). On main botocore
    asked the metadata service, which on a CI host with an instance role has real keys."""
    pytest.importorskip("botocore")
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIADEVELOPERSOWN\naws_secret_access_key = s\n"
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Metadata)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Metadata.hits = []
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT", f"http://127.0.0.1:{server.server_port}"
    )
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
    try:
        result = make("creds.handler", mode).invoke({}).response
    finally:
        server.shutdown()
        server.server_close()
    assert result == {
        "metadata_disabled": "true",
        "sizes": {"AWS_CONFIG_FILE": 0, "AWS_SHARED_CREDENTIALS_FILE": 0},
        "credentials": None,
    }
    assert _Metadata.hits == []
