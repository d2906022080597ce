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
