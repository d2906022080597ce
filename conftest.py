"""Test helpers for pytest_lambda's own suite (user-facing fixtures live in the plugin)."""

from __future__ import annotations

pytest_plugins = ["pytester"]

import os  # noqa: E402
import textwrap  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Python's SIGINT handler in every process of the run (:func:`_python_handles_sigint`).

    With pytest-timeout (in the ``test`` extra), a test stuck for 15 minutes fails instead of
    hanging the run, unless ``--timeout`` or ``PYTEST_TIMEOUT`` says otherwise.

    Set here, not as an ini key: ``--strict-config`` refuses the key where pytest-timeout is
    not installed. ``tryfirst``: pytest-timeout reads the option in its own configure hook.
    """
    _python_handles_sigint()
    if not config.pluginmanager.hasplugin("timeout") or "PYTEST_TIMEOUT" in os.environ:
        return
    if getattr(config.option, "timeout", None) is None:
        config.option.timeout = 900


def _python_handles_sigint() -> None:
    """Ctrl-C raises KeyboardInterrupt in this process, also in a run started in the background.

    A shell starts a background job (``cmd &`` in a script, ``nohup``) with SIGINT ignored, and
    Python then installs no handler of its own: ``_thread.interrupt_main()`` does nothing, and
    the tests of Ctrl-C would fail, or hang on a handler that catches everything else. In each
    process of the run (xdist workers load this file too).
    """
    import signal

    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def _subprocess_tmpdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Processes the suite starts make their temporary files under pytest's basetemp.

    Some tests end a process on purpose without its exit handlers (a killed runtime, a
    crash, ``os._exit``), which leaves that process's ``pytest-lambda-*`` folders behind:
    there, pytest's own clean-up of old basetemps removes them, not the machine's ``/tmp``.
    This process's ``tempfile.tempdir`` is not changed (only children read ``TMPDIR``).
    """
    folder = tmp_path_factory.mktemp("subprocess-tmp", numbered=False)
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved


def _sam_template(
    *, head: str = "", name: str = "Fn", properties: str = "", resources: str = ""
) -> str:
    """A SAM template with one Python function ``name`` (``app.handler`` in ``.``): ``head``
    goes before ``Resources``, ``properties`` (indented 6) after its own, then ``resources``
    (indented 2)."""
    return (
        "Transform: AWS::Serverless-2016-10-31\n"
        + head
        + f"Resources:\n  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: .\n      Handler: app.handler\n      Runtime: python3.12\n"
        + properties
        + resources
    )


@pytest.fixture
def sam_template() -> Callable[..., str]:
    """``sam_template(head=, name=, properties=, resources=)``: the text of a SAM template
    with one Python function (see :func:`_sam_template`)."""
    return _sam_template


@pytest.fixture
def app_runners(tmp_path: Path) -> Iterator[Callable[[str], Callable[..., Any]]]:
    """``app_runners(source)`` writes ``app.py`` and gives ``make(handler, **runner keywords)``;
    every runner made is closed at teardown."""
    from pytest_lambda import LambdaRunner

    made: list[LambdaRunner] = []

    def app(source: str) -> Callable[..., LambdaRunner]:
        (tmp_path / "app.py").write_text(textwrap.dedent(source))

        def make(handler: str, **kwargs: Any) -> LambdaRunner:
            runner = LambdaRunner(handler, root=tmp_path, **kwargs)
            made.append(runner)
            return runner

        return make

    yield app
    for runner in made:
        runner.close()


@pytest.fixture
def thread_environments() -> Iterator[None]:
    """New execution environments run on a thread of their own, as off the main thread."""
    from pytest_lambda._runtime.inprocess.inline import environments_on_own_thread

    with environments_on_own_thread():
        yield


@pytest.fixture(params=["main-thread", "own-thread"])
def execution(request: pytest.FixtureRequest) -> str:
    """Run the test once with environments on the main thread and once on their own thread."""
    if request.param == "own-thread":
        request.getfixturevalue("thread_environments")
    mode: str = request.param
    return mode


# pytest-asyncio, when installed, warns at configure time that its loop-scope ini key is unset;
# pyproject.toml ignores that for this suite, but an in-process inner run applies its own
# filters, so the warning reached this suite's summary once per inner run.
_INNER_ADDOPTS = (
    '-W \'ignore:The configuration option "asyncio_default_fixture_loop_scope" is unset'
    ":pytest.PytestDeprecationWarning'"
)


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytest's ``pytester``; inner runs ignore pytest-asyncio's loop-scope warning."""
    monkeypatch.setenv("PYTEST_ADDOPTS", _INNER_ADDOPTS)
    return pytester
