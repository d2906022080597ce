"""The import root: --lambda-root, ini lambda_root, PYTEST_LAMBDA_ROOT, the marker's root= (issue 20)."""

from __future__ import annotations

import pytest

PLUGIN = ("-p", "lambda_toolkit", "-p", "no:randomly", "--lambda-seed=1")


@pytest.fixture
def src_layout(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """``src/svc/app.py`` doing ``from svc.util import greet``: importable from src only."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("PYTEST_LAMBDA_ROOT", "PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_EVENTS"):
        monkeypatch.delenv(name, raising=False)
    pkg = pytester.path / "src" / "svc"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "util.py").write_text("def greet(name):\n    return f'hello {name}'\n")
    (pkg / "app.py").write_text(
        "from svc.util import greet\n\n"
        "def handler(event, context):\n"
        "    import os\n"
        "    return {'greeting': greet('svc'), 'root': os.environ.get('LAMBDA_TASK_ROOT')}\n"
    )
    pytester.makepyfile(
        test_svc="""
        import os

        ROOT = os.path.dirname(os.path.abspath(__file__))

        def test_runner(lambda_runner):
            inv = lambda_runner.invoke({})
            assert inv.ok, inv.logs
            assert inv.response["greeting"] == "hello svc"
            assert inv.response["root"] == os.path.join(ROOT, "src")

        def test_handler(lambda_handler):
            assert lambda_handler({}, None)["greeting"] == "hello svc"
        """
    )
    return pytester


def test_without_a_root_the_import_error_names_the_flag_that_exists(
    src_layout: pytest.Pytester,
) -> None:
    result = src_layout.runpytest(*PLUGIN, "--lambda-handler=svc.app.handler")
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "E   pytest_lambda.HandlerConfigError: The handler 'svc.app.handler' could not be "
            "loaded: Runtime.ImportModuleError: Unable to import module 'svc.app': No module named 'svc'",
            f"    Modules are imported from {src_layout.path}; for a src layout set --lambda-root=src "
            "(ini lambda_root, env PYTEST_LAMBDA_ROOT) or the marker's root=",
        ]
    )


@pytest.mark.parametrize("spelling", ["flag", "env", "ini", "ini-in-subdir"])
def test_each_spelling_reaches_fixtures_and_is_in_the_header(
    src_layout: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    args = [*PLUGIN, "--lambda-handler=svc.app.handler"]
    root = src_layout.path / "src"
    if spelling == "flag":
        args.append("--lambda-root=src")
        source = "command line"
    elif spelling == "env":
        monkeypatch.setenv("PYTEST_LAMBDA_ROOT", "src")
        source = "env PYTEST_LAMBDA_ROOT"
    elif spelling == "ini":
        src_layout.makeini("[pytest]\nlambda_root = src\n")
        source = "ini lambda_root"
    else:  # relative to the ini file, wherever pytest is started
        src_layout.makeini("[pytest]\nlambda_root = src\n")
        monkeypatch.chdir(src_layout.mkdir("elsewhere"))
        args += ["-c", str(src_layout.path / "tox.ini"), "--rootdir", str(src_layout.path),
                 str(src_layout.path / "test_svc.py")]  # fmt: skip
        source = "ini lambda_root"
    result = src_layout.runpytest(*args)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [f"lambda: *handler=svc.app.handler (command line), root={root} ({source})*"]
    )


def test_precedence_is_flag_then_env_then_ini(
    src_layout: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    src_layout.mkdir("wrong")
    src_layout.makeini("[pytest]\nlambda_root = wrong\n")
    monkeypatch.setenv("PYTEST_LAMBDA_ROOT", "src")
    result = src_layout.runpytest(*PLUGIN, "--lambda-handler=svc.app.handler")
    result.assert_outcomes(passed=2)  # env beats ini
    monkeypatch.setenv("PYTEST_LAMBDA_ROOT", "wrong")
    result = src_layout.runpytest(*PLUGIN, "--lambda-handler=svc.app.handler", "--lambda-root=src")
    result.assert_outcomes(passed=2)  # the flag beats env


def test_the_marker_root_wins_over_the_flag(src_layout: pytest.Pytester) -> None:
    src_layout.mkdir("wrong")
    src_layout.makepyfile(
        test_marker="""
        import pytest

        @pytest.mark.lambda_handler("svc.app.handler", root="src")
        def test_it(lambda_runner):
            assert lambda_runner.invoke({}).response["greeting"] == "hello svc"
        """
    )
    result = src_layout.runpytest(*PLUGIN, "--lambda-root=wrong", "test_marker.py")
    result.assert_outcomes(passed=1)


def test_the_conformance_suite_uses_the_root(src_layout: pytest.Pytester) -> None:
    result = src_layout.runpytest(
        *PLUGIN, "--lambda-handler=svc.app.handler", "--lambda-events=sqs", "--lambda-root=src",
        "-k", "invokes",
    )  # fmt: skip
    result.assert_outcomes(passed=1, deselected=3 + 2)
    assert "could not be loaded" not in result.stdout.str()


def test_a_root_that_is_not_a_directory_is_a_usage_error(src_layout: pytest.Pytester) -> None:
    result = src_layout.runpytest(*PLUGIN, "--lambda-root=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: --lambda-root='nope' (from command line): {src_layout.path / 'nope'} is not a "
            "directory; give the directory your handler's modules import from (e.g. src); see *options*"
        ]
    )
