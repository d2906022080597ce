"""PyPI's unrelated `pytest-lambda` installs a package of the same name: we refuse clearly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_plugin_refuses_to_load_next_to_foreign_pytest_lambda(tmp_path: Path) -> None:
    dist = tmp_path / "pytest_lambda-2.2.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pytest-lambda\nVersion: 2.2.0\n")
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import pytest_lambda.plugin"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert (
        "ImportError: pytest-lambda-toolkit cannot load: the unrelated distribution 'pytest-lambda' "
        "2.2.0 is installed too, and both install a package named 'pytest_lambda'. "
        "Uninstall one of them: 'pip uninstall pytest-lambda' keeps pytest-lambda-toolkit."
    ) in result.stderr


def test_entry_point_is_not_named_lambda() -> None:
    from importlib import metadata

    eps = [
        ep for ep in metadata.entry_points(group="pytest11") if ep.value == "pytest_lambda.plugin"
    ]
    assert [ep.name for ep in eps] == ["lambda_toolkit"]
