"""Repository gates that run with the test suite: ruff, mypy strict, cheap plugin import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_ruff_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_on_the_package() -> None:
    pytest.importorskip("mypy")
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_plugin_import_is_cheap() -> None:
    """Loading the plugin must not import Faker, jsonschema, freezegun or boto3."""
    code = (
        "import sys, json; import pytest_lambda.plugin, pytest_lambda;"
        "heavy = [m for m in ('faker', 'jsonschema', 'freezegun', 'boto3', 'botocore', 'simplejson')"
        " if m in sys.modules]; print(json.dumps(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_public_names_match_all() -> None:
    import pytest_lambda

    public = [*pytest_lambda._LAZY, "__version__"]
    assert sorted(pytest_lambda.__all__) == sorted(public)
    for name in pytest_lambda.__all__:
        assert getattr(pytest_lambda, name) is not None, name


def _undocumented(owner: object, prefix: str) -> list[str]:
    import inspect

    missing = [] if inspect.getdoc(owner) else [prefix]
    if inspect.isclass(owner):
        for name, member in vars(owner).items():
            if name.startswith("_"):
                continue
            func = member.fget if isinstance(member, property) else member
            func = getattr(func, "__func__", func)
            if inspect.isfunction(func) and not (func.__doc__ or "").strip():
                missing.append(f"{prefix}.{name}")
    return missing


def test_every_public_name_has_a_docstring() -> None:
    """The API reference renders docstrings: a public class, function or member without one
    would show up there as a bare signature."""
    import inspect

    import pytest_lambda
    import pytest_lambda.events

    missing = []
    for module in (pytest_lambda, pytest_lambda.events):
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                missing += _undocumented(value, f"{module.__name__}.{name}")
    assert missing == []


# The configure-time warning of pytest-asyncio (1.5.0 here) when its loop-scope ini key is unset
# (first line of ``_DEFAULT_FIXTURE_LOOP_SCOPE_UNSET`` in pytest_asyncio/plugin.py, 1.5.0).
_ASYNCIO_SCOPE_WARNING = 'The configuration option "asyncio_default_fixture_loop_scope" is unset.'
_WARNS_AT_CONFIGURE = f"""
import warnings

import pytest


def warn():
    warnings.warn(pytest.PytestDeprecationWarning({_ASYNCIO_SCOPE_WARNING!r} + "\\nThe event loop ..."))


def pytest_configure(config):
    warn()
"""


@pytest.mark.slow
@pytest.mark.parametrize("plugin", ["warns_at_configure", "asyncio"])
def test_this_suites_config_survives_pytest_asyncio(pytester: pytest.Pytester, plugin: str) -> None:
    """With pytest-asyncio installed, ``python -m pytest`` here ended in an INTERNALERROR: its
    configure-time deprecation warning met ``filterwarnings = error`` (issue 15). The project's
    own ini, with the plugin loaded, must run a test. ``warns_at_configure`` raises the same
    warning without the package, so the filter is checked where pytest-asyncio is absent: at
    configure time (where pytest applies ini filters since pytest-dev/pytest#14760: 9.2 does,
    9.0 did not) and again in the test (where every pytest version applies them)."""
    if plugin == "asyncio":
        pytest.importorskip("pytest_asyncio")
        pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    else:
        pytester.makepyfile(warns_at_configure=_WARNS_AT_CONFIGURE)
        pytester.makepyfile(
            test_ok="from warns_at_configure import warn\n\ndef test_ok():\n    warn()\n"
        )
    result = pytester.runpytest_subprocess(
        "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(pytester.path),
        "-p", plugin, "-p", "no:randomly", "test_ok.py",
    )  # fmt: skip
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output, output
    result.assert_outcomes(passed=1)
    if plugin == "asyncio":
        result.stdout.fnmatch_lines(["asyncio: mode=*"])
