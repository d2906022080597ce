"""Getting it: the wheel builds and works from a fresh venv; [dev] has what the tests use (issue 20).

The wheel is built offline (``python -m build --wheel --no-isolation``: this interpreter's
setuptools) and installed with ``pip --no-index --no-deps`` into a venv that sees this
interpreter's packages (for pytest and the dependencies), so nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: import name -> distribution, for what tests import only if it is there
DISTRIBUTIONS = {
    "aws_lambda_powertools": "aws-lambda-powertools",
    "awslambdaric": "awslambdaric",
    "boto3": "boto3",
    "botocore": "boto3",
    "build": "build",
    "coverage": "pytest-cov",  # it depends on coverage
    "moto": "moto",
    "mypy": "mypy",
    "pydantic": "aws-lambda-powertools",  # its [parser] extra
    "pytest_asyncio": "pytest-asyncio",
    "pytest_randomly": "pytest-randomly",
    "pytest_timeout": "pytest-timeout",
    "setuptools": "setuptools",
    "time_machine": "time-machine",
    "wheel": "wheel",
    "xdist": "pytest-xdist",
}
STDLIB = {"ctypes", "re", "tomllib"}


def _extras() -> dict[str, list[str]]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    return extras


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=;! ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_dev_installs_every_package_the_tests_import() -> None:
    extras = _extras()
    dev = set()
    for requirement in extras["dev"]:
        match = re.fullmatch(r"pytest-lambda-toolkit\[(.*)\]", requirement)
        assert match, requirement
        for extra in match.group(1).split(","):
            dev |= _names(extras[extra.strip()])
    used = set()
    for path in ROOT.joinpath("tests").rglob("*.py"):
        used |= set(re.findall(r'importorskip\("([a-z_0-9]+)', path.read_text("utf-8")))
    unknown = used - set(DISTRIBUTIONS) - STDLIB
    assert unknown == set(), f"add these to DISTRIBUTIONS and to an extra of [dev]: {unknown}"
    missing = {DISTRIBUTIONS[m] for m in used - STDLIB} - dev
    assert missing == set(), f"[dev] does not install {sorted(missing)}, which tests import"


def _see_these_packages(python: Path) -> None:
    """The venv of ``python`` sees this interpreter's packages (pytest, the dependencies), as
    ``--system-site-packages`` would, also when this interpreter is itself a venv's (where
    that option gives the base interpreter's packages instead)."""
    import site

    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    ours = [*site.getsitepackages(), site.getusersitepackages()]
    lines = [f"import site; site.addsitedir({path!r})\n" for path in ours if os.path.isdir(path)]
    Path(found, "zz_outer_packages.pth").write_text("".join(lines))


@pytest.mark.skipif(sys.platform == "win32", reason="venv layout of POSIX")
def test_the_wheel_installs_into_a_fresh_venv_and_the_plugin_loads(tmp_path: Path) -> None:
    pytest.importorskip("build")
    # [test] installs setuptools: a venv of Python 3.12+ has none of its own
    setuptools = pytest.importorskip("setuptools")

    if tuple(int(p) for p in setuptools.__version__.split(".")[:2]) < (70, 1):
        pytest.importorskip("wheel")  # bdist_wheel: in setuptools itself from 70.1 ([test] has it)
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--skip-dependency-check",
         "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = out.glob("pytest_lambda_toolkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pytest_lambda/schemas/sqs.json" in names  # package data
    assert "pytest_lambda/py.typed" in names
    assert not [n for n in names if n.startswith("tests/")]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    _see_these_packages(python)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--no-build-isolation",
         "--quiet", str(wheel)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("def handler(event, context):\n    return 'ok'\n")
    (project / "test_app.py").write_text(
        "import pytest_lambda\n\n"
        "def test_it(lambda_runner):\n"
        "    assert lambda_runner.invoke({}).response == 'ok'\n"
        f"    assert pytest_lambda.__file__.startswith({str(venv)!r})\n"
    )
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--lambda-handler=app.handler", "--lambda-seed=1"],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    cli = subprocess.run(
        [str(venv / "bin" / "pytest-lambda"), "--version"], env=env, capture_output=True, text=True
    )
    assert cli.stdout.startswith("pytest-lambda "), cli.stdout + cli.stderr
