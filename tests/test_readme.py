"""The README's example is real: its app.py and test_app.py run and pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _files() -> dict[str, str]:
    blocks = re.findall(r"```python\n# (\S+)\n(.*?)```", README.read_text("utf-8"), re.S)
    return dict(blocks)


def test_readme_example_passes(pytester: pytest.Pytester) -> None:
    files = _files()
    assert set(files) == {"app.py", "test_app.py"}
    for name, body in files.items():
        pytester.path.joinpath(name).write_text(body)
    result = pytester.runpytest("-p", "no:randomly", "--lambda-seed=3")
    result.assert_outcomes(passed=2)


def test_readme_example_fails_when_the_handler_is_wrong(pytester: pytest.Pytester) -> None:
    files = _files()
    broken = files["app.py"].replace('if "id" not in', 'if "id" in')
    pytester.path.joinpath("app.py").write_text(broken)
    pytester.path.joinpath("test_app.py").write_text(files["test_app.py"])
    result = pytester.runpytest("-p", "no:randomly", "--lambda-seed=3")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*reproduce with --lambda-seed=3*"])
